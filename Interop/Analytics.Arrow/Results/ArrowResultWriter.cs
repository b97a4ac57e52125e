using Analytics.Arrow.Arrays;
using Analytics.Arrow.Conversion;
using Analytics.Arrow.Types;
using Analytics.Engine;
using Analytics.Vector.Batches;

namespace Analytics.Arrow.Results;

/// <summary>How results are written as Arrow.</summary>
public sealed record ArrowWriteOptions
{
    public static readonly ArrowWriteOptions Default = new();

    public ArrowIpcFormat Format { get; init; } = ArrowIpcFormat.Stream;

    /// <summary>Write strings as utf8_view instead of utf8.</summary>
    public bool StringsAsView { get; init; }

    public ArrowCompression Compression { get; init; } = ArrowCompression.None;
}

/// <summary>
/// Query results as Arrow: <see cref="Write"/> streams a <see cref="QueryResult"/> to IPC batch by batch (each
/// batch is written before the next is taken, so fixed-width values go from the engine's vectors to the stream
/// without an intermediate copy); <see cref="ReadBatches"/> yields the batches as Arrow record batches.
/// </summary>
public static class ArrowResultWriter
{
    /// <summary>Writes the remaining batches of <paramref name="result"/> as an Arrow IPC stream or file; returns the rows written.</summary>
    public static long Write(QueryResult result, Stream output, ArrowWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        options ??= ArrowWriteOptions.Default;
        ArrowSchema schema = ArrowExport.ToArrowSchema(result.Schema, options.StringsAsView);
        using var writer = new ArrowIpcWriter(output, schema, options.Format, options.Compression);
        long rows = 0;
        while (result.ReadNext(cancellationToken, out Batch? batch))
        {
            if (batch!.Count == 0)
            {
                continue;
            }
            writer.WriteBatch(ArrowExport.ToArrow(batch, schema));
            rows += batch.Count;
        }
        writer.Finish();
        return rows;
    }

    /// <summary>
    /// The remaining batches of <paramref name="result"/> as Arrow record batches. Each one shares buffers with the
    /// engine's batch, so it is valid only until the next one is requested.
    /// </summary>
    public static IEnumerable<ArrowRecordBatch> ReadBatches(QueryResult result, bool stringsAsView = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArrowSchema schema = ArrowExport.ToArrowSchema(result.Schema, stringsAsView);
        while (result.ReadNext(cancellationToken, out Batch? batch))
        {
            yield return ArrowExport.ToArrow(batch!, schema);
        }
    }
}
