using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Errors;
using Analytics.Sql.Syntax;
using Analytics.Vector.Types;
using BinaryOperator = Analytics.Engine.Expressions.BinaryOperator;
using SyntaxBinaryOperator = Analytics.Sql.Syntax.BinaryOperator;
using SyntaxUnaryOperator = Analytics.Sql.Syntax.UnaryOperator;
using UnaryOperator = Analytics.Engine.Expressions.UnaryOperator;

namespace Analytics.Engine.Binding;

public sealed partial class Binder
{
    /// <summary>
    /// Where an expression is bound: the clause (for messages) and, inside AGGREGATE, the aggregate collector or, inside
    /// WINDOW, the window collector.
    /// </summary>
    private readonly record struct BindContext(string Clause, AggregateCollector? Aggregates, WindowCollector? Windows = null);

    /// <summary>Binds an expression in a clause where aggregate calls are not allowed.</summary>
    private BoundExpression BindScalar(ExpressionSyntax syntax, BindScope scope, string clause) =>
        BindExpression(syntax, scope, new BindContext(clause, null));

    private BoundExpression BindExpression(ExpressionSyntax syntax, BindScope scope, BindContext context)
    {
        if (context.Aggregates is AggregateCollector collector && !ContainsAggregate(syntax))
        {
            BoundExpression overInput = BindExpression(syntax, scope, context with { Aggregates = null });
            if (collector.MapToOutput(overInput, DefaultName(syntax)) is BoundExpression mapped)
            {
                return mapped;
            }
            if (syntax is ColumnReferenceSyntax or PositionalReferenceSyntax)
            {
                throw new QueryException(ErrorKind.Binder,
                    $"column \"{DefaultName(syntax)}\" must appear in GROUP BY or be used in an aggregate function");
            }
        }
        return syntax switch
        {
            IntegerLiteralSyntax integer => integer.Value <= long.MaxValue
                ? new BoundConstant((long)integer.Value, LogicalType.Int)
                : new BoundConstant(integer.Value, LogicalType.UInt),
            FloatLiteralSyntax number => new BoundConstant(number.Value, LogicalType.Float),
            StringLiteralSyntax text => new BoundConstant(text.Value, LogicalType.String),
            BooleanLiteralSyntax boolean => new BoundConstant(boolean.Value, LogicalType.Boolean),
            NullLiteralSyntax => new BoundConstant(null, LogicalType.Null),
            BinaryLiteralSyntax binary => new BoundConstant(binary.Value.ToArray(), LogicalType.Binary),
            ColumnReferenceSyntax column => BindColumn(column, scope),
            PositionalReferenceSyntax positional => BindPositional(positional, scope),
            ParameterReferenceSyntax parameter => BindParameter(parameter),
            BinaryExpressionSyntax binary => BindBinary(binary, scope, context),
            UnaryExpressionSyntax unary => BindUnary(unary, scope, context),
            IsExpressionSyntax isExpression => BindIs(isExpression, scope, context),
            InExpressionSyntax inExpression => BindIn(inExpression, scope, context),
            BetweenExpressionSyntax between => BindBetween(between, scope, context),
            CaseExpressionSyntax caseExpression => BindCase(caseExpression, scope, context),
            CastExpressionSyntax cast => BindCast(BindExpression(cast.Operand, scope, context), ParseType(cast.Type)),
            FunctionCallSyntax call => BindCall(call, scope, context),
            SubscriptExpressionSyntax subscript => BindSubscript(subscript, scope, context),
            ArrayExpressionSyntax array => BindScalarFunction("array_construct",
                [.. array.Elements.Select(e => BindExpression(e, scope, context))]),
            ObjectExpressionSyntax obj => BindScalarFunction("object_construct",
                [.. obj.Fields.SelectMany(f => new[] { new BoundConstant(f.Key, LogicalType.String), BindExpression(f.Value, scope, context) })]),
            _ => throw new QueryException(ErrorKind.NotImplemented, $"expression {syntax.GetType().Name} is not supported yet"),
        };
    }

