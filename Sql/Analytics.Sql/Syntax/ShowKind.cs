namespace Analytics.Sql.Syntax;

/// <summary>What a SHOW statement lists.</summary>
public enum ShowKind
{
    Databases,
    Schemas,
    Tables,
    Views,
    Jobs,
    Statements,
}
