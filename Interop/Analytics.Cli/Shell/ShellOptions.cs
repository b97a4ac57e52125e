namespace Analytics.Cli.Shell;

/// <summary>The parsed command line.</summary>
/// <param name="Ingest">With <c>--ingest</c>: the statement, then the files.</param>
/// <param name="Strict">With <c>--ingest</c>: a bad row fails its batch and stops the load.</param>
/// <param name="OutputPath">With <c>--format arrow</c>: <c>-o FILE</c>.</param>
/// <param name="TokenFile">With a <c>flight://</c> DBDIR: the file holding the server's bearer token.</param>
internal sealed record ShellOptions(string? DatabasePath, string[] Commands, string? File, OutputFormat Format, string[] Ingest, bool Strict,
    string? OutputPath = null, string? TokenFile = null)
{
    /// <summary>DBDIR names a Flight server (<c>flight://</c>, <c>grpc://</c>, <c>grpc+tls://</c>) rather than a database.</summary>
    public bool IsRemote => DatabasePath is not null && (DatabasePath.StartsWith("flight://", StringComparison.Ordinal)
        || DatabasePath.StartsWith("grpc://", StringComparison.Ordinal) || DatabasePath.StartsWith("grpc+tls://", StringComparison.Ordinal));
}
