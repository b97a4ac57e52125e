using System.Collections.Immutable;
using System.Text;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Execution;

/// <summary>Per-statement facts expressions may read (now() is fixed per statement, Stable volatility).</summary>
public sealed record EvaluationContext(long NowNanos)
{
    public static EvaluationContext ForNow() => new((DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100);
}

/// <summary>
/// Evaluates one bound expression over batches. Mutable (owns scratch vectors): one instance per worker thread.
/// Only the batch's active rows are computed, each at its physical position; column references are returned
/// by reference (no copy); constants stay constant vectors. Three-valued logic and NULL propagation throughout.
/// </summary>
public sealed class ExpressionEvaluator : IDisposable
{
    private readonly EvaluatorNode _root;
    private readonly int[] _scratch = new int[Batch.Capacity];

    public ExpressionEvaluator(BoundExpression expression, EvaluationContext context)
    {
        _root = EvaluatorNode.Create(expression, context);
    }

    public LogicalType Type => _root.Type;

    /// <summary>The expression's value for the batch's active rows (valid until the next call).</summary>
    public ColumnVector Evaluate(Batch batch) =>
        _root.Evaluate(batch, batch.Count, batch.Selection is null ? default : batch.Selection.AsSpan(batch.Count));

    /// <summary>Narrows <paramref name="batch"/>'s selection to the rows where the predicate is TRUE (no copying).</summary>
    public void Filter(Batch batch)
    {
        ReadOnlySpan<int> selection = batch.Selection is null ? default : batch.Selection.AsSpan(batch.Count);
        int passed = _root.Select(batch, batch.Count, selection, _scratch);
        if (batch.Selection is null && passed == batch.Count)
        {
            return;
        }
        _scratch.AsSpan(0, passed).CopyTo(batch.SelectionStorage.Indices);
        batch.ApplySelection(passed);
    }

    public void Dispose() => _root.Release();
}

internal abstract class EvaluatorNode(LogicalType type)
{
    protected ColumnVector? _output;

    public LogicalType Type { get; } = type;

    protected ColumnVector Output()
    {
        _output ??= new ColumnVector(Type.Id == TypeId.Null ? LogicalType.Int : Type, Batch.Capacity);
        _output.Reset(Type.Id == TypeId.Null ? LogicalType.Int : Type);
        return _output;
    }

    public abstract ColumnVector Evaluate(Batch input, int count, ReadOnlySpan<int> selection);

    /// <summary>Writes the active rows where this boolean expression is TRUE into <paramref name="result"/>.</summary>
    public virtual int Select(Batch input, int count, ReadOnlySpan<int> selection, Span<int> result) =>
        SelectTrue(Evaluate(input, count, selection), count, selection, result);

    public virtual void Release()
    {
        _output?.Release();
        _output = null;
    }

    public static int SelectTrue(ColumnVector booleans, int count, ReadOnlySpan<int> selection, Span<int> result)
    {
        if (booleans.IsConstant || booleans.Type.Id == TypeId.Null)
        {
            if (booleans.Type.Id == TypeId.Null || booleans.IsNullAt(0) || booleans.GetData<byte>()[0] == 0)
            {
                return 0;
            }
            WriteAll(count, selection, result);
            return count;
        }
        return SelectionKernels.SelectTrue(booleans.GetData<byte>(), count, selection, booleans.Validity.ValidWords, result);
    }

    public static void WriteAll(int count, ReadOnlySpan<int> selection, Span<int> result)
    {
        if (selection.IsEmpty)
        {
            for (int k = 0; k < count; k++)
            {
                result[k] = k;
            }
        }
        else
        {
            selection[..count].CopyTo(result);
        }
    }

    public static EvaluatorNode Create(BoundExpression expression, EvaluationContext context)
    {
        if (expression is not BoundConstant && expression.Children.Any() && IsStatementConstant(expression)
            && TryEvaluateOnce(expression, context) is { } constant)
        {
            return constant;
        }
        return CreateNode(expression, context);
    }

    /// <summary>
    /// Reads no column and calls nothing volatile, so it has one value for the whole statement (e.g.
    /// <c>NOW() - 'PT24h'::interval</c>, which constant folding leaves alone because <c>now()</c> is not immutable).
    /// </summary>
    private static bool IsStatementConstant(BoundExpression expression) => expression switch
    {
        BoundColumnReference or BoundAggregateExpression => false,
        BoundFunctionExpression { Function.Volatility: Volatility.Volatile } => false,
        _ => expression.Children.All(IsStatementConstant),
    };

