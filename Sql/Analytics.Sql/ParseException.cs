namespace Analytics.Sql;

/// <summary>
/// A ScopeQL syntax error. <see cref="Exception.Message"/> is
/// <c>"Syntax Error: &lt;Text&gt;"</c>; <see cref="Text"/> is the part after the prefix, for callers that wrap the
/// error in their own exception type: the problem, <c>at line L, column C</c>, then the source line and a caret line.
/// </summary>
public sealed class ParseException : Exception
{
    public ParseException(string text, int offset, int line, int column)
        : base("Syntax Error: " + text)
    {
        Text = text;
        Offset = offset;
        Line = line;
        Column = column;
    }

    /// <summary>The message without the <c>"Syntax Error: "</c> prefix.</summary>
    public string Text { get; }

    /// <summary>0-based character offset of the offending position.</summary>
    public int Offset { get; }

    /// <summary>1-based line of the offending position.</summary>
    public int Line { get; }

    /// <summary>1-based column of the offending position.</summary>
    public int Column { get; }

    /// <summary>A zero-length span at the offending position.</summary>
    public SourceSpan Span => new(Offset, 0, Line, Column);
}
