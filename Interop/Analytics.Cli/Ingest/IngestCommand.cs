using System.Diagnostics;
using System.Globalization;
using Analytics.Engine;
using Analytics.Engine.Ingest;
using Analytics.Errors;
using Analytics.Vector.Compression;
using Analytics.Vector.Variants;

namespace Analytics.Cli.Ingest;

/// <summary>
/// <c>analytics DBDIR --ingest 'STATEMENT' FILE…</c>: streams the lines of NDJSON files (plain, gzip or zstd) through an
/// ingest stream, with a progress line on a terminal (rows, rows/s, bytes) and the counts at the end. Rejected rows
/// are listed by file, line and byte offset. Exit code 0 when every batch was inserted (rejected rows are reported, not
/// fatal); 1 when the statement is bad, a file is missing or a batch failed. With <c>--strict</c> a malformed line fails
/// the whole load before anything is inserted, and a row the statement fails on fails its batch and stops the load
/// (batches committed before stay).
/// </summary>
internal sealed class IngestCommand(Session session, string statement, IReadOnlyList<string> files, bool strict, CliConsole console)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Where each row not yet reported came from, to name lines in errors: rows <c>_windowFirstRow</c> onwards, from
    /// index <c>_windowStart</c>. Batches complete in order, so every reported batch frees the front of the window.
    /// </summary>
    private readonly List<(int File, long Line, long Offset)> _window = [];
    private readonly Stopwatch _elapsed = new();
    private int _windowStart;
    private long _windowFirstRow;
    private long _rowsSent;
    private long _bytesRead;
    private long _totalBytes;
    private TimeSpan _lastProgress;
    private bool _progressShown;
    private IngestResult _result = IngestResult.Empty;
    private int _errorsPrinted;

    public int Run()
    {
        foreach (string file in files)
        {
            if (!File.Exists(file))
            {
                console.Error.WriteLine($"IO Error: file not found: '{file}'");
                return 1;
            }
            _totalBytes += new FileInfo(file).Length;
        }
        IngestStream stream;
        try
        {
            stream = session.OpenIngestStream(statement, new IngestOptions { FailOnError = strict });
        }
        catch (QueryException e)
        {
            console.Error.WriteLine(e.Message);
            return 1;
        }
        _elapsed.Start();
        if (strict && !AllLinesAreJson())
        {
            stream.Dispose();
            return 1;
        }
        using (stream)
        {
            try
            {
                long completedBytes = 0;
                for (int f = 0; f < files.Count; f++)
                {
                    using FileStream raw = File.OpenRead(files[f]);
                    using JsonLineReader lines = new(CompressedInput.Wrap(raw, files[f]), files[f]);
                    while (lines.TryReadLine(out ReadOnlySpan<byte> line))
                    {
                        _window.Add((f, lines.LineNumber, lines.LineOffset));
                        _rowsSent++;
                        stream.Send(line);
                        if (stream.PendingRows == 0)
                        {
                            Collect(stream.TakeCompleted());
                        }
                        _bytesRead = completedBytes + raw.Position;
                        ShowProgress();
                    }
                    completedBytes += raw.Length;
                }
                Collect(stream.Close());
            }
            catch (IngestException e)
            {
                ClearProgress();
                console.Error.WriteLine(e.Message);
                if (e.FailingRow >= 0)
                {
                    console.Error.WriteLine($"  at {Where(e.FailingRow, e.ByteOffset)}");
                }
                PrintSummary(failed: true);
                return 1;
            }
            catch (QueryException e)
            {
                ClearProgress();
                console.Error.WriteLine(e.Message);
                PrintSummary(failed: true);
                return 1;
            }
        }
        ClearProgress();
        PrintSummary(failed: false);
        return 0;
    }

    /// <summary>
    /// With <c>--strict</c>, a first pass checks that every line is well-formed JSON, so a malformed line fails the
    /// whole load before anything is inserted (rows the statement itself fails on can only be found while loading).
    /// </summary>
    private bool AllLinesAreJson()
    {
        VariantBuilder builder = new();
        try
        {
            foreach (string file in files)
            {
                using JsonLineReader lines = new(CompressedInput.OpenRead(file), file);
                while (lines.TryReadLine(out ReadOnlySpan<byte> line))
                {
                    if (!VariantJson.TryParse(line, builder, out VariantJsonError error))
                    {
                        console.Error.WriteLine($"{file} line {lines.LineNumber}, byte {lines.LineOffset + error.ByteOffset}: Invalid Input Error: {error}");
                        console.Error.WriteLine("nothing was inserted (--strict)");
                        return false;
                    }
                }
            }
            return true;
        }
        catch (QueryException e)
        {
            console.Error.WriteLine(e.Message);
            return false;
        }
    }

    /// <summary>Adds the results of completed batches, names their rejected rows by file and line, and frees their rows.</summary>
    private void Collect(IngestResult result)
    {
        _result = _result.Add(result with { Errors = [] });
        foreach (IngestRowError error in result.Errors)
        {
            if (_errorsPrinted++ == 0)
            {
                ClearProgress();
            }
            console.Error.WriteLine($"{Where(error.Row, error.ByteOffset)}: {error.Message}");
        }
        _windowStart += (int)result.RowsReceived;
        _windowFirstRow += result.RowsReceived;
        if (_windowStart > 1 << 16 && _windowStart * 2 > _window.Count)
        {
            _window.RemoveRange(0, _windowStart);
            _windowStart = 0;
        }
    }

    private string Where(long row, long byteOffset)
    {
        int index = _windowStart + (int)(row - _windowFirstRow);
        if (row < _windowFirstRow || index >= _window.Count)
        {
            return $"row {row}";
        }
        (int file, long line, long offset) = _window[index];
        return byteOffset >= 0
            ? $"{files[file]} line {line}, byte {offset + byteOffset}"
            : $"{files[file]} line {line}";
    }

    private void ShowProgress()
    {
        if (!console.ErrorIsTerminal || _elapsed.Elapsed - _lastProgress < ProgressInterval)
        {
            return;
        }
        _lastProgress = _elapsed.Elapsed;
        double percent = _totalBytes == 0 ? 100 : 100.0 * _bytesRead / _totalBytes;
        const int width = 24;
        int filled = (int)Math.Clamp(percent / 100 * width, 0, width);
        console.Error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r[{new string('#', filled)}{new string(' ', width - filled)}] {percent,3:0}%  {_rowsSent:N0} rows  {Rate(_rowsSent)} rows/s  {Megabytes(_bytesRead)} / {Megabytes(_totalBytes)} MB "));
        console.Error.Flush();
        _progressShown = true;
    }

    private void ClearProgress()
    {
        if (_progressShown)
        {
            console.Error.Write("\r" + new string(' ', 100) + "\r");
            console.Error.Flush();
            _progressShown = false;
        }
    }

    private void PrintSummary(bool failed)
    {
        double seconds = Math.Max(_elapsed.Elapsed.TotalSeconds, 1e-9);
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(failed ? "stopped: " : "")}{_result.RowsInserted} rows inserted, {_result.RowsFiltered} filtered, {_result.RowsRejected} rejected " +
            $"({_rowsSent} rows read from {files.Count} file(s), {Megabytes(_bytesRead)} MB in {seconds:0.00} s, {Rate(_rowsSent)} rows/s)"));
    }

    private string Rate(long rows) =>
        (rows / Math.Max(_elapsed.Elapsed.TotalSeconds, 1e-9)).ToString("N0", CultureInfo.InvariantCulture);

    private static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
}
