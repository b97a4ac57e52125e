using System.Diagnostics.CodeAnalysis;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// The decoded dictionaries of dictionary-encoded chunks, shared by content: the blocks of a low-cardinality column
/// usually store the same few values in the same order (the writer numbers them by first appearance), so a scan
/// builds one <see cref="ColumnVector"/> for them instead of one per block. A dictionary vector's buffers are pinned
/// <c>BufferPool</c> arrays that can never be returned (emitted batches refer to the dictionary through
/// <see cref="ColumnVector.SetDictionary"/>), so building one per block faulted in fresh pinned pages every time: ~3% of
/// a cold 10M-row scan's CPU (perf/README). A shared dictionary is never written after it is built, as the chunk
/// dictionaries of in-memory tables, which every query shares. Bounded: only dictionaries of up to
/// <see cref="MaxStoredBytes"/> stored bytes, at most <see cref="MaxEntries"/> of them; past that a dictionary is built
/// for its chunk alone, as before. Thread-safe (a lock around one probe per chunk, not per row).
/// </summary>
internal sealed class SegmentDictionaryMemo
{
    private const int MaxStoredBytes = 4096;
    private const int MaxEntries = 256;

    /// <summary>Per type, dictionaries by their stored bytes (count, offsets and values as the chunk holds them).</summary>
    private readonly Dictionary<TypeId, Dictionary<byte[], ColumnVector>> _byType = [];
    private int _count;

    /// <summary>
    /// The dictionary whose stored form is <paramref name="stored"/>: <paramref name="count"/> values delimited by
    /// <paramref name="offsets"/> in <paramref name="heap"/> (both checked by the caller).
    /// </summary>
    public ColumnVector GetOrBuild(LogicalType type, ReadOnlySpan<byte> stored, int count, ReadOnlySpan<int> offsets, ReadOnlySpan<byte> heap)
    {
        if (stored.Length > MaxStoredBytes)
        {
            return Build(type, count, offsets, heap);
        }
        lock (_byType)
        {
            if (!_byType.TryGetValue(type.Id, out Dictionary<byte[], ColumnVector>? dictionaries))
            {
                _byType[type.Id] = dictionaries = new Dictionary<byte[], ColumnVector>(StoredBytesComparer.Instance);
            }
            if (dictionaries.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(stored, out ColumnVector? shared))
            {
                return shared;
            }
            ColumnVector built = Build(type, count, offsets, heap);
            if (_count < MaxEntries)
            {
                dictionaries.Add(stored.ToArray(), built);
                _count++;
            }
            return built;
        }
    }

    private static ColumnVector Build(LogicalType type, int count, ReadOnlySpan<int> offsets, ReadOnlySpan<byte> heap)
    {
        ColumnVector dictionary = new(type, count);
        for (int i = 0; i < count; i++)
        {
            dictionary.SetBytes(i, heap[offsets[i]..offsets[i + 1]]);
        }
        dictionary.FinishBytes(count);
        return dictionary;
    }

    /// <summary>Byte-wise equality, with lookups by span so a probe allocates nothing.</summary>
    private sealed class StoredBytesComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly StoredBytesComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode([DisallowNull] byte[] bytes) => GetHashCode((ReadOnlySpan<byte>)bytes);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)HashKernels.HashBytes(alternate);

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
