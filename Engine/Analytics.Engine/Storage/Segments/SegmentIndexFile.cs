using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Index.Bloom;
using Analytics.Index.Text;
using Analytics.Sql.Syntax;
using Analytics.Vector.Batches;
using Analytics.Vector.Compression;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// One index over one segment (issue 6), stored next to it as <c>&lt;segment&gt;.idx-&lt;index id&gt;</c>: per block of
/// the segment, RANGE keeps the min/max (and NULL facts) of the indexed expression; POINT a split-block Bloom filter
/// of its values' hashes; PATTERN one of its byte trigrams; SEARCH one of its <c>log</c>-analyzer tokens.
/// Layout (little-endian): magic "AIDX", version, kind, block count, then per block a length-prefixed payload, then
/// the CRC-32C of everything before it. A file whose checksum or layout is wrong is rejected as a whole.
/// </summary>
internal sealed class SegmentIndexFile
{
    private const uint Magic = 0x58444941; // "AIDX"
    /// <summary>2: POINT keys of object/any values reach into arrays (<see cref="VariantIndexKeys.ElementStep"/>).</summary>
    private const byte Version = 2;

    /// <summary>Version 1 files are still read; they cannot answer paths through arrays.</summary>
    private const byte FirstVersion = 1;

    /// <summary>
    /// A needle query probes every block of the table: at 1% a 10M-row table (~86 blocks) kept about one block too
    /// many per query; 0.1% costs ~1.5× the bits (≈ 14.6 instead of 9.7 per distinct value and block).
    /// </summary>
    private const double PointFalsePositiveRate = 0.001;

    /// <summary>PATTERN and SEARCH probe several keys that must all (PATTERN) be present, which already filters more.</summary>
    private const double TextFalsePositiveRate = 0.01;

    private readonly ColumnStatistics[]? _ranges;
    private readonly SplitBlockBloomFilter[]? _filters;
    private readonly byte _version;

    private SegmentIndexFile(IndexKind kind, byte version, ColumnStatistics[]? ranges, SplitBlockBloomFilter[]? filters)
    {
        Kind = kind;
        _version = version;
        _ranges = ranges;
        _filters = filters;
    }

    public IndexKind Kind { get; }

    public int BlockCount => _ranges?.Length ?? _filters!.Length;

    /// <summary>The object key of <paramref name="index"/>'s file for the segment stored at <paramref name="segmentKey"/>.</summary>
    public static string KeyOf(string segmentKey, BoundIndex index) => $"{segmentKey}.idx-{index.Id}";

    /// <summary>The segment key an index file belongs to, or null when <paramref name="key"/> is not an index file.</summary>
    public static string? SegmentKeyOf(string key)
    {
        int at = key.LastIndexOf(".idx-", StringComparison.Ordinal);
        return at < 0 ? null : key[..at];
    }

    /// <summary>Whether this kind of index can answer <paramref name="predicate"/> (column 0: the indexed value).</summary>
    public static bool CanAnswer(IndexKind kind, ScanFilter predicate) => (kind, predicate) switch
    {
        (IndexKind.Range, CompareFilter { Op: not CompareOp.NotEqual }) => true,
        (IndexKind.Range, InFilter or IsNullFilter) => true,
        (IndexKind.Point, CompareFilter { Op: CompareOp.Equal } or InFilter or ArrayContainsFilter or VariantPathFilter) => true,
        (IndexKind.Pattern, TextFilter { Match: not TextMatch.Search } text) => Encoding.UTF8.GetByteCount(text.Text) >= TextKeys.GramLength,
        (IndexKind.Search, TextFilter { Match: TextMatch.Search }) => true,
        _ => false,
    };

    // ---- building ----------------------------------------------------------------------------------------------

