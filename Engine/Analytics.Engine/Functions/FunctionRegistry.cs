using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions.Scalars;
using Analytics.Errors;
using Analytics.Vector.Types;

namespace Analytics.Engine.Functions;

/// <summary>
/// The built-in function library and its overload resolution: positional arguments fill parameters in declared order,
/// named ones (only after positional ones, Q7) fill the rest; implicit casts are NULL → anything, int/uint → float and array/object → any;
/// the overload needing the fewest casts wins. A function family lives in one file under <c>Functions/Scalars</c> with a
/// <c>Register</c> method, listed once in <see cref="CreateBuiltin"/>.
/// </summary>
public sealed class FunctionRegistry : IFunctionCatalog
{
    /// <summary>The types min/max/sort accept.</summary>
    public static readonly ImmutableArray<LogicalType> OrderableTypes =
        [LogicalType.Int, LogicalType.UInt, LogicalType.Float, LogicalType.String, LogicalType.Timestamp, LogicalType.Interval, LogicalType.Boolean, LogicalType.Binary, LogicalType.Any];

    private readonly Dictionary<string, List<ScalarFunction>> _scalars = new(StringComparer.Ordinal);
    private readonly HashSet<string> _variadic = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<AggregateFunction>> _aggregates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WindowFunction> _windows = new(StringComparer.Ordinal);

    public static FunctionRegistry CreateBuiltin()
    {
        FunctionRegistry registry = new();
        Aggregates.Register(registry);
        MathFunctions.Register(registry);
        StringFunctions.Register(registry);
        ConditionalFunctions.Register(registry);
        TimeFunctions.Register(registry);
        SemiStructuredFunctions.Register(registry);
        WindowFunctions.Register(registry);
        RegexpFunctions.Register(registry);
        SearchFunctions.Register(registry);
        SystemFunctions.Register(registry);
        Scalars.Geo.GeoFunctions.Register(registry);
        return registry;
    }

    /// <summary>Adds a scalar overload; with <paramref name="variadic"/> the last parameter may repeat.</summary>
    public void Add(ScalarFunction function, bool variadic = false)
    {
        if (!_scalars.TryGetValue(function.Name, out List<ScalarFunction>? list))
        {
            _scalars[function.Name] = list = [];
        }
        list.Add(function);
        if (variadic)
        {
            _variadic.Add(function.Name);
        }
    }

    public void Add(AggregateFunction function)
    {
        if (!_aggregates.TryGetValue(function.Name, out List<AggregateFunction>? list))
        {
            _aggregates[function.Name] = list = [];
        }
        list.Add(function);
    }

    public bool IsAggregate(string name) => _aggregates.ContainsKey(name.ToLowerInvariant());

    public void Add(WindowFunction function) => _windows.Add(function.Name, function);

    public bool IsWindow(string name) => _windows.ContainsKey(name.ToLowerInvariant());

    public BoundWindowExpression BindWindow(string name, CallArguments arguments)
    {
        string key = name.ToLowerInvariant();
        if (!_windows.TryGetValue(key, out WindowFunction? function))
        {
            throw new QueryException(ErrorKind.Binder, $"function not found: {key}()");
        }
        (_, ImmutableArray<BoundExpression> bound) = Resolve(key, 1, _ => function.Parameters, arguments, variadic: false);
        return new BoundWindowExpression(function, bound, function.ReturnType ?? bound[0].Type);
    }

    public bool CanCast(LogicalType from, LogicalType to) => Casts.CanCast(from, to);

    public BoundExpression BindScalar(string name, CallArguments arguments)
    {
        string key = name.ToLowerInvariant();
        if (!_scalars.TryGetValue(key, out List<ScalarFunction>? overloads))
        {
            throw new QueryException(ErrorKind.Binder, $"function not found: {key}()");
        }
        bool variadic = _variadic.Contains(key);
        (int index, ImmutableArray<BoundExpression> bound) = Resolve(key, overloads.Count, i => overloads[i].Parameters, arguments, variadic);
        ScalarFunction function = overloads[index];
        if (function.Implementation is IConstantArgumentKernel specializing)
        {
            function = new ScalarFunction(function.Name, function.Parameters, function.ReturnType, function.Volatility, specializing.Specialize(bound));
        }
        return new BoundFunctionExpression(function, bound, function.ReturnType);
    }

    public BoundAggregateExpression BindAggregate(string name, CallArguments arguments)
    {
        string key = name.ToLowerInvariant();
        if (!_aggregates.TryGetValue(key, out List<AggregateFunction>? overloads))
        {
            throw new QueryException(ErrorKind.Binder, $"function not found: {key}()");
        }
        (int index, ImmutableArray<BoundExpression> bound) = Resolve(key, overloads.Count, i => overloads[i].Parameters, arguments, variadic: false);
        AggregateFunction function = overloads[index];
        return new BoundAggregateExpression(function, bound, function.ReturnType);
    }

