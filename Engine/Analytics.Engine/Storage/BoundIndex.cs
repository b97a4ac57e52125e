using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Analytics.Engine.Catalog;
using Analytics.Engine.Expressions;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;

namespace Analytics.Engine.Storage;

/// <summary>
/// A table's index with its expression bound over the table's columns (source ordinals): what the filter pushdown
/// matches query predicates against, and what a segmented table evaluates to build the index's per-segment files.
/// </summary>
public sealed record BoundIndex(IndexDefinition Definition, BoundExpression Expression)
{
    /// <summary>
    /// A stable id of what the index stores (type, expression, properties) — not of its name, so a dropped and
    /// re-created index of another expression never reads the files of the old one.
    /// </summary>
    public string Id { get; } = HashKernels.HashBytes(Encoding.UTF8.GetBytes(
        $"{Definition.KindName}\n{Definition.Expression}\n{Definition.PropertiesText}")).ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>
    /// What a MATERIALIZED index stores: a variant column's key path cast to a scalar type (<c>var['a']['b']::string</c>),
    /// as the table column, the keys and the type; null for any other expression.
    /// </summary>
    public static (int Column, ImmutableArray<string> Keys, LogicalType Type)? MaterializedPath(BoundExpression expression)
    {
        if (expression is not BoundCastExpression
            {
                ErrorsAsNull: true,
                Type.Id: TypeId.String or TypeId.Int or TypeId.Float or TypeId.Boolean or TypeId.Timestamp,
                Input: BoundVariantPathExpression { Input: BoundColumnReference { Type.IsVariant: true } column } path,
            } cast
            || path.Steps.IsEmpty)
        {
            return null;
        }
        ImmutableArray<string>.Builder keys = ImmutableArray.CreateBuilder<string>(path.Steps.Length);
        foreach (VariantPathStep step in path.Steps)
        {
            if (step.Key is not { } key)
            {
                return null;
            }
            keys.Add(key);
        }
        return (column.Index, keys.MoveToImmutable(), cast.Type);
    }
}