    /// <summary>
    /// The statement-constant expression evaluated once, as a constant node; null when evaluating it fails, so that the
    /// error is raised (or not, for an input without rows) exactly as the per-row evaluation would.
    /// </summary>
    private static ConstantNode? TryEvaluateOnce(BoundExpression expression, EvaluationContext context)
    {
        EvaluatorNode node = CreateNode(expression, context);
        Batch row = new(BatchSchema.Empty);
        try
        {
            row.SetCount(1);
            object? value = expression.Type.Id == TypeId.Null ? null : RowValues.Get(node.Evaluate(row, 1, default), 0);
            return new ConstantNode(value, expression.Type);
        }
        catch (QueryException)
        {
            return null;
        }
        finally
        {
            node.Release();
            row.Release();
        }
    }

    private static EvaluatorNode CreateNode(BoundExpression expression, EvaluationContext context) => expression switch
    {
        BoundColumnReference column => new ColumnNode(column),
        BoundConstant constant => new ConstantNode(constant.Value, constant.Type),
        BoundBinaryExpression { IsComparison: true } comparison => new ComparisonNode(comparison, context),
        BoundBinaryExpression binary when binary.Operator != BinaryOperator.Concat && binary.Type.IsNumeric
            && binary.Left.Type == binary.Type && binary.Right.Type == binary.Type => new ArithmeticNode(binary, context),
        BoundConjunctionExpression conjunction => new ConjunctionNode(conjunction, context),
        BoundUnaryExpression { Operator: UnaryOperator.Not } not => new NotNode(Create(not.Operand, context)),
        BoundIsNullExpression isNull => new IsNullNode(Create(isNull.Operand, context), isNull.Negated),
        BoundCaseExpression caseExpression => new CaseNode(caseExpression, context),
        BoundTryExpression tryExpression => new TryNode(Create(tryExpression.Input, context)),
        BoundCatchExpression catchExpression => new CatchNode(Create(catchExpression.Input, context)),
        BoundVariantPathExpression path => new VariantPathNode(path, context),
        BoundCastExpression { Input.Type.IsVariant: true, Type.Id: not (TypeId.Binary or TypeId.Null) } cast => new VariantCastNode(cast, context),
        BoundFunctionExpression { Function.Implementation: StatementConstantKernel statementConstant } function =>
            new ConstantNode(statementConstant.Value(context), function.Type),
        BoundFunctionExpression { Function.Implementation: ScalarKernel } function => new FunctionNode(function, context),
        BoundFunctionExpression function => throw new QueryException(ErrorKind.NotImplemented, $"function {function.Function.Name}() has no implementation"),
        BoundAggregateExpression aggregate => throw new QueryException(ErrorKind.Internal, $"aggregate {aggregate.Function.Name}() outside an aggregate (this is a bug)"),
        _ => new RowNode(expression, context),
    };
}

internal sealed class ColumnNode(BoundColumnReference column) : EvaluatorNode(column.Type)
{
    public override ColumnVector Evaluate(Batch input, int count, ReadOnlySpan<int> selection) => input.Columns[column.Index];
}

internal sealed class ConstantNode : EvaluatorNode
{
    private readonly ColumnVector _constant;

    public ConstantNode(object? value, LogicalType type) : base(type)
    {
        _constant = new ColumnVector(type.Id == TypeId.Null ? LogicalType.Int : type, Batch.Capacity);
        RowValues.SetConstant(_constant, value);
    }

    public override ColumnVector Evaluate(Batch input, int count, ReadOnlySpan<int> selection) => _constant;

    public override void Release() => _constant.Release();
}

/// <summary>int, uint and float arithmetic through the Vector arithmetic kernels (overflow and division-by-zero errors).</summary>
internal sealed class ArithmeticNode(BoundBinaryExpression binary, EvaluationContext context) : EvaluatorNode(binary.Type)
{
    private readonly EvaluatorNode _left = Create(binary.Left, context);
    private readonly EvaluatorNode _right = Create(binary.Right, context);
    private readonly ArithmeticKind _kind = binary.Operator switch
    {
        BinaryOperator.Add => ArithmeticKind.Add,
        BinaryOperator.Subtract => ArithmeticKind.Subtract,
        BinaryOperator.Multiply => ArithmeticKind.Multiply,
        BinaryOperator.Divide => ArithmeticKind.Divide,
        _ => ArithmeticKind.Modulo,
    };

