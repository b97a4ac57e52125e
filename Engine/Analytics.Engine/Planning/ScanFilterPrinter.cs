using Analytics.Engine.Expressions;
using Analytics.Engine.Scan;
using Analytics.Vector.Types;

namespace Analytics.Engine.Planning;

/// <summary>EXPLAIN text of pushed scan filters, with source column names instead of ordinals.</summary>
internal static class ScanFilterPrinter
{
    public static string Print(ScanFilter filter, BatchSchema source) => filter switch
    {
        CompareFilter compare => $"{Name(source, compare.Column)} {CompareText(compare.Op)} {Value(compare.Value, source, compare.Column)}",
        InFilter inFilter => $"{Name(source, inFilter.Column)} IN ({string.Join(", ", inFilter.Values.Select(v => Value(v, source, inFilter.Column)))})",
        IsNullFilter isNull => $"{Name(source, isNull.Column)} {(isNull.Negated ? "IS NOT NULL" : "IS NULL")}",
        BoundingBoxFilter box => $"({Name(source, box.LonColumn)}, {Name(source, box.LatColumn)}) IN BOX({Number(box.MinLon)}, {Number(box.MinLat)}, {Number(box.MaxLon)}, {Number(box.MaxLat)})",
        AndFilter and => $"({string.Join(" AND ", and.Children.Select(c => Print(c, source)))})",
        OrFilter or => $"({string.Join(" OR ", or.Children.Select(c => Print(c, source)))})",
        ExpressionFilter expression => Print(expression.Predicate, new BatchSchema(new Field(expression.Expression, ExpressionType(expression.Predicate)))),
        TextFilter text => $"{TextFunction(text.Match)}({Name(source, text.Column)}, {BoundExpressionPrinter.PrintConstant(text.Text, LogicalType.String)})",
        ArrayContainsFilter contains => $"contains({Name(source, contains.Column)}, {BoundExpressionPrinter.PrintConstant(contains.Element, LogicalType.Any)})",
        VariantPathFilter path => $"{Name(source, path.Column)}{string.Concat(path.Path.Select(k => k is null ? "[*]" : $"[{BoundExpressionPrinter.PrintConstant(k, LogicalType.String)}]"))}{(path.Cast ? "::…" : "")}{(path.Values.Length == 1 ? " = " + BoundExpressionPrinter.PrintConstant(path.Values[0], LogicalType.Any) : $" IN ({string.Join(", ", path.Values.Select(v => BoundExpressionPrinter.PrintConstant(v, LogicalType.Any)))})")}",
        _ => filter.ToString(),
    };

    /// <summary>The type constants of an expression filter print as (its value's type, as far as the constants show).</summary>
    private static LogicalType ExpressionType(ScanFilter predicate) => predicate switch
    {
        CompareFilter compare => TypeOf(compare.Value),
        InFilter { Values: [var first, ..] } => TypeOf(first),
        _ => LogicalType.String,
    };

    private static LogicalType TypeOf(object value) => value switch
    {
        long => LogicalType.Int,
        ulong => LogicalType.UInt,
        double => LogicalType.Float,
        bool => LogicalType.Boolean,
        byte[] => LogicalType.Binary,
        _ => LogicalType.String,
    };

    private static string TextFunction(TextMatch match) => match switch
    {
        TextMatch.Contains => "contains",
        TextMatch.StartsWith => "starts_with",
        TextMatch.EndsWith => "ends_with",
        _ => "search",
    };

    private static string Number(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static string Name(BatchSchema source, int column) => column >= 0 && column < source.Count ? source[column].Name : $"#{column}";

    private static string Value(object value, BatchSchema source, int column) =>
        BoundExpressionPrinter.PrintConstant(value, column >= 0 && column < source.Count ? source[column].Type : LogicalType.Null);

    private static string CompareText(CompareOp op) => op switch
    {
        CompareOp.Equal => "=",
        CompareOp.NotEqual => "!=",
        CompareOp.Less => "<",
        CompareOp.LessOrEqual => "<=",
        CompareOp.Greater => ">",
        _ => ">=",
    };
}
