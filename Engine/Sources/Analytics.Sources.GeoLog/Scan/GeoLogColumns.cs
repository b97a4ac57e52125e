using System.Text;
using Analytics.Sources.GeoLog.Format;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Sources.GeoLog.Scan;

/// <summary>
/// The columns of a geo log (geolog.md): <c>object_id string, kind string, ts timestamp, lon, lat, accuracy, speed,
/// heading, altitude, altitude_accuracy float, data object</c>, and the row writer every geolog source shares.
/// </summary>
internal static class GeoLogColumns
{
    public const int ObjectId = 0;
    public const int Kind = 1;
    public const int Ts = 2;
    /// <summary>Column of numeric field 0 (lon); field f is column FirstField + f.</summary>
    public const int FirstField = 3;
    public const int Data = FirstField + GeoFields.Count;
    public const int Count = Data + 1;

    public static readonly BatchSchema Schema = BuildSchema();

    private static BatchSchema BuildSchema()
    {
        Field[] fields = new Field[Count];
        fields[ObjectId] = new Field("object_id", LogicalType.String);
        fields[Kind] = new Field("kind", LogicalType.String);
        fields[Ts] = new Field("ts", LogicalType.Timestamp);
        for (int f = 0; f < GeoFields.Count; f++)
        {
            fields[FirstField + f] = new Field(GeoFields.Names[f], LogicalType.Float);
        }
        fields[Data] = new Field("data", LogicalType.Object);
        return new BatchSchema(fields);
    }

    public const long NanosPerMilli = 1_000_000;
}

/// <summary>Writes one geo log row into the projected columns of a batch.</summary>
internal sealed class GeoRowWriter(int[] projection)
{
    private readonly VariantBuilder _builder = new();

    /// <summary>
    /// Writes row <paramref name="row"/>: fields in <paramref name="fieldMask"/> from <paramref name="state"/> (others
    /// NULL); data from <paramref name="changes"/> (an encoded change list: removed keys become JSON null) or, when that
    /// is empty, from <paramref name="map"/> (a carried-forward state), else NULL.
    /// </summary>
    public void Write(Batch batch, int row, byte[] kindUtf8, byte[] idUtf8, in GeoState state, int fieldMask,
        ReadOnlySpan<byte> changes, KeyValuePair<string, GeoValue>[]? map)
    {
        for (int c = 0; c < projection.Length; c++)
        {
            ColumnVector vector = batch.Columns[c];
            int column = projection[c];
            switch (column)
            {
                case GeoLogColumns.ObjectId:
                    vector.SetBytes(row, idUtf8);
                    break;
                case GeoLogColumns.Kind:
                    vector.SetBytes(row, kindUtf8);
                    break;
                case GeoLogColumns.Ts:
                    vector.GetData<long>()[row] = state.Ts * GeoLogColumns.NanosPerMilli;
                    break;
                case GeoLogColumns.Data:
                    if (!changes.IsEmpty)
                    {
                        WriteData(ChangeListCache.Get(changes), vector, row);
                    }
                    else if (map is not null)
                    {
                        WriteData(map, vector, row);
                    }
                    else
                    {
                        vector.Validity.SetNull(row, vector.Capacity);
                    }
                    break;
                default:
                    int field = column - GeoLogColumns.FirstField;
                    if ((fieldMask & (1 << field)) != 0)
                    {
                        vector.GetData<double>()[row] = GeoFields.FromFixed(field, state.Values[field]);
                    }
                    else
                    {
                        vector.Validity.SetNull(row, vector.Capacity);
                    }
                    break;
            }
        }
    }

    private void WriteData(KeyValuePair<string, GeoValue>[] entries, ColumnVector vector, int row)
    {
        _builder.Reset();
        _builder.StartObject();
        foreach (KeyValuePair<string, GeoValue> entry in entries)
        {
            _builder.WriteKey(entry.Key.AsSpan());
            switch (entry.Value.Kind)
            {
                case GeoValueKind.Remove:
                    _builder.WriteNull();
                    break;
                case GeoValueKind.False or GeoValueKind.True:
                    _builder.WriteBoolean(entry.Value.AsBoolean);
                    break;
                case GeoValueKind.Int:
                    _builder.WriteInt64(entry.Value.AsInt);
                    break;
                case GeoValueKind.Float:
                    _builder.WriteDouble(entry.Value.AsFloat);
                    break;
                default:
                    _builder.WriteString(Encoding.UTF8.GetBytes(entry.Value.AsString));
                    break;
            }
        }
        _builder.EndObject();
        _builder.FinishInto(vector, row);
    }
}
