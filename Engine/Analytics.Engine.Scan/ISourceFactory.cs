using System.Collections.Immutable;
using Analytics.Errors;

namespace Analytics.Engine.Scan;

/// <summary>Creates sources for a named kind (a table function such as <c>read_json('e.ndjson')</c> or <c>sstable('dir')</c>).</summary>
public interface ISourceFactory
{
    /// <summary>The table-function name (matched case-insensitively).</summary>
    string Name { get; }

    /// <summary>Creates the source; bad arguments throw <see cref="QueryException"/> (binder kind) naming the option.</summary>
    IScanSource Create(SourceOptions options);
}

/// <summary>
/// Arguments of a source: positional and named constants. Values are CLR constants: null, long, ulong, double, bool,
/// string, byte[]; array literals arrive as <c>ImmutableArray&lt;object?&gt;</c> and object literals as
/// <c>ImmutableArray&lt;KeyValuePair&lt;string, object?&gt;&gt;</c> in the order written, so
/// <c>columns => {'b': 'int', 'a': 'string'}</c> keeps its column order.
/// </summary>
public sealed record SourceOptions(ImmutableArray<object?> Positional, ImmutableDictionary<string, object?> Named)
{
    /// <summary>The positional argument at <paramref name="index"/> as a string (e.g. a path), or a binder error.</summary>
    public string GetPositionalString(string function, int index, string what)
    {
        if (index >= Positional.Length)
        {
            throw new QueryException(ErrorKind.Binder, $"{function}() needs {what} as argument {index + 1}");
        }
        return Positional[index] as string
            ?? throw new QueryException(ErrorKind.Binder, $"{function}(): {what} must be a string");
    }

    /// <summary>A named boolean option, or <paramref name="defaultValue"/> when absent.</summary>
    public bool GetBoolean(string function, string name, bool defaultValue) => Named.TryGetValue(name, out object? value)
        ? value as bool? ?? throw new QueryException(ErrorKind.Binder, $"{function}(): option {name} must be a boolean")
        : defaultValue;

    /// <summary>A named string option, or <paramref name="defaultValue"/> when absent.</summary>
    public string? GetString(string function, string name, string? defaultValue) => Named.TryGetValue(name, out object? value)
        ? value as string ?? throw new QueryException(ErrorKind.Binder, $"{function}(): option {name} must be a string")
        : defaultValue;

    /// <summary>A named integer option, or <paramref name="defaultValue"/> when absent.</summary>
    public long GetInt64(string function, string name, long defaultValue) => Named.TryGetValue(name, out object? value)
        ? value as long? ?? throw new QueryException(ErrorKind.Binder, $"{function}(): option {name} must be an integer")
        : defaultValue;

    /// <summary>Rejects options the source does not know, so a misspelt option is an error rather than ignored.</summary>
    public void CheckNames(string function, int maxPositional, params ReadOnlySpan<string> known)
    {
        if (Positional.Length > maxPositional)
        {
            throw new QueryException(ErrorKind.Binder, $"{function}() takes at most {maxPositional} positional argument(s), got {Positional.Length}");
        }
        foreach (string name in Named.Keys)
        {
            bool found = false;
            foreach (string candidate in known)
            {
                found |= string.Equals(candidate, name, StringComparison.Ordinal);
            }
            if (!found)
            {
                throw new QueryException(ErrorKind.Binder, $"{function}(): unknown option {name} (known: {string.Join(", ", known.ToArray())})");
            }
        }
    }
}
