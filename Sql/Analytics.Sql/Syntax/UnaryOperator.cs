namespace Analytics.Sql.Syntax;

/// <summary>Prefix operators.</summary>
public enum UnaryOperator
{
    Negate,
    Plus,
    Not,
}
