using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Ingest;

/// <summary>
/// The batches a <see cref="TableAppender"/> buffered, as a scan source: one split per batch, read by referencing the
/// batch's vectors (no copy).
/// </summary>
internal sealed class AppendedBatchesScanSource(BatchSchema schema) : IScanSource
{
    private ImmutableArray<Batch> _batches = [];

    public BatchSchema Schema { get; } = schema;

    public void Load(ImmutableArray<Batch> batches) => _batches = batches;

    public FilterPushdown CanPushDown(ScanFilter filter) => FilterPushdown.Unsupported;

    public ScanPlan PlanScan(ScanRequest request)
    {
        ImmutableArray<ScanSplit>.Builder splits = ImmutableArray.CreateBuilder<ScanSplit>(_batches.Length);
        foreach (Batch batch in _batches)
        {
            splits.Add(new BatchSplit(batch));
        }
        return new ScanPlan(splits.MoveToImmutable(), new ScanMetrics { SplitsConsidered = splits.Count, SplitsScanned = splits.Count });
    }

    public IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context)
    {
        if (!request.VariantPaths.IsEmpty)
        {
            throw new QueryException(ErrorKind.Internal, "appended rows cannot extract variant paths (this is a bug)");
        }
        return new Reader(((BatchSplit)split).Batch, request, context.Metrics);
    }

    private sealed record BatchSplit(Batch Batch) : ScanSplit
    {
        public override long EstimatedRows => Batch.Count;
    }

    private sealed class Reader(Batch batch, ScanRequest request, ScanMetrics metrics) : IScanReader
    {
        private bool _done;

        public bool Read(Batch destination, CancellationToken cancellationToken)
        {
            destination.Reset();
            if (_done)
            {
                return false;
            }
            _done = true;
            for (int i = 0; i < request.Columns.Length; i++)
            {
                destination.Columns[i].Reference(batch.Columns[request.Columns[i]]);
            }
            destination.PhysicalCount = batch.Count;
            destination.Count = batch.Count;
            Interlocked.Add(ref metrics.RowsScanned, batch.Count);
            return true;
        }

        public void Dispose()
        {
        }
    }
}
