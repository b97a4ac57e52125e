using System.Collections.Immutable;

namespace Analytics.Vector.Variants;

/// <summary>
/// The dictionary ids of a fixed list of object keys in the metadata of the rows a <see cref="VariantRowReader"/> reads.
/// Rows of one stream mostly share their metadata, so the ids are looked up again only when the reader's metadata
/// version changes; path extraction (<see cref="Kernels.VariantPathExtractor"/>) and the segment writer's shredder both
/// resolve their keys through it. One thread at a time.
/// </summary>
public sealed class VariantKeyIds
{
    private readonly ImmutableArray<byte>[] _utf8Keys;
    private readonly int[] _ids;
    private VariantRowReader? _reader;
    private long _version;
    private bool _sorted;

    /// <param name="utf8Keys">The keys; a default entry is a step that is not a key (its id stays -1).</param>
    public VariantKeyIds(ImmutableArray<byte>[] utf8Keys)
    {
        _utf8Keys = utf8Keys;
        _ids = new int[utf8Keys.Length];
    }

    /// <summary>The id of key <paramref name="index"/> in the metadata <see cref="Load"/> last resolved (-1: it has no such key).</summary>
    public int this[int index] => _ids[index];

    /// <summary>
    /// Makes the ids those of the metadata of <paramref name="row"/>, which <paramref name="rows"/> just read; false when
    /// that metadata's dictionary is not sorted, so the keys must be compared as bytes instead.
    /// </summary>
    public bool Load(VariantValue row, VariantRowReader rows)
    {
        if (ReferenceEquals(_reader, rows) && _version == rows.MetadataVersion)
        {
            return _sorted;
        }
        _sorted = row.HasSortedKeys;
        for (int i = 0; i < _utf8Keys.Length; i++)
        {
            _ids[i] = _sorted && !_utf8Keys[i].IsDefault ? row.FindKeyId(_utf8Keys[i].AsSpan()) : -1;
        }
        _reader = rows;
        _version = rows.MetadataVersion;
        return _sorted;
    }
}
