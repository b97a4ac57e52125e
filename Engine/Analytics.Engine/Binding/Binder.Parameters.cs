using Analytics.Engine.Expressions;
using Analytics.Errors;
using Analytics.Sql.Syntax;

namespace Analytics.Engine.Binding;

/// <summary>Placeholders (<c>@name</c>, <c>?</c>) bound to the caller's typed values as constants.</summary>
public sealed partial class Binder
{
    /// <summary>The values of the statement's placeholders.</summary>
    public IReadOnlyList<StatementParameter> Parameters { get; init; } = [];

    /// <summary>How many <c>?</c> the statements of the script before this one used (their values come first).</summary>
    public int PlaceholderBase { get; init; }

    private BoundConstant BindParameter(ParameterReferenceSyntax parameter)
    {
        if (parameter.Name is null)
        {
            int index = PlaceholderBase + parameter.Ordinal;
            return index < Parameters.Count
                ? new BoundConstant(Parameters[index].Value, Parameters[index].Type)
                : throw new QueryException(ErrorKind.Binder,
                    $"placeholder ? number {index + 1} has no value ({Parameters.Count} parameter{(Parameters.Count == 1 ? "" : "s")} given)");
        }
        foreach (StatementParameter candidate in Parameters)
        {
            if (string.Equals(candidate.Name, parameter.Name, StringComparison.OrdinalIgnoreCase))
            {
                return new BoundConstant(candidate.Value, candidate.Type);
            }
        }
        throw new QueryException(ErrorKind.Binder, $"parameter @{parameter.Name} has no value");
    }
}
