namespace Analytics.Cli.Shell;

/// <summary>The parsed command line.</summary>
internal sealed record ShellOptions(string? DatabasePath, string[] Commands, string? File, OutputFormat Format);
