namespace Analytics.Engine.Storage.ObjectStore;

/// <summary>
/// Where a database keeps every byte it owns: immutable objects under string keys ('/'-separated, relative to the
/// store's root). The ScopeDB model: once <see cref="Put"/> or <see cref="PutIfAbsent"/> returns the object is
/// durable and visible to any reader; objects are never modified in place. Implementations: a local directory
/// (the default) and S3-compatible storage. Every failure is a <see cref="Analytics.Errors.QueryException"/> of kind
/// IO that names the object (<see cref="Describe"/>). Implementations are safe for concurrent use.
/// </summary>
internal interface IObjectStore : IDisposable
{
    /// <summary>The store's root as a user would write it (a directory path, or <c>s3://bucket/prefix</c>).</summary>
    string Location { get; }

    /// <summary>The object's full name for error messages (its path, or <c>s3://bucket/prefix/key</c>).</summary>
    string Describe(string key);

    /// <summary>Creates or replaces the object; durable when this returns.</summary>
    void Put(string key, ReadOnlySpan<byte> content);

    /// <summary>
    /// Creates or replaces the object without waiting until it is durable: readers see the old or the new content,
    /// but after a crash the object may hold its older content, be empty or be missing. Only for hints that readers
    /// check and can do without (the manifest's newest-version hint), never for data or commits.
    /// </summary>
    void PutUnsynced(string key, ReadOnlySpan<byte> content);

    /// <summary>
    /// Creates the object only if no object has the key, atomically (two racing callers: exactly one gets true).
    /// This is the commit primitive: a manifest version is claimed by creating it.
    /// </summary>
    bool PutIfAbsent(string key, ReadOnlySpan<byte> content);

    /// <summary>The whole object, or null when it does not exist.</summary>
    byte[]? TryGet(string key);

    /// <summary>Fills <paramref name="destination"/> with the bytes at <paramref name="offset"/>; a missing object or a range past its end is an error.</summary>
    void ReadRange(string key, long offset, Span<byte> destination);

    /// <summary>
    /// The object opened for several <see cref="IObjectReader.ReadRange"/> calls (a block's chunks): a local store opens
    /// its file once for all of them instead of once per read. Errors are those of <see cref="ReadRange"/>, reported
    /// by the reads.
    /// </summary>
    IObjectReader OpenRead(string key) => new KeyedObjectReader(this, key);

    /// <summary>
    /// A hint that the ranges of the object will be read soon: a store that can fetch them in the background starts
    /// doing so and returns. Never fails (a missing object or range is reported by the read that follows).
    /// </summary>
    void Prefetch(string key, ReadOnlySpan<ObjectRange> ranges);

    /// <summary>Size and modification time, or null when the object does not exist.</summary>
    ObjectInfo? Head(string key);

    /// <summary>Every object whose key starts with <paramref name="prefix"/>, in ordinal key order.</summary>
    IReadOnlyList<ObjectInfo> List(string prefix);

    /// <summary>Removes the object; deleting a missing object is not an error.</summary>
    void Delete(string key);
}

/// <summary>One object opened for ranged reads (<see cref="IObjectStore.OpenRead"/>); not thread-safe.</summary>
internal interface IObjectReader : IDisposable
{
    /// <summary>As <see cref="IObjectStore.ReadRange"/> of the object.</summary>
    void ReadRange(long offset, Span<byte> destination);
}

/// <summary>For stores without an open state of their own: each read is the store's <see cref="IObjectStore.ReadRange"/>.</summary>
internal sealed class KeyedObjectReader(IObjectStore store, string key) : IObjectReader
{
    public void ReadRange(long offset, Span<byte> destination) => store.ReadRange(key, offset, destination);

    public void Dispose()
    {
    }
}

/// <summary>A byte range of an object.</summary>
internal readonly record struct ObjectRange(long Offset, long Length);

/// <summary>One stored object: its key (relative to the store root), size in bytes and last modification time.</summary>
internal readonly record struct ObjectInfo(string Key, long Size, DateTimeOffset LastModified);
