using System.Collections.Immutable;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Scan;

/// <summary>
/// A plug-in storage format that backs a named catalog table:
/// <c>CREATE TABLE t (…) WITH ('format' = '&lt;Format&gt;', …)</c>. The catalog keeps the definition (columns and
/// properties); the format owns the data. Registered by the host next to the source factories.
/// </summary>
public interface ITableFormat
{
    /// <summary>The value of the <c>format</c> table property (matched case-insensitively), e.g. <c>sstable</c>, <c>geolog</c>.</summary>
    string Format { get; }

    /// <summary>
    /// Opens (and with <see cref="ExternalTableContext.Create"/> first creates) the table's data. Unknown or invalid
    /// properties and declared columns the format cannot serve throw <see cref="QueryException"/> (binder kind) naming them.
    /// </summary>
    IExternalTable Open(ExternalTableContext context);
}

/// <summary>What a format is told about the table it backs.</summary>
/// <param name="TableName">The qualified table name, for messages.</param>
/// <param name="DataDirectory">
/// A directory the engine reserves for this table inside the database (created by the engine; null for an in-memory
/// database). Formats that keep their own files put them here unless a property names another location.
/// </param>
/// <param name="Columns">The declared columns; <see cref="BatchSchema.Empty"/> when the user declared none and the format supplies its own schema.</param>
/// <param name="Properties">Every table property except <c>format</c>, keys lower-cased.</param>
/// <param name="Create">True while executing CREATE TABLE (the format may create files); false when reopening a database.</param>
public sealed record ExternalTableContext(
    string TableName,
    string? DataDirectory,
    BatchSchema Columns,
    ImmutableDictionary<string, string> Properties,
    bool Create);

/// <summary>An open external table. Disposed when the table is dropped or the database closes (flushing what it buffers).</summary>
public interface IExternalTable : IDisposable
{
    /// <summary>The source the engine scans; its schema is the table's schema.</summary>
    IScanSource Source { get; }

    /// <summary>An appender for INSERT INTO, or null when the format is read-only (the engine then rejects the INSERT).</summary>
    ITableAppender? OpenAppender();
}

/// <summary>
/// One INSERT's rows into an external table. Batches arrive in the table's schema (already cast by the engine), one
/// call at a time; a batch may carry a selection (<see cref="Batch.RowAt"/>) and is reused after the call, so copy what
/// you keep. <see cref="Commit"/> makes them durable and visible together. Disposing without committing discards them.
/// </summary>
public interface ITableAppender : IDisposable
{
    void Append(Batch batch);

    void Commit();
}
