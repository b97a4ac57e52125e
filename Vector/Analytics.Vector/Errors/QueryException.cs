namespace Analytics.Errors;

/// <summary>
/// Every error a statement can end with. <see cref="Exception.Message"/> is the full user-facing text,
/// <c>"&lt;Kind&gt; Error: &lt;text&gt;"</c> (DuckDB style), so tests and tools can match on the kind prefix.
/// </summary>
public class QueryException : Exception
{
    public QueryException(ErrorKind kind, string text, Exception? inner = null)
        : base($"{KindLabel(kind)} Error: {text}", inner)
    {
        Kind = kind;
        Text = text;
    }

    public ErrorKind Kind { get; }

    /// <summary>The message without the kind prefix.</summary>
    public string Text { get; }

    public static string KindLabel(ErrorKind kind) => kind switch
    {
        ErrorKind.OutOfRange => "Out of Range",
        ErrorKind.DivideByZero => "Divide by Zero",
        ErrorKind.InvalidInput => "Invalid Input",
        ErrorKind.NotImplemented => "Not implemented",
        ErrorKind.Io => "IO",
        ErrorKind.OutOfMemory => "Out of Memory",
        _ => kind.ToString(),
    };
}
