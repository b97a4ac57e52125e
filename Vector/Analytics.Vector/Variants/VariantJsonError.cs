namespace Analytics.Vector.Variants;

/// <summary>Why a JSON text could not become a variant, and the byte offset (from the start of the text) where.</summary>
public readonly record struct VariantJsonError(string Message, long ByteOffset)
{
    public override string ToString() => $"{Message} at byte {ByteOffset}";
}