    public override ColumnVector Evaluate(Batch input, int count, ReadOnlySpan<int> selection)
    {
        ColumnVector left = _left.Evaluate(input, count, selection);
        ColumnVector right = _right.Evaluate(input, count, selection);
        ColumnVector result = Output();
        ArithmeticKernels.Apply(_kind, left, right, result, count, selection);
        return result;
    }

    public override void Release()
    {
        base.Release();
        _left.Release();
        _right.Release();
    }
}

internal sealed class ComparisonNode(BoundBinaryExpression comparison, EvaluationContext context) : EvaluatorNode(LogicalType.Boolean)
{
    private readonly EvaluatorNode _left = Create(comparison.Left, context);
    private readonly EvaluatorNode _right = Create(comparison.Right, context);
    private readonly BinaryOperator _operator = comparison.Operator;
    private readonly byte[]? _constantBytes = comparison.Right is BoundConstant { Value: string s } ? Encoding.UTF8.GetBytes(s) : null;
    private ColumnVector? _codeDictionary;
    private int _constantCode;

    public override ColumnVector Evaluate(Batch input, int count, ReadOnlySpan<int> selection)
    {
        ColumnVector left = _left.Evaluate(input, count, selection);
        ColumnVector right = _right.Evaluate(input, count, selection);
        ColumnVector result = Output();
        Span<byte> values = result.GetData<byte>();
        bool nullSafe = _operator is BinaryOperator.IsDistinctFrom or BinaryOperator.IsNotDistinctFrom;
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            bool leftNull = left.Type.Id == TypeId.Null || _left.Type.Id == TypeId.Null || left.IsNullAt(row);
            bool rightNull = right.Type.Id == TypeId.Null || _right.Type.Id == TypeId.Null || right.IsNullAt(row);
            if (leftNull || rightNull)
            {
                if (nullSafe)
                {
                    bool same = leftNull && rightNull;
                    values[row] = (byte)((_operator == BinaryOperator.IsNotDistinctFrom) == same ? 1 : 0);
                }
                else
                {
                    result.Validity.SetNull(row, result.Capacity);
                }
                continue;
            }
            int order = ValueOrder.Compare(left, row, right, row);
            bool outcome = _operator switch
            {
                BinaryOperator.Equal or BinaryOperator.IsNotDistinctFrom => order == 0,
                BinaryOperator.NotEqual or BinaryOperator.IsDistinctFrom => order != 0,
                BinaryOperator.Less => order < 0,
                BinaryOperator.LessOrEqual => order <= 0,
                BinaryOperator.Greater => order > 0,
                _ => order >= 0,
            };
            values[row] = outcome ? (byte)1 : (byte)0;
        }
        return result;
    }

    public override int Select(Batch input, int count, ReadOnlySpan<int> selection, Span<int> result)
    {
        if (_operator <= BinaryOperator.GreaterOrEqual && _operator >= BinaryOperator.Equal && _right is ConstantNode)
        {
            ColumnVector left = _left.Evaluate(input, count, selection);
            ColumnVector right = _right.Evaluate(input, count, selection);
            if (right.Type.Id == TypeId.Null || right.IsNullAt(0))
            {
                return 0;
            }
            ComparisonKind kind = (ComparisonKind)(_operator - BinaryOperator.Equal);
            if (left.Encoding == VectorEncoding.Flat)
            {
                switch (left.Type.Id)
                {
                    case TypeId.Int or TypeId.Timestamp or TypeId.Interval:
                        return SelectionKernels.CompareConstant(kind, left.GetData<long>(), right.GetData<long>()[0], count, selection, left.Validity.ValidWords, result);
                    case TypeId.UInt:
                        return SelectionKernels.CompareConstant(kind, left.GetData<ulong>(), right.GetData<ulong>()[0], count, selection, left.Validity.ValidWords, result);
                    case TypeId.Float:
                        return SelectionKernels.CompareConstant(kind, left.GetData<double>(), right.GetData<double>()[0], count, selection, left.Validity.ValidWords, result);
                    case TypeId.String when kind is ComparisonKind.Equal or ComparisonKind.NotEqual:
                        return SelectionKernels.SelectBytesEqual(left.Offsets, left.Heap, _constantBytes, kind == ComparisonKind.NotEqual, count, selection, left.Validity.ValidWords, result);
                }
            }
            else if (left.Encoding == VectorEncoding.Dictionary && left.Type.Id == TypeId.String && kind is ComparisonKind.Equal or ComparisonKind.NotEqual)
            {
                // The constant's code is looked up once per dictionary (a block's ~thousands of values), not per batch.
                ColumnVector dictionary = left.Dictionary!;
                if (!ReferenceEquals(dictionary, _codeDictionary))
                {
                    _constantCode = SelectionKernels.FindDictionaryCode(dictionary, dictionary.Capacity, _constantBytes);
                    _codeDictionary = dictionary;
                }
                // Codes are never negative, so a missing constant (-1) matches no row under = and every valid row under !=.
                return SelectionKernels.CompareConstant(kind, left.Codes, _constantCode, count, selection, left.Validity.ValidWords, result);
            }
        }
        return base.Select(input, count, selection, result);
    }

