using System.Globalization;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sources.Cassandra.Table;

namespace Analytics.Sources.Cassandra;

/// <summary>
/// <c>CREATE TABLE t [(cols…)] WITH ('format' = 'sstable', 'path' = '/table-dir', 'schema' = 'CREATE TABLE …',
/// 'writetime' = false, 'split_bytes' = 4194304)</c>: a directory of one Cassandra/ScyllaDB table attached as a
/// read-only catalog table. The options mean what the <c>sstable()</c> table function's do; the directory is read again
/// each time the table is opened (CREATE TABLE, and the first use after the database is opened).
/// </summary>
public sealed class SSTableTableFormat : ITableFormat
{
    private static readonly string[] s_options = ["path", "schema", "writetime", "split_bytes"];

    public string Format => "sstable";

    public IExternalTable Open(ExternalTableContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (string key in context.Properties.Keys)
        {
            if (Array.IndexOf(s_options, key) < 0)
            {
                throw Error(context, $"unknown option '{key}' (known: {string.Join(", ", s_options)})");
            }
        }
        if (!context.Properties.TryGetValue("path", out string? path) || string.IsNullOrWhiteSpace(path))
        {
            throw Error(context, "option 'path' (the directory of the table's sstables) is required");
        }
        bool writeTime = Boolean(context, "writetime");
        long splitBytes = 4L << 20;
        if (context.Properties.TryGetValue("split_bytes", out string? split)
            && (!long.TryParse(split, NumberStyles.None, CultureInfo.InvariantCulture, out splitBytes) || splitBytes < 1))
        {
            throw Error(context, $"option 'split_bytes' must be a positive integer, got '{split}'");
        }
        SSTableScanSource source = SSTableScanSource.Open(path, context.Properties.GetValueOrDefault("schema"), writeTime, splitBytes);
        return new ReadOnlyTable(source);
    }

    private static bool Boolean(ExternalTableContext context, string key) =>
        !context.Properties.TryGetValue(key, out string? text) ? false
        : text == "true" ? true
        : text == "false" ? false
        : throw Error(context, $"option '{key}' must be true or false, got '{text}'");

    private static QueryException Error(ExternalTableContext context, string problem) =>
        new(ErrorKind.Binder, $"table \"{context.TableName}\" (format 'sstable'): {problem}");

    /// <summary>Sstables are Cassandra's to write: the table only reads (INSERT INTO it is refused by the engine).</summary>
    private sealed class ReadOnlyTable(SSTableScanSource source) : IExternalTable
    {
        public IScanSource Source => source;

        public ITableAppender? OpenAppender() => null;

        public void Dispose()
        {
        }
    }
}
