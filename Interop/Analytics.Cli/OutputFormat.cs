namespace Analytics.Cli;

/// <summary>How result sets are written to stdout.</summary>
internal enum OutputFormat
{
    Table,
    Csv,
    Json,
    Ndjson,
    /// <summary>Arrow IPC (binary): a stream on stdout, or with <c>-o FILE</c> a stream, or the file format for <c>.arrow</c>.</summary>
    Arrow,
}
