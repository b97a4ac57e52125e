using System.Globalization;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Scan;
using Analytics.Sources.GeoLog.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Sources.GeoLog.Table;

/// <summary>
/// <c>CREATE TABLE fleet (object_id string, kind string, ts timestamp, lon float, lat float, accuracy float, speed float,
/// heading float, altitude float, altitude_accuracy float, data object) WITH ('format' = 'geolog', …)</c>: a catalog
/// table whose rows live in a geo log (in the table's data directory, or <c>'path'</c>). Properties:
/// <c>path</c>, <c>cold_path</c>, <c>cold_after_days</c>, <c>flush_interval_ms</c>, <c>keyframe_interval</c>,
/// <c>checkpoint_interval_ms</c>. INSERT INTO appends (all rows of an INSERT or none; flushed on commit).
/// </summary>
public sealed class GeoLogTableFormat(GeoLogTables tables) : ITableFormat
{
    public const string FormatName = "geolog";

    private static readonly string[] s_properties = ["path", "cold_path", "cold_after_days", "flush_interval_ms", "keyframe_interval", "checkpoint_interval_ms"];

    public string Format => FormatName;

    public IExternalTable Open(ExternalTableContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (string key in context.Properties.Keys)
        {
            if (Array.IndexOf(s_properties, key) < 0)
            {
                throw new QueryException(ErrorKind.Binder, $"table {context.TableName}: unknown geolog property '{key}' (known: {string.Join(", ", s_properties)})");
            }
        }
        CheckColumns(context);
        string directory = Property(context, "path") ?? context.DataDirectory
            ?? throw new QueryException(ErrorKind.Binder, $"table {context.TableName}: a geolog table in an in-memory database needs the property 'path'");
        string? cold = Property(context, "cold_path");
        GeoLogOptions options = new()
        {
            ColdDirectory = cold,
            ColdAfter = TimeSpan.FromDays(Number(context, "cold_after_days", 10)),
            FlushInterval = TimeSpan.FromMilliseconds(Number(context, "flush_interval_ms", 1000)),
            KeyframeInterval = (int)Number(context, "keyframe_interval", 200),
            CheckpointInterval = TimeSpan.FromMilliseconds(Number(context, "checkpoint_interval_ms", GeoLogTables.DefaultCheckpointMs)),
        };
        GeoLogWriter writer;
        try
        {
            writer = GeoLogWriter.Open(directory, options);
        }
        catch (ArgumentException e)
        {
            throw new QueryException(ErrorKind.Binder, $"table {context.TableName}: {e.Message}");
        }
        GeoLogStoreProvider provider = new(Path.GetFullPath(directory), cold is null ? null : Path.GetFullPath(cold), (long)options.CheckpointInterval.TotalMilliseconds);
        tables.Register(context.TableName, provider);
        return new GeoLogTable(context.TableName, tables, writer, new GeoLogScanSource(provider));
    }

    private static string? Property(ExternalTableContext context, string name) =>
        context.Properties.TryGetValue(name, out string? value) ? value : null;

    private static long Number(ExternalTableContext context, string name, long defaultValue)
    {
        if (Property(context, name) is not { } text)
        {
            return defaultValue;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value > 0 ? value
            : throw new QueryException(ErrorKind.Binder, $"table {context.TableName}: geolog property '{name}' must be a positive integer, got '{text}'");
    }

    /// <summary>Declared columns must be exactly the geolog columns (names, types, order), or none.</summary>
    private static void CheckColumns(ExternalTableContext context)
    {
        BatchSchema expected = GeoLogColumns.Schema;
        if (context.Columns.Count == 0)
        {
            return;
        }
        bool same = context.Columns.Count == expected.Count;
        for (int c = 0; same && c < expected.Count; c++)
        {
            same = string.Equals(context.Columns[c].Name, expected[c].Name, StringComparison.OrdinalIgnoreCase)
                && context.Columns[c].Type.Id == expected[c].Type.Id;
        }
        if (!same)
        {
            throw new QueryException(ErrorKind.Binder,
                $"table {context.TableName}: a geolog table has the columns ({expected}), got ({context.Columns})");
        }
    }
}

/// <summary>An open geolog table: its scan source and its writer (closed, flushing and sealing, with the table).</summary>
internal sealed class GeoLogTable(string name, GeoLogTables tables, GeoLogWriter writer, IScanSource source) : IExternalTable
{
    public IScanSource Source => source;

    public ITableAppender? OpenAppender() => new GeoLogAppender(name, writer);

