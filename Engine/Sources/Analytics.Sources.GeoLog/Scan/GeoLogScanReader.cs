using Analytics.Engine.Scan;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Storage;
using Analytics.Vector.Batches;

namespace Analytics.Sources.GeoLog.Scan;

/// <summary>Decodes the blocks of one split (each from its keyframe, after checking its checksum) into update rows.</summary>
internal sealed class GeoLogScanReader : IScanReader
{
    private readonly GeoLogSplit _split;
    private readonly ScanMetrics _metrics;
    private readonly GeoRowWriter _writer;
    private long _remaining;
    private int _blockIndex = -1;
    private int _position;
    private int _end;
    private GeoState _state;

    public GeoLogScanReader(GeoLogSplit split, ScanRequest request, ScanMetrics metrics)
    {
        _split = split;
        _metrics = metrics;
        _remaining = request.Limit ?? long.MaxValue;
        _writer = new GeoRowWriter([.. request.Columns]);
    }

    public bool Read(Batch destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        destination.Reset();
        int count = 0;
        while (count < Batch.Capacity && _remaining > 0)
        {
            if (_blockIndex < 0 || _position >= _end)
            {
                if (!NextBlock())
                {
                    break;
                }
            }
            (int s, int b) = _split.Blocks[_blockIndex];
            GeoSegment segment = _split.Store.Segments[s];
            ReadOnlySpan<byte> data = segment.Data[.._end];
            int recordAt = _position;
            if (!GeoRecordCodec.TryDecode(data, ref _position, ref _state, trackData: false, out DecodedRecord record))
            {
                throw GeoLogError.At(segment.Path, recordAt, "malformed record");
            }
            int local = segment.Blocks[b].Object;
            ReadOnlySpan<byte> changes = record.ChangesStart >= 0 ? data.Slice(record.ChangesStart, record.ChangesLength) : default;
            _writer.Write(destination, count, segment.KindsUtf8[local], segment.IdsUtf8[local], in _state, record.Mask, changes, null);
            count++;
            _remaining--;
        }
        destination.SetCount(count);
        Interlocked.Add(ref _metrics.RowsScanned, count);
        return count > 0;
    }

    private bool NextBlock()
    {
        if (++_blockIndex >= _split.Blocks.Length)
        {
            return false;
        }
        (int s, int b) = _split.Blocks[_blockIndex];
        GeoSegment segment = _split.Store.Segments[s];
        segment.VerifiedBlock(b);
        SegmentBlock block = segment.Blocks[b];
        _position = (int)block.Offset;
        _end = (int)(block.Offset + block.Length);
        _state = GeoState.Empty;
        Interlocked.Add(ref _metrics.BytesRead, block.Length);
        return true;
    }

    public void Dispose()
    {
    }
}
