namespace Analytics.Cli;

/// <summary>How result sets are written to stdout.</summary>
internal enum OutputFormat
{
    Table,
    Csv,
    Json,
    Ndjson,
}
