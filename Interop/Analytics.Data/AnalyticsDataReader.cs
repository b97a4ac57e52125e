using System.Collections;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Analytics.Engine;
using Analytics.Errors;
using Analytics.Flight.Grpc;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Data;

/// <summary>
/// Streams the result sets of a command batch by batch (one engine batch of up to 2048 rows is held at a time).
/// Statements that return no rows (INSERT, DELETE, UPDATE, DDL) run as the reader reaches them and add to
/// <see cref="RecordsAffected"/>. Typed getters and <see cref="GetFieldValue{T}"/> read the vectors directly, without
/// boxing. Values: int → long, uint → ulong, float → double, timestamp → UTC DateTime, interval → TimeSpan,
/// any/array/object → JSON text (or JsonElement/JsonNode through <see cref="GetFieldValue{T}"/>), binary → byte[].
/// </summary>
public sealed class AnalyticsDataReader : DbDataReader
{
    private static readonly Task<bool> s_true = Task.FromResult(true);
    private static readonly Task<bool> s_false = Task.FromResult(false);

    private readonly AnalyticsConnection _connection;
    private readonly CommandExecution _execution;
    private readonly IEnumerator<(IStatementResult Result, CommandStatements Command)> _statements;
    private readonly CommandBehavior _behavior;
    private IStatementResult? _current;
    private BatchSchema _schema = BatchSchema.Empty;
    private Batch? _batch;
    private ColumnVector[] _columns = [];
    private int _rowInBatch = -1;
    private int _row = -1;
    private bool _resultDone;
    private bool _closed;
    private long _recordsAffected = -1;

    private AnalyticsDataReader(AnalyticsConnection connection, IEnumerable<(IStatementResult, CommandStatements)> statements,
        CommandExecution execution, CommandBehavior behavior)
    {
        _connection = connection;
        _execution = execution;
        _behavior = behavior;
        _statements = statements.GetEnumerator();
    }

    /// <summary>Starts the statements up to the first result set; owns the connection's command slot and the execution from here.</summary>
    internal static AnalyticsDataReader Open(AnalyticsConnection connection, IReadOnlyList<CommandStatements> commands,
        CommandExecution execution, CommandBehavior behavior)
    {
        AnalyticsDataReader reader = new(connection, connection.RunStatements(commands, execution), execution, behavior);
        connection.ReaderOpened(reader);
        try
        {
            reader.NextResultSet();
        }
        catch
        {
            reader.Close();
            throw;
        }
        return reader;
    }

    public override int Depth => 0;

    public override int FieldCount => _schema.Count;

    public override bool HasRows
    {
        get
        {
            ThrowIfClosed();
            if (_batch is null && _current is not null && !_resultDone && _rowInBatch < 0)
            {
                FetchBatch();
            }
            return _batch is not null;
        }
    }

    public override bool IsClosed => _closed;

    /// <summary>Rows inserted, deleted or updated by the statements run so far; -1 when none of them was such a statement.</summary>
    public override int RecordsAffected => (int)Math.Min(int.MaxValue, _recordsAffected);

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override bool Read()
    {
        ThrowIfClosed();
        if (_batch is not null && _rowInBatch + 1 < _batch.Count)
        {
            _row = _batch.RowAt(++_rowInBatch);
            return true;
        }
        if (_current is null || _resultDone)
        {
            _batch = null;
            return false;
        }
        FetchBatch();
        if (_batch is null)
        {
            return false;
        }
        _row = _batch.RowAt(++_rowInBatch);
        return true;
    }

