namespace Analytics.Errors;

/// <summary>The error taxonomy of architecture.md §12.6. Rendered as <c>"&lt;Kind&gt; Error: message"</c>.</summary>
public enum ErrorKind
{
    Syntax,
    Binder,
    Catalog,
    Conversion,
    OutOfRange,
    DivideByZero,
    InvalidInput,
    NotImplemented,
    Io,
    Interrupted,
    OutOfMemory,
    Internal,
    /// <summary>Malformed or unsupported Arrow IPC input (rendered <c>Arrow Error:</c>, with the byte offset).</summary>
    Arrow,
}
