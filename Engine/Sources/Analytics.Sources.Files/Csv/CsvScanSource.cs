using System.Collections.Immutable;
using System.Text;
using System.Text.Unicode;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Values;

namespace Analytics.Sources.Files.Csv;

/// <summary>
/// CSV files with one schema as a scan source, made by <see cref="ReadCsvSourceFactory"/>. The schema is declared with
/// <c>columns</c> or inferred from the first file; with a header every file must repeat it. Each file is one split,
/// streamed through a buffered reader that converts the projected fields straight into the batch's vectors.
/// </summary>
public sealed class CsvScanSource : IScanSource
{
    private readonly IReadOnlyList<string> _files;
    private readonly CsvFormat _format;
    private readonly ImmutableArray<string> _header;

    private CsvScanSource(IReadOnlyList<string> files, CsvFormat format, BatchSchema schema, ImmutableArray<string> header)
    {
        _files = files;
        _format = format;
        Schema = schema;
        _header = header;
    }

    /// <summary>The columns: declared, or inferred from the first file; all nullable.</summary>
    public BatchSchema Schema { get; }

    internal static CsvScanSource Create(IReadOnlyList<string> files, CsvFormat format, ImmutableArray<Field>? declared, int sampleRows)
    {
        using CsvRecordReader first = Open(files[0], format);
        ImmutableArray<string> header = format.Header ? ReadHeader(first, files[0]) : [];
        ImmutableArray<Field> fields;
        if (declared is { } columns)
        {
            if (format.Header && !header.SequenceEqual(columns.Select(f => f.Name), StringComparer.Ordinal))
            {
                throw new QueryException(ErrorKind.Binder,
                    $"read_csv(): columns ({string.Join(", ", columns.Select(f => f.Name))}) do not match the header of '{files[0]}' ({string.Join(", ", header)})");
            }
            fields = columns;
        }
        else
        {
            fields = Infer(first, files[0], format, header, sampleRows);
        }
        return new CsvScanSource(files, format, new BatchSchema(ImmutableArray.CreateRange(fields.Select(f => new Field(f.Name, f.Type)))), header);
    }

    /// <summary>The one place files are opened: gzip and zstd files are decompressed by their magic bytes.</summary>
    internal static CsvRecordReader Open(string file, CsvFormat format) => new(FileInput.Open(file), format.Delimiter, format.Quote);

    /// <summary>The text of an input error: file, 1-based line and byte offset, then the problem.</summary>
    internal static string Describe(string file, long line, long offset, string problem) =>
        $"read_csv: '{file}' line {line} (byte {offset}): {problem}";

    internal static string FieldCountProblem(int expected, int found) => $"expected {expected} fields, found {found}";

    /// <summary>Reads the header record; a column without a name is called column<i>i</i>, like a file without a header.</summary>
    internal static ImmutableArray<string> ReadHeader(CsvRecordReader reader, string file)
    {
        if (!reader.ReadRecord())
        {
            throw new QueryException(ErrorKind.InvalidInput, $"read_csv: '{file}' is empty: no header line");
        }
        if (reader.Problem is { } problem)
        {
            throw new QueryException(ErrorKind.InvalidInput, Describe(file, reader.ProblemLine, reader.ProblemOffset, problem));
        }
        ImmutableArray<string>.Builder names = ImmutableArray.CreateBuilder<string>(reader.FieldCount);
        // Case-insensitive, like the binder's column lookup: "Id" and "id" could not be told apart in a query.
        HashSet<string> seen = new(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < reader.FieldCount; i++)
        {
            ReadOnlySpan<byte> field = reader.Field(i);
            if (!Utf8.IsValid(field))
            {
                throw new QueryException(ErrorKind.InvalidInput, Describe(file, reader.RecordLine, reader.RecordOffset, $"invalid UTF-8 in the name of column {i + 1}"));
            }
            string name = Encoding.UTF8.GetString(field);
            if (name.Length == 0)
            {
                name = $"column{i}";
            }
            if (!seen.Add(name))
            {
                throw new QueryException(ErrorKind.InvalidInput, Describe(file, reader.RecordLine, reader.RecordOffset, $"column name {name} appears twice in the header"));
            }
            names.Add(name);
        }
        return names.MoveToImmutable();
    }

