namespace Analytics.Cli.Shell;

/// <summary>Settings that dot commands change during a session.</summary>
internal sealed class ShellSettings
{
    public OutputFormat Format { get; set; }

    public bool Timer { get; set; }

    public int MaxRows { get; set; } = 40;

    /// <summary>With the arrow format: the file results go to instead of stdout (<c>-o</c>).</summary>
    public string? OutputPath { get; set; }
}
