using Analytics.Engine.Scan;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Storage;

/// <summary>
/// The rows of a native table: scannable (it is an <see cref="IScanSource"/>) and appendable through a writer whose
/// commit is atomic (and durable, for a persistent database). Implementations: in-memory and the database directory.
/// Later issues replace the directory format with object-store segments behind this same seam.
/// </summary>
public abstract class TableStorage : IScanSource
{
    public abstract BatchSchema Schema { get; }

    public abstract FilterPushdown CanPushDown(ScanFilter filter);

    public abstract ScanPlan PlanScan(ScanRequest request);

    public abstract IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context);

    /// <summary>Rows currently committed.</summary>
    public abstract long RowCount { get; }

    /// <summary>Starts an append. Nothing is visible to readers until <see cref="ITableWriter.Commit"/>.</summary>
    public abstract ITableWriter OpenWriter();

    /// <summary>
    /// Set by DROP TABLE. A writer opened before the drop (a long INSERT, an ingest stream) must then fail its commit
    /// rather than acknowledge rows into storage no query can reach.
    /// </summary>
    public bool IsDropped { get; private set; }

    internal void MarkDropped() => IsDropped = true;
}

/// <summary>Buffers appended rows; <see cref="Commit"/> publishes them all at once, Dispose without commit discards them.</summary>
public interface ITableWriter : IDisposable
{
    /// <summary>Copies the batch's active rows (its schema equals the table schema).</summary>
    void Append(Batch batch);

    /// <summary>Makes every appended row visible (and durable) atomically; returns the number of rows committed.</summary>
    long Commit();
}