    private static (int Index, ImmutableArray<BoundExpression> Arguments) Resolve(string name, int overloadCount,
        Func<int, ImmutableArray<FunctionParameter>> parametersOf, CallArguments arguments, bool variadic)
    {
        int bestIndex = -1;
        int bestCost = int.MaxValue;
        ImmutableArray<BoundExpression> best = default;
        string? shapeError = null;
        bool shapeFits = false;
        for (int i = 0; i < overloadCount; i++)
        {
            ImmutableArray<FunctionParameter> parameters = parametersOf(i);
            if (variadic && arguments.Positional.Length > parameters.Length && parameters.Length > 0)
            {
                parameters = [.. parameters, .. Enumerable.Repeat(parameters[^1], arguments.Positional.Length - parameters.Length)];
            }
            BoundExpression?[]? slots = Arrange(name, parameters, arguments, ref shapeError);
            if (slots is null)
            {
                continue;
            }
            shapeFits = true;
            int cost = 0;
            ImmutableArray<BoundExpression>.Builder bound = ImmutableArray.CreateBuilder<BoundExpression>(slots.Length);
            bool matches = true;
            int used = slots.Length;
            while (used > 0 && slots[used - 1] is null)
            {
                used--;
            }
            for (int p = 0; p < used && matches; p++)
            {
                LogicalType? want = parameters[p].Type;
                BoundExpression argument = slots[p] ?? new BoundConstant(null, want ?? LogicalType.Null);
                if (want is null || argument.Type == want.Value)
                {
                    bound.Add(argument);
                }
                else if (argument.Type.Id == TypeId.Null)
                {
                    bound.Add(new BoundConstant(null, want.Value));
                    cost++;
                }
                else if (want.Value.Id == TypeId.Any && argument.Type.IsVariant)
                {
                    // array and object are any values with a known kind: same bytes, no conversion.
                    bound.Add(new BoundCastExpression(argument, want.Value, false));
                    cost++;
                }
                else if (want.Value.Id == TypeId.Float && argument.Type.Id is TypeId.Int or TypeId.UInt)
                {
                    bound.Add(new BoundCastExpression(argument, want.Value, false));
                    cost += 2;
                }
                else
                {
                    matches = false;
                }
            }
            if (matches && cost < bestCost)
            {
                bestCost = cost;
                bestIndex = i;
                best = bound.ToImmutable();
            }
        }
        if (bestIndex >= 0)
        {
            return (bestIndex, best);
        }
        if (!shapeFits && shapeError is not null)
        {
            throw new QueryException(ErrorKind.Binder, shapeError);
        }
        List<string> candidates = [];
        for (int i = 0; i < overloadCount; i++)
        {
            candidates.Add($"{name}({string.Join(", ", parametersOf(i).Select(p => p.Optional ? $"[{p.Name} {TypeName(p.Type)}]" : TypeName(p.Type)))})");
        }
        string given = string.Join(", ", arguments.Positional.Select(a => a.Type.Name).Concat(arguments.Named.Select(n => $"{n.Name} => {n.Value.Type.Name}")));
        throw new QueryException(ErrorKind.Binder, $"no overload of {name}() accepts ({given}); candidates: {string.Join("; ", candidates)}");
    }

    private static string TypeName(LogicalType? type) => type?.Name ?? "any";

    /// <summary>Places the arguments into parameter slots, or null (with a reason) when the call's shape does not fit.</summary>
    private static BoundExpression?[]? Arrange(string name, ImmutableArray<FunctionParameter> parameters, CallArguments arguments, ref string? error)
    {
        int required = 0;
        foreach (FunctionParameter parameter in parameters)
        {
            required += parameter.Optional ? 0 : 1;
        }
        if (arguments.Positional.Length > parameters.Length)
        {
            error ??= parameters.Length == required
                ? $"{name}() takes {Count(parameters.Length)}, got {arguments.Positional.Length + arguments.Named.Length}"
                : $"{name}() takes {required} to {Count(parameters.Length)}, got {arguments.Positional.Length + arguments.Named.Length}";
            return null;
        }
        BoundExpression?[] slots = new BoundExpression?[parameters.Length];
        for (int i = 0; i < arguments.Positional.Length; i++)
        {
            slots[i] = arguments.Positional[i];
        }
        foreach ((string argumentName, BoundExpression value) in arguments.Named)
        {
            int index = -1;
            for (int p = 0; p < parameters.Length; p++)
            {
                if (string.Equals(parameters[p].Name, argumentName, StringComparison.OrdinalIgnoreCase))
                {
                    index = p;
                }
            }
            if (index < 0)
            {
                error ??= $"{name}() has no parameter named {argumentName}";
                return null;
            }
            if (slots[index] is not null)
            {
                error ??= $"{name}() got parameter {argumentName} twice";
                return null;
            }
            slots[index] = value;
        }
        for (int p = 0; p < parameters.Length; p++)
        {
            if (!parameters[p].Optional && slots[p] is null)
            {
                error ??= parameters.Length == required
                    ? $"{name}() takes {Count(parameters.Length)}, got {arguments.Positional.Length + arguments.Named.Length}"
                    : $"{name}() is missing its argument {parameters[p].Name}";
                return null;
            }
        }
        return slots;
    }

    private static string Count(int arguments) => arguments == 1 ? "1 argument" : $"{arguments} arguments";
}