    /// <summary>
    /// Constant subscripts on a variant extend one <see cref="BoundVariantPathExpression"/> (so scans see the whole
    /// path); any other subscript is the <c>get</c> function.
    /// </summary>
    private BoundExpression BindSubscript(SubscriptExpressionSyntax subscript, BindScope scope, BindContext context)
    {
        BoundExpression target = BindExpression(subscript.Target, scope, context);
        BoundExpression index = BindExpression(subscript.Index, scope, context);
        VariantPathStep? step = index switch
        {
            BoundConstant { Value: string key } when key.Length > 0 => new VariantPathStep(key, 0),
            BoundConstant { Value: long position } => new VariantPathStep(null, position),
            _ => null,
        };
        if (step is null || !target.Type.IsVariant)
        {
            return BindScalarFunction("get", [target, index]);
        }
        return target is BoundVariantPathExpression path
            ? path with { Steps = path.Steps.Add(step.Value) }
            : new BoundVariantPathExpression(target, [step.Value]);
    }

    private static BoundColumnReference BindColumn(ColumnReferenceSyntax column, BindScope scope)
    {
        string? qualifier = column.Parts.Length == 1 ? null : string.Join('.', column.Parts[..^1].Select(p => p.Name));
        int index = scope.Resolve(qualifier, column.Name.Name);
        return new BoundColumnReference(index, DefaultName(column), scope.Columns[index].Type);
    }

    private BoundColumnReference BindPositional(PositionalReferenceSyntax positional, BindScope scope)
    {
        if (_bindingSourcelessInsert && scope.Columns.IsEmpty)
        {
            throw new QueryException(ErrorKind.Binder,
                $"${positional.Index} here means an ingested row, and this INSERT has no source: send its rows through an ingest " +
                "stream (Session.OpenIngestStream, or the CLI's --ingest), or add a source such as FROM read_json('events.ndjson')");
        }
        if (positional.Index < 0 || positional.Index >= scope.Columns.Length)
        {
            throw new QueryException(ErrorKind.Binder,
                $"positional reference ${positional.Index} is out of range (input has {scope.Columns.Length} columns)");
        }
        return new BoundColumnReference(positional.Index, $"${positional.Index}", scope.Columns[positional.Index].Type);
    }

    private BoundExpression BindBinary(BinaryExpressionSyntax binary, BindScope scope, BindContext context)
    {
        BoundExpression left = BindExpression(binary.Left, scope, context);
        BoundExpression right = BindExpression(binary.Right, scope, context);
        switch (binary.Operator)
        {
            case SyntaxBinaryOperator.Concat when left.Type.Id == TypeId.Array || right.Type.Id == TypeId.Array:
                // arr1 || arr2 is array_concat (§3.7).
                return BindScalarFunction("array_concat", [left, right]);
            case SyntaxBinaryOperator.And:
            case SyntaxBinaryOperator.Or:
            {
                bool isAnd = binary.Operator == SyntaxBinaryOperator.And;
                BoundExpression l = RequireBoolean(left, isAnd ? "AND" : "OR");
                BoundExpression r = RequireBoolean(right, isAnd ? "AND" : "OR");
                ImmutableArray<BoundExpression>.Builder operands = ImmutableArray.CreateBuilder<BoundExpression>();
                foreach (BoundExpression operand in (ReadOnlySpan<BoundExpression>)[l, r])
                {
                    if (operand is BoundConjunctionExpression nested && nested.IsAnd == isAnd)
                    {
                        operands.AddRange(nested.Operands);
                    }
                    else
                    {
                        operands.Add(operand);
                    }
                }
                return new BoundConjunctionExpression(isAnd, operands.ToImmutable());
            }
            case SyntaxBinaryOperator.Xor:
                return TypeRules.Binary(BinaryOperator.NotEqual, RequireBoolean(left, "XOR"), RequireBoolean(right, "XOR"));
            default:
                return TypeRules.Binary(ToBoundOperator(binary.Operator), left, right);
        }
    }

