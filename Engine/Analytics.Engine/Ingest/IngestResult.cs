using Analytics.Errors;

namespace Analytics.Engine.Ingest;

/// <summary>
/// What happened to the rows of one or more flushed ingest batches. Every received row is counted once:
/// <c>RowsReceived = RowsInserted + RowsFiltered + RowsRejected</c>.
/// </summary>
/// <param name="RowsReceived">Rows sent and flushed.</param>
/// <param name="RowsInserted">Rows the statement inserted (committed, durable for a database directory).</param>
/// <param name="RowsFiltered">Rows the statement's WHERE (or another clause) dropped.</param>
/// <param name="RowsRejected">Rows that could not be ingested: malformed JSON, or an error evaluating the statement.</param>
/// <param name="Errors">Why rows were rejected, in row order (at most <see cref="IngestOptions.MaxReportedErrors"/> per batch).</param>
public sealed record IngestResult(long RowsReceived, long RowsInserted, long RowsFiltered, long RowsRejected, IReadOnlyList<IngestRowError> Errors)
{
    public static IngestResult Empty { get; } = new(0, 0, 0, 0, []);

    /// <summary>The sum of two results (errors concatenated).</summary>
    public IngestResult Add(IngestResult other) => new(
        RowsReceived + other.RowsReceived, RowsInserted + other.RowsInserted, RowsFiltered + other.RowsFiltered,
        RowsRejected + other.RowsRejected, Errors.Count == 0 ? other.Errors : other.Errors.Count == 0 ? Errors : [.. Errors, .. other.Errors]);
}

/// <summary>
/// A rejected row: its stream-wide number (0-based, in the order rows were sent), the reason, and for malformed JSON
/// the byte offset in the row's text where the problem was found (else -1).
/// </summary>
public readonly record struct IngestRowError(long Row, string Message, long ByteOffset = -1);

/// <summary>How an <see cref="IngestStream"/> batches and treats bad rows.</summary>
public sealed record IngestOptions
{
    /// <summary>
    /// A batch is flushed automatically once it holds this many rows. The default is the size of one stored row group,
    /// so a batch becomes one full row group instead of a full one and a small remainder.
    /// </summary>
    public int BatchRows { get; init; } = 122_880;

    /// <summary>… or this many bytes of JSON text.</summary>
    public long BatchBytes { get; init; } = 64L << 20;

    /// <summary>
    /// False (default): a malformed row, or a row the statement fails on, is rejected and reported while the rest of
    /// its batch is inserted. True: such a row fails its whole batch (nothing of it is inserted) with an error.
    /// </summary>
    public bool FailOnError { get; init; }

    /// <summary>Deepest nesting of arrays and objects accepted in a row.</summary>
    public int MaxDepth { get; init; } = Analytics.Vector.Variants.VariantJson.DefaultMaxDepth;

    /// <summary>Errors listed per batch (all rejected rows are still counted).</summary>
    public int MaxReportedErrors { get; init; } = 1_000;
}

/// <summary>
/// A batch that could not be inserted: none of rows <see cref="FirstRow"/> … <see cref="FirstRow"/> +
/// <see cref="RowCount"/> - 1 (stream-wide numbers) became visible. When one row caused it (a bad row with
/// <see cref="IngestOptions.FailOnError"/>), <see cref="FailingRow"/> names it (else -1) and <see cref="ByteOffset"/>
/// is where in its text a JSON problem was found (else -1).
/// </summary>
public sealed class IngestException(ErrorKind kind, string text, long firstRow, long rowCount, long failingRow, long byteOffset, Exception? inner)
    : QueryException(kind, text, inner)
{
    public long FirstRow { get; } = firstRow;
    public long RowCount { get; } = rowCount;
    public long FailingRow { get; } = failingRow;
    public long ByteOffset { get; } = byteOffset;
}

/// <summary>One row's failure inside a batch run (thrown by the ingest reader with <see cref="IngestOptions.FailOnError"/>).</summary>
internal sealed class IngestRowException(ErrorKind kind, string text, long row, long byteOffset) : QueryException(kind, text)
{
    public long Row { get; } = row;
    public long ByteOffset { get; } = byteOffset;
}
