using Analytics.Errors;
using Analytics.Flight.Grpc;

namespace Analytics.Data;

/// <summary>
/// The cancellation of one running command: <see cref="Cancel"/>, the caller's token and the per-step timeout all
/// trip one token, which the engine's query observes; <see cref="Translate"/> says which one it was. On a
/// <c>flight://</c> connection the timeout is first the server's: one deadline for the whole command, from its start
/// (<see cref="Timeout"/>), each call carrying what is left of it as its grpc-timeout, and DEADLINE_EXCEEDED is
/// reported as the timeout; the local per-step timer then runs <see cref="ServerDeadlineGrace"/> longer, only to end
/// a wait on a server that does not answer.
/// </summary>
internal sealed class CommandExecution : IDisposable
{
    /// <summary>How much longer than the server's deadline a remote command's local timer waits.</summary>
    internal static readonly TimeSpan ServerDeadlineGrace = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _caller;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _wait;
    private readonly Action<CommandExecution> _finished;
    private volatile bool _cancelled;

    public CommandExecution(int timeoutSeconds, bool serverDeadline, CancellationToken caller, Action<CommandExecution> finished)
    {
        _caller = caller;
        _finished = finished;
        _source = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _timeout = timeoutSeconds > 0 ? TimeSpan.FromSeconds(timeoutSeconds) : System.Threading.Timeout.InfiniteTimeSpan;
        _wait = timeoutSeconds > 0 && serverDeadline ? _timeout + ServerDeadlineGrace : _timeout;
    }

    /// <summary>The command's timeout, as the deadline of its remote calls; null for none.</summary>
    public TimeSpan? Timeout => _timeout == System.Threading.Timeout.InfiniteTimeSpan ? null : _timeout;

    public CancellationToken Token => _source.Token;

    public void Cancel()
    {
        _cancelled = true;
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The command finished meanwhile: nothing left to cancel.
        }
    }

    /// <summary>Starts the timeout for one wait on the engine.</summary>
    public void BeginWait() => _source.CancelAfter(_wait);

    public void EndWait()
    {
        if (!_source.IsCancellationRequested)
        {
            _source.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The exception a caller sees for an engine error or a cancellation.</summary>
    public Exception Translate(Exception error) => error switch
    {
        OperationCanceledException when _caller.IsCancellationRequested => new OperationCanceledException("the command was cancelled by its CancellationToken", error, _caller),
        OperationCanceledException or QueryException { Kind: ErrorKind.Interrupted } when _cancelled =>
            new AnalyticsException(ErrorKind.Interrupted, "Interrupted Error: the command was cancelled (AnalyticsCommand.Cancel)", error),
        OperationCanceledException or QueryException { Kind: ErrorKind.Interrupted } when _source.IsCancellationRequested =>
            new AnalyticsException(ErrorKind.Interrupted, $"Interrupted Error: the command timed out after {_timeout.TotalSeconds:0.###} s (CommandTimeout)", error),
        FlightRpcException { Status: GrpcStatusCode.Cancelled or GrpcStatusCode.DeadlineExceeded } when _source.IsCancellationRequested =>
            Translate(new OperationCanceledException(error.Message, error, _source.Token)),
        FlightRpcException { Status: GrpcStatusCode.DeadlineExceeded } when Timeout is not null =>
            new AnalyticsException(ErrorKind.Interrupted,
                $"Interrupted Error: the command timed out after {_timeout.TotalSeconds:0.###} s (CommandTimeout; the server's deadline stopped it)", error),
        QueryException query => new AnalyticsException(query),
        // A flight:// connection: the server's status and message (for ScopeQL errors "<Kind> Error: text").
        FlightRpcException flight => FromRemote(flight),
        _ => error,
    };

    /// <summary>A Flight server's error as the provider reports it: <c>Flight STATUS: message</c>, with the engine's kind when the message names one.</summary>
    public static AnalyticsException FromRemote(FlightRpcException error) =>
        new(RemoteKind(error), $"Flight {error.Status}: {error.Detail}", error);

    /// <summary>The engine's error kind when the server's message starts with it (<c>"Binder Error: …"</c>), else by status.</summary>
    private static ErrorKind RemoteKind(FlightRpcException error)
    {
        int end = error.Detail.IndexOf(" Error: ", StringComparison.Ordinal);
        if (end > 0 && Enum.TryParse(error.Detail.AsSpan(0, end), ignoreCase: false, out ErrorKind kind))
        {
            return kind;
        }
        return error.Status switch
        {
            GrpcStatusCode.Cancelled or GrpcStatusCode.DeadlineExceeded => ErrorKind.Interrupted,
            GrpcStatusCode.InvalidArgument or GrpcStatusCode.NotFound => ErrorKind.InvalidInput,
            _ => ErrorKind.Io,
        };
    }

    public void Dispose()
    {
        _finished(this);
        _source.Dispose();
    }
}
