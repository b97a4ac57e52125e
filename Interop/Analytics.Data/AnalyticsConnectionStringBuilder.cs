using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Analytics.Data;

/// <summary>Whether a connection may change the database.</summary>
public enum AnalyticsAccessMode
{
    ReadWrite,
    ReadOnly,
}

/// <summary>
/// The keywords of an Analytics connection string: <c>Data Source</c> (a directory, <c>:memory:</c>,
/// <c>:memory:NAME</c> or an <c>s3://bucket/prefix</c> URI), <c>Mode</c> (ReadWrite | ReadOnly), <c>Threads</c>,
/// <c>Memory Limit</c> and <c>Default Schema</c>. Any other keyword is rejected when it is set.
/// </summary>
public sealed class AnalyticsConnectionStringBuilder : DbConnectionStringBuilder
{
    public const string DataSourceKeyword = "Data Source";
    public const string ModeKeyword = "Mode";
    public const string ThreadsKeyword = "Threads";
    public const string MemoryLimitKeyword = "Memory Limit";
    public const string DefaultSchemaKeyword = "Default Schema";
    public const string TokenKeyword = "Token";
    public const string TokenFileKeyword = "Token File";

    /// <summary>The in-memory data source: private to the connection (<c>:memory:NAME</c> is shared by name in the process).</summary>
    public const string InMemory = ":memory:";

    private static readonly Dictionary<string, string> s_keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        [DataSourceKeyword] = DataSourceKeyword,
        ["DataSource"] = DataSourceKeyword,
        [ModeKeyword] = ModeKeyword,
        ["Access Mode"] = ModeKeyword,
        [ThreadsKeyword] = ThreadsKeyword,
        [MemoryLimitKeyword] = MemoryLimitKeyword,
        ["MemoryLimit"] = MemoryLimitKeyword,
        [DefaultSchemaKeyword] = DefaultSchemaKeyword,
        ["DefaultSchema"] = DefaultSchemaKeyword,
        [TokenKeyword] = TokenKeyword,
        [TokenFileKeyword] = TokenFileKeyword,
        ["TokenFile"] = TokenFileKeyword,
    };

    public AnalyticsConnectionStringBuilder()
    {
    }

    public AnalyticsConnectionStringBuilder(string? connectionString)
    {
        ConnectionString = connectionString;
    }

    [AllowNull]
    public override object this[string keyword]
    {
        get => base[Canonical(keyword)];
        set
        {
            string canonical = Canonical(keyword);
            if (value is null)
            {
                Remove(canonical);
                return;
            }
            base[canonical] = Validate(canonical, Convert.ToString(value, CultureInfo.InvariantCulture)!);
        }
    }

    public string DataSource
    {
        get => TryGetValue(DataSourceKeyword, out object? value) ? (string)value : "";
        set => this[DataSourceKeyword] = value;
    }

    public AnalyticsAccessMode Mode
    {
        get => TryGetValue(ModeKeyword, out object? value) ? Enum.Parse<AnalyticsAccessMode>((string)value, ignoreCase: true) : AnalyticsAccessMode.ReadWrite;
        set => this[ModeKeyword] = value.ToString();
    }

    /// <summary>Worker threads of the database (0 or absent: all cores).</summary>
    public int Threads
    {
        get => TryGetValue(ThreadsKeyword, out object? value) ? int.Parse((string)value, CultureInfo.InvariantCulture) : 0;
        set => this[ThreadsKeyword] = value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A memory limit such as <c>4GB</c> (the engine does not enforce one yet: opening with it fails).</summary>
    public string? MemoryLimit
    {
        get => TryGetValue(MemoryLimitKeyword, out object? value) ? (string)value : null;
        set => this[MemoryLimitKeyword] = value;
    }

    /// <summary>For a <c>flight://</c> data source: the bearer token sent on every call.</summary>
    public string? Token
    {
        get => TryGetValue(TokenKeyword, out object? value) ? (string)value : null;
        set => this[TokenKeyword] = value;
    }

    /// <summary>For a <c>flight://</c> data source: a file holding the bearer token (read on open, trimmed).</summary>
    public string? TokenFile
    {
        get => TryGetValue(TokenFileKeyword, out object? value) ? (string)value : null;
        set => this[TokenFileKeyword] = value;
    }

    /// <summary>The schema unqualified names resolve in (the engine's is <c>public</c>; no other is supported yet).</summary>
    public string? DefaultSchema
    {
        get => TryGetValue(DefaultSchemaKeyword, out object? value) ? (string)value : null;
        set => this[DefaultSchemaKeyword] = value;
    }

    public override bool ContainsKey(string keyword) => s_keywords.TryGetValue(keyword, out string? canonical) && base.ContainsKey(canonical);

    public override bool Remove(string keyword) => s_keywords.TryGetValue(keyword, out string? canonical) && base.Remove(canonical);

    public override bool TryGetValue(string keyword, [NotNullWhen(true)] out object? value)
    {
        if (s_keywords.TryGetValue(keyword, out string? canonical))
        {
            return base.TryGetValue(canonical, out value);
        }
        value = null;
        return false;
    }

    private static string Canonical(string keyword)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        return s_keywords.TryGetValue(keyword, out string? canonical)
            ? canonical
            : throw new ArgumentException(
                $"unknown connection string keyword '{keyword}'; Analytics supports {DataSourceKeyword}, {ModeKeyword}, {ThreadsKeyword}, {MemoryLimitKeyword}, {DefaultSchemaKeyword}, {TokenKeyword} and {TokenFileKeyword}",
                nameof(keyword));
    }

    private static string Validate(string keyword, string value)
    {
        switch (keyword)
        {
            case ModeKeyword when !Enum.TryParse(value, ignoreCase: true, out AnalyticsAccessMode _) || int.TryParse(value, CultureInfo.InvariantCulture, out _):
                throw new ArgumentException($"connection string keyword Mode must be ReadWrite or ReadOnly, not '{value}'", nameof(value));
            case ThreadsKeyword when !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int threads) || threads > 4096:
                throw new ArgumentException($"connection string keyword Threads must be a whole number from 0 (all cores) to 4096, not '{value}'", nameof(value));
            case MemoryLimitKeyword when !IsMemorySize(value):
                throw new ArgumentException($"connection string keyword Memory Limit must be a size such as 512MB or 4GB, not '{value}'", nameof(value));
            default:
                return value;
        }
    }

    private static bool IsMemorySize(string value)
    {
        ReadOnlySpan<char> text = value.AsSpan().Trim();
        int digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }
        ReadOnlySpan<char> unit = text[digits..].Trim();
        return digits > 0 && (unit.IsEmpty || unit.Equals("B", StringComparison.OrdinalIgnoreCase) || unit.Equals("KB", StringComparison.OrdinalIgnoreCase)
            || unit.Equals("MB", StringComparison.OrdinalIgnoreCase) || unit.Equals("GB", StringComparison.OrdinalIgnoreCase)
            || unit.Equals("TB", StringComparison.OrdinalIgnoreCase));
    }
}
