using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Types;

namespace Analytics.Sources.Files.Csv;

/// <summary>
/// <c>read_csv('path or glob', header => true, delimiter => ',', quote => '"', columns => {'name': 'type', …},
/// sample_rows => 20480, ignore_errors => false)</c>: CSV files (RFC 4180; plain, gzip or zstd) as typed, nullable
/// columns. <c>columns</c> declares names and scalar types in file order (with a header the names must match it);
/// without it each column's type is inferred from the first <c>sample_rows</c> records of the first file (boolean,
/// int, float, timestamp, else string) and, without a header, columns are named <c>column0</c>, <c>column1</c>, ….
/// An empty unquoted field is NULL. Bad rows (malformed quoting, a wrong field count, a value of the wrong type,
/// invalid UTF-8) fail the statement with the file, line and byte offset, or with <c>ignore_errors => true</c> are
/// skipped and counted in <see cref="ScanMetrics.RowsSkipped"/> with a warning each.
/// </summary>
public sealed class ReadCsvSourceFactory : ISourceFactory
{
    /// <summary>The table-function name.</summary>
    public const string FunctionName = "read_csv";

    /// <inheritdoc/>
    public string Name => FunctionName;

    /// <summary>Expands the files, checks the options and settles the schema (reading the first file's header and sample).</summary>
    public IScanSource Create(SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.CheckNames(FunctionName, 1, "header", "delimiter", "quote", "columns", "sample_rows", "ignore_errors");
        string pattern = options.GetPositionalString(FunctionName, 0, "a file path or glob");
        long sampleRows = options.GetInt64(FunctionName, "sample_rows", 20_480);
        if (sampleRows < 1)
        {
            throw new QueryException(ErrorKind.Binder, $"{FunctionName}(): option sample_rows must be at least 1, got {sampleRows}");
        }
        byte delimiter = SingleByte(options, "delimiter", ",");
        byte quote = SingleByte(options, "quote", "\"");
        if (delimiter == quote)
        {
            throw new QueryException(ErrorKind.Binder, $"{FunctionName}(): options delimiter and quote must differ, both are '{(char)delimiter}'");
        }
        CsvFormat format = new(
            options.GetBoolean(FunctionName, "header", true),
            delimiter,
            quote,
            options.GetBoolean(FunctionName, "ignore_errors", false));
        return CsvScanSource.Create(FilePatterns.Expand(FunctionName, pattern), format, DeclaredColumns(options), (int)Math.Min(sampleRows, int.MaxValue));
    }

    /// <summary>
    /// One ASCII character other than a line break. The two characters <c>\t</c> also mean a tab, for callers whose
    /// strings have no escapes (a ScopeQL <c>'\t'</c> literal already is a tab).
    /// </summary>
    private static byte SingleByte(SourceOptions options, string name, string defaultValue)
    {
        string value = options.GetString(FunctionName, name, defaultValue)!;
        if (string.Equals(value, "\\t", StringComparison.Ordinal))
        {
            return (byte)'\t';
        }
        if (value.Length == 1 && value[0] is '\n' or '\r')
        {
            throw new QueryException(ErrorKind.Binder, $"{FunctionName}(): option {name} cannot be a line break");
        }
        return value.Length == 1 && value[0] < 0x80
            ? (byte)value[0]
            : throw new QueryException(ErrorKind.Binder, $"{FunctionName}(): option {name} must be one ASCII character, got '{value}'");
    }

    private static ImmutableArray<Field>? DeclaredColumns(SourceOptions options)
    {
        if (!options.Named.TryGetValue("columns", out object? value))
        {
            return null;
        }
        if (value is not ImmutableArray<KeyValuePair<string, object?>> pairs || pairs.IsEmpty)
        {
            throw new QueryException(ErrorKind.Binder, $"{FunctionName}(): option columns must be an object literal of column names and type names, e.g. {{'id': 'int'}}");
        }
        ImmutableArray<Field>.Builder fields = ImmutableArray.CreateBuilder<Field>(pairs.Length);
        HashSet<string> names = new(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, object? typeName) in pairs)
        {
            if (typeName is not string text || !LogicalType.TryParse(text, out LogicalType type) || type.Id == TypeId.Null)
            {
                throw new QueryException(ErrorKind.Binder, $"{FunctionName}(): column {name} has an unknown type {typeName ?? "NULL"}");
            }
            if (type.IsVariant)
            {
                throw new QueryException(ErrorKind.Binder, $"{FunctionName}(): column {name} cannot be read as {type}; read it as string and convert");
            }
            if (!names.Add(name))
            {
                throw new QueryException(ErrorKind.Binder, $"{FunctionName}(): column {name} is declared twice");
            }
            fields.Add(new Field(name, type));
        }
        return fields.MoveToImmutable();
    }
}

/// <summary>How the files are written, and whether bad rows are skipped.</summary>
internal sealed record CsvFormat(bool Header, byte Delimiter, byte Quote, bool IgnoreErrors);
