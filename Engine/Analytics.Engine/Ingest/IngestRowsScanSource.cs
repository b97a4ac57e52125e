using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;

namespace Analytics.Engine.Ingest;

/// <summary>
/// The rows of one ingest batch as a scan source: the raw JSON texts, parsed into the one <c>any</c> column <c>$0</c>
/// by the readers, so parsing runs on every core with the rest of the transform. A row whose JSON is malformed is
/// skipped and remembered (a later run over the same batch skips it without parsing again); rows that the ingest
/// stream has rejected are skipped too. <see cref="Restrict"/> limits a run to a range of rows, for isolating the
/// rows that make the transform fail.
/// </summary>
internal sealed class IngestRowsScanSource : IScanSource
{
    private const int RowsPerSplit = 4 * Batch.Capacity;

    private readonly int _maxDepth;
    private readonly bool _failOnMalformed;

    /// <summary>Builders outlive a flush: a fresh one per split would regrow its buffers every time.</summary>
    private readonly System.Collections.Concurrent.ConcurrentBag<VariantBuilder> _builders = [];
    private IngestRows _rows = new();
    private int _start;
    private int _end;

    /// <summary>Set once every split of the loaded rows has been read (see <see cref="Load"/>).</summary>
    private TaskCompletionSource _parsed = new();
    private int _unreadSplits;

    public IngestRowsScanSource(int maxDepth, bool failOnMalformed)
    {
        _maxDepth = maxDepth;
        _failOnMalformed = failOnMalformed;
    }

    public BatchSchema Schema { get; } = new(new Field("$0", LogicalType.Any));

    /// <summary>
    /// Makes <paramref name="rows"/> the rows every following run reads (all of them); <paramref name="parsed"/> is set
    /// when a run has read (parsed and passed on) every row: the rest of an insert is its commit.
    /// </summary>
    public void Load(IngestRows rows, TaskCompletionSource parsed)
    {
        _rows = rows;
        _start = 0;
        _end = rows.Count;
        _parsed = parsed;
        _unreadSplits = (rows.Count + RowsPerSplit - 1) / RowsPerSplit;
    }

    public void Restrict(int start, int end)
    {
        _start = start;
        _end = end;
    }

    public FilterPushdown CanPushDown(ScanFilter filter) => FilterPushdown.Unsupported;

    public ScanPlan PlanScan(ScanRequest request)
    {
        ImmutableArray<ScanSplit>.Builder splits = ImmutableArray.CreateBuilder<ScanSplit>();
        for (int start = _start; start < _end; start += RowsPerSplit)
        {
            splits.Add(new RowRangeSplit(_rows, start, Math.Min(_end, start + RowsPerSplit)));
        }
        return new ScanPlan(splits.ToImmutable(), new ScanMetrics { SplitsConsidered = splits.Count, SplitsScanned = splits.Count });
    }

    public IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context) =>
        new Reader(this, (RowRangeSplit)split, context.Metrics);

    private sealed record RowRangeSplit(IngestRows Rows, int Start, int End) : ScanSplit
    {
        public override long EstimatedRows => End - Start;
    }

    private sealed class Reader(IngestRowsScanSource source, RowRangeSplit split, ScanMetrics metrics) : IScanReader
    {
        private readonly VariantBuilder _builder = source._builders.TryTake(out VariantBuilder? pooled) ? pooled : new();
        private int _next = split.Start;

        public bool Read(Batch destination, CancellationToken cancellationToken)
        {
            destination.Reset();
            IngestRows rows = split.Rows;
            Vector.Vectors.ColumnVector column = destination.Columns[0];
            int count = 0;
            long bytes = 0;
            while (count < Batch.Capacity && _next < split.End)
            {
                int row = _next++;
                if (rows.IsRejected(row))
                {
                    continue;
                }
                ReadOnlySpan<byte> json = rows.Get(row);
                bytes += json.Length;
                if (!VariantJson.TryParseRow(json, _builder, column, count, out VariantJsonError error, source._maxDepth))
                {
                    if (source._failOnMalformed)
                    {
                        throw new IngestRowException(ErrorKind.InvalidInput, $"row {rows.FirstRow + row}: {error}", rows.FirstRow + row, error.ByteOffset);
                    }
                    rows.Reject(row, ErrorKind.InvalidInput, error.ToString(), error.ByteOffset);
                    continue;
                }
                count++;
            }
            column.FinishBytes(count);
            destination.SetCount(count);
            Interlocked.Add(ref metrics.RowsScanned, count);
            Interlocked.Add(ref metrics.BytesRead, bytes);
            return count > 0 || _next < split.End;
        }

        /// <summary>A split's reader is disposed once its last batch went through the plan (or the run failed).</summary>
        public void Dispose()
        {
            source._builders.Add(_builder);
            if (Interlocked.Decrement(ref source._unreadSplits) == 0)
            {
                source._parsed.TrySetResult();
            }
        }
    }
}