    /// <summary>Evaluates <paramref name="index"/>'s expression over every block of <paramref name="segment"/>.</summary>
    public static SegmentIndexFile Build(BoundIndex index, SegmentHandle segment, BatchSchema schema, CancellationToken cancellationToken)
    {
        SortedSet<int> used = [];
        BoundExpressionRewriter.CollectColumns(index.Expression, used);
        int[] map = new int[schema.Count];
        Array.Fill(map, -1);
        ImmutableArray<int>.Builder columns = ImmutableArray.CreateBuilder<int>(used.Count);
        foreach (int column in used)
        {
            map[column] = columns.Count;
            columns.Add(column);
        }
        ScanRequest request = new(columns.ToImmutable(), [], null);
        BatchSchema readSchema = new(request.Columns.Select(c => schema[c]).ToImmutableArray());
        int[] columnMap = segment.ColumnMap(schema);
        int blocks = segment.Footer.Blocks.Length;
        IndexKind kind = index.Definition.Kind;
        ColumnStatistics[]? ranges = kind == IndexKind.Range ? new ColumnStatistics[blocks] : null;
        SplitBlockBloomFilter[]? filters = kind == IndexKind.Range ? null : new SplitBlockBloomFilter[blocks];
        using ExpressionEvaluator evaluator = new(BoundExpressionRewriter.RemapColumns(index.Expression, map), EvaluationContext.ForNow());
        Batch batch = new(readSchema);
        HashSet<ulong> keys = [];
        try
        {
            for (int b = 0; b < blocks; b++)
            {
                ColumnStatistics? range = null;
                keys.Clear();
                using SegmentBlockReader reader = new(new SegmentBlockSplit(segment, b, columnMap), schema, request, new ScanContext(new ScanMetrics()),
                    SegmentChunkCache.None); // a one-off read of the whole segment: not worth keeping
                while (true)
                {
                    batch.Reset();
                    if (!reader.Read(batch, cancellationToken))
                    {
                        break;
                    }
                    ColumnVector values = evaluator.Evaluate(batch);
                    if (ranges is not null)
                    {
                        ColumnStatistics statistics = BatchStatistics(batch, values, index.Expression.Type);
                        range = range is null ? statistics : ColumnChunkStatistics.Merge(range, statistics);
                        continue;
                    }
                    for (int i = 0; i < batch.Count; i++)
                    {
                        int row = batch.RowAt(i);
                        if (values.IsNullAt(row))
                        {
                            continue;
                        }
                        ValueReader.Locate(values, row, out ColumnVector data, out int at);
                        switch (kind)
                        {
                            case IndexKind.Pattern:
                            {
                                KeySetSink sink = new(keys);
                                TextKeys.Trigrams(data.GetBytes(at), ref sink);
                                break;
                            }
                            case IndexKind.Search:
                            {
                                KeySetSink sink = new(keys);
                                TextKeys.Tokens(data.GetBytes(at), ref sink);
                                break;
                            }
                            default:
                                if (data.Type.Id is TypeId.Array or TypeId.Object or TypeId.Any)
                                {
                                    VariantIndexKeys.AddKeys(VariantValue.Parse(data.GetBytes(at)), data.Type.Id == TypeId.Array, keys);
                                }
                                else
                                {
                                    keys.Add(HashOf(data, at));
                                }
                                break;
                        }
                    }
                }
                if (ranges is not null)
                {
                    // A block without rows (none are written) would have no statistics: it has no values either.
                    ranges[b] = range ?? ColumnStatistics.NullsOnly(false, true);
                }
                else
                {
                    SplitBlockBloomFilter filter = SplitBlockBloomFilter.ForDistinctValues(
                        Math.Max(1, keys.Count), kind == IndexKind.Point ? PointFalsePositiveRate : TextFalsePositiveRate);
                    foreach (ulong key in keys)
                    {
                        filter.Insert(key);
                    }
                    filters![b] = filter;
                }
            }
        }
        finally
        {
            batch.Release();
        }
        return new SegmentIndexFile(kind, Version, ranges, filters);
    }

    /// <summary>The hash a POINT index keeps for a value (the probe hashes the constant the same way).</summary>
    private static ulong HashOf(ColumnVector data, int at) => data.Type.Id switch
    {
        TypeId.Int or TypeId.Timestamp or TypeId.Interval => HashKernels.HashInt64(data.GetData<long>()[at]),
        TypeId.UInt => HashKernels.HashUInt64(data.GetData<ulong>()[at]),
        TypeId.Float => HashKernels.HashFloat(data.GetData<double>()[at]),
        TypeId.Boolean => HashKernels.HashBoolean(data.GetData<byte>()[at] != 0),
        _ => HashKernels.HashBytes(data.GetBytes(at)),
    };

    /// <summary>The POINT hash of a filter constant (CLR conventions of <see cref="ScanFilter"/>).</summary>
    private static ulong HashOf(object value) => value switch
    {
        long signed => HashKernels.HashInt64(signed),
        ulong unsigned => HashKernels.HashUInt64(unsigned),
        double real => HashKernels.HashFloat(real),
        bool flag => HashKernels.HashBoolean(flag),
        string text => HashKernels.HashBytes(Encoding.UTF8.GetBytes(text)),
        byte[] bytes => HashKernels.HashBytes(bytes),
        _ => throw new QueryException(ErrorKind.Internal, $"no index hash for a {value.GetType().Name} constant (this is a bug)"),
    };