    /// <summary>
    /// Per column, the first of boolean, int, float, timestamp that every sampled value parses as; else string. The
    /// header, or without one the first record, sets the number of columns; a sampled record with another count is an
    /// error (skipped with ignore_errors, which the scan then reports).
    /// </summary>
    private static ImmutableArray<Field> Infer(CsvRecordReader reader, string file, CsvFormat format, ImmutableArray<string> header, int sampleRows)
    {
        int expected = format.Header ? header.Length : -1;
        TypeCandidates[] columns = [];
        char[] scratch = new char[256];
        for (int row = 0; row < sampleRows && reader.ReadRecord(); row++)
        {
            string? problem = reader.Problem;
            long line = reader.Problem is null ? reader.RecordLine : reader.ProblemLine;
            long offset = reader.Problem is null ? reader.RecordOffset : reader.ProblemOffset;
            if (problem is null && expected >= 0 && reader.FieldCount != expected)
            {
                problem = FieldCountProblem(expected, reader.FieldCount);
            }
            if (problem is not null)
            {
                if (format.IgnoreErrors)
                {
                    continue;
                }
                throw new QueryException(ErrorKind.InvalidInput, Describe(file, line, offset, problem));
            }
            if (expected < 0)
            {
                expected = reader.FieldCount;
            }
            if (columns.Length < expected)
            {
                columns = new TypeCandidates[expected];
                for (int c = 0; c < expected; c++)
                {
                    columns[c] = new TypeCandidates();
                }
            }
            for (int c = 0; c < expected; c++)
            {
                ReadOnlySpan<byte> field = reader.Field(c);
                if (field.IsEmpty)
                {
                    continue;
                }
                // Values longer than any number or timestamp (or not UTF-8) can only be strings; no need to decode them.
                if (field.Length > scratch.Length || !Utf8.IsValid(field))
                {
                    columns[c].ForceString();
                    continue;
                }
                int length = Encoding.UTF8.GetChars(field, scratch);
                columns[c].Observe(scratch.AsSpan(0, length));
            }
        }
        if (expected < 0)
        {
            throw new QueryException(ErrorKind.InvalidInput, $"read_csv: '{file}' has no rows to infer the columns from; declare them with columns => {{…}}");
        }
        ImmutableArray<Field>.Builder fields = ImmutableArray.CreateBuilder<Field>(expected);
        for (int c = 0; c < expected; c++)
        {
            LogicalType type = c < columns.Length ? columns[c].Result : LogicalType.String;
            fields.Add(new Field(format.Header ? header[c] : $"column{c}", type));
        }
        return fields.MoveToImmutable();
    }

    private sealed class TypeCandidates
    {
        private bool _observed;
        private bool _boolean = true;
        private bool _int = true;
        private bool _float = true;
        private bool _timestamp = true;

        public void Observe(ReadOnlySpan<char> text)
        {
            _observed = true;
            _boolean = _boolean && ScalarText.TryParseBoolean(text, out _);
            _int = _int && ScalarText.TryParseInt(text, out _);
            _float = _float && ScalarText.TryParseFloat(text, out _);
            _timestamp = _timestamp && TimestampFormat.TryParse(text, out _);
        }

        /// <summary>A value only a string can hold (too long for a number or timestamp, or not UTF-8).</summary>
        public void ForceString()
        {
            _observed = true;
            _boolean = _int = _float = _timestamp = false;
        }

        /// <summary>An all-empty column is a string column.</summary>
        public LogicalType Result => !_observed ? LogicalType.String
            : _boolean ? LogicalType.Boolean
            : _int ? LogicalType.Int
            : _float ? LogicalType.Float
            : _timestamp ? LogicalType.Timestamp
            : LogicalType.String;
    }

    /// <summary>CSV text has no statistics to prune with; the engine filters.</summary>
    public FilterPushdown CanPushDown(ScanFilter filter) => FilterPushdown.Unsupported;

    /// <summary>One split per file, in path order; nothing is pruned.</summary>
    public ScanPlan PlanScan(ScanRequest request)
    {
        ImmutableArray<ScanSplit>.Builder splits = ImmutableArray.CreateBuilder<ScanSplit>(_files.Count);
        foreach (string file in _files)
        {
            splits.Add(new CsvFileSplit(file));
        }
        return new ScanPlan(splits.MoveToImmutable(), new ScanMetrics { SplitsConsidered = _files.Count, SplitsScanned = _files.Count });
    }

    /// <summary>Streams one file through a buffered reader.</summary>
    public IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return new CsvReader(((CsvFileSplit)split).File, _format, Schema, _header, request, context.Metrics);
    }
}

/// <summary>One CSV file of a <see cref="CsvScanSource"/>: files are read whole, from their start.</summary>
internal sealed record CsvFileSplit(string File) : ScanSplit;
