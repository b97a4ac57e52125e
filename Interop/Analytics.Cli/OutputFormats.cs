namespace Analytics.Cli;

internal static class OutputFormats
{
    public static bool TryParse(string text, out OutputFormat format)
    {
        switch (text)
        {
            case "table": format = OutputFormat.Table; return true;
            case "csv": format = OutputFormat.Csv; return true;
            case "json": format = OutputFormat.Json; return true;
            case "ndjson": format = OutputFormat.Ndjson; return true;
            case "arrow": format = OutputFormat.Arrow; return true;
            default: format = OutputFormat.Table; return false;
        }
    }
}
