using Analytics.Arrow;
using Analytics.Arrow.Arrays;
using Analytics.Arrow.Types;

namespace Analytics.Flight.Client;

/// <summary>
/// The result of a DoGet as Arrow record batches (<see cref="ReadNext"/> blocks until the next one has arrived).
/// Disposing before the end cancels the call, which stops the query on the server.
/// </summary>
public sealed class FlightQueryReader : IDisposable
{
    private readonly ArrowIpcReader _reader;
    private readonly Stream _stream;
    private readonly Task _pump;
    private readonly CancellationTokenSource _stop;
    private bool _disposed;

    internal FlightQueryReader(ArrowIpcReader reader, Stream stream, Task pump, CancellationTokenSource stop)
    {
        _reader = reader;
        _stream = stream;
        _pump = pump;
        _stop = stop;
    }

    public ArrowSchema Schema => _reader.Schema;

    /// <summary>The next batch, or null at the end; a failed call throws its <see cref="Grpc.FlightRpcException"/>.</summary>
    public ArrowRecordBatch? ReadNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            ArrowRecordBatch? batch = _reader.ReadNext();
            if (batch is null)
            {
                _pump.GetAwaiter().GetResult();
            }
            return batch;
        }
        catch (Exception) when (_pump.IsFaulted)
        {
            _pump.GetAwaiter().GetResult();
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stop.Cancel();
        _reader.Dispose();
        _stream.Dispose();
        try
        {
            _pump.GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // The call was abandoned on purpose: its error (cancellation) is of no interest any more.
        }
        _stop.Dispose();
    }
}