    private static BinaryOperator ToBoundOperator(SyntaxBinaryOperator op) => op switch
    {
        SyntaxBinaryOperator.Multiply => BinaryOperator.Multiply,
        SyntaxBinaryOperator.Divide => BinaryOperator.Divide,
        SyntaxBinaryOperator.Modulo => BinaryOperator.Modulo,
        SyntaxBinaryOperator.Add => BinaryOperator.Add,
        SyntaxBinaryOperator.Subtract => BinaryOperator.Subtract,
        SyntaxBinaryOperator.Concat => BinaryOperator.Concat,
        SyntaxBinaryOperator.Equal => BinaryOperator.Equal,
        SyntaxBinaryOperator.NotEqual => BinaryOperator.NotEqual,
        SyntaxBinaryOperator.Less => BinaryOperator.Less,
        SyntaxBinaryOperator.LessOrEqual => BinaryOperator.LessOrEqual,
        SyntaxBinaryOperator.Greater => BinaryOperator.Greater,
        SyntaxBinaryOperator.GreaterOrEqual => BinaryOperator.GreaterOrEqual,
        _ => throw new QueryException(ErrorKind.Internal, $"unexpected operator {op} (this is a bug)"),
    };

    private static BoundExpression RequireBoolean(BoundExpression operand, string op) => operand.Type.Id switch
    {
        TypeId.Boolean => operand,
        TypeId.Null => new BoundConstant(null, LogicalType.Boolean),
        _ => throw new QueryException(ErrorKind.Binder, $"{op} needs boolean operands, not {operand.Type}"),
    };

    private BoundExpression BindUnary(UnaryExpressionSyntax unary, BindScope scope, BindContext context)
    {
        BoundExpression operand = BindExpression(unary.Operand, scope, context);
        switch (unary.Operator)
        {
            case SyntaxUnaryOperator.Not:
                operand = RequireBoolean(operand, "NOT");
                return new BoundUnaryExpression(UnaryOperator.Not, operand, LogicalType.Boolean);
            case SyntaxUnaryOperator.Negate when operand is BoundConstant { Value: long value } && value != long.MinValue:
                return new BoundConstant(-value, LogicalType.Int);
            case SyntaxUnaryOperator.Negate when operand is BoundConstant { Value: ulong value } && value == 1UL << 63:
                return new BoundConstant(long.MinValue, LogicalType.Int); // -9223372036854775808 is an int literal
            case SyntaxUnaryOperator.Negate when operand is BoundConstant { Value: double value }:
                return new BoundConstant(-value, LogicalType.Float);
            case SyntaxUnaryOperator.Negate or SyntaxUnaryOperator.Plus
                when operand.Type.IsNumeric || operand.Type.Id is TypeId.Interval or TypeId.Null:
                return unary.Operator == SyntaxUnaryOperator.Plus ? operand : new BoundUnaryExpression(UnaryOperator.Negate, operand, operand.Type);
            default:
                throw new QueryException(ErrorKind.Binder,
                    $"cannot apply operator {(unary.Operator == SyntaxUnaryOperator.Negate ? "-" : "+")} to {operand.Type}");
        }
    }

    private BoundExpression BindIs(IsExpressionSyntax isExpression, BindScope scope, BindContext context)
    {
        BoundExpression left = BindExpression(isExpression.Left, scope, context);
        if (isExpression.Right is NullLiteralSyntax)
        {
            return new BoundIsNullExpression(left, isExpression.Negated);
        }
        BoundExpression right = BindExpression(isExpression.Right, scope, context);
        return TypeRules.Binary(isExpression.Negated ? BinaryOperator.IsDistinctFrom : BinaryOperator.IsNotDistinctFrom, left, right);
    }

    private BoundExpression BindIn(InExpressionSyntax inExpression, BindScope scope, BindContext context)
    {
        BoundExpression input = BindExpression(inExpression.Operand, scope, context);
        List<BoundExpression> items = [.. inExpression.Values.Select(v => BindExpression(v, scope, context))];
        LogicalType type = input.Type;
        foreach (BoundExpression item in items)
        {
            type = TypeRules.UnifyWith(type, item) ?? throw new QueryException(ErrorKind.Binder, $"cannot compare {input.Type} and {item.Type}");
        }
        if (type.Id == TypeId.Null)
        {
            return new BoundConstant(null, LogicalType.Boolean);
        }
        return new BoundInExpression(TypeRules.Coerce(input, type), [.. items.Select(i => TypeRules.Coerce(i, type))], inExpression.Negated);
    }

