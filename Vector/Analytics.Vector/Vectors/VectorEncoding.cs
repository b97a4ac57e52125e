namespace Analytics.Vector.Vectors;

public enum VectorEncoding : byte
{
    /// <summary>One value per physical row.</summary>
    Flat,
    /// <summary>Row 0 holds the value of every row.</summary>
    Constant,
    /// <summary>Per-row int32 codes into <see cref="Vector.Dictionary"/> (a flat vector of distinct, non-null values).</summary>
    Dictionary,
}
