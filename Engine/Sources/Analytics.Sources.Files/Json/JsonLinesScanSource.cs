using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Compression;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;

namespace Analytics.Sources.Files.Json;

/// <summary>
/// NDJSON files as a scan source of one <c>any</c> column <c>$0</c>. A plain file larger than
/// <see cref="SplitBytes"/> is read as several byte ranges in parallel (a line belongs to the range it starts in);
/// a compressed file is one split, since it can only be read from its start. Constant paths such as
/// <c>$0['meta']['url']::string</c> are extracted while each line is decoded, so a query that needs only paths never
/// copies whole documents into its batches.
/// </summary>
public sealed class JsonLinesScanSource : IScanSource, ISupportsVariantPaths
{
    /// <summary>Size of the byte ranges a large plain file is split into.</summary>
    public const long SplitBytes = 32L << 20;

    private readonly IReadOnlyList<string> _files;
    private readonly bool _ignoreErrors;
    private readonly int _maxDepth;

    public JsonLinesScanSource(IReadOnlyList<string> files, bool ignoreErrors, int maxDepth)
    {
        _files = files;
        _ignoreErrors = ignoreErrors;
        _maxDepth = maxDepth;
    }

    public BatchSchema Schema { get; } = new(new Field("$0", LogicalType.Any));

    public FilterPushdown CanPushDown(ScanFilter filter) => FilterPushdown.Unsupported;

    public bool CanExtract(ScanVariantPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Column == 0 && path.TargetType.Id is not (TypeId.Binary or TypeId.Null);
    }

    public ScanPlan PlanScan(ScanRequest request)
    {
        ImmutableArray<ScanSplit>.Builder splits = ImmutableArray.CreateBuilder<ScanSplit>();
        foreach (string file in _files)
        {
            long length = new FileInfo(file).Length;
            if (length <= SplitBytes || CompressedInput.IsCompressed(file))
            {
                splits.Add(new JsonLinesSplit(file, 0, long.MaxValue));
                continue;
            }
            for (long start = 0; start < length; start += SplitBytes)
            {
                splits.Add(new JsonLinesSplit(file, start, Math.Min(length, start + SplitBytes)));
            }
        }
        return new ScanPlan(splits.ToImmutable(), new ScanMetrics { SplitsConsidered = splits.Count, SplitsScanned = splits.Count });
    }

    public IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return new JsonLinesReader((JsonLinesSplit)split, request, _ignoreErrors, _maxDepth, context.Metrics);
    }
}

/// <summary>Lines of <see cref="File"/> that start in [<see cref="Start"/>, <see cref="End"/>).</summary>
internal sealed record JsonLinesSplit(string File, long Start, long End) : ScanSplit;

internal sealed class JsonLinesReader : IScanReader
{
    private readonly JsonLinesSplit _split;
    private readonly bool _project;
    private readonly VariantPathExtractor[] _paths;
    private readonly bool _ignoreErrors;
    private readonly int _maxDepth;
    private readonly ScanMetrics _metrics;
    private readonly VariantBuilder _builder = new();
    private readonly VariantRowReader _documents = new();
    private readonly JsonLineReader _lines;
    private readonly long _base;
    private readonly ReadProgress _progress;
    private bool _done;

    public JsonLinesReader(JsonLinesSplit split, ScanRequest request, bool ignoreErrors, int maxDepth, ScanMetrics metrics)
    {
        _split = split;
        _project = request.Columns.Length > 0;
        _paths = new VariantPathExtractor[request.VariantPaths.Length];
        for (int i = 0; i < _paths.Length; i++)
        {
            _paths[i] = request.VariantPaths[i].CreateExtractor();
        }
        _ignoreErrors = ignoreErrors;
        _maxDepth = maxDepth;
        _metrics = metrics;
        _progress = new ReadProgress(metrics);
        Stream stream = split.Start == 0 ? FileInput.Open(split.File) : File.OpenRead(split.File);
        try
        {
            _base = split.Start == 0 ? 0 : SkipPartialLine(stream, split.Start);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        _lines = new JsonLineReader(stream, split.File);
    }

    /// <summary>
    /// Positions a range's stream after the line that began before the range (it belongs to the previous range): the
    /// first line of this range starts after the first newline at or after byte <c>start - 1</c>.
    /// </summary>
    private static long SkipPartialLine(Stream stream, long start)
    {
        stream.Position = start - 1;
        Span<byte> buffer = stackalloc byte[4096];
        long position = start - 1;
        while (true)
        {
            int read = stream.Read(buffer);
            if (read == 0)
            {
                return position;
            }
            int newline = buffer[..read].IndexOf((byte)'\n');
            if (newline >= 0)
            {
                position += newline + 1;
                stream.Position = position;
                return position;
            }
            position += read;
        }
    }

    public bool Read(Batch destination, CancellationToken cancellationToken)
    {
        destination.Reset();
        Vector.Vectors.ColumnVector? column = _project ? destination.Columns[0] : null;
        int firstPath = _project ? 1 : 0;
        int count = 0;
        while (count < Batch.Capacity && !_done && _lines.TryReadLine(out ReadOnlySpan<byte> line))
        {
            long offset = _base + _lines.LineOffset;
            if (offset >= _split.End)
            {
                _done = true;
                break;
            }
            bool parsed = column is null
                ? VariantJson.TryParse(line, _builder, out VariantJsonError error, _maxDepth)
                : VariantJson.TryParseRow(line, _builder, column, count, out error, _maxDepth);
            if (!parsed)
            {
                Problem(offset, error);
                continue;
            }
            if (_paths.Length > 0)
            {
                // The document's bytes: the row just written to $0, or (without $0) the builder's one encoding.
                ReadOnlySpan<byte> document = column is null ? _builder.Finish() : column.IsNullAt(count) ? default : column.GetBytes(count);
                VariantValue root = document.IsEmpty ? default : _documents.Read(document);
                for (int p = 0; p < _paths.Length; p++)
                {
                    Vector.Vectors.ColumnVector output = destination.Columns[firstPath + p];
                    if (document.IsEmpty)
                    {
                        output.Validity.SetNull(count, output.Capacity);
                    }
                    else
                    {
                        _paths[p].ExtractRow(document, root, _documents, output, count);
                    }
                }
            }
            count++;
        }
        foreach (Vector.Vectors.ColumnVector output in destination.Columns)
        {
            output.FinishBytes(count);
        }
        destination.SetCount(count);
        _progress.Report(count, _lines.BytesRead);
        return count > 0;
    }

    private void Problem(long lineOffset, VariantJsonError error)
    {
        long line = _lines.LineNumber + (_split.Start == 0 ? 0 : FileInput.CountLines(_split.File, _base));
        string text = $"read_json: '{_split.File}' line {line}, byte {lineOffset + error.ByteOffset}: {error.Message}";
        if (!_ignoreErrors)
        {
            throw new QueryException(ErrorKind.InvalidInput, text);
        }
        _metrics.SkipRow(text);
    }

    public void Dispose() => _lines.Dispose();
}
