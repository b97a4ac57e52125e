using Analytics.Vector.Memory;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Vector.Batches;

/// <summary>
/// Up to <see cref="Capacity"/> rows as equal-length column vectors, plus an optional ascending
/// <see cref="Selection"/> of the active physical rows. With a selection, the logical rows are
/// <c>Selection.Indices[0..Count)</c>; without one they are <c>0..Count)</c>. Operators reuse batches across
/// iterations (no per-batch allocation in steady state).
/// </summary>
public sealed class Batch
{
    /// <summary>Rows per batch: a power of two that keeps a few columns of a batch inside L2.</summary>
    public const int Capacity = 2048;

    private readonly SelectionVector _selectionStorage;

    public Batch(BatchSchema schema, BufferPool? pool = null)
    {
        Schema = schema;
        Columns = new ColumnVector[schema.Count];
        for (int i = 0; i < Columns.Length; i++)
        {
            Columns[i] = new ColumnVector(schema[i].Type, Capacity, pool);
        }
        _selectionStorage = new SelectionVector(Capacity);
    }

    public BatchSchema Schema { get; }

    public ColumnVector[] Columns { get; }

    /// <summary>Number of logical (active) rows.</summary>
    public int Count { get; set; }

    /// <summary>Number of physical rows in the vectors (≥ <see cref="Count"/>).</summary>
    public int PhysicalCount { get; set; }

    /// <summary>Active physical rows, or null when all of <c>0..Count)</c> are active.</summary>
    public SelectionVector? Selection { get; private set; }

    public ColumnVector this[int column] => Columns[column];

    /// <summary>Storage for a new selection; call <see cref="ApplySelection"/> once it is written.</summary>
    public SelectionVector SelectionStorage => _selectionStorage;

    /// <summary>Activates <see cref="SelectionStorage"/> with <paramref name="count"/> rows.</summary>
    public void ApplySelection(int count)
    {
        Selection = _selectionStorage;
        Count = count;
    }

    public void ClearSelection()
    {
        Selection = null;
        Count = PhysicalCount;
    }

    /// <summary>Physical row of logical row <paramref name="i"/>.</summary>
    public int RowAt(int i) => Selection is null ? i : Selection.Indices[i];

    /// <summary>Empties the batch and resets every column for reuse.</summary>
    public void Reset()
    {
        Count = 0;
        PhysicalCount = 0;
        Selection = null;
        foreach (ColumnVector column in Columns)
        {
            column.Reset();
        }
    }

    /// <summary>Sets a dense row count (no selection).</summary>
    public void SetCount(int count)
    {
        Selection = null;
        Count = count;
        PhysicalCount = count;
        foreach (ColumnVector column in Columns)
        {
            column.FinishBytes(count);
        }
    }

    public void Release()
    {
        foreach (ColumnVector column in Columns)
        {
            column.Release();
        }
    }
}
