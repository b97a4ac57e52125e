using System.Globalization;
using System.Text;
using Analytics.Engine.Catalog;
using Analytics.Engine.Expressions;
using Analytics.Vector.Kernels;

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
}
