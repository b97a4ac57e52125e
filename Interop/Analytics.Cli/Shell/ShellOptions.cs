namespace Analytics.Cli.Shell;

/// <summary>The parsed command line.</summary>
/// <param name="Ingest">With <c>--ingest</c>: the statement, then the files.</param>
/// <param name="Strict">With <c>--ingest</c>: a bad row fails its batch and stops the load.</param>
/// <param name="OutputPath">With <c>--format arrow</c>: <c>-o FILE</c>.</param>
internal sealed record ShellOptions(string? DatabasePath, string[] Commands, string? File, OutputFormat Format, string[] Ingest, bool Strict, string? OutputPath = null);
