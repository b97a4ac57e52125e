using System.Collections.Immutable;
using Analytics.Arrow.Arrays;
using Analytics.Arrow.Conversion;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Arrow.Sources;

/// <summary>
/// <c>read_arrow('path')</c>: an Arrow IPC stream or file (detected by its magic) as a scan source, columns mapped
/// by <see cref="ArrowImport"/>. It lives here rather than under <c>Engine/Sources</c> because sources may not
/// reference Interop, and the codec belongs to Interop; the host registers it with
/// <c>Database.RegisterSourceFactory</c> like any other source (the CLI does).
/// </summary>
public sealed class ReadArrowSourceFactory : ISourceFactory
{
    public const string FunctionName = "read_arrow";

    public string Name => FunctionName;

    public IScanSource Create(SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.CheckNames(FunctionName, 1);
        string path = options.GetPositionalString(FunctionName, 0, "a file path");
        if (!File.Exists(path))
        {
            throw new QueryException(ErrorKind.Io, $"{FunctionName}(): file '{path}' does not exist");
        }
        using ArrowIpcReader reader = ArrowIpcReader.Open(File.OpenRead(path));
        return new ArrowScanSource(path, ArrowImport.ToBatchSchema(reader.Schema));
    }
}

/// <summary>One Arrow IPC file as one split; record batches are cut into batches of <see cref="Batch.Capacity"/> rows.</summary>
public sealed class ArrowScanSource(string path, BatchSchema schema) : IScanSource
{
    public BatchSchema Schema { get; } = schema;

    public FilterPushdown CanPushDown(ScanFilter filter) => FilterPushdown.Unsupported;

    public ScanPlan PlanScan(ScanRequest request) =>
        new([new ArrowFileSplit(path)], new ScanMetrics { SplitsConsidered = 1, SplitsScanned = 1 });

    public IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return new ArrowScanReader(((ArrowFileSplit)split).Path, request.Columns, context.Metrics);
    }
}

internal sealed record ArrowFileSplit(string Path) : ScanSplit;

internal sealed class ArrowScanReader(string path, ImmutableArray<int> columns, ScanMetrics metrics) : IScanReader
{
    private readonly ArrowIpcReader _reader = ArrowIpcReader.Open(File.OpenRead(path));
    private readonly ArrowImport _import = new();
    private readonly int[] _columnMap = [.. columns];
    private ArrowRecordBatch? _current;
    private int _next;

    public bool Read(Batch destination, CancellationToken cancellationToken)
    {
        while (_current is null || _next >= _current.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _current = _reader.ReadNext();
            _next = 0;
            if (_current is null)
            {
                destination.Reset();
                return false;
            }
        }
        int count = Math.Min(Batch.Capacity, _current.Length - _next);
        _import.Fill(_current, _next, count, destination, _columnMap);
        _next += count;
        Interlocked.Add(ref metrics.RowsScanned, count);
        return true;
    }

    public void Dispose() => _reader.Dispose();
}
