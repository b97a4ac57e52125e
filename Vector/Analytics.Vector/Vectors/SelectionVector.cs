namespace Analytics.Vector.Vectors;

/// <summary>
/// The active physical rows of a <see cref="Batches.Batch"/>, strictly ascending. Filters narrow a selection instead
/// of copying rows; every vector in the batch keeps its physical indexing.
/// </summary>
public sealed class SelectionVector
{
    public SelectionVector(int capacity) => Indices = new int[capacity];

    public int[] Indices { get; }

    public Span<int> AsSpan(int count) => Indices.AsSpan(0, count);
}