    public override void Release()
    {
        base.Release();
        _left.Release();
        _right.Release();
        _codeDictionary = null;
    }
}

/// <summary>AND/OR with three-valued logic. As a predicate, AND narrows the selection operand by operand.</summary>
internal sealed class ConjunctionNode : EvaluatorNode
{
    private readonly EvaluatorNode[] _operands;
    private readonly bool _isAnd;
    private readonly int[] _narrowed = new int[Batch.Capacity];

    public ConjunctionNode(BoundConjunctionExpression conjunction, EvaluationContext context) : base(LogicalType.Boolean)
    {
        _isAnd = conjunction.IsAnd;
        _operands = new EvaluatorNode[conjunction.Operands.Length];
        for (int i = 0; i < _operands.Length; i++)
        {
            _operands[i] = Create(conjunction.Operands[i], context);
        }
    }

    public override ColumnVector Evaluate(Batch input, int count, ReadOnlySpan<int> selection)
    {
        ColumnVector result = Output();
        Span<byte> values = result.GetData<byte>();
        bool dense = selection.IsEmpty;
        byte neutral = _isAnd ? (byte)1 : (byte)0;
        for (int k = 0; k < count; k++)
        {
            values[dense ? k : selection[k]] = neutral;
        }
        foreach (EvaluatorNode operand in _operands)
        {
            ColumnVector next = operand.Evaluate(input, count, selection);
            for (int k = 0; k < count; k++)
            {
                int row = dense ? k : selection[k];
                bool isNull = next.Type.Id != TypeId.Boolean || next.IsNullAt(row);
                bool value = !isNull && next.GetData<byte>()[next.ValueIndex(row)] != 0;
                bool wasNull = result.Validity.IsNull(row);
                bool current = values[row] != 0;
                // AND: false dominates, then NULL; OR: true dominates, then NULL.
                if (_isAnd)
                {
                    if ((!isNull && !value) || (!wasNull && !current))
                    {
                        values[row] = 0;
                        result.Validity.SetValid(row);
                    }
                    else if (isNull)
                    {
                        result.Validity.SetNull(row, result.Capacity);
                    }
                }
                else if ((!isNull && value) || (!wasNull && current))
                {
                    values[row] = 1;
                    result.Validity.SetValid(row);
                }
                else if (isNull)
                {
                    result.Validity.SetNull(row, result.Capacity);
                }
            }
        }
        return result;
    }

    public override int Select(Batch input, int count, ReadOnlySpan<int> selection, Span<int> result)
    {
        if (!_isAnd)
        {
            return base.Select(input, count, selection, result);
        }
        int remaining = _operands[0].Select(input, count, selection, result);
        for (int i = 1; i < _operands.Length && remaining > 0; i++)
        {
            result[..remaining].CopyTo(_narrowed);
            remaining = _operands[i].Select(input, remaining, _narrowed.AsSpan(0, remaining), result);
        }
        return remaining;
    }

    public override void Release()
    {
        base.Release();
        foreach (EvaluatorNode operand in _operands)
        {
            operand.Release();
        }
    }
}

internal sealed class NotNode(EvaluatorNode operand) : EvaluatorNode(LogicalType.Boolean)
{
    public override int Select(Batch input, int count, ReadOnlySpan<int> selection, Span<int> result) =>
        operand is FunctionNode { SelectsNegated: true } function
            ? function.SelectNegated(input, count, selection, result)
            : base.Select(input, count, selection, result);

