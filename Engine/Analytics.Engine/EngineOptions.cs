using System.Collections.Immutable;

namespace Analytics.Engine;

/// <summary>Options fixed when a database is opened.</summary>
public sealed record EngineOptions
{
    /// <summary>Worker threads for morsel-driven execution (default: all cores).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Optimizer rules to skip, by name (A/B tests and EXPLAIN goldens).</summary>
    public ImmutableHashSet<string> DisabledOptimizers { get; init; } = ImmutableHashSet<string>.Empty;
}
