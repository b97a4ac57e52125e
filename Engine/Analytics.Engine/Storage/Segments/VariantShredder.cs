using System.Collections.Immutable;
using System.Text;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// Chooses which paths of a variant block to store shredded (README.md, "Shredded variant paths"): object keys up to
/// <see cref="MaxDepth"/> deep whose values, in a sample of the block's rows, are present in at least half of them
/// and always of one scalar kind. Each chosen path is extracted with the query engine's own extractor and cast, so a
/// shredded chunk holds exactly what <c>v['k']::type</c> would compute.
/// </summary>
internal sealed class VariantShredder
{
    public const int MaxPaths = 8;
    private const int MaxDepth = 3;
    private const int SampleRows = 1024;

    private readonly Dictionary<string, PathCount> _counts = new(StringComparer.Ordinal);
    private readonly List<string> _keys = [];

    private sealed class PathCount(ImmutableArray<string> keys)
    {
        public ImmutableArray<string> Keys { get; } = keys;
        public int Rows;
        public int Kinds; // bit per VariantKind seen
    }

    /// <summary>The paths worth shredding in rows <c>[start, start + count)</c>, most frequent first.</summary>
    public List<(ImmutableArray<string> Keys, LogicalType Type)> Choose(ColumnAccumulator column, int start, int count)
    {
        _counts.Clear();
        ReadOnlySpan<bool> valid = column.Valid;
        int step = Math.Max(1, count / SampleRows);
        int sampled = 0;
        for (int row = start; row < start + count; row += step)
        {
            if (!valid[row])
            {
                continue;
            }
            sampled++;
            VariantValue value = VariantValue.Parse(column.GetBytes(row));
            if (value.Kind == VariantKind.Object)
            {
                _keys.Clear();
                Walk(value, 1);
            }
        }
        List<PathCount> chosen = [];
        foreach (PathCount path in _counts.Values)
        {
            if (path.Rows * 2 >= sampled && sampled > 0 && System.Numerics.BitOperations.PopCount((uint)path.Kinds) == 1 && TypeOf(path.Kinds) is not null)
            {
                chosen.Add(path);
            }
        }
        chosen.Sort(static (a, b) => b.Rows != a.Rows ? b.Rows.CompareTo(a.Rows) : string.CompareOrdinal(string.Join('.', a.Keys), string.Join('.', b.Keys)));
        List<(ImmutableArray<string>, LogicalType)> paths = [];
        for (int i = 0; i < chosen.Count && i < MaxPaths; i++)
        {
            paths.Add((chosen[i].Keys, TypeOf(chosen[i].Kinds)!.Value));
        }
        return paths;
    }

    private void Walk(VariantValue value, int depth)
    {
        for (int i = 0; i < value.ObjectCount; i++)
        {
            VariantValue field = value.GetObjectField(i, out ReadOnlySpan<byte> utf8Key);
            _keys.Add(Encoding.UTF8.GetString(utf8Key));
            if (field.Kind == VariantKind.Object)
            {
                if (depth < MaxDepth)
                {
                    Walk(field, depth + 1);
                }
            }
            else
            {
                string name = string.Join('\u0001', _keys);
                if (!_counts.TryGetValue(name, out PathCount? count))
                {
                    _counts[name] = count = new PathCount([.. _keys]);
                }
                count.Rows++;
                count.Kinds |= 1 << (int)field.Kind;
            }
            _keys.RemoveAt(_keys.Count - 1);
        }
    }

    private static LogicalType? TypeOf(int kinds) => kinds switch
    {
        1 << (int)VariantKind.Int => LogicalType.Int,
        1 << (int)VariantKind.Float => LogicalType.Float,
        1 << (int)VariantKind.String => LogicalType.String,
        1 << (int)VariantKind.Boolean => LogicalType.Boolean,
        1 << (int)VariantKind.Timestamp => LogicalType.Timestamp,
        _ => null,
    };

    /// <summary>
    /// Each path's values for rows <c>[start, start + count)</c> as a column of its type (NULL where the variant is NULL,
    /// the path missing, or the value does not cast); the caller releases them. One pass over the rows for all paths,
    /// so each document is read from memory and parsed once rather than once per path.
    /// </summary>
    public static ColumnAccumulator[] Extract(ColumnAccumulator column, int start, int count, List<(ImmutableArray<string> Keys, LogicalType Type)> paths)
    {
        VariantPathExtractor[] extractors = new VariantPathExtractor[paths.Count];
        Field[] fields = new Field[paths.Count];
        for (int p = 0; p < paths.Count; p++)
        {
            ImmutableArray<VariantPathSegment>.Builder segments = ImmutableArray.CreateBuilder<VariantPathSegment>(paths[p].Keys.Length);
            foreach (string key in paths[p].Keys)
            {
                segments.Add(VariantPathSegment.Key(key));
            }
            extractors[p] = new VariantPathExtractor(segments.MoveToImmutable(), paths[p].Type);
            fields[p] = new Field($"path{p}", paths[p].Type);
        }
        ColumnAccumulator[] values = new ColumnAccumulator[paths.Count];
        Batch batch = new(new BatchSchema(fields));
        try
        {
            for (int p = 0; p < values.Length; p++)
            {
                values[p] = new ColumnAccumulator(paths[p].Type);
            }
            ReadOnlySpan<bool> valid = column.Valid;
            VariantRowReader reader = new();
            for (int first = start; first < start + count; first += Batch.Capacity)
            {
                int rows = Math.Min(Batch.Capacity, start + count - first);
                batch.Reset();
                for (int r = 0; r < rows; r++)
                {
                    if (valid[first + r])
                    {
                        ReadOnlySpan<byte> document = column.GetBytes(first + r);
                        VariantValue root = reader.Read(document);
                        for (int p = 0; p < extractors.Length; p++)
                        {
                            extractors[p].ExtractRow(document, root, reader, batch.Columns[p], r);
                        }
                    }
                    else
                    {
                        for (int p = 0; p < extractors.Length; p++)
                        {
                            batch.Columns[p].Validity.SetNull(r, batch.Columns[p].Capacity);
                        }
                    }
                }
                for (int p = 0; p < values.Length; p++)
                {
                    if (paths[p].Type.Physical == PhysicalKind.VarBytes)
                    {
                        batch.Columns[p].FinishBytes(rows);
                    }
                }
                batch.SetCount(rows);
                for (int p = 0; p < values.Length; p++)
                {
                    values[p].Append(batch, batch.Columns[p]);
                }
            }
            return values;
        }
        catch
        {
            foreach (ColumnAccumulator? accumulator in values)
            {
                accumulator?.Release();
            }
            throw;
        }
        finally
        {
            batch.Release();
        }
    }
}
