using System.Data.Common;
using Analytics.Errors;

namespace Analytics.Data;

/// <summary>
/// An error the engine reported for a command (<see cref="Kind"/>: syntax, binder, catalog, conversion, …; the message
/// is the engine's <c>"&lt;Kind&gt; Error: text"</c>), or a command cancelled or timed out (<see cref="ErrorKind.Interrupted"/>).
/// </summary>
public sealed class AnalyticsException : DbException
{
    public AnalyticsException(ErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    internal AnalyticsException(QueryException error)
        : this(error.Kind, error.Message, error)
    {
    }

    /// <summary>What kind of error the engine reported.</summary>
    public ErrorKind Kind { get; }

    /// <summary>The kind as a code, e.g. <c>Binder</c>; ADO.NET tools show it next to the message.</summary>
    public override string SqlState => Kind.ToString();
}
