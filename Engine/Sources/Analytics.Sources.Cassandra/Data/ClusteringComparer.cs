using System.Collections.Immutable;
using Analytics.Sources.Cassandra.Format;

namespace Analytics.Sources.Cassandra.Data;

/// <summary>Orders rows by clustering (per-type order, ReversedType descending) and places them against range-tombstone bounds.</summary>
internal sealed class ClusteringComparer(ImmutableArray<CassandraType> types)
{
    public int Compare(Row a, Row b)
    {
        for (int i = 0; i < types.Length; i++)
        {
            int order = ValueComparer.Compare(types[i], a.Clustering[i].Span, b.Clustering[i].Span);
            if (order != 0)
            {
                return order;
            }
        }
        return 0;
    }

    /// <summary>Whether <paramref name="row"/> lies inside the range tombstone's bounds.</summary>
    public bool Covers(RangeTombstone tombstone, Row row) =>
        CompareToBound(row, tombstone.Start, isStart: true) > 0 && CompareToBound(row, tombstone.End, isStart: false) < 0;

    /// <summary>
    /// Row versus bound: a row whose clustering starts with the bound's prefix is after an inclusive start and before an
    /// exclusive one, before an inclusive end and after an exclusive one.
    /// </summary>
    private int CompareToBound(Row row, ClusteringBound bound, bool isStart)
    {
        for (int i = 0; i < bound.Values.Length; i++)
        {
            int order = ValueComparer.Compare(types[i], row.Clustering[i].Span, bound.Values[i].Span);
            if (order != 0)
            {
                return order;
            }
        }
        return isStart == bound.Inclusive ? 1 : -1;
    }
}

/// <summary>Orders complex-column cells by path with the collection's key order (lists: their timeuuids).</summary>
internal sealed class CellPathComparer(CassandraType pathType) : IComparer<Cell>
{
    public int Compare(Cell x, Cell y) => ValueComparer.Compare(pathType, x.Path.Span, y.Path.Span);

    /// <summary>The path type of a complex column type.</summary>
    public static CellPathComparer For(CassandraType type) => new(type.Kind switch
    {
        CassandraTypeKind.List => CassandraType.Simple(CassandraTypeKind.TimeUuid),
        CassandraTypeKind.Set or CassandraTypeKind.Map => type.Arguments[0],
        _ => CassandraType.Simple(CassandraTypeKind.Bytes),
    });
}