    private BoundExpression BindBetween(BetweenExpressionSyntax between, BindScope scope, BindContext context)
    {
        BoundExpression operand = BindExpression(between.Operand, scope, context);
        BoundExpression lower = TypeRules.Binary(BinaryOperator.GreaterOrEqual, operand, BindExpression(between.Lower, scope, context));
        BoundExpression upper = TypeRules.Binary(BinaryOperator.LessOrEqual, operand, BindExpression(between.Upper, scope, context));
        BoundExpression range = new BoundConjunctionExpression(true, [RequireBoolean(lower, "BETWEEN"), RequireBoolean(upper, "BETWEEN")]);
        return between.Negated ? new BoundUnaryExpression(UnaryOperator.Not, range, LogicalType.Boolean) : range;
    }

    private BoundExpression BindCase(CaseExpressionSyntax caseExpression, BindScope scope, BindContext context)
    {
        BoundExpression? operand = caseExpression.Operand is null ? null : BindExpression(caseExpression.Operand, scope, context);
        List<(BoundExpression When, BoundExpression Then)> branches = [];
        foreach (CaseWhenSyntax when in caseExpression.Whens)
        {
            BoundExpression condition = BindExpression(when.When, scope, context);
            condition = operand is null
                ? RequireBoolean(condition, "CASE WHEN")
                : TypeRules.Binary(BinaryOperator.Equal, operand, condition);
            branches.Add((condition, BindExpression(when.Then, scope, context)));
        }
        BoundExpression otherwise = caseExpression.Else is null ? new BoundConstant(null, LogicalType.Null) : BindExpression(caseExpression.Else, scope, context);
        return BuildCase(branches, otherwise);
    }

    private static BoundExpression BuildCase(List<(BoundExpression When, BoundExpression Then)> branches, BoundExpression otherwise)
    {
        LogicalType type = otherwise.Type;
        foreach ((_, BoundExpression then) in branches)
        {
            type = TypeRules.Unify(type, then.Type)
                ?? throw new QueryException(ErrorKind.Binder, $"CASE branches have incompatible types {type} and {then.Type}");
        }
        return new BoundCaseExpression([.. branches.Select(b => (b.When, TypeRules.Coerce(b.Then, type)))], TypeRules.Coerce(otherwise, type), type);
    }

    private BoundExpression BindCast(BoundExpression input, LogicalType target)
    {
        if (input.Type == target)
        {
            return input;
        }
        if (input is BoundConstant { Value: null })
        {
            return new BoundConstant(null, target);
        }
        if (!Functions.CanCast(input.Type, target))
        {
            throw new QueryException(ErrorKind.Binder, $"cannot cast {input.Type} to {target}");
        }
        return new BoundCastExpression(input, target, ErrorsAsNull: input.Type.IsVariant);
    }

    // ---- calls -----------------------------------------------------------------------------------------------------

