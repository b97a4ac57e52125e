using System.Collections.Immutable;
using System.Text;
using System.Text.Unicode;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Sources.Files.Csv;

/// <summary>
/// Reads one CSV file into batches of the projected columns, converting each field straight into its vector. An empty
/// unquoted field is NULL; a quoted empty field is the empty string (empty binary; NULL for other types). A bad record
/// (malformed quoting, wrong field count, a value that does not convert, invalid UTF-8) fails the scan, or with
/// <c>ignore_errors</c> is skipped and reported through the scan metrics.
/// </summary>
/// <remarks>
/// Without <c>ignore_errors</c> only the projected fields are converted, so a bad value in a column the query does not
/// read goes unnoticed. With it every field is checked, so which rows are skipped does not depend on the projection.
/// </remarks>
internal sealed class CsvReader : IScanReader
{
    private readonly CsvRecordReader _records;
    private readonly string _file;
    private readonly bool _ignoreErrors;
    private readonly BatchSchema _schema;
    private readonly int[] _projection;
    private readonly int[] _checked;
    private readonly ScanMetrics _metrics;
    private readonly long[] _values;
    private char[] _chars = new char[256];
    private long _remaining;
    private readonly ReadProgress _progress;

    public CsvReader(string file, CsvFormat format, BatchSchema schema, ImmutableArray<string> header, ScanRequest request, ScanMetrics metrics)
    {
        _file = file;
        _ignoreErrors = format.IgnoreErrors;
        _schema = schema;
        _projection = [.. request.Columns];
        _checked = format.IgnoreErrors ? AllColumns(schema.Count) : _projection;
        _values = new long[schema.Count];
        _metrics = metrics;
        _progress = new ReadProgress(metrics);
        _remaining = request.Limit ?? long.MaxValue;
        _records = CsvScanSource.Open(file, format);
        if (format.Header)
        {
            try
            {
                ImmutableArray<string> names = CsvScanSource.ReadHeader(_records, file);
                if (!names.SequenceEqual(header, StringComparer.Ordinal))
                {
                    throw new QueryException(ErrorKind.InvalidInput,
                        $"read_csv: '{file}' has the header ({string.Join(", ", names)}), other files have ({string.Join(", ", header)})");
                }
            }
            catch
            {
                _records.Dispose();
                throw;
            }
        }
    }

    private static int[] AllColumns(int count)
    {
        int[] columns = new int[count];
        for (int i = 0; i < count; i++)
        {
            columns[i] = i;
        }
        return columns;
    }

    public bool Read(Batch destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        destination.Reset();
        int count = 0;
        while (count < Batch.Capacity && count < _remaining && _records.ReadRecord())
        {
            if (_records.Problem is { } malformed)
            {
                Reject(_records.ProblemLine, _records.ProblemOffset, malformed);
                continue;
            }
            if (_records.FieldCount != _schema.Count)
            {
                Reject(_records.RecordLine, _records.RecordOffset, CsvScanSource.FieldCountProblem(_schema.Count, _records.FieldCount));
                continue;
            }
            // Every checked field is converted before any is written, so a rejected record leaves no partial row.
            string? problem = null;
            for (int c = 0; c < _checked.Length && problem is null; c++)
            {
                problem = Parse(_checked[c]);
            }
            if (problem is not null)
            {
                Reject(_records.RecordLine, _records.RecordOffset, problem);
                continue;
            }
            for (int c = 0; c < _projection.Length; c++)
            {
                Write(_projection[c], destination.Columns[c], count);
            }
            count++;
        }
        _remaining -= count;
        destination.SetCount(count);
        _progress.Report(count, _records.BytesRead);
        return count > 0;
    }

    /// <summary>Fails the scan, or with ignore_errors counts the record as skipped (bad records only, so not the hot path).</summary>
    private void Reject(long line, long offset, string problem)
    {
        string text = CsvScanSource.Describe(_file, line, offset, problem);
        if (!_ignoreErrors)
        {
            throw new QueryException(ErrorKind.InvalidInput, text);
        }
        _metrics.SkipRow(text);
    }

    private bool IsNull(int field, TypeId type) =>
        _records.Field(field).IsEmpty && (!_records.IsQuoted(field) || (type != TypeId.String && type != TypeId.Binary));

    /// <summary>Checks field <paramref name="field"/> and keeps its fixed-width value for <see cref="Write"/>; the problem, or null.</summary>
    private string? Parse(int field)
    {
        Field column = _schema[field];
        TypeId type = column.Type.Id;
        if (type == TypeId.Binary || IsNull(field, type))
        {
            return null;
        }
        ReadOnlySpan<byte> bytes = _records.Field(field);
        if (!Utf8.IsValid(bytes))
        {
            return $"invalid UTF-8 in column {column.Name}";
        }
        if (type == TypeId.String)
        {
            return null;
        }
        if (_chars.Length < bytes.Length)
        {
            _chars = new char[Math.Max(bytes.Length, _chars.Length * 2)];
        }
        ReadOnlySpan<char> text = _chars.AsSpan(0, Encoding.UTF8.GetChars(bytes, _chars));
        bool ok;
        switch (type)
        {
            case TypeId.Int:
                ok = ScalarText.TryParseInt(text, out _values[field]);
                break;
            case TypeId.UInt:
                ok = ScalarText.TryParseUInt(text, out ulong unsigned);
                _values[field] = (long)unsigned;
                break;
            case TypeId.Float:
                ok = ScalarText.TryParseFloat(text, out double real);
                _values[field] = BitConverter.DoubleToInt64Bits(real);
                break;
            case TypeId.Boolean:
                ok = ScalarText.TryParseBoolean(text, out bool boolean);
                _values[field] = boolean ? 1 : 0;
                break;
            case TypeId.Timestamp:
                ok = TimestampFormat.TryParse(text, out _values[field]);
                break;
            case TypeId.Interval:
                ok = IntervalFormat.TryParse(text, out _values[field]);
                break;
            default:
                // The factory only declares the types above; this keeps a new type from being read as garbage.
                throw new QueryException(ErrorKind.NotImplemented, $"read_csv: columns of type {column.Type} are not supported");
        }
        return ok ? null : $"column {column.Name} expects {column.Type}, got '{text}'";
    }

    private void Write(int field, ColumnVector output, int row)
    {
        if (IsNull(field, _schema[field].Type.Id))
        {
            output.Validity.SetNull(row, output.Capacity);
            return;
        }
        switch (output.Type.Physical)
        {
            case PhysicalKind.VarBytes:
                output.SetBytes(row, _records.Field(field));
                break;
            case PhysicalKind.Bool8:
                output.GetData<byte>()[row] = (byte)_values[field];
                break;
            default:
                output.GetData<long>()[row] = _values[field];
                break;
        }
    }

    public void Dispose() => _records.Dispose();
}