    public override ColumnVector Evaluate(Batch input, int count, ReadOnlySpan<int> selection)
    {
        ColumnVector value = operand.Evaluate(input, count, selection);
        ColumnVector result = Output();
        Span<byte> values = result.GetData<byte>();
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (value.Type.Id != TypeId.Boolean || value.IsNullAt(row))
            {
                result.Validity.SetNull(row, result.Capacity);
            }
            else
            {
                values[row] = value.GetData<byte>()[value.ValueIndex(row)] == 0 ? (byte)1 : (byte)0;
            }
        }
        return result;
    }

    public override void Release()
    {
        base.Release();
        operand.Release();
    }
}

internal sealed class IsNullNode(EvaluatorNode operand, bool negated) : EvaluatorNode(LogicalType.Boolean)
{
    public override ColumnVector Evaluate(Batch input, int count, ReadOnlySpan<int> selection)
    {
        ColumnVector value = operand.Evaluate(input, count, selection);
        ColumnVector result = Output();
        Span<byte> values = result.GetData<byte>();
        bool dense = selection.IsEmpty;
        bool nullType = operand.Type.Id == TypeId.Null;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            bool isNull = nullType || value.IsNullAt(row);
            values[row] = isNull != negated ? (byte)1 : (byte)0;
        }
        return result;
    }

    public override void Release()
    {
        base.Release();
        operand.Release();
    }
}

/// <summary>Searched CASE: each WHEN sees only the rows no earlier branch took; THEN is evaluated on its rows only.</summary>
internal sealed class CaseNode : EvaluatorNode
{
    private readonly EvaluatorNode[] _conditions;
    private readonly EvaluatorNode[] _results;
    private readonly int[] _branchOfRow = new int[Batch.Capacity];
    private readonly int[] _remaining = new int[Batch.Capacity];
    private readonly int[] _taken = new int[Batch.Capacity];
    private readonly int[] _next = new int[Batch.Capacity];
    private readonly ColumnVector?[] _branchValues;

    public CaseNode(BoundCaseExpression expression, EvaluationContext context) : base(expression.Type)
    {
        int branches = expression.Branches.Length;
        _conditions = new EvaluatorNode[branches];
        _results = new EvaluatorNode[branches + 1];
        _branchValues = new ColumnVector?[branches + 1];
        for (int i = 0; i < branches; i++)
        {
            _conditions[i] = Create(expression.Branches[i].When, context);
            _results[i] = Create(expression.Branches[i].Then, context);
        }
        _results[branches] = Create(expression.Else, context);
    }

    public override ColumnVector Evaluate(Batch input, int count, ReadOnlySpan<int> selection)
    {
        WriteAll(count, selection, _remaining);
        int remaining = count;
        Array.Clear(_branchValues);
        for (int b = 0; b < _conditions.Length && remaining > 0; b++)
        {
            ReadOnlySpan<int> rows = _remaining.AsSpan(0, remaining);
            int taken = _conditions[b].Select(input, remaining, rows, _taken);
            if (taken == 0)
            {
                continue;
            }
            _branchValues[b] = _results[b].Evaluate(input, taken, _taken.AsSpan(0, taken));
            int kept = 0;
            int t = 0;
            for (int k = 0; k < remaining; k++)
            {
                int row = _remaining[k];
                if (t < taken && _taken[t] == row)
                {
                    _branchOfRow[row] = b;
                    t++;
                }
                else
                {
                    _next[kept++] = row;
                }
            }
            _next.AsSpan(0, kept).CopyTo(_remaining);
            remaining = kept;
        }
        if (remaining > 0)
        {
            _branchValues[_conditions.Length] = _results[_conditions.Length].Evaluate(input, remaining, _remaining.AsSpan(0, remaining));
            for (int k = 0; k < remaining; k++)
            {
                _branchOfRow[_remaining[k]] = _conditions.Length;
            }
        }
        ColumnVector result = Output();
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            ColumnVector source = _branchValues[_branchOfRow[row]]!;
            if (source.Type.Id == TypeId.Null || _results[_branchOfRow[row]].Type.Id == TypeId.Null)
            {
                RowValues.Set(result, row, null);
            }
            else
            {
                ValueOrder.Copy(source, row, result, row);
            }
        }
        result.FinishBytes(input.PhysicalCount);
        return result;
    }

    public override void Release()
    {
        base.Release();
        foreach (EvaluatorNode node in _conditions)
        {
            node.Release();
        }
        foreach (EvaluatorNode node in _results)
        {
            node.Release();
        }
    }
}

/// <summary>try(x): evaluates the batch at once; only if that raises, redoes it row by row so just the failing rows become NULL.</summary>
internal sealed class TryNode(EvaluatorNode input) : EvaluatorNode(input.Type)
{
    private readonly int[] _one = new int[1];

