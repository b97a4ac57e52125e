using Analytics.Arrow;
using Analytics.Arrow.Conversion;
using Analytics.Arrow.Types;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Cli.Output;

/// <summary>
/// <c>--format arrow</c>: each result set as one Arrow IPC stream on stdout, or in the <c>-o</c> file (the file format
/// when its name ends in <c>.arrow</c>; a later result set replaces an earlier one there). Batches are written as
/// they arrive.
/// </summary>
internal sealed class ArrowFormatter(CliConsole console, string? outputPath) : IResultFormatter
{
    private Stream? _stream;
    private ArrowIpcWriter? _writer;
    private ArrowSchema? _schema;

    public void Begin(BatchSchema schema)
    {
        _schema = ArrowExport.ToArrowSchema(schema);
        ArrowIpcFormat format = ArrowIpcFormat.Stream;
        if (outputPath is not null)
        {
            _stream = new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            if (outputPath.EndsWith(".arrow", StringComparison.OrdinalIgnoreCase))
            {
                format = ArrowIpcFormat.File;
            }
        }
        else
        {
            // Text written before (e.g. by dot commands) must come out before the binary stream.
            console.Out.Flush();
            _stream = console.BinaryOut ?? throw new InvalidOperationException("--format arrow needs a binary stdout");
        }
        _writer = new ArrowIpcWriter(_stream, _schema, format);
    }

    public void WriteBatch(Batch batch) => _writer!.WriteBatch(ArrowExport.ToArrow(batch, _schema!));

    public void End()
    {
        _writer!.Finish();
        _stream!.Flush();
        if (outputPath is not null)
        {
            _stream.Dispose();
        }
    }
}
