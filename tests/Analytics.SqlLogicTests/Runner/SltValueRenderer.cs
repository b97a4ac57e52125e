using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.SqlLogicTests.Runner;

/// <summary>
/// Cell text of §10: NULL → <c>NULL</c>, empty string → <c>(empty)</c>, booleans <c>true</c>/<c>false</c>, reals
/// rounded to 12 significant digits, timestamps RFC 3339, intervals in the friendly form (Vector's ValueFormatter).
/// </summary>
public static class SltValueRenderer
{
    public static string Render(ColumnVector vector, int row)
    {
        string text = ValueFormatter.Format(vector, row, FloatStyle.Significant12);
        return text.Length == 0 && !vector.IsNullAt(row) ? "(empty)" : text;
    }

    /// <summary>Whether a result column of <paramref name="type"/> may be declared with <paramref name="letter"/>.</summary>
    public static bool Matches(char letter, LogicalType type) => letter switch
    {
        '?' => true,
        _ when type.Id == TypeId.Null => true,
        'I' => type.Id is TypeId.Int or TypeId.UInt,
        'R' => type.Id == TypeId.Float,
        'T' => type.Id is TypeId.String or TypeId.Binary,
        'B' => type.Id == TypeId.Boolean,
        'D' => type.Id is TypeId.Timestamp or TypeId.Interval,
        'V' => type.IsVariant,
        _ => false,
    };

    /// <summary>The letter completion mode writes for a column of <paramref name="type"/>.</summary>
    public static char LetterOf(LogicalType type) => type.Id switch
    {
        TypeId.Int or TypeId.UInt => 'I',
        TypeId.Float => 'R',
        TypeId.String or TypeId.Binary => 'T',
        TypeId.Boolean => 'B',
        TypeId.Timestamp or TypeId.Interval => 'D',
        _ when type.IsVariant => 'V',
        _ => '?',
    };
}