    /// <summary>Collects text keys (trigram or token hashes) of a block (so its filter can be sized to them) or of a probe.</summary>
    private readonly struct KeySetSink(HashSet<ulong> keys) : ITextKeySink
    {
        public void Add(ulong hash) => keys.Add(hash);
    }

    /// <summary>
    /// The min/max and NULL facts of one batch of index values, computed as a segment computes its chunks' zone maps
    /// (<see cref="ColumnAccumulator"/> and <see cref="ColumnChunkStatistics"/>): the batch's values are copied flat
    /// (whatever the vector's encoding) and only the two extremes are boxed.
    /// </summary>
    private static ColumnStatistics BatchStatistics(Batch batch, ColumnVector values, LogicalType type)
    {
        ColumnAccumulator accumulator = new(type);
        try
        {
            accumulator.Append(batch, values);
            return accumulator.Build(0, accumulator.Count).PruningStatistics;
        }
        finally
        {
            accumulator.Release();
        }
    }

    // ---- pruning -----------------------------------------------------------------------------------------------

    /// <summary>
    /// The keys <paramref name="predicate"/> probes in a filter of <paramref name="kind"/>, hashed once per scan: a
    /// needle query probes every block of every segment with the same keys, and hashing them per block (a UTF-8 copy
    /// of the constant, its trigrams or tokens) cost more than the probes.
    /// </summary>
    public static IndexProbe Prepare(IndexKind kind, ScanFilter predicate)
    {
        switch (kind, predicate)
        {
            case (IndexKind.Range, _):
                return new IndexProbe(predicate, [], IndexProbe.Mode.Range, false);
            case (IndexKind.Point, CompareFilter { Op: CompareOp.Equal } compare):
                return IndexProbe.AnyKey(predicate, [HashOf(compare.Value)]);
            case (IndexKind.Point, InFilter inFilter):
            {
                ulong[] keys = new ulong[inFilter.Values.Length];
                for (int i = 0; i < keys.Length; i++)
                {
                    keys[i] = HashOf(inFilter.Values[i]);
                }
                return IndexProbe.AnyKey(predicate, keys);
            }
            case (IndexKind.Point, ArrayContainsFilter contains):
                return VariantIndexKeys.ScalarKey(VariantValue.Parse(contains.Element)) is ulong element
                    ? IndexProbe.AnyKey(predicate, [VariantIndexKeys.ElementKey(element)])
                    : IndexProbe.None(predicate);
            case (IndexKind.Point, VariantPathFilter path):
                return PathKeys(path) is { } pathKeys
                    // Version 1 files hold no keys of paths through arrays.
                    ? new IndexProbe(predicate, pathKeys, IndexProbe.Mode.AnyKey, path.Path.Contains(null))
                    : IndexProbe.None(predicate);
            case (IndexKind.Pattern, TextFilter text) when CanAnswer(IndexKind.Pattern, text):
            {
                HashSet<ulong> trigrams = [];
                KeySetSink sink = new(trigrams);
                TextKeys.Trigrams(Encoding.UTF8.GetBytes(text.Text), ref sink);
                return new IndexProbe(predicate, [.. trigrams], IndexProbe.Mode.EveryKey, false);
            }
            case (IndexKind.Search, TextFilter { Match: TextMatch.Search } text):
            {
                // search() is true when any query token is a token of the value: the block is out when none is.
                HashSet<ulong> tokens = [];
                KeySetSink sink = new(tokens);
                TextKeys.Tokens(Encoding.UTF8.GetBytes(text.Text), ref sink);
                return tokens.Count == 0 ? IndexProbe.None(predicate) : IndexProbe.AnyKey(predicate, [.. tokens]);
            }
            default:
                return IndexProbe.None(predicate);
        }
    }

