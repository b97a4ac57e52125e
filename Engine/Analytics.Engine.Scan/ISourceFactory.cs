using System.Collections.Immutable;

namespace Analytics.Engine.Scan;

/// <summary>Creates sources for a named kind (a table function such as <c>sstable('dir')</c> or an attached table).</summary>
public interface ISourceFactory
{
    string Name { get; }

    IScanSource Create(SourceOptions options);
}

/// <summary>Arguments of a source: positional and named constants.</summary>
public sealed record SourceOptions(ImmutableArray<object?> Positional, ImmutableDictionary<string, object?> Named);
