using Analytics.Arrow;
using Analytics.Arrow.Arrays;
using Analytics.Arrow.Conversion;
using Analytics.Arrow.Types;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Values;

namespace Analytics.Arrow.Tests;

/// <summary>Builds batches from rows of CLR values and reads them back, for the round-trip tests.</summary>
internal static class TestBatches
{
    public static Batch Build(BatchSchema schema, IReadOnlyList<object?[]> rows)
    {
        var batch = new Batch(schema);
        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < schema.Count; c++)
            {
                ValueWriter.SetValue(batch.Columns[c], r, rows[r][c]);
            }
        }
        batch.SetCount(rows.Count);
        return batch;
    }

    public static List<object?[]> Rows(Batch batch)
    {
        var rows = new List<object?[]>();
        for (int i = 0; i < batch.Count; i++)
        {
            var row = new object?[batch.Columns.Length];
            for (int c = 0; c < row.Length; c++)
            {
                row[c] = ValueReader.GetValue(batch.Columns[c], batch.RowAt(i));
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Writes batches as IPC and returns the bytes.</summary>
    public static byte[] Write(ArrowSchema schema, IEnumerable<ArrowRecordBatch> batches, ArrowIpcFormat format = ArrowIpcFormat.Stream,
        ArrowCompression compression = ArrowCompression.None)
    {
        using var output = new MemoryStream();
        using (var writer = new ArrowIpcWriter(output, schema, format, compression))
        {
            foreach (ArrowRecordBatch batch in batches)
            {
                writer.WriteBatch(batch);
            }
        }
        return output.ToArray();
    }

    /// <summary>Reads IPC bytes back into rows of CLR values (our types).</summary>
    public static (BatchSchema Schema, List<object?[]> Rows) ReadRows(byte[] bytes)
    {
        using ArrowIpcReader reader = ArrowIpcReader.Open(new MemoryStream(bytes));
        BatchSchema schema = ArrowImport.ToBatchSchema(reader.Schema);
        var import = new ArrowImport();
        var rows = new List<object?[]>();
        var batch = new Batch(schema);
        while (reader.ReadNext() is { } arrowBatch)
        {
            for (int start = 0; start < arrowBatch.Length; start += Batch.Capacity)
            {
                int count = Math.Min(Batch.Capacity, arrowBatch.Length - start);
                import.Fill(arrowBatch, start, count, batch);
                rows.AddRange(Rows(batch));
            }
        }
        return (schema, rows);
    }
}
