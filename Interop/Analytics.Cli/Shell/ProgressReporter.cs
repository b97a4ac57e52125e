using System.Globalization;
using Analytics.Engine;

namespace Analytics.Cli.Shell;

/// <summary>
/// A one-line progress bar on stderr for statements that run longer than <see cref="Delay"/> (as duckdb does),
/// polling <see cref="QueryResult.Progress"/> a few times a second. Only used when stderr is a terminal.
/// </summary>
internal sealed class ProgressReporter : IDisposable
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private const int BarWidth = 30;

    private readonly QueryResult _result;
    private readonly TextWriter _error;
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private bool _shown;
    private bool _disposed;

    public ProgressReporter(QueryResult result, TextWriter error)
    {
        _result = result;
        _error = error;
        _timer = new Timer(OnTick, null, Delay, Interval);
    }

    private void OnTick(object? state)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            QueryProgress progress = _result.Progress;
            string line;
            if (progress.Percent >= 0)
            {
                int filled = (int)Math.Clamp(progress.Percent / 100 * BarWidth, 0, BarWidth);
                line = string.Create(CultureInfo.InvariantCulture,
                    $"\r[{new string('#', filled)}{new string(' ', BarWidth - filled)}] {progress.Percent,3:0}%");
            }
            else
            {
                line = string.Create(CultureInfo.InvariantCulture, $"\r{progress.RowsProcessed} rows processed");
            }
            _error.Write(line);
            _error.Flush();
            _shown = true;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer.Dispose();
            if (_shown)
            {
                _error.Write("\r" + new string(' ', BarWidth + 8) + "\r");
                _error.Flush();
            }
        }
    }
}
