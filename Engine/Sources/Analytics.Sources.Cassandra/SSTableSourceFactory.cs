using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sources.Cassandra.Table;

namespace Analytics.Sources.Cassandra;

/// <summary>
/// <c>sstable('table-dir', schema => 'CREATE TABLE …', writetime => false, split_bytes => 4194304)</c>: the sstables of
/// one Cassandra 3.0–5.0 or ScyllaDB table (big format ma…oa) as rows, merged like Cassandra's <c>SELECT *</c>.
/// <c>schema</c> names the columns (else <c>schema.cql</c> beside the files, else <c>pk0</c>…/<c>ck0</c>… and the
/// header's names); <c>writetime</c> adds <c>writetime_&lt;col&gt;</c> (µs) and <c>ttl_&lt;col&gt;</c> (seconds left) per
/// simple column; <c>split_bytes</c> is the Data.db size per parallel split.
/// </summary>
public sealed class SSTableSourceFactory : ISourceFactory
{
    public const string FunctionName = "sstable";

    public string Name => FunctionName;

    public IScanSource Create(SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.CheckNames(FunctionName, 1, "schema", "writetime", "split_bytes");
        string directory = options.GetPositionalString(FunctionName, 0, "the table's directory");
        long splitBytes = options.GetInt64(FunctionName, "split_bytes", 4L << 20);
        if (splitBytes < 1)
        {
            throw new QueryException(ErrorKind.Binder, $"{FunctionName}(): option split_bytes must be at least 1, got {splitBytes}");
        }
        return SSTableScanSource.Open(directory, options.GetString(FunctionName, "schema", null), options.GetBoolean(FunctionName, "writetime", false), splitBytes);
    }
}
