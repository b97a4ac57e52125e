using System.Globalization;
using System.Text;
using Analytics.Engine;

namespace Analytics.Flight.Server;

/// <summary>
/// A read-only statement a ticket stands for, with the parameter values bound to it (prepared statements); or, for
/// results no statement produces (Flight SQL GetSqlInfo), a <see cref="FixedResult"/> with a descriptive
/// <see cref="Statement"/> that is never executed.
/// </summary>
internal sealed record StatementRequest(string Statement, IReadOnlyList<StatementParameter> Parameters)
{
    public Analytics.Arrow.Arrays.ArrowRecordBatch? FixedResult { get; init; }

    /// <summary>
    /// Identity for coalescing: the exact statement text plus each parameter's type and value. Statements that differ
    /// in whitespace or case are different keys (deliberately conservative: no normalisation can merge two queries
    /// that mean different things).
    /// </summary>
    public string CoalescingKey { get; } = BuildKey(Statement, Parameters);

    private static string BuildKey(string statement, IReadOnlyList<StatementParameter> parameters)
    {
        if (parameters.Count == 0)
        {
            return statement;
        }
        StringBuilder key = new(statement);
        foreach (StatementParameter parameter in parameters)
        {
            key.Append('\0').Append(parameter.Name).Append(':').Append(parameter.Type.Name).Append('=');
            key.Append(parameter.Value switch
            {
                byte[] bytes => Convert.ToHexString(bytes),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                null => "NULL",
                object value => value.ToString(),
            });
        }
        return key.ToString();
    }
}
