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
/// unquoted field is NULL; a quoted empty field is the empty string (NULL for other types). A bad record (wrong field
/// count, a value that does not convert, invalid UTF-8) fails the scan, or with <c>ignore_errors</c> is skipped and
/// reported through the scan metrics.
/// </summary>
internal sealed class CsvReader : IScanReader
{
    private readonly CsvRecordReader _records;
    private readonly CsvFormat _format;
    private readonly BatchSchema _schema;
    private readonly int[] _projection;
    private readonly ScanMetrics _metrics;
    private readonly long[] _values;
    private char[] _chars = new char[256];
    private long _reported;

    public CsvReader(string file, CsvFormat format, BatchSchema schema, ImmutableArray<string> header, ImmutableArray<int> projection, ScanMetrics metrics)
    {
        _format = format;
        _schema = schema;
        _projection = [.. projection];
        _values = new long[_projection.Length];
        _metrics = metrics;
        _records = CsvScanSource.Open(file, format);
        if (format.Header)
        {
            if (!_records.ReadRecord())
            {
                _records.Dispose();
                throw new QueryException(ErrorKind.InvalidInput, $"read_csv: '{file}' is empty: no header line");
            }
            ImmutableArray<string> names = CsvScanSource.ReadHeader(_records, file);
            if (!names.SequenceEqual(header, StringComparer.Ordinal))
            {
                _records.Dispose();
                throw new QueryException(ErrorKind.InvalidInput,
                    $"read_csv: '{file}' has the header ({string.Join(", ", names)}), other files have ({string.Join(", ", header)})");
            }
        }
    }

    public bool Read(Batch destination, CancellationToken cancellationToken)
    {
        destination.Reset();
        int count = 0;
        while (count < Batch.Capacity && _records.ReadRecord())
        {
            if (_records.FieldCount != _schema.Count)
            {
                Reject($"expected {_schema.Count} fields, found {_records.FieldCount}");
                continue;
            }
            // Every projected field is checked before any is written, so a rejected record leaves no partial row.
            string? problem = null;
            for (int c = 0; c < _projection.Length && problem is null; c++)
            {
                problem = Parse(_projection[c], c);
            }
            if (problem is not null)
            {
                Reject(problem);
                continue;
            }
            for (int c = 0; c < _projection.Length; c++)
            {
                Write(_projection[c], c, destination.Columns[c], count);
            }
            count++;
        }
        foreach (ColumnVector column in destination.Columns)
        {
            column.FinishBytes(count);
        }
        destination.SetCount(count);
        Interlocked.Add(ref _metrics.RowsScanned, count);
        long read = _records.BytesRead;
        Interlocked.Add(ref _metrics.BytesRead, read - _reported);
        _reported = read;
        return count > 0;
    }

    private void Reject(string problem)
    {
        QueryException error = _records.Error(_records.RecordLine, _records.RecordOffset, problem);
        if (!_format.IgnoreErrors)
        {
            throw error;
        }
        _metrics.SkipRow(error.Text);
    }

    private bool IsNull(int field, Field column) =>
        _records.Field(field).IsEmpty && (!_records.IsQuoted(field) || column.Type.Id != TypeId.String);

    /// <summary>Checks field <paramref name="field"/> and keeps its fixed-width value in slot <paramref name="slot"/>; the problem, or null.</summary>
    private string? Parse(int field, int slot)
    {
        ReadOnlySpan<byte> bytes = _records.Field(field);
        Field column = _schema[field];
        if (IsNull(field, column))
        {
            return null;
        }
        if (!Utf8.IsValid(bytes))
        {
            return $"invalid UTF-8 in column {column.Name}";
        }
        if (column.Type.Id == TypeId.String)
        {
            return null;
        }
        if (_chars.Length < bytes.Length)
        {
            _chars = new char[Math.Max(bytes.Length, _chars.Length * 2)];
        }
        ReadOnlySpan<char> text = _chars.AsSpan(0, Encoding.UTF8.GetChars(bytes, _chars));
        bool ok;
        switch (column.Type.Id)
        {
            case TypeId.Int:
                ok = ScalarText.TryParseInt(text, out _values[slot]);
                break;
            case TypeId.UInt:
                ok = ScalarText.TryParseUInt(text, out ulong unsigned);
                _values[slot] = (long)unsigned;
                break;
            case TypeId.Float:
                ok = ScalarText.TryParseFloat(text, out double real);
                _values[slot] = BitConverter.DoubleToInt64Bits(real);
                break;
            case TypeId.Boolean:
                ok = ScalarText.TryParseBoolean(text, out bool boolean);
                _values[slot] = boolean ? 1 : 0;
                break;
            case TypeId.Timestamp:
                ok = TimestampFormat.TryParse(text, out _values[slot]);
                break;
            case TypeId.Interval:
                ok = IntervalFormat.TryParse(text, out _values[slot]);
                break;
            default:
                return $"column {column.Name} of type {column.Type} is not supported";
        }
        return ok ? null : $"column {column.Name} expects {column.Type}, got '{text}'";
    }

    private void Write(int field, int slot, ColumnVector output, int row)
    {
        Field column = _schema[field];
        if (IsNull(field, column))
        {
            output.Validity.SetNull(row, output.Capacity);
            return;
        }
        switch (column.Type.Physical)
        {
            case PhysicalKind.VarBytes:
                output.SetBytes(row, _records.Field(field));
                break;
            case PhysicalKind.Bool8:
                output.GetData<byte>()[row] = (byte)_values[slot];
                break;
            default:
                output.GetData<long>()[row] = _values[slot];
                break;
        }
    }

    public void Dispose() => _records.Dispose();
}
