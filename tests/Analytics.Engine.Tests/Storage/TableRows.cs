using System.Collections.Immutable;
using System.Text;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Tests.Storage;

/// <summary>Builds batches from CLR rows and reads tables back as CLR rows (long, ulong, double, bool, string, null).</summary>
internal static class TableRows
{
    public static Batch ToBatch(BatchSchema schema, IReadOnlyList<object?[]> rows)
    {
        Batch batch = new(schema);
        for (int c = 0; c < schema.Count; c++)
        {
            ColumnVector vector = batch.Columns[c];
            for (int r = 0; r < rows.Count; r++)
            {
                object? value = rows[r][c];
                if (value is null)
                {
                    vector.Validity.SetNull(r, Batch.Capacity);
                    continue;
                }
                switch (value)
                {
                    case long l: vector.GetData<long>()[r] = l; break;
                    case ulong u: vector.GetData<ulong>()[r] = u; break;
                    case double d: vector.GetData<double>()[r] = d; break;
                    case bool b: vector.GetData<byte>()[r] = b ? (byte)1 : (byte)0; break;
                    case string s: vector.SetBytes(r, Encoding.UTF8.GetBytes(s)); break;
                    default: throw new ArgumentException($"unsupported value {value}");
                }
            }
        }
        batch.SetCount(rows.Count);
        return batch;
    }

    public static void Insert(TableStorage table, params object?[][] rows)
    {
        using ITableWriter writer = table.OpenWriter();
        for (int start = 0; start < rows.Length; start += Batch.Capacity)
        {
            writer.Append(ToBatch(table.Schema, rows[start..Math.Min(rows.Length, start + Batch.Capacity)]));
        }
        writer.Commit();
    }

    public static List<object?[]> ReadAll(TableStorage table, ScanRequest? request = null) =>
        Read(table, table.PlanScan(request ?? ScanRequest.All(table.Schema.Count)), request);

    public static List<object?[]> Read(TableStorage table, ScanPlan plan, ScanRequest? request = null)
    {
        request ??= ScanRequest.All(table.Schema.Count);
        BatchSchema schema = new(request.Columns.Select(c => table.Schema[c]).ToImmutableArray());
        List<object?[]> rows = [];
        ScanContext context = new(plan.Metrics);
        foreach (ScanSplit split in plan.Splits)
        {
            using IScanReader reader = table.OpenReader(split, request, context);
            Batch batch = new(schema);
            while (reader.Read(batch, CancellationToken.None))
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    int row = batch.RowAt(i);
                    rows.Add([.. batch.Columns.Select(v => ValueAt(v, row))]);
                }
            }
        }
        return rows;
    }

    /// <summary>Runs a statement to its end; returns the rows it inserted, deleted or updated (-1 for a query).</summary>
    public static long Execute(Session session, string statement)
    {
        using QueryResult result = session.Execute(statement);
        while (result.ReadNext(CancellationToken.None, out _))
        {
        }
        return result.RowsAffected;
    }

    /// <summary>The query's rows as "a|b|c" lines (values as the CLI prints them), in the order it returns them.</summary>
    public static List<string> Lines(Session session, string query)
    {
        using QueryResult result = session.Execute(query);
        List<string> rows = [];
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                int row = batch.RowAt(i);
                rows.Add(string.Join('|', batch.Columns.Select(c => Analytics.Vector.Values.ValueFormatter.Format(c, row))));
            }
        }
        return rows;
    }

    public static object? ValueAt(ColumnVector vector, int row)
    {
        if (vector.IsNullAt(row))
        {
            return null;
        }
        ColumnVector values = vector.Encoding == VectorEncoding.Dictionary ? vector.Dictionary! : vector;
        int index = vector.Encoding switch
        {
            VectorEncoding.Dictionary => vector.Codes[row],
            VectorEncoding.Constant => 0,
            _ => row,
        };
        return vector.Type.Id switch
        {
            TypeId.Int or TypeId.Timestamp or TypeId.Interval => values.GetData<long>()[index],
            TypeId.UInt => values.GetData<ulong>()[index],
            TypeId.Float => values.GetData<double>()[index],
            TypeId.Boolean => values.GetData<byte>()[index] != 0,
            TypeId.String => Encoding.UTF8.GetString(values.GetBytes(index)),
            _ => Convert.ToHexString(values.GetBytes(index)),
        };
    }
}
