using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// Chooses which paths of a variant block to store shredded (README.md, "Shredded variant paths"): object keys up to
/// <see cref="MaxDepth"/> deep whose values, in a sample of the block's rows, are present in at least half of them
/// and always of one scalar kind. Each chosen path is extracted with the query engine's own casts (and its extractor
/// where a key meets an array), so a shredded chunk holds exactly what <c>v['k']::type</c> would compute.
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
    /// the path missing, or the value does not cast); the caller releases them. One walk per row resolves all paths at
    /// once (<see cref="PathTree"/>), so each document is parsed once and a key the paths share (<c>meta</c> of
    /// <c>meta.url</c> and <c>meta.status</c>) is looked up once.
    /// </summary>
    public static ColumnAccumulator[] Extract(ColumnAccumulator column, int start, int count, List<(ImmutableArray<string> Keys, LogicalType Type)> paths)
    {
        PathTree tree = new(paths, count);
        try
        {
            ReadOnlySpan<bool> valid = column.Valid;
            VariantRowReader reader = new();
            for (int row = start; row < start + count; row++)
            {
                if (valid[row])
                {
                    ReadOnlySpan<byte> document = column.GetBytes(row);
                    tree.AppendRow(document, reader.Read(document), reader);
                }
                else
                {
                    tree.AppendNulls(tree.Root);
                }
            }
            return tree.TakeValues();
        }
        finally
        {
            tree.Release();
        }
    }

    /// <summary>A key of the paths: the paths that end at it and the keys below it.</summary>
    private sealed class KeyStep(byte[] utf8Key, int index)
    {
        public byte[] Utf8Key { get; } = utf8Key;
        public List<int> EndingPaths { get; } = [];
        public KeyNode? Below { get; set; }

        /// <summary>The step's place among the tree's keys (<see cref="PathTree"/>'s key ids).</summary>
        public int Index { get; } = index;

        /// <summary>Where the key's field was found last (rows of one shape have their fields at the same positions).</summary>
        public int FieldHint;
    }

    /// <summary>The keys looked up in one object, and every path through it (for NULLs and the Q9 fallback).</summary>
    private sealed class KeyNode
    {
        public List<KeyStep> Steps { get; } = [];
        public List<int> Paths { get; } = [];
    }

    /// <summary>
    /// The chosen paths as a tree of keys, walked once per row: each object of a row is searched for the keys below it
    /// by their ids in the row's metadata (looked up again only when a row's metadata differs from the previous row's),
    /// and each value found is cast straight into its path's accumulator with the engine's own casts. What the walk
    /// does not cover — a key step over an array (Q9 maps it over the elements), a variant-typed path, a string cast of
    /// a non-string — goes through the query engine's extractor, so every value is what <c>v['k1']['k2']::type</c>
    /// computes.
    /// </summary>
    private sealed class PathTree
    {
        private readonly List<(ImmutableArray<string> Keys, LogicalType Type)> _paths;
        private readonly List<KeyStep> _steps = [];
        private ColumnAccumulator[]? _values;
        private readonly VariantPathExtractor?[] _extractors;
        private readonly ColumnVector?[] _scratch;
        private readonly VariantKeyIds _keyIds;
        private bool _byId;

        /// <summary>The tree of <paramref name="paths"/>, with accumulators reserved for <paramref name="rows"/> rows.</summary>
        public PathTree(List<(ImmutableArray<string> Keys, LogicalType Type)> paths, int rows)
        {
            _paths = paths;
            _extractors = new VariantPathExtractor?[paths.Count];
            _scratch = new ColumnVector?[paths.Count];
            _values = new ColumnAccumulator[paths.Count];
            for (int p = 0; p < paths.Count; p++)
            {
                _values[p] = new ColumnAccumulator(paths[p].Type);
                _values[p].Reserve(rows);
                KeyNode node = Root;
                node.Paths.Add(p);
                ImmutableArray<string> keys = paths[p].Keys;
                for (int k = 0; k < keys.Length; k++)
                {
                    KeyStep step = StepOf(node, keys[k]);
                    if (k == keys.Length - 1)
                    {
                        step.EndingPaths.Add(p);
                    }
                    else
                    {
                        node = step.Below ??= new KeyNode();
                        node.Paths.Add(p);
                    }
                }
            }
            ImmutableArray<byte>[] stepKeys = new ImmutableArray<byte>[_steps.Count];
            for (int s = 0; s < stepKeys.Length; s++)
            {
                stepKeys[s] = ImmutableCollectionsMarshal.AsImmutableArray(_steps[s].Utf8Key);
            }
            _keyIds = new VariantKeyIds(stepKeys);
        }

        public KeyNode Root { get; } = new();

        private KeyStep StepOf(KeyNode node, string key)
        {
            byte[] utf8Key = Encoding.UTF8.GetBytes(key);
            foreach (KeyStep step in node.Steps)
            {
                if (step.Utf8Key.AsSpan().SequenceEqual(utf8Key))
                {
                    return step;
                }
            }
            KeyStep added = new(utf8Key, _steps.Count);
            node.Steps.Add(added);
            _steps.Add(added);
            return added;
        }

        /// <summary>Appends one row's value of every path.</summary>
        public void AppendRow(ReadOnlySpan<byte> document, VariantValue root, VariantRowReader reader)
        {
            _byId = _keyIds.Load(root, reader);
            Walk(root, Root, document, root, reader);
        }

        private void Walk(VariantValue value, KeyNode node, ReadOnlySpan<byte> document, VariantValue root, VariantRowReader reader)
        {
            VariantKind kind = value.Kind;
            if (kind == VariantKind.Array)
            {
                for (int i = 0; i < node.Paths.Count; i++)
                {
                    Extract(node.Paths[i], document, root, reader);
                }
                return;
            }
            if (kind != VariantKind.Object)
            {
                AppendNulls(node);
                return;
            }
            for (int s = 0; s < node.Steps.Count; s++)
            {
                KeyStep step = node.Steps[s];
                VariantValue field = default;
                bool found = (_byId
                    ? _keyIds[step.Index] is int id and >= 0 && value.TryGetFieldById(id, ref step.FieldHint, out field)
                    : value.TryGetField(step.Utf8Key, out field)) && !field.IsNull;
                for (int i = 0; i < step.EndingPaths.Count; i++)
                {
                    int path = step.EndingPaths[i];
                    if (found)
                    {
                        Append(path, field, document, root, reader);
                    }
                    else
                    {
                        _values![path].AppendNull();
                    }
                }
                if (step.Below is { } below)
                {
                    if (found)
                    {
                        Walk(field, below, document, root, reader);
                    }
                    else
                    {
                        AppendNulls(below);
                    }
                }
            }
        }

        /// <summary>Appends the cast of the value found at the end of <paramref name="path"/>.</summary>
        private void Append(int path, VariantValue value, ReadOnlySpan<byte> document, VariantValue root, VariantRowReader reader)
        {
            ColumnAccumulator values = _values![path];
            LogicalType type = _paths[path].Type;
            if (type.IsVariant)
            {
                Extract(path, document, root, reader);
                return;
            }
            switch (type.Physical)
            {
                case PhysicalKind.Fixed64:
                    if (VariantCasts.TryCastFixed64(value, type.Id, out long number))
                    {
                        values.AppendFixed(number);
                    }
                    else
                    {
                        values.AppendNull();
                    }
                    break;
                case PhysicalKind.Bool8:
                    if (VariantCasts.TryCastBoolean(value, out bool boolean))
                    {
                        values.AppendBoolean(boolean);
                    }
                    else
                    {
                        values.AppendNull();
                    }
                    break;
                default:
                    if (value.Kind == VariantKind.String)
                    {
                        values.AppendBytes(value.GetStringUtf8());
                    }
                    else
                    {
                        ColumnVector text = Scratch(path);
                        if (VariantCasts.TryCastString(value, text, 0))
                        {
                            values.AppendBytes(text.GetBytes(0));
                        }
                        else
                        {
                            values.AppendNull();
                        }
                    }
                    break;
            }
        }

        /// <summary>The row's value of <paramref name="path"/> through the query engine's extractor.</summary>
        private void Extract(int path, ReadOnlySpan<byte> document, VariantValue root, VariantRowReader reader)
        {
            if (_extractors[path] is not { } extractor)
            {
                ImmutableArray<VariantPathSegment>.Builder segments = ImmutableArray.CreateBuilder<VariantPathSegment>(_paths[path].Keys.Length);
                foreach (string key in _paths[path].Keys)
                {
                    segments.Add(VariantPathSegment.Key(key));
                }
                _extractors[path] = extractor = new VariantPathExtractor(segments.MoveToImmutable(), _paths[path].Type);
            }
            ColumnVector value = Scratch(path);
            extractor.ExtractRow(document, root, reader, value, 0);
            value.FinishBytes(1);
            _values![path].AppendRow(value, 0);
        }

        /// <summary>A reset one-row vector of the path's type.</summary>
        private ColumnVector Scratch(int path)
        {
            ColumnVector vector = _scratch[path] ??= new ColumnVector(_paths[path].Type, 1);
            vector.Reset();
            return vector;
        }

        public void AppendNulls(KeyNode node)
        {
            for (int i = 0; i < node.Paths.Count; i++)
            {
                _values![node.Paths[i]].AppendNull();
            }
        }

        /// <summary>The filled accumulators, which the caller now owns.</summary>
        public ColumnAccumulator[] TakeValues()
        {
            ColumnAccumulator[] values = _values!;
            _values = null;
            return values;
        }

        /// <summary>Gives back the scratch vectors, and the accumulators unless taken.</summary>
        public void Release()
        {
            foreach (ColumnVector? vector in _scratch)
            {
                vector?.Release();
            }
            foreach (ColumnAccumulator accumulator in _values ?? [])
            {
                accumulator.Release();
            }
        }
    }
}
