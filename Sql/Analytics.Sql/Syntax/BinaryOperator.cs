namespace Analytics.Sql.Syntax;

/// <summary>Infix operators, grouped by precedence (scopeql.md §4.2).</summary>
public enum BinaryOperator
{
    Multiply,
    Divide,
    Modulo,
    Add,
    Subtract,
    Concat,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    And,
    Xor,
    Or,
}
