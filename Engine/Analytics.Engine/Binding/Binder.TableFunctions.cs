using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sql.Syntax;
using Analytics.Vector.Types;

namespace Analytics.Engine.Binding;

public sealed partial class Binder
{
    /// <summary>
    /// <c>FROM name(args…)</c>: the registered source factory builds the source from constant arguments; the source's
    /// columns are in scope under the alias (or the function name).
    /// </summary>
    private (LogicalOperator, BindScope) BindTableFunction(TableFunctionSyntax function)
    {
        string name = function.Call.Name.Name;
        if (!catalog.TryGetSourceFactory(name, out ISourceFactory? factory))
        {
            throw new QueryException(ErrorKind.Catalog, $"table function {name}() does not exist");
        }
        IScanSource source = factory.Create(BindSourceOptions(function.Call));
        string qualifier = function.Alias?.Name ?? name;
        LogicalScan scan = new(Analytics.Sql.SyntaxPrinter.Print(function.Call), source,
            [.. Enumerable.Range(0, source.Schema.Count)], [], [], null);
        return (scan, new BindScope([.. source.Schema.Fields.Select(f => new ScopeColumn(f.Name, qualifier, f.Type))]));
    }

    private SourceOptions BindSourceOptions(FunctionCallSyntax call)
    {
        ImmutableArray<object?>.Builder positional = ImmutableArray.CreateBuilder<object?>();
        ImmutableDictionary<string, object?>.Builder named = ImmutableDictionary.CreateBuilder<string, object?>(StringComparer.Ordinal);
        foreach (ArgumentSyntax argument in call.Arguments)
        {
            object? value = SourceArgument(call.Name.Name, argument.Value);
            if (argument.Name is null)
            {
                if (named.Count > 0)
                {
                    throw new QueryException(ErrorKind.Binder, $"positional argument after named argument in {call.Name.Name}()");
                }
                positional.Add(value);
            }
            else if (!named.TryAdd(argument.Name.Name, value))
            {
                throw new QueryException(ErrorKind.Binder, $"{call.Name.Name}(): option {argument.Name.Name} given twice");
            }
        }
        return new SourceOptions(positional.ToImmutable(), named.ToImmutable());
    }

    /// <summary>A source argument as a CLR constant; array and object literals keep their written order.</summary>
    private object? SourceArgument(string function, ExpressionSyntax syntax)
    {
        switch (syntax)
        {
            case ArrayExpressionSyntax array:
                return ImmutableArray.CreateRange(array.Elements.Select(e => SourceArgument(function, e)));
            case ObjectExpressionSyntax obj:
                return ImmutableArray.CreateRange(obj.Fields.Select(f => KeyValuePair.Create(f.Key, SourceArgument(function, f.Value))));
            default:
                BoundExpression bound = BindScalar(syntax, BindScope.Empty, $"{function}()");
                if (!ConstantEvaluator.TryEvaluate(bound, out BoundConstant? constant))
                {
                    throw new QueryException(ErrorKind.Binder,
                        $"{function}(): argument {Analytics.Sql.SyntaxPrinter.Print(syntax)} cannot be evaluated (arguments must be constants)");
                }
                return constant.Type.IsVariant || constant.Type.Id is TypeId.Timestamp or TypeId.Interval ? throw new QueryException(ErrorKind.Binder,
                    $"{function}(): argument {Analytics.Sql.SyntaxPrinter.Print(syntax)} of type {constant.Type} is not supported") : constant.Value;
        }
    }
}