    /// <summary>True when no row of block <paramref name="block"/> can satisfy the probe's predicate.</summary>
    public bool Excludes(int block, IndexProbe probe)
    {
        if (_ranges is not null)
        {
            return CanAnswer(IndexKind.Range, probe.Predicate) && ColumnChunkStatistics.Excludes(probe.Predicate, [_ranges[block]]);
        }
        if (probe.NeedsArrayPaths && _version < 2)
        {
            return false;
        }
        SplitBlockBloomFilter filter = _filters![block];
        ulong[] keys = probe.Keys;
        switch (probe.Match)
        {
            case IndexProbe.Mode.AnyKey:
                foreach (ulong key in keys)
                {
                    if (filter.MayContain(key))
                    {
                        return false;
                    }
                }
                return true;
            case IndexProbe.Mode.EveryKey:
                foreach (ulong key in keys)
                {
                    if (!filter.MayContain(key))
                    {
                        return true;
                    }
                }
                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// The keys whose absence proves that no value at the filter's path equals any of its constants: every
    /// (path, value) key and, for a cast, every (path, kind) key of another kind (a value of another kind might cast
    /// to a constant); null when the filter cannot be answered (a path too deep, a constant without a scalar key).
    /// </summary>
    private static ulong[]? PathKeys(VariantPathFilter predicate)
    {
        if (predicate.Path.Length > VariantIndexKeys.MaxPathDepth)
        {
            return null;
        }
        ulong path = VariantIndexKeys.RootPath;
        foreach (string? key in predicate.Path)
        {
            path = key is null ? VariantIndexKeys.ElementStep(path) : VariantIndexKeys.PathStep(path, Encoding.UTF8.GetBytes(key));
        }
        HashSet<ulong> keys = [];
        foreach (byte[] value in predicate.Values)
        {
            VariantValue probe = VariantValue.Parse(value);
            if (VariantIndexKeys.ScalarKey(probe) is not ulong scalar)
            {
                return null;
            }
            keys.Add(VariantIndexKeys.ValueKey(path, scalar));
            if (predicate.Cast)
            {
                VariantKind probeKind = probe.Kind;
                foreach (VariantKind kind in Enum.GetValues<VariantKind>())
                {
                    if (kind != probeKind)
                    {
                        keys.Add(VariantIndexKeys.KindKey(path, kind));
                    }
                }
            }
        }
        return [.. keys];
    }

    // ---- storage -----------------------------------------------------------------------------------------------

    public byte[] Serialize()
    {
        using MemoryStream stream = new();
        using (BinaryWriter writer = new(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write((byte)Kind);
            writer.Write(BlockCount);
            for (int b = 0; b < BlockCount; b++)
            {
                byte[] payload = _ranges is not null ? SerializeRange(_ranges[b]) : SerializeFilter(_filters![b]);
                writer.Write(payload.Length);
                writer.Write(payload);
            }
        }
        uint checksum = Crc32C.Compute(stream.GetBuffer().AsSpan(0, (int)stream.Length));
        stream.Write(BitConverter.GetBytes(checksum));
        return stream.ToArray();
    }

    private static byte[] SerializeFilter(SplitBlockBloomFilter filter)
    {
        byte[] bytes = new byte[filter.ByteCount];
        filter.WriteTo(bytes);
        return bytes;
    }

    private static byte[] SerializeRange(ColumnStatistics range)
    {
        using MemoryStream stream = new();
        using BinaryWriter writer = new(stream);
        writer.Write((byte)((range.HasNulls ? 1 : 0) | (range.AllNull ? 2 : 0)));
        WriteValue(writer, range.Min);
        WriteValue(writer, range.Max);
        writer.Flush();
        return stream.ToArray();
    }

    private static void WriteValue(BinaryWriter writer, object? value)
    {
        switch (value)
        {
            case long signed:
                writer.Write((byte)1);
                writer.Write(signed);
                break;
            case ulong unsigned:
                writer.Write((byte)2);
                writer.Write(unsigned);
                break;
            case double real:
                writer.Write((byte)3);
                writer.Write(real);
                break;
            case bool flag:
                writer.Write((byte)4);
                writer.Write(flag);
                break;
            case byte[] bytes:
                writer.Write((byte)5);
                writer.Write(bytes.Length);
                writer.Write(bytes);
                break;
            default:
                writer.Write((byte)0);
                break;
        }
    }

    /// <summary>
    /// Reads an index file of <paramref name="kind"/> for a segment of <paramref name="blocks"/> blocks; anything
    /// wrong (checksum, layout, kind, block count) is an IO error naming <paramref name="name"/> and the offset.
    /// </summary>
    public static SegmentIndexFile Parse(byte[] bytes, IndexKind kind, int blocks, string name)
    {
        if (bytes.Length < 14)
        {
            throw Corrupt(name, 0, $"{bytes.Length} bytes is too small for an index file");
        }
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4));
        uint computed = Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4));
        if (stored != computed)
        {
            throw Corrupt(name, bytes.Length - 4, $"checksum mismatch (stored 0x{stored:x8}, computed 0x{computed:x8})");
        }
        using MemoryStream stream = new(bytes, 0, bytes.Length - 4, writable: false);
        using BinaryReader reader = new(stream);
        try
        {
            byte version = 0;
            if (reader.ReadUInt32() != Magic || (version = reader.ReadByte()) is < FirstVersion or > Version || reader.ReadByte() != (byte)kind || reader.ReadInt32() != blocks)
            {
                throw Corrupt(name, 0, $"the header is not that of a version {FirstVersion}–{Version} {kind} index over {blocks} blocks");
            }
            ColumnStatistics[]? ranges = kind == IndexKind.Range ? new ColumnStatistics[blocks] : null;
            SplitBlockBloomFilter[]? filters = kind == IndexKind.Range ? null : new SplitBlockBloomFilter[blocks];
            for (int b = 0; b < blocks; b++)
            {
                long offset = stream.Position;
                int length = reader.ReadInt32();
                byte[] payload = length >= 0 && length <= stream.Length - stream.Position
                    ? reader.ReadBytes(length)
                    : throw Corrupt(name, offset, $"block {b} claims {length} bytes");
                if (ranges is not null)
                {
                    ranges[b] = ParseRange(payload);
                }
                else
                {
                    filters![b] = SplitBlockBloomFilter.FromBytes(payload) ?? throw Corrupt(name, offset, $"block {b} is not a Bloom filter");
                }
            }
            return stream.Position == stream.Length
                ? new SegmentIndexFile(kind, version, ranges, filters)
                : throw Corrupt(name, stream.Position, "unexpected bytes after the last block");
        }
        catch (EndOfStreamException)
        {
            throw Corrupt(name, stream.Position, "truncated");
        }
    }

    private static ColumnStatistics ParseRange(byte[] payload)
    {
        using BinaryReader reader = new(new MemoryStream(payload, writable: false));
        byte flags = reader.ReadByte();
        object? min = ReadValue(reader);
        object? max = ReadValue(reader);
        return new ColumnStatistics(min, max, (flags & 1) != 0, (flags & 2) != 0);
    }

    private static object? ReadValue(BinaryReader reader) => reader.ReadByte() switch
    {
        0 => null,
        1 => reader.ReadInt64(),
        2 => reader.ReadUInt64(),
        3 => reader.ReadDouble(),
        4 => reader.ReadBoolean(),
        5 => reader.ReadBytes(reader.ReadInt32()),
        byte tag => throw new EndOfStreamException($"unknown value tag {tag}"),
    };

    private static QueryException Corrupt(string name, long offset, string problem) =>
        new(ErrorKind.Io, $"index file {name} is corrupt at offset {offset}: {problem}");
}

