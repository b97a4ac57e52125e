namespace Analytics.Sources.GeoLog.Storage;

/// <summary>Settings of a <see cref="GeoLogWriter"/> (defaults in brackets; the README explains each).</summary>
public sealed class GeoLogOptions
{
    /// <summary>How often buffered updates are written [1 s]; <see cref="TimeSpan.Zero"/> disables the timer (explicit flushes only).</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Buffered bytes that trigger a flush before the interval [1 MiB].</summary>
    public int FlushBytes { get; init; } = 1 << 20;

    /// <summary>Every N-th write of an object stores its full state [200].</summary>
    public int KeyframeInterval { get; init; } = 200;

    /// <summary>
    /// The default <see cref="CheckpointInterval"/>, also what readers assume for a log's unsealed tail. Measured: 5 s
    /// instead cost 13.1 → 16.8 bytes per update for ~20% off "state at T", whose cost is mostly touching every
    /// object's run, not the replay.
    /// </summary>
    public static readonly TimeSpan DefaultCheckpointInterval = TimeSpan.FromSeconds(10);

    /// <summary>Data time between checkpoints of all object states [<see cref="DefaultCheckpointInterval"/>].</summary>
    public TimeSpan CheckpointInterval { get; init; } = DefaultCheckpointInterval;

    /// <summary>Record bytes after which the log is sealed into a segment [64 MiB].</summary>
    public long SegmentBytes { get; init; } = 64L << 20;

    /// <summary>Data time after which the log is sealed into a segment [10 min].</summary>
    public TimeSpan SegmentDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How far an update may lag behind the newest timestamp the writer accepted (any object) before it is rejected
    /// [1 day]; updates older than their own object's previous update are always rejected.
    /// </summary>
    public TimeSpan MaxLateness { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The cold tier: sealed segments whose newest update is older than <see cref="ColdAfter"/> move there [none].</summary>
    public string? ColdDirectory { get; init; }

    /// <summary>Age (against the wall clock) after which sealed segments move to <see cref="ColdDirectory"/> [10 days].</summary>
    public TimeSpan ColdAfter { get; init; } = TimeSpan.FromDays(10);

    /// <summary>Whether every flush is followed by an fsync [false: a process crash loses nothing flushed, a power cut may].</summary>
    public bool SyncOnFlush { get; init; }

    /// <summary>Where recovery and tiering log what they did [standard error].</summary>
    public Action<string>? Log { get; init; }

    /// <summary>The wall clock (tests move it) [UTC now].</summary>
    public Func<DateTimeOffset>? Clock { get; init; }

    internal void Validate()
    {
        if (KeyframeInterval < 1 || FlushBytes < 1 || SegmentBytes < 1 || CheckpointInterval <= TimeSpan.Zero
            || SegmentDuration <= TimeSpan.Zero || FlushInterval < TimeSpan.Zero || MaxLateness < TimeSpan.Zero)
        {
            throw new ArgumentException("geolog options: intervals and sizes must be positive");
        }
    }
}

/// <summary>An update the writer refuses (the bad-input policy of the README); nothing is written for it.</summary>
public sealed class GeoLogRejectedException(string message) : ArgumentException(message);
