using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Data;

/// <summary>
/// Fast inserts from .NET values: <c>appender.CreateRow().AppendValue(1L).AppendValue("a").EndRow()</c>, one value per
/// table column in order. Values are written straight into column batches (no SQL, no parsing) and inserted every
/// <see cref="FlushRows"/> rows, each flush one atomic INSERT (on a <c>flight://</c> connection one DoPut of the
/// batches as Arrow, which the server commits at once or not at all). <see cref="Close"/> (or Dispose) flushes the rest; a
/// row not ended is discarded. A value of the wrong type for its column throws <see cref="InvalidCastException"/> and
/// leaves the row where it was. Not thread-safe.
/// </summary>
public sealed class AnalyticsAppender : IDisposable
{
    private readonly IAppendTarget _appender;
    private readonly VariantBuilder _variants = new();
    private Batch _batch;
    private int _row;
    private int _column = -1;
    private int _flushRows = 1 << 20;
    private bool _closed;

    internal AnalyticsAppender(IAppendTarget appender)
    {
        _appender = appender;
        _batch = appender.RentBatch();
    }

    /// <summary>The table, as database.schema.name.</summary>
    public string TableName => _appender.TableName;

    /// <summary>Rows per atomic flush (default 1,048,576).</summary>
    public int FlushRows
    {
        get => _flushRows;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _flushRows = value;
        }
    }

    /// <summary>Rows inserted by the flushes so far.</summary>
    public long RowsInserted { get; private set; }

    public AnalyticsAppender CreateRow()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_column >= 0)
        {
            throw new InvalidOperationException($"the previous row of {TableName} was not ended: call EndRow() after its {_batch.Schema.Count} values");
        }
        _column = 0;
        return this;
    }

    public void EndRow()
    {
        if (_column != _batch.Schema.Count)
        {
            throw new InvalidOperationException(_column < 0
                ? "no row was started: call CreateRow() first"
                : $"the row has {_column} values but {TableName} has {_batch.Schema.Count} columns");
        }
        _column = -1;
        if (++_row == Batch.Capacity)
        {
            HandOver();
            if (_appender.PendingRows >= _flushRows)
            {
                FlushPending();
            }
        }
    }

    public AnalyticsAppender AppendNull()
    {
        ColumnVector vector = Next(out int row);
        if (vector.Type.Physical == PhysicalKind.VarBytes)
        {
            vector.SetBytes(row, default);
        }
        vector.Validity.SetNull(row, vector.Capacity);
        _column++;
        return this;
    }

    public AnalyticsAppender AppendValue(long value)
    {
        ColumnVector vector = Next(out int row);
        switch (vector.Type.Id)
        {
            case TypeId.Int:
                vector.GetData<long>()[row] = value;
                break;
            case TypeId.UInt when value >= 0:
                vector.GetData<ulong>()[row] = (ulong)value;
                break;
            case TypeId.Float:
                vector.GetData<double>()[row] = value;
                break;
            default:
                throw Mismatch(vector, "long", value);
        }
        _column++;
        return this;
    }

    public AnalyticsAppender AppendValue(int value) => AppendValue((long)value);

    public AnalyticsAppender AppendValue(ulong value)
    {
        ColumnVector vector = Next(out int row);
        switch (vector.Type.Id)
        {
            case TypeId.UInt:
                vector.GetData<ulong>()[row] = value;
                break;
            case TypeId.Int when value <= long.MaxValue:
                vector.GetData<long>()[row] = (long)value;
                break;
            case TypeId.Float:
                vector.GetData<double>()[row] = value;
                break;
            default:
                throw Mismatch(vector, "ulong", value);
        }
        _column++;
        return this;
    }

    public AnalyticsAppender AppendValue(double value)
    {
        ColumnVector vector = Next(out int row);
        if (vector.Type.Id != TypeId.Float)
        {
            throw Mismatch(vector, "double", value);
        }
        vector.GetData<double>()[row] = value;
        _column++;
        return this;
    }

    public AnalyticsAppender AppendValue(float value) => AppendValue((double)value);

    public AnalyticsAppender AppendValue(decimal value) => AppendValue((double)value);

    public AnalyticsAppender AppendValue(bool value)
    {
        ColumnVector vector = Next(out int row);
        if (vector.Type.Id != TypeId.Boolean)
        {
            throw Mismatch(vector, "bool", value);
        }
        vector.GetData<byte>()[row] = value ? (byte)1 : (byte)0;
        _column++;
        return this;
    }

    /// <summary>A string (null appends NULL).</summary>
    public AnalyticsAppender AppendValue(string? value)
    {
        if (value is null)
        {
            return AppendNull();
        }
        ColumnVector vector = Next(out int row);
        if (vector.Type.Id != TypeId.String)
        {
            throw Mismatch(vector, "string", value);
        }
        Span<byte> bytes = vector.BeginBytes(row, Encoding.UTF8.GetMaxByteCount(value.Length));
        vector.CommitBytes(row, Encoding.UTF8.GetBytes(value, bytes));
        _column++;
        return this;
    }

    public AnalyticsAppender AppendValue(Guid value) => AppendValue(value.ToString("D"));

    /// <summary>A binary value (null appends NULL).</summary>
    public AnalyticsAppender AppendValue(byte[]? value) => value is null ? AppendNull() : AppendValue(value.AsSpan());

    public AnalyticsAppender AppendValue(ReadOnlySpan<byte> value)
    {
        ColumnVector vector = Next(out int row);
        if (vector.Type.Id != TypeId.Binary)
        {
            throw Mismatch(vector, "binary", null);
        }
        vector.SetBytes(row, value);
        _column++;
        return this;
    }

    /// <summary>A timestamp (UTC and unspecified values are taken as UTC, local ones converted).</summary>
    public AnalyticsAppender AppendValue(DateTime value) => AppendTimestamp(ParameterValues.ToNanos(value), value);

    public AnalyticsAppender AppendValue(DateTimeOffset value) => AppendTimestamp(ParameterValues.ToNanos(value), value);

    public AnalyticsAppender AppendValue(TimeSpan value)
    {
        ColumnVector vector = Next(out int row);
        if (vector.Type.Id != TypeId.Interval)
        {
            throw Mismatch(vector, "TimeSpan", value);
        }
        vector.GetData<long>()[row] = checked(value.Ticks * 100);
        _column++;
        return this;
    }

    public AnalyticsAppender AppendValue(JsonElement value) => AppendJson(value.GetRawText());

    public AnalyticsAppender AppendValue(JsonNode? value) => value is null ? AppendNull() : AppendJson(value.ToJsonString());

    /// <summary>JSON text for an any, array or object column.</summary>
    public AnalyticsAppender AppendJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        ColumnVector vector = Next(out int row);
        if (!vector.Type.IsVariant)
        {
            throw Mismatch(vector, "JSON", null);
        }
        if (!VariantJson.TryParseRow(Encoding.UTF8.GetBytes(json), _variants, vector, row, out VariantJsonError error))
        {
            throw new AnalyticsException(ErrorKind.InvalidInput,
                $"Invalid Input Error: the value for column {_batch.Schema[_column].Name} of {TableName} is not valid JSON: {error}");
        }
        _column++;
        return this;
    }

    /// <summary>Inserts every ended row now, in one atomic commit; returns how many were inserted.</summary>
    public long Flush()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_row > 0)
        {
            HandOver();
        }
        return FlushPending();
    }

    /// <summary>Flushes the ended rows and releases the appender (a row not ended is discarded).</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }
        try
        {
            _column = -1;
            Flush();
        }
        finally
        {
            _closed = true;
            _batch.Release();
            _appender.Dispose();
        }
    }

    public void Dispose() => Close();

    private AnalyticsAppender AppendTimestamp(long nanos, object value)
    {
        ColumnVector vector = Next(out int row);
        if (vector.Type.Id != TypeId.Timestamp)
        {
            throw Mismatch(vector, value.GetType().Name, value);
        }
        vector.GetData<long>()[row] = nanos;
        _column++;
        return this;
    }

    private ColumnVector Next(out int row)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_column < 0)
        {
            throw new InvalidOperationException("no row was started: call CreateRow() first");
        }
        if (_column >= _batch.Schema.Count)
        {
            throw new InvalidOperationException($"the row already has a value for each of the {_batch.Schema.Count} columns of {TableName}: call EndRow()");
        }
        row = _row;
        return _batch.Columns[_column];
    }

    private void HandOver()
    {
        _batch.SetCount(_row);
        _appender.Append(_batch);
        _batch = _appender.RentBatch();
        _row = 0;
    }

    private long FlushPending()
    {
        long inserted = _appender.Flush();
        RowsInserted += inserted;
        return inserted;
    }

    private InvalidCastException Mismatch(ColumnVector vector, string given, object? value) =>
        new($"column {_batch.Schema[_column].Name} of {TableName} is {vector.Type.Name}: a {given} value{(value is null ? "" : $" ({value})")} cannot be appended to it");
}
