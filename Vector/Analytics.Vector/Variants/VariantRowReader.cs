namespace Analytics.Vector.Variants;

/// <summary>
/// Parses the variant rows of a column one after another for several path extractions per row
/// (<see cref="Kernels.VariantPathExtractor.ExtractRow(ReadOnlySpan{byte}, VariantValue, VariantRowReader, Vectors.ColumnVector, int)"/>):
/// each row is parsed, and its metadata compared with the previous row's, once rather than once per path.
/// <see cref="MetadataVersion"/> changes whenever a row's metadata differs from the previous row's, so extractors
/// keep the key ids they resolved while it stays the same (rows of one stream mostly share their keys). One thread at a time.
/// </summary>
public sealed class VariantRowReader
{
    private byte[] _metadata = [];
    private int _metadataLength = -1;

    /// <summary>Changes when <see cref="Read"/> meets metadata that differs from the previous row's.</summary>
    public long MetadataVersion { get; private set; }

    /// <summary>The row's top-level value (a view of <paramref name="rowBytes"/>).</summary>
    public VariantValue Read(ReadOnlySpan<byte> rowBytes)
    {
        VariantValue value = VariantValue.Parse(rowBytes);
        ReadOnlySpan<byte> metadata = value.Metadata;
        if (metadata.Length != _metadataLength || !metadata.SequenceEqual(_metadata.AsSpan(0, _metadataLength)))
        {
            if (_metadata.Length < metadata.Length)
            {
                _metadata = new byte[Math.Max(metadata.Length, 2 * _metadata.Length)];
            }
            metadata.CopyTo(_metadata);
            _metadataLength = metadata.Length;
            MetadataVersion++;
        }
        return value;
    }
}
