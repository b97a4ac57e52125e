using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;

namespace Analytics.Engine.Scan;

/// <summary>One step of a constant variant path: a key (<c>['k']</c>) when <see cref="Key"/> is set, else an index (<c>[i]</c>).</summary>
public readonly record struct ScanPathStep(string? Key, long Index);

/// <summary>
/// <c>column['a']['b']</c>, optionally cast: the source produces a column of <see cref="TargetType"/> holding, per row,
/// the value at the path (scopeql.md §2.4, Q9/Q11: missing path or JSON null → NULL) converted with the engine's
/// <c>any -> T</c> cast (Q19: NULL when the cast is undefined or fails). <see cref="TargetType"/> <c>any</c> keeps the
/// canonical variant bytes of the value at the path.
/// </summary>
public sealed record ScanVariantPath(int Column, ImmutableArray<ScanPathStep> Steps, LogicalType TargetType)
{
    /// <summary>The kernel that extracts this path (and cast) from variant rows, for sources and for the engine.</summary>
    public VariantPathExtractor CreateExtractor()
    {
        ImmutableArray<VariantPathSegment>.Builder segments = ImmutableArray.CreateBuilder<VariantPathSegment>(Steps.Length);
        foreach (ScanPathStep step in Steps)
        {
            segments.Add(step.Key is null ? VariantPathSegment.At(step.Index) : VariantPathSegment.Key(step.Key));
        }
        return new VariantPathExtractor(segments.MoveToImmutable(), TargetType);
    }

    /// <summary>EXPLAIN form, e.g. <c>var['meta']['http_url']::string</c>.</summary>
    public string Format(string columnName)
    {
        var text = new StringBuilder(columnName);
        foreach (ScanPathStep step in Steps)
        {
            if (step.Key is null)
            {
                text.Append('[').Append(step.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                text.Append("['").Append(step.Key.Replace("'", "''", StringComparison.Ordinal)).Append("']");
            }
        }
        if (TargetType.Id != TypeId.Any)
        {
            text.Append("::").Append(TargetType.Name);
        }
        return text.ToString();
    }
}

/// <summary>
/// Optional capability of an <see cref="IScanSource"/>: it extracts constant variant paths during the scan
/// (<see cref="ScanRequest.VariantPaths"/>), typically straight from the stored bytes without materialising objects.
/// </summary>
public interface ISupportsVariantPaths
{
    /// <summary>Whether the source produces <paramref name="path"/> itself (asked while planning).</summary>
    bool CanExtract(ScanVariantPath path);
}