    private BoundExpression BindCall(FunctionCallSyntax call, BindScope scope, BindContext context)
    {
        string name = call.Name.Name;
        if (call.HasStarArgument && name != "count")
        {
            throw new QueryException(ErrorKind.Binder, $"{name}(*) is not allowed; only count(*) takes *");
        }
        if (Functions.IsWindow(name))
        {
            if (context.Windows is not WindowCollector windows)
            {
                throw new QueryException(ErrorKind.Binder, $"window function {name.ToLowerInvariant()}() is only allowed in WINDOW, not in {context.Clause}");
            }
            // Arguments are over the window's input and may not nest window calls.
            return windows.Add(BindWindowCall(call, scope, context with { Windows = null, Clause = $"{name.ToLowerInvariant()}() arguments" }), DefaultName(call));
        }
        if (Functions.IsAggregate(name))
        {
            if (context.Aggregates is not AggregateCollector collector)
            {
                throw new QueryException(ErrorKind.Binder, $"aggregate function {name}() is not allowed in {context.Clause}");
            }
            // Arguments are over the aggregate's input and may not nest aggregates.
            CallArguments arguments = BindArguments(call, scope, context with { Aggregates = null });
            return collector.Add(Functions.BindAggregate(name, arguments), DefaultName(call));
        }
        switch (name)
        {
            case "try" when call.Arguments.Length == 1 && call.Arguments[0].Name is null:
                return new BoundTryExpression(BindExpression(call.Arguments[0].Value, scope, context));
            case "catch" when call.Arguments.Length == 1 && call.Arguments[0].Name is null:
                return new BoundCatchExpression(BindExpression(call.Arguments[0].Value, scope, context));
            case "if" when call.Arguments.Length is 2 or 3 && call.Arguments.All(a => a.Name is null):
            {
                BoundExpression condition = RequireBoolean(BindExpression(call.Arguments[0].Value, scope, context), "IF");
                BoundExpression then = BindExpression(call.Arguments[1].Value, scope, context);
                BoundExpression otherwise = call.Arguments.Length == 3
                    ? BindExpression(call.Arguments[2].Value, scope, context)
                    : new BoundConstant(null, LogicalType.Null);
                return BuildCase([(condition, then)], otherwise);
            }
            default:
                return Functions.BindScalar(name, BindArguments(call, scope, context));
        }
    }

    private CallArguments BindArguments(FunctionCallSyntax call, BindScope scope, BindContext context)
    {
        ImmutableArray<BoundExpression>.Builder positional = ImmutableArray.CreateBuilder<BoundExpression>();
        ImmutableArray<(string, BoundExpression)>.Builder named = ImmutableArray.CreateBuilder<(string, BoundExpression)>();
        foreach (ArgumentSyntax argument in call.Arguments)
        {
            BoundExpression value = BindExpression(argument.Value, scope, context);
            if (argument.Name is null)
            {
                if (named.Count > 0)
                {
                    throw new QueryException(ErrorKind.Binder, $"positional argument after named argument in {call.Name.Name}()");
                }
                positional.Add(value);
            }
            else
            {
                named.Add((argument.Name.Name, value));
            }
        }
        return new CallArguments(positional.ToImmutable(), named.ToImmutable());
    }

    private BoundExpression BindScalarFunction(string name, ImmutableArray<BoundExpression> arguments) =>
        Functions.BindScalar(name, new CallArguments(arguments, []));

    /// <summary>Whether the syntax tree calls an aggregate function anywhere.</summary>
    private bool ContainsAggregate(ExpressionSyntax syntax) => syntax switch
    {
        FunctionCallSyntax call => Functions.IsAggregate(call.Name.Name) || call.Arguments.Any(a => ContainsAggregate(a.Value)),
        BinaryExpressionSyntax binary => ContainsAggregate(binary.Left) || ContainsAggregate(binary.Right),
        UnaryExpressionSyntax unary => ContainsAggregate(unary.Operand),
        IsExpressionSyntax isExpression => ContainsAggregate(isExpression.Left) || ContainsAggregate(isExpression.Right),
        InExpressionSyntax inExpression => ContainsAggregate(inExpression.Operand) || inExpression.Values.Any(ContainsAggregate),
        BetweenExpressionSyntax between => ContainsAggregate(between.Operand) || ContainsAggregate(between.Lower) || ContainsAggregate(between.Upper),
        CaseExpressionSyntax caseExpression => (caseExpression.Operand is not null && ContainsAggregate(caseExpression.Operand))
            || caseExpression.Whens.Any(w => ContainsAggregate(w.When) || ContainsAggregate(w.Then))
            || (caseExpression.Else is not null && ContainsAggregate(caseExpression.Else)),
        CastExpressionSyntax cast => ContainsAggregate(cast.Operand),
        SubscriptExpressionSyntax subscript => ContainsAggregate(subscript.Target) || ContainsAggregate(subscript.Index),
        ArrayExpressionSyntax array => array.Elements.Any(ContainsAggregate),
        ObjectExpressionSyntax obj => obj.Fields.Any(f => ContainsAggregate(f.Value)),
        _ => false,
    };
}