    public override ColumnVector Evaluate(Batch batch, int count, ReadOnlySpan<int> selection)
    {
        try
        {
            return input.Evaluate(batch, count, selection);
        }
        catch (QueryException)
        {
        }
        ColumnVector result = Output();
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            _one[0] = row;
            try
            {
                ColumnVector value = input.Evaluate(batch, 1, _one);
                if (input.Type.Id == TypeId.Null)
                {
                    RowValues.Set(result, row, null);
                }
                else
                {
                    ValueOrder.Copy(value, row, result, row);
                }
            }
            catch (QueryException)
            {
                RowValues.Set(result, row, null);
            }
        }
        result.FinishBytes(batch.PhysicalCount);
        return result;
    }

    public override void Release()
    {
        base.Release();
        input.Release();
    }
}

/// <summary>
/// <c>catch(expr)</c>: a batch without errors is all NULL; otherwise rows are retried one at a time (like
/// <see cref="TryNode"/>) to find which ones fail and keep their message.
/// </summary>
internal sealed class CatchNode(EvaluatorNode input) : EvaluatorNode(LogicalType.String)
{
    private readonly int[] _one = new int[1];

    public override ColumnVector Evaluate(Batch batch, int count, ReadOnlySpan<int> selection)
    {
        bool failed = false;
        try
        {
            input.Evaluate(batch, count, selection);
        }
        catch (QueryException)
        {
            failed = true;
        }
        ColumnVector result = Output();
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            string? message = null;
            if (failed)
            {
                _one[0] = row;
                try
                {
                    input.Evaluate(batch, 1, _one);
                }
                catch (QueryException error)
                {
                    message = error.Message;
                }
            }
            RowValues.Set(result, row, message);
        }
        result.FinishBytes(batch.PhysicalCount);
        return result;
    }

    public override void Release()
    {
        base.Release();
        input.Release();
    }
}

internal sealed class FunctionNode : EvaluatorNode
{
    private readonly EvaluatorNode[] _arguments;
    private readonly ColumnVector[] _argumentValues;
    private readonly ScalarKernel _kernel;
    private readonly DictionaryCallMemo? _memo;

    public FunctionNode(BoundFunctionExpression function, EvaluationContext context) : base(function.Type)
    {
        _kernel = (ScalarKernel)function.Function.Implementation;
        _arguments = new EvaluatorNode[function.Arguments.Length];
        _argumentValues = new ColumnVector[_arguments.Length];
        int variableArgument = -1;
        int variableCount = 0;
        for (int i = 0; i < _arguments.Length; i++)
        {
            _arguments[i] = Create(function.Arguments[i], context);
            if (_arguments[i] is not ConstantNode)
            {
                variableArgument = i;
                variableCount++;
            }
        }
        _memo = variableCount == 1
            ? DictionaryCallMemo.TryCreate(_kernel, function.Function.Volatility, function.Type, _arguments.Length, variableArgument)
            : null;
    }

    public override ColumnVector Evaluate(Batch input, int count, ReadOnlySpan<int> selection)
    {
        EvaluateArguments(input, count, selection);
        return Compute(input, count, selection);
    }

    public override int Select(Batch input, int count, ReadOnlySpan<int> selection, Span<int> result)
    {
        EvaluateArguments(input, count, selection);
        if (_memo is not null && Type.Id == TypeId.Boolean && _memo.Applies(_argumentValues)
            && _memo.TrySelect(_argumentValues, count, selection, negated: false, result, out int selected))
        {
            return selected;
        }
        return SelectTrue(Compute(input, count, selection), count, selection, result);
    }

    /// <summary>Whether <see cref="SelectNegated"/> applies: a boolean call with a per-dictionary memo.</summary>
    public bool SelectsNegated => _memo is not null && Type.Id == TypeId.Boolean;

