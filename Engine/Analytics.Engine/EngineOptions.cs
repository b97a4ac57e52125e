using System.Collections.Immutable;

namespace Analytics.Engine;

/// <summary>Options fixed when a database is opened.</summary>
public sealed record EngineOptions
{
    /// <summary>Worker threads for morsel-driven execution (default: all cores).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Optimizer rules to skip, by name (A/B tests and EXPLAIN goldens).</summary>
    public ImmutableHashSet<string> DisabledOptimizers { get; init; } = ImmutableHashSet<string>.Empty;

    /// <summary>
    /// How often background compaction looks for tables with many small parts (segments of small inserts) and
    /// merges them; null turns it off (<see cref="Database.Compact"/> still works).
    /// </summary>
    public TimeSpan? CompactionInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most bytes of raw segment chunks (read, verified and decompressed) a persistent database keeps in memory
    /// between queries, least recently used evicted first (Storage/Segments/README.md, "Chunk cache"); 0 turns it off.
    /// </summary>
    public long ChunkCacheBytes { get; init; } = DefaultChunkCacheBytes;

    /// <summary>The default <see cref="ChunkCacheBytes"/>: 512 MiB.</summary>
    public const long DefaultChunkCacheBytes = 512L << 20;
}