    public void Dispose()
    {
        tables.Unregister(name);
        writer.Dispose();
    }
}

/// <summary>Converts an INSERT's rows to updates; <see cref="Commit"/> appends them all (or none) and flushes.</summary>
internal sealed class GeoLogAppender(string table, GeoLogWriter writer) : ITableAppender
{
    private readonly List<GeoUpdate> _updates = [];

    public void Append(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (int i = 0; i < batch.Count; i++)
        {
            _updates.Add(ToUpdate(batch, batch.RowAt(i)));
        }
    }

    private GeoUpdate ToUpdate(Batch batch, int row)
    {
        string id = String(batch.Columns[GeoLogColumns.ObjectId], row)
            ?? throw new QueryException(ErrorKind.InvalidInput, $"INSERT INTO {table}: object_id must not be NULL");
        string kind = String(batch.Columns[GeoLogColumns.Kind], row) ?? "";
        ColumnVector tsVector = batch.Columns[GeoLogColumns.Ts];
        if (tsVector.IsNullAt(row))
        {
            throw new QueryException(ErrorKind.InvalidInput, $"INSERT INTO {table}: ts of '{id}' must not be NULL");
        }
        ValueReader.Locate(tsVector, row, out ColumnVector tsValues, out int tsIndex);
        long nanos = tsValues.GetData<long>()[tsIndex];
        long millis = nanos / GeoLogColumns.NanosPerMilli - (nanos < 0 && nanos % GeoLogColumns.NanosPerMilli != 0 ? 1 : 0);
        return new GeoUpdate(id, kind, millis)
        {
            Longitude = Float(batch, GeoFields.Longitude, row),
            Latitude = Float(batch, GeoFields.Latitude, row),
            Accuracy = Float(batch, GeoFields.Accuracy, row),
            Speed = Float(batch, GeoFields.Speed, row),
            Heading = Float(batch, GeoFields.Heading, row),
            Altitude = Float(batch, GeoFields.Altitude, row),
            AltitudeAccuracy = Float(batch, GeoFields.AltitudeAccuracy, row),
            Data = Data(batch.Columns[GeoLogColumns.Data], row, id),
        };
    }

    private static string? String(ColumnVector vector, int row)
    {
        if (vector.IsNullAt(row))
        {
            return null;
        }
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        return System.Text.Encoding.UTF8.GetString(values.GetBytes(index));
    }

    private static double? Float(Batch batch, int field, int row)
    {
        ColumnVector vector = batch.Columns[GeoLogColumns.FirstField + field];
        if (vector.IsNullAt(row))
        {
            return null;
        }
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        return values.GetData<double>()[index];
    }

    /// <summary>The top-level scalar fields of a data object; a JSON null removes the key.</summary>
    private List<KeyValuePair<string, GeoValue>>? Data(ColumnVector vector, int row, string id)
    {
        if (vector.IsNullAt(row))
        {
            return null;
        }
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        VariantValue data = VariantValue.Parse(values.GetBytes(index));
        if (data.Kind != VariantKind.Object)
        {
            throw new QueryException(ErrorKind.InvalidInput, $"INSERT INTO {table}: data of '{id}' must be an object, got {data.Kind}");
        }
        List<KeyValuePair<string, GeoValue>> entries = new(data.ObjectCount);
        for (int f = 0; f < data.ObjectCount; f++)
        {
            VariantValue value = data.GetObjectField(f, out ReadOnlySpan<byte> key);
            GeoValue converted = value.Kind switch
            {
                VariantKind.Null => GeoValue.Remove,
                VariantKind.Boolean => GeoValue.Boolean(value.GetBoolean()),
                VariantKind.Int => GeoValue.Int(value.GetInt64()),
                VariantKind.UInt when value.GetUInt64() <= long.MaxValue => GeoValue.Int((long)value.GetUInt64()),
                VariantKind.Float => GeoValue.Float(value.GetDouble()),
                VariantKind.String => GeoValue.String(value.GetString()),
                _ => throw new QueryException(ErrorKind.InvalidInput,
                    $"INSERT INTO {table}: data of '{id}': key '{System.Text.Encoding.UTF8.GetString(key)}' holds a {value.Kind}; geolog data values are booleans, integers, floats and strings"),
            };
            entries.Add(new(System.Text.Encoding.UTF8.GetString(key), converted));
        }
        return entries;
    }

    public void Commit()
    {
        try
        {
            writer.AppendAll(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_updates));
        }
        catch (GeoLogRejectedException e)
        {
            throw new QueryException(ErrorKind.InvalidInput, $"INSERT INTO {table}: {e.Message}");
        }
        _updates.Clear();
        writer.Flush();
    }

    public void Dispose() => _updates.Clear();
}