/// <summary>
/// What <see cref="SegmentIndexFile.Excludes"/> probes for one pushed predicate (<see cref="SegmentIndexFile.Prepare"/>):
/// the predicate itself (RANGE files compare it with their min/max) and, for the Bloom filter kinds, its keys.
/// </summary>
internal sealed class IndexProbe(ScanFilter predicate, ulong[] keys, IndexProbe.Mode match, bool needsArrayPaths)
{
    public enum Mode
    {
        /// <summary>The file cannot rule a block out with this predicate.</summary>
        None,

        /// <summary>Compared with the file's per-block min/max.</summary>
        Range,

        /// <summary>A block is out when none of the keys may be in its filter (POINT values, SEARCH tokens).</summary>
        AnyKey,

        /// <summary>A block is out when one of the keys is surely not in its filter (PATTERN trigrams).</summary>
        EveryKey,
    }

    public ScanFilter Predicate { get; } = predicate;

    public ulong[] Keys { get; } = keys;

    public Mode Match { get; } = match;

    /// <summary>The keys are of paths through arrays, which version 1 files do not hold.</summary>
    public bool NeedsArrayPaths { get; } = needsArrayPaths;

    public static IndexProbe AnyKey(ScanFilter predicate, ulong[] keys) => new(predicate, keys, Mode.AnyKey, false);

    public static IndexProbe None(ScanFilter predicate) => new(predicate, [], Mode.None, false);
}