    /// <summary>
    /// <c>NOT call</c> as a predicate: straight from the per-code results when the memo applies to this batch (e.g.
    /// <c>NOT regexp_like(url, …)</c>), else from the call's values (the arguments are evaluated once either way).
    /// </summary>
    public int SelectNegated(Batch input, int count, ReadOnlySpan<int> selection, Span<int> result)
    {
        EvaluateArguments(input, count, selection);
        if (_memo!.Applies(_argumentValues) && _memo.TrySelect(_argumentValues, count, selection, negated: true, result, out int selected))
        {
            return selected;
        }
        ColumnVector values = Compute(input, count, selection);
        ReadOnlySpan<byte> booleans = values.GetData<byte>();
        bool dense = selection.IsEmpty;
        int written = 0;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            result[written] = row;
            written += !values.IsNullAt(row) && booleans[values.ValueIndex(row)] == 0 ? 1 : 0;
        }
        return written;
    }

    private void EvaluateArguments(Batch input, int count, ReadOnlySpan<int> selection)
    {
        for (int i = 0; i < _arguments.Length; i++)
        {
            _argumentValues[i] = _arguments[i].Evaluate(input, count, selection);
        }
    }

    /// <summary>The call over the evaluated arguments: per distinct dictionary value when the memo applies, else per row.</summary>
    private ColumnVector Compute(Batch input, int count, ReadOnlySpan<int> selection)
    {
        ColumnVector result = Output();
        if (_memo is not null && _memo.Applies(_argumentValues))
        {
            _memo.Evaluate(_argumentValues, count, selection, result);
            return result;
        }
        _kernel.Evaluate(_argumentValues, count, selection, result);
        result.FinishBytes(input.PhysicalCount);
        return result;
    }

    public override void Release()
    {
        base.Release();
        _memo?.Release();
        foreach (EvaluatorNode node in _arguments)
        {
            node.Release();
        }
    }
}

/// <summary>
/// <c>variant::T</c> over a whole batch with the path extractor's cast kernels (an empty path): no boxing, and
/// <c>any::object</c>/<c>::array</c>/<c>::any</c> copy the stored bytes. Never fails: a mismatch is NULL (Q19).
/// </summary>
internal sealed class VariantCastNode(BoundCastExpression cast, EvaluationContext context) : EvaluatorNode(cast.Type)
{
    private readonly EvaluatorNode _input = Create(cast.Input, context);
    private readonly VariantPathExtractor _extractor = new([], cast.Type);

    public override ColumnVector Evaluate(Batch input, int count, ReadOnlySpan<int> selection)
    {
        ColumnVector values = _input.Evaluate(input, count, selection);
        // Under a selection only the active rows are read: an input evaluated under it left the others unwritten.
        int active = selection.IsEmpty ? input.PhysicalCount : count;
        if (_extractor.PassesThrough(values, active, selection))
        {
            // E.g. ingest's $0::object over rows that are all objects: the same bytes, so no copy.
            _output ??= new ColumnVector(Type, Batch.Capacity);
            _output.Reference(values, Type);
            return _output;
        }
        ColumnVector result = Output();
        _extractor.Extract(values, active, selection, input.PhysicalCount, result);
        return result;
    }

    public override void Release()
    {
        _input.Release();
        base.Release();
    }
}

/// <summary>
/// A constant path over a variant: each step reads the previous step's canonical bytes, alternating between two reused
/// builders so no row allocates; a missing step or a top-level JSON null result gives SQL NULL (Q11).
/// </summary>
internal sealed class VariantPathNode : EvaluatorNode
{
    private readonly EvaluatorNode _input;
    private readonly VariantPathStep[] _steps;
    private readonly byte[]?[] _keys;
    private readonly VariantBuilder _even = new();
    private readonly VariantBuilder _odd = new();

    public VariantPathNode(BoundVariantPathExpression path, EvaluationContext context) : base(LogicalType.Any)
    {
        _input = Create(path.Input, context);
        _steps = [.. path.Steps];
        _keys = new byte[]?[_steps.Length];
        for (int i = 0; i < _steps.Length; i++)
        {
            _keys[i] = _steps[i].Key is string key ? Encoding.UTF8.GetBytes(key) : null;
        }
    }

    public override ColumnVector Evaluate(Batch input, int count, ReadOnlySpan<int> selection)
    {
        ColumnVector values = _input.Evaluate(input, count, selection);
        ColumnVector result = Output();
        bool nullInput = _input.Type.Id == TypeId.Null;
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (nullInput || values.IsNullAt(row))
            {
                RowValues.Set(result, row, null);
                continue;
            }
            ValueReader.Locate(values, row, out ColumnVector source, out int index);
            ReadOnlySpan<byte> current = source.GetBytes(index);
            bool found = true;
            for (int s = 0; s < _steps.Length && found; s++)
            {
                VariantBuilder output = (s & 1) == 0 ? _even : _odd;
                VariantValue value = VariantValue.Parse(current);
                byte[]? key = _keys[s];
                found = key is null ? VariantPath.TryGetIndex(value, _steps[s].Index, output) : VariantPath.TryGetKey(value, key, output);
                if (found)
                {
                    current = output.Finish();
                }
            }
            if (found)
            {
                result.SetBytes(row, current);
                result.Validity.SetValid(row);
            }
            else
            {
                RowValues.Set(result, row, null);
            }
        }
        result.FinishBytes(input.PhysicalCount);
        return result;
    }

    public override void Release()
    {
        base.Release();
        _input.Release();
    }
}

