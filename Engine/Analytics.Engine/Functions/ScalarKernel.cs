using Analytics.Vector.Vectors;

namespace Analytics.Engine.Functions;

/// <summary>
/// The execution form of a scalar function (the <see cref="ScalarFunction.Implementation"/> object). Evaluates the
/// active rows of one batch: <paramref name="selection"/> empty means rows <c>0..count)</c>, else the ascending physical
/// rows to compute; results go to the same physical rows of <paramref name="result"/> (already reset to the return type).
/// </summary>
public abstract class ScalarKernel
{
    public abstract void Evaluate(ReadOnlySpan<ColumnVector> arguments, int count, ReadOnlySpan<int> selection, ColumnVector result);

    /// <summary>
    /// Whether computing one value costs less than hashing the argument's bytes and probing a table for a result kept
    /// from another dictionary (a byte search over a short string does; a regular expression does not): then
    /// <see cref="Execution.DictionaryCallMemo"/> computes each new dictionary's values instead of looking them up.
    /// </summary>
    public virtual bool CheaperThanLookup => false;
}

/// <summary>
/// A scalar kernel written one row at a time over CLR values (the <see cref="Execution.RowValues"/> conventions:
/// timestamps and intervals as long nanoseconds). Cheap to write; functions that show up in profiles get a
/// vectorized <see cref="ScalarKernel"/> instead. NULL arguments give NULL unless <see cref="PropagatesNulls"/> is false.
/// </summary>
public abstract class RowScalarKernel : ScalarKernel
{
    [ThreadStatic]
    private static object?[]? t_arguments;

    protected virtual bool PropagatesNulls => true;

    protected abstract object? Compute(ReadOnlySpan<object?> arguments);

    public sealed override void Evaluate(ReadOnlySpan<ColumnVector> arguments, int count, ReadOnlySpan<int> selection, ColumnVector result)
    {
        object?[] values = t_arguments is { } cached && cached.Length >= arguments.Length ? cached : (t_arguments = new object?[Math.Max(4, arguments.Length)]);
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            bool anyNull = false;
            for (int a = 0; a < arguments.Length; a++)
            {
                object? value = Execution.RowValues.Get(arguments[a], row);
                anyNull |= value is null;
                values[a] = value;
            }
            object? output = anyNull && PropagatesNulls ? null : Compute(values.AsSpan(0, arguments.Length));
            Execution.RowValues.Set(result, row, output);
        }
    }
}

/// <summary>A function whose value is fixed for the whole statement (e.g. now()); evaluated once per evaluator.</summary>
public abstract class StatementConstantKernel
{
    public abstract object? Value(Execution.EvaluationContext context);
}

/// <summary>
/// A kernel that prepares per-call work from constant arguments once, when the call is bound (e.g. compiling a
/// regular expression), instead of per batch or row. The registry replaces it by the kernel <see cref="Specialize"/> returns.
/// </summary>
public interface IConstantArgumentKernel
{
    ScalarKernel Specialize(System.Collections.Immutable.ImmutableArray<Expressions.BoundExpression> arguments);
}
