namespace Analytics.Sql.Syntax;

/// <summary>The join flavours; OUTER is implied by LEFT/RIGHT/FULL.</summary>
public enum JoinKind
{
    Inner,
    Left,
    Right,
    Full,
}