/// <summary>
/// Row-at-a-time evaluation for the remaining forms (scalar casts, IN, negation, concatenation, timestamp arithmetic).
/// The one place that evaluates over boxed values; forms move to vector nodes as they become hot.
/// </summary>
internal sealed class RowNode : EvaluatorNode
{
    private readonly BoundExpression _expression;
    private readonly EvaluatorNode[] _children;
    private readonly ColumnVector[] _childValues;

    public RowNode(BoundExpression expression, EvaluationContext context) : base(expression.Type)
    {
        _expression = expression;
        ImmutableArray<BoundExpression> children = [.. expression.Children];
        _children = new EvaluatorNode[children.Length];
        _childValues = new ColumnVector[children.Length];
        for (int i = 0; i < children.Length; i++)
        {
            _children[i] = Create(children[i], context);
        }
    }

    public override ColumnVector Evaluate(Batch input, int count, ReadOnlySpan<int> selection)
    {
        for (int i = 0; i < _children.Length; i++)
        {
            _childValues[i] = _children[i].Evaluate(input, count, selection);
        }
        ColumnVector result = Output();
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            RowValues.Set(result, row, Compute(row));
        }
        result.FinishBytes(input.PhysicalCount);
        return result;
    }

    private object? Get(int child, int row) =>
        _children[child].Type.Id == TypeId.Null ? null : RowValues.Get(_childValues[child], row);

    private object? Compute(int row)
    {
        switch (_expression)
        {
            case BoundCastExpression cast:
            {
                object? value = Get(0, row);
                if (!cast.ErrorsAsNull)
                {
                    return Casts.Cast(value, cast.Input.Type, cast.Type);
                }
                try
                {
                    return Casts.Cast(value, cast.Input.Type, cast.Type);
                }
                catch (QueryException)
                {
                    return null;
                }
            }
            case BoundUnaryExpression { Operator: UnaryOperator.Negate }:
                return Get(0, row) switch
                {
                    null => null,
                    long l when l == long.MinValue => ThrowHelper.Throw<object>(ErrorKind.OutOfRange, $"integer overflow: -({l})"),
                    long l => -l,
                    double d => -d,
                    ulong u when u == 0 => 0UL,
                    ulong u => ThrowHelper.Throw<object>(ErrorKind.OutOfRange, $"integer overflow: -({u})"),
                    _ => ThrowHelper.Throw<object>(ErrorKind.Internal, "negation of a non-number (this is a bug)"),
                };
            case BoundInExpression inExpression:
            {
                if (Get(0, row) is null)
                {
                    return null;
                }
                bool sawNull = false;
                for (int i = 1; i < _children.Length; i++)
                {
                    if (_children[i].Type.Id == TypeId.Null || _childValues[i].IsNullAt(row))
                    {
                        sawNull = true;
                    }
                    else if (ValueOrder.Equal(_childValues[0], row, _childValues[i], row))
                    {
                        return !inExpression.Negated;
                    }
                }
                return sawNull ? null : inExpression.Negated;
            }
            case BoundBinaryExpression binary:
            {
                object? left = Get(0, row);
                object? right = Get(1, row);
                if (left is null || right is null)
                {
                    return null;
                }
                return binary.Operator switch
                {
                    BinaryOperator.Concat => string.Concat((string)left, (string)right),
                    BinaryOperator.Add => checked((long)left + (long)right),
                    BinaryOperator.Subtract => checked((long)left - (long)right),
                    _ => ThrowHelper.Throw<object>(ErrorKind.NotImplemented, $"operator {binary.Operator} on {binary.Left.Type} and {binary.Right.Type}"),
                };
            }
            default:
                return ThrowHelper.Throw<object>(ErrorKind.NotImplemented, $"evaluating {_expression.GetType().Name} is not supported yet");
        }
    }

    public override void Release()
    {
        base.Release();
        foreach (EvaluatorNode node in _children)
        {
            node.Release();
        }
    }
}
