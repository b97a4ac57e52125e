namespace Analytics.Engine;

/// <summary>What a statement was, so front ends know whether to print rows or a count.</summary>
public enum StatementKind
{
    Query,
    Insert,
    Delete,
    Update,
    Ddl,
    Explain,
    Show,
}