    public override Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();
        if (_batch is not null && _rowInBatch + 1 < _batch.Count)
        {
            _row = _batch.RowAt(++_rowInBatch);
            return s_true;
        }
        // The next batch may still be computing: wait for it off the caller's thread.
        return Task.Run(Read, cancellationToken);
    }

    public override bool NextResult()
    {
        ThrowIfClosed();
        return NextResultSet();
    }

    public override Task<bool> NextResultAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();
        return Task.Run(NextResultSet, cancellationToken);
    }

    /// <summary>Moves to the next statement that returns rows, running the row-less ones before it.</summary>
    private bool NextResultSet()
    {
        DisposeCurrent();
        while (true)
        {
            bool more;
            _execution.BeginWait();
            try
            {
                more = _statements.MoveNext();
            }
            catch (Exception e) when (e is QueryException or OperationCanceledException or FlightRpcException)
            {
                throw _execution.Translate(e);
            }
            finally
            {
                _execution.EndWait();
            }
            if (!more)
            {
                return false;
            }
            (IStatementResult result, CommandStatements command) = _statements.Current;
            if (result.ReturnsRows)
            {
                _current = result;
                _schema = result.Schema;
                _resultDone = false;
                return true;
            }
            using (result)
            {
                _current = result;
                while (FetchBatch(skipRows: true))
                {
                }
                _current = null;
                if (result.RowsAffected >= 0)
                {
                    _recordsAffected = Math.Max(_recordsAffected, 0) + result.RowsAffected;
                    command.Owner?.AddRecordsAffected(result.RowsAffected);
                }
            }
        }
    }

    /// <summary>Loads the next non-empty batch of the current result (null at its end).</summary>
    private bool FetchBatch(bool skipRows = false)
    {
        _batch = null;
        _rowInBatch = -1;
        _execution.BeginWait();
        try
        {
            // A batch already waiting must not hide a Cancel: the command stops at the next batch boundary.
            _execution.Token.ThrowIfCancellationRequested();
            while (_current!.ReadNext(_execution.Token, out Batch? batch))
            {
                if (batch!.Count > 0)
                {
                    if (!skipRows)
                    {
                        _batch = batch;
                        _columns = batch.Columns;
                    }
                    return true;
                }
            }
            _resultDone = true;
            return false;
        }
        catch (Exception e) when (e is QueryException or OperationCanceledException or FlightRpcException)
        {
            _resultDone = true;
            throw _execution.Translate(e);
        }
        finally
        {
            _execution.EndWait();
        }
    }

    /// <summary>Runs every remaining statement (rows of result sets are skipped); returns <see cref="RecordsAffected"/>.</summary>
    internal int DrainAll()
    {
        do
        {
            if (_current is not null)
            {
                while (!_resultDone && FetchBatch(skipRows: true))
                {
                }
            }
        }
        while (NextResultSet());
        return RecordsAffected;
    }

    /// <summary>Runs the statements after the current result set without reading the rest of it.</summary>
    internal void RunRemaining()
    {
        while (NextResultSet())
        {
        }
    }

    private void DisposeCurrent()
    {
        _batch = null;
        _rowInBatch = -1;
        _row = -1;
        _schema = BatchSchema.Empty;
        _columns = [];
        _current?.Dispose();
        _current = null;
    }

    public override void Close()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        try
        {
            DisposeCurrent();
            _statements.Dispose();
        }
        finally
        {
            _execution.Dispose();
            _connection.EndCommand();
            if ((_behavior & CommandBehavior.CloseConnection) != 0)
            {
                _connection.Close();
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Close();
        }
        base.Dispose(disposing);
    }

    public override Task CloseAsync()
    {
        Close();
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    // ---- metadata ------------------------------------------------------------------------------------------------

    public override string GetName(int ordinal) => Field(ordinal).Name;

    public override int GetOrdinal(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (int i = 0; i < _schema.Count; i++)
        {
            if (string.Equals(_schema[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        for (int i = 0; i < _schema.Count; i++)
        {
            if (string.Equals(_schema[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        throw new IndexOutOfRangeException($"the result has no column named '{name}'");
    }

    /// <summary>The ScopeQL type name: int, uint, float, boolean, string, binary, timestamp, interval, any, array, object, null.</summary>
    public override string GetDataTypeName(int ordinal) => Field(ordinal).Type.Name;

    public override Type GetFieldType(int ordinal) => ClrType(Field(ordinal).Type.Id);

    /// <summary>Whether the column may hold NULL (as the engine's schema says).</summary>
    internal bool IsNullable(int ordinal) => Field(ordinal).Nullable;

    internal static Type ClrType(TypeId type) => type switch
    {
        TypeId.Boolean => typeof(bool),
        TypeId.Int => typeof(long),
        TypeId.UInt => typeof(ulong),
        TypeId.Float => typeof(double),
        TypeId.String or TypeId.Any or TypeId.Array or TypeId.Object => typeof(string),
        TypeId.Binary => typeof(byte[]),
        TypeId.Timestamp => typeof(DateTime),
        TypeId.Interval => typeof(TimeSpan),
        _ => typeof(object),
    };

    public override DataTable GetSchemaTable()
    {
        ThrowIfClosed();
        DataTable table = new("SchemaTable") { Locale = CultureInfo.InvariantCulture };
        DataColumnCollection columns = table.Columns;
        columns.Add(SchemaTableColumn.ColumnName, typeof(string));
        columns.Add(SchemaTableColumn.ColumnOrdinal, typeof(int));
        columns.Add(SchemaTableColumn.ColumnSize, typeof(int));
        columns.Add(SchemaTableColumn.NumericPrecision, typeof(short));
        columns.Add(SchemaTableColumn.NumericScale, typeof(short));
        columns.Add(SchemaTableColumn.DataType, typeof(Type));
        columns.Add(SchemaTableColumn.ProviderType, typeof(int));
        columns.Add(SchemaTableColumn.IsLong, typeof(bool));
        columns.Add(SchemaTableColumn.AllowDBNull, typeof(bool));
        columns.Add(SchemaTableOptionalColumn.IsReadOnly, typeof(bool));
        columns.Add(SchemaTableOptionalColumn.IsRowVersion, typeof(bool));
        columns.Add(SchemaTableColumn.IsUnique, typeof(bool));
        columns.Add(SchemaTableColumn.IsKey, typeof(bool));
        columns.Add(SchemaTableOptionalColumn.IsAutoIncrement, typeof(bool));
        columns.Add(SchemaTableOptionalColumn.BaseCatalogName, typeof(string));
        columns.Add(SchemaTableColumn.BaseSchemaName, typeof(string));
        columns.Add(SchemaTableColumn.BaseTableName, typeof(string));
        columns.Add(SchemaTableColumn.BaseColumnName, typeof(string));
        columns.Add("DataTypeName", typeof(string));
        columns.Add(SchemaTableColumn.IsAliased, typeof(bool));
        columns.Add(SchemaTableColumn.IsExpression, typeof(bool));
        for (int i = 0; i < _schema.Count; i++)
        {
            Field field = _schema[i];
            DataRow row = table.NewRow();
            row[SchemaTableColumn.ColumnName] = field.Name;
            row[SchemaTableColumn.ColumnOrdinal] = i;
            row[SchemaTableColumn.ColumnSize] = field.Type.Physical == PhysicalKind.VarBytes ? -1 : field.Type.Physical == PhysicalKind.Bool8 ? 1 : 8;
            row[SchemaTableColumn.NumericPrecision] = DBNull.Value;
            row[SchemaTableColumn.NumericScale] = DBNull.Value;
            row[SchemaTableColumn.DataType] = ClrType(field.Type.Id);
            row[SchemaTableColumn.ProviderType] = (int)field.Type.Id;
            row[SchemaTableColumn.IsLong] = field.Type.Physical == PhysicalKind.VarBytes;
            row[SchemaTableColumn.AllowDBNull] = field.Nullable;
            row[SchemaTableOptionalColumn.IsReadOnly] = true;
            row[SchemaTableOptionalColumn.IsRowVersion] = false;
            row[SchemaTableColumn.IsUnique] = false;
            row[SchemaTableColumn.IsKey] = false;
            row[SchemaTableOptionalColumn.IsAutoIncrement] = false;
            row[SchemaTableOptionalColumn.BaseCatalogName] = DBNull.Value;
            row[SchemaTableColumn.BaseSchemaName] = DBNull.Value;
            row[SchemaTableColumn.BaseTableName] = DBNull.Value;
            row[SchemaTableColumn.BaseColumnName] = field.Name;
            row["DataTypeName"] = field.Type.Name;
            row[SchemaTableColumn.IsAliased] = false;
            row[SchemaTableColumn.IsExpression] = false;
            table.Rows.Add(row);
        }
        return table;
    }

    public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

    // ---- values --------------------------------------------------------------------------------------------------

    public override bool IsDBNull(int ordinal)
    {
        ColumnVector vector = Column(ordinal);
        return vector.Type.Id == TypeId.Null || vector.IsNullAt(_row);
    }

    public override Task<bool> IsDBNullAsync(int ordinal, CancellationToken cancellationToken) =>
        IsDBNull(ordinal) ? s_true : s_false;

    public override object GetValue(int ordinal)
    {
        ColumnVector vector = Column(ordinal);
        if (vector.Type.Id == TypeId.Null || vector.IsNullAt(_row))
        {
            return DBNull.Value;
        }
        ValueReader.Locate(vector, _row, out ColumnVector values, out int index);
        return vector.Type.Id switch
        {
            TypeId.Boolean => values.GetData<byte>()[index] != 0,
            TypeId.Int => values.GetData<long>()[index],
            TypeId.UInt => values.GetData<ulong>()[index],
            TypeId.Float => values.GetData<double>()[index],
            TypeId.String => Encoding.UTF8.GetString(values.GetBytes(index)),
            TypeId.Binary => values.GetBytes(index).ToArray(),
            TypeId.Timestamp => ParameterValues.ToDateTime(values.GetData<long>()[index]),
            TypeId.Interval => ParameterValues.ToTimeSpan(values.GetData<long>()[index]),
            _ => VariantJson.ToJsonString(VariantValue.Parse(values.GetBytes(index))),
        };
    }

    public override int GetValues(object[] values)
    {
        int count = Math.Min(values.Length, FieldCount);
        for (int i = 0; i < count; i++)
        {
            values[i] = GetValue(i);
        }
        return count;
    }

    public override bool GetBoolean(int ordinal)
    {
        ColumnVector values = Value(ordinal, TypeId.Boolean, out int index);
        return values.GetData<byte>()[index] != 0;
    }

    public override long GetInt64(int ordinal)
    {
        ColumnVector values = Value(ordinal, out int index, out TypeId type);
        return type switch
        {
            TypeId.Int => values.GetData<long>()[index],
            TypeId.UInt => values.GetData<ulong>()[index] is var u && u <= long.MaxValue ? (long)u : throw Overflow(ordinal, u, "Int64"),
            _ => throw Cast(ordinal, "Int64"),
        };
    }

    public override int GetInt32(int ordinal)
    {
        long value = GetInt64(ordinal);
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Overflow(ordinal, value, "Int32");
    }

    public override short GetInt16(int ordinal)
    {
        long value = GetInt64(ordinal);
        return value is >= short.MinValue and <= short.MaxValue ? (short)value : throw Overflow(ordinal, value, "Int16");
    }

    public override byte GetByte(int ordinal)
    {
        long value = GetInt64(ordinal);
        return value is >= 0 and <= byte.MaxValue ? (byte)value : throw Overflow(ordinal, value, "Byte");
    }

    /// <summary>A uint column (or a non-negative int).</summary>
    public ulong GetUInt64(int ordinal)
    {
        ColumnVector values = Value(ordinal, out int index, out TypeId type);
        return type switch
        {
            TypeId.UInt => values.GetData<ulong>()[index],
            TypeId.Int => values.GetData<long>()[index] is var l && l >= 0 ? (ulong)l : throw Overflow(ordinal, l, "UInt64"),
            _ => throw Cast(ordinal, "UInt64"),
        };
    }

    /// <summary>A float column, or an int/uint one widened.</summary>
    public override double GetDouble(int ordinal)
    {
        ColumnVector values = Value(ordinal, out int index, out TypeId type);
        return type switch
        {
            TypeId.Float => values.GetData<double>()[index],
            TypeId.Int => values.GetData<long>()[index],
            TypeId.UInt => values.GetData<ulong>()[index],
            _ => throw Cast(ordinal, "Double"),
        };
    }

    public override float GetFloat(int ordinal) => (float)GetDouble(ordinal);

    public override decimal GetDecimal(int ordinal)
    {
        ColumnVector values = Value(ordinal, out int index, out TypeId type);
        return type switch
        {
            TypeId.Float => (decimal)values.GetData<double>()[index],
            TypeId.Int => values.GetData<long>()[index],
            TypeId.UInt => values.GetData<ulong>()[index],
            _ => throw Cast(ordinal, "Decimal"),
        };
    }

    /// <summary>A string column, or the JSON text of an any/array/object value.</summary>
    public override string GetString(int ordinal)
    {
        ColumnVector values = Value(ordinal, out int index, out TypeId type);
        return type switch
        {
            TypeId.String => Encoding.UTF8.GetString(values.GetBytes(index)),
            TypeId.Any or TypeId.Array or TypeId.Object => VariantJson.ToJsonString(VariantValue.Parse(values.GetBytes(index))),
            _ => throw Cast(ordinal, "String"),
        };
    }

    public override char GetChar(int ordinal)
    {
        string text = GetString(ordinal);
        return text.Length > 0 ? text[0] : throw new InvalidCastException($"column {ordinal} ({GetName(ordinal)}) is an empty string, not a character");
    }

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
    {
        string text = GetString(ordinal);
        if (buffer is null)
        {
            return text.Length;
        }
        int count = (int)Math.Max(0, Math.Min(length, text.Length - dataOffset));
        text.CopyTo((int)dataOffset, buffer, bufferOffset, count);
        return count;
    }

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length)
    {
        ReadOnlySpan<byte> bytes = BinaryValue(ordinal);
        if (buffer is null)
        {
            return bytes.Length;
        }
        int count = (int)Math.Max(0, Math.Min(length, bytes.Length - dataOffset));
        bytes.Slice((int)dataOffset, count).CopyTo(buffer.AsSpan(bufferOffset));
        return count;
    }

    /// <summary>A binary value as a read-only stream (a copy: the batch it came from is reused).</summary>
    public override Stream GetStream(int ordinal) => new MemoryStream(BinaryValue(ordinal).ToArray(), writable: false);

    public override TextReader GetTextReader(int ordinal) => new StringReader(GetString(ordinal));

    /// <summary>A timestamp as a UTC DateTime.</summary>
    public override DateTime GetDateTime(int ordinal)
    {
        ColumnVector values = Value(ordinal, TypeId.Timestamp, out int index);
        return ParameterValues.ToDateTime(values.GetData<long>()[index]);
    }

    public TimeSpan GetTimeSpan(int ordinal)
    {
        ColumnVector values = Value(ordinal, TypeId.Interval, out int index);
        return ParameterValues.ToTimeSpan(values.GetData<long>()[index]);
    }

    /// <summary>A string holding a GUID.</summary>
    public override Guid GetGuid(int ordinal)
    {
        string text = GetString(ordinal);
        return Guid.TryParse(text, out Guid guid) ? guid : throw new InvalidCastException($"column {ordinal} ({GetName(ordinal)}) holds '{text}', which is not a GUID");
    }

    /// <summary>Nanoseconds since the Unix epoch (UTC) of a timestamp, at full precision.</summary>
    public long GetTimestampNanos(int ordinal) => Value(ordinal, TypeId.Timestamp, out int index).GetData<long>()[index];

    /// <summary>
    /// Typed reads without boxing for long, int, ulong, double, float, bool, string, DateTime, DateTimeOffset, TimeSpan,
    /// decimal, Guid, byte[], Stream, JsonElement, JsonNode and their nullable forms (NULL → null).
    /// </summary>
    public override T GetFieldValue<T>(int ordinal)
    {
        if (typeof(T) == typeof(long)) { long v = GetInt64(ordinal); return Unsafe.As<long, T>(ref v); }
        if (typeof(T) == typeof(double)) { double v = GetDouble(ordinal); return Unsafe.As<double, T>(ref v); }
        if (typeof(T) == typeof(int)) { int v = GetInt32(ordinal); return Unsafe.As<int, T>(ref v); }
        if (typeof(T) == typeof(ulong)) { ulong v = GetUInt64(ordinal); return Unsafe.As<ulong, T>(ref v); }
        if (typeof(T) == typeof(bool)) { bool v = GetBoolean(ordinal); return Unsafe.As<bool, T>(ref v); }
        if (typeof(T) == typeof(DateTime)) { DateTime v = GetDateTime(ordinal); return Unsafe.As<DateTime, T>(ref v); }
        if (typeof(T) == typeof(DateTimeOffset)) { DateTimeOffset v = new(GetDateTime(ordinal)); return Unsafe.As<DateTimeOffset, T>(ref v); }
        if (typeof(T) == typeof(TimeSpan)) { TimeSpan v = GetTimeSpan(ordinal); return Unsafe.As<TimeSpan, T>(ref v); }
        if (typeof(T) == typeof(float)) { float v = GetFloat(ordinal); return Unsafe.As<float, T>(ref v); }
        if (typeof(T) == typeof(decimal)) { decimal v = GetDecimal(ordinal); return Unsafe.As<decimal, T>(ref v); }
        if (typeof(T) == typeof(Guid)) { Guid v = GetGuid(ordinal); return Unsafe.As<Guid, T>(ref v); }
        if (typeof(T) == typeof(short)) { short v = GetInt16(ordinal); return Unsafe.As<short, T>(ref v); }
        if (typeof(T) == typeof(JsonElement)) { JsonElement v = GetJsonElement(ordinal); return Unsafe.As<JsonElement, T>(ref v); }
        if (typeof(T) == typeof(long?)) { long? v = IsDBNull(ordinal) ? null : GetInt64(ordinal); return Unsafe.As<long?, T>(ref v); }
        if (typeof(T) == typeof(double?)) { double? v = IsDBNull(ordinal) ? null : GetDouble(ordinal); return Unsafe.As<double?, T>(ref v); }
        if (typeof(T) == typeof(int?)) { int? v = IsDBNull(ordinal) ? null : GetInt32(ordinal); return Unsafe.As<int?, T>(ref v); }
        if (typeof(T) == typeof(ulong?)) { ulong? v = IsDBNull(ordinal) ? null : GetUInt64(ordinal); return Unsafe.As<ulong?, T>(ref v); }
        if (typeof(T) == typeof(bool?)) { bool? v = IsDBNull(ordinal) ? null : GetBoolean(ordinal); return Unsafe.As<bool?, T>(ref v); }
        if (typeof(T) == typeof(DateTime?)) { DateTime? v = IsDBNull(ordinal) ? null : GetDateTime(ordinal); return Unsafe.As<DateTime?, T>(ref v); }
        if (typeof(T) == typeof(DateTimeOffset?)) { DateTimeOffset? v = IsDBNull(ordinal) ? null : new DateTimeOffset(GetDateTime(ordinal)); return Unsafe.As<DateTimeOffset?, T>(ref v); }
        if (typeof(T) == typeof(TimeSpan?)) { TimeSpan? v = IsDBNull(ordinal) ? null : GetTimeSpan(ordinal); return Unsafe.As<TimeSpan?, T>(ref v); }
        if (typeof(T) == typeof(float?)) { float? v = IsDBNull(ordinal) ? null : GetFloat(ordinal); return Unsafe.As<float?, T>(ref v); }
        if (typeof(T) == typeof(decimal?)) { decimal? v = IsDBNull(ordinal) ? null : GetDecimal(ordinal); return Unsafe.As<decimal?, T>(ref v); }
        if (typeof(T) == typeof(Guid?)) { Guid? v = IsDBNull(ordinal) ? null : GetGuid(ordinal); return Unsafe.As<Guid?, T>(ref v); }
        if (typeof(T) == typeof(JsonElement?)) { JsonElement? v = IsDBNull(ordinal) ? null : GetJsonElement(ordinal); return Unsafe.As<JsonElement?, T>(ref v); }
        if (typeof(T) == typeof(string)) { return (T)(object)(IsDBNull(ordinal) ? null! : GetString(ordinal)); }
        if (typeof(T) == typeof(byte[])) { return (T)(object)(IsDBNull(ordinal) ? null! : BinaryValue(ordinal).ToArray()); }
        if (typeof(T) == typeof(Stream)) { return (T)(object)GetStream(ordinal); }
        if (typeof(T) == typeof(JsonNode)) { return (T)(object)(IsDBNull(ordinal) ? null! : JsonNode.Parse(JsonText(ordinal))!); }
        if (typeof(T) == typeof(object)) { return (T)GetValue(ordinal); }
        object value = GetValue(ordinal);
        return value is T typed ? typed : throw new InvalidCastException(
            $"column {ordinal} ({GetName(ordinal)}) is {GetDataTypeName(ordinal)} and cannot be read as {typeof(T).Name}");
    }

    /// <summary>The JSON text of a value as a JsonElement (any/array/object values, and strings holding JSON).</summary>
    public JsonElement GetJsonElement(int ordinal)
    {
        using JsonDocument document = JsonDocument.Parse(JsonText(ordinal));
        return document.RootElement.Clone();
    }

    private string JsonText(int ordinal)
    {
        ColumnVector values = Value(ordinal, out int index, out TypeId type);
        return type switch
        {
            TypeId.Any or TypeId.Array or TypeId.Object => VariantJson.ToJsonString(VariantValue.Parse(values.GetBytes(index))),
            TypeId.String => Encoding.UTF8.GetString(values.GetBytes(index)),
            _ => throw Cast(ordinal, "JSON"),
        };
    }

    private ReadOnlySpan<byte> BinaryValue(int ordinal) => Value(ordinal, TypeId.Binary, out int index).GetBytes(index);

    // ---- access helpers ------------------------------------------------------------------------------------------

    private Field Field(int ordinal)
    {
        ThrowIfClosed();
        return (uint)ordinal < (uint)_schema.Count ? _schema[ordinal] : throw OrdinalOutOfRange(ordinal);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ColumnVector Column(int ordinal)
    {
        if (_rowInBatch < 0 || _batch is null)
        {
            ThrowNoRow();
        }
        return (uint)ordinal < (uint)_columns.Length ? _columns[ordinal] : throw OrdinalOutOfRange(ordinal);
    }

    /// <summary>The vector and index holding the current row's non-NULL value of a column of type <paramref name="expected"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ColumnVector Value(int ordinal, TypeId expected, out int index)
    {
        ColumnVector values = Value(ordinal, out index, out TypeId type);
        return type == expected ? values : throw Cast(ordinal, ClrType(expected).Name);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ColumnVector Value(int ordinal, out int index, out TypeId type)
    {
        ColumnVector vector = Column(ordinal);
        type = vector.Type.Id;
        if (vector.Encoding == VectorEncoding.Flat && vector.Validity.AllValid && type != TypeId.Null)
        {
            index = _row;
            return vector;
        }
        if (type == TypeId.Null || vector.IsNullAt(_row))
        {
            throw new InvalidCastException($"column {ordinal} ({_schema[ordinal].Name}) is NULL in this row: check IsDBNull first, or read a nullable type");
        }
        ValueReader.Locate(vector, _row, out ColumnVector values, out index);
        return values;
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new InvalidOperationException("the data reader is closed");
        }
    }

    private void ThrowNoRow()
    {
        ThrowIfClosed();
        throw new InvalidOperationException("the data reader has no current row: call Read() first and check that it returned true");
    }

    private IndexOutOfRangeException OrdinalOutOfRange(int ordinal) =>
        new($"column ordinal {ordinal} is out of range: the result has {_schema.Count} column{(_schema.Count == 1 ? "" : "s")}");

    private InvalidCastException Cast(int ordinal, string target) =>
        new($"column {ordinal} ({_schema[ordinal].Name}) is {_schema[ordinal].Type.Name} and cannot be read as {target}");

    private InvalidCastException Overflow(int ordinal, object value, string target) =>
        new($"column {ordinal} ({_schema[ordinal].Name}) holds {Convert.ToString(value, CultureInfo.InvariantCulture)}, which does not fit {target}");
}
