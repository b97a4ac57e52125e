using System.Globalization;
using System.Text;
using Analytics.Engine.Storage.ObjectStore;
using Analytics.Errors;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// The versioned manifest of a database in an object store. Version N is the object <c>_manifest/N.json</c> (N zero-
/// padded); a commit creates version N + 1 with <see cref="IObjectStore.PutIfAbsent"/>, so of two racing writers
/// exactly one wins, and the loser re-applies its change to the winner's version and tries again (optimistic
/// concurrency: no commit is ever lost). <c>_manifest/_latest</c> holds the newest version number as a hint; readers
/// probe forward from it, so a stale hint (a crash between the commit and the hint) costs one lookup, nothing more,
/// and a missing or unreadable one a listing of the folder.
/// </summary>
internal sealed class ManifestLog
{
    public const string Folder = "_manifest/";
    private const string LatestKey = Folder + "_latest";
    private const int MaxAttempts = 64;

    /// <summary>Old versions kept for readers that planned against them; older ones are deleted as commits go by.</summary>
    private const int RetainedVersions = 16;

    private readonly IObjectStore _store;
    private readonly Lock _lock = new();
    private Manifest _current;

    public ManifestLog(IObjectStore store)
    {
        _store = store;
        _current = LoadLatest();
    }

    /// <summary>The newest version this process has seen.</summary>
    public Manifest Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    public static string KeyOf(long version) => Folder + version.ToString("D20", CultureInfo.InvariantCulture) + ".json";

    /// <summary>
    /// Commits <paramref name="change"/> (applied to the newest version, and re-applied if another writer commits
    /// first); returns the committed version. <paramref name="change"/> throws to abandon the commit (e.g. its table
    /// was dropped meanwhile); nothing is then written.
    /// </summary>
    public Manifest Commit(Func<Manifest, Manifest> change)
    {
        lock (_lock)
        {
            // Starting from the hint matters for correctness, not just speed: versions more than RetainedVersions
            // behind are deleted, so a writer that probed forward from a long-stale version could find a deleted
            // version's key free and "commit" into a hole no reader looks at.
            _current = LoadFromHint(_current);
            for (int attempt = 0; attempt < MaxAttempts; attempt++)
            {
                Manifest next = change(_current) with { Version = _current.Version + 1 };
                if (_store.PutIfAbsent(KeyOf(next.Version), next.Serialize()))
                {
                    _current = next;
                    AfterCommit(next.Version);
                    return next;
                }
                _current = LoadNewer(_current);
            }
            throw new QueryException(ErrorKind.Io,
                $"could not commit to {_store.Describe(Folder)} after {MaxAttempts} attempts: other writers keep committing first");
        }
    }

    private void AfterCommit(long version)
    {
        // The hint and the clean-up are not part of the commit: if they fail, readers probe forward and a later
        // commit deletes what this one left. Nor is the hint made durable (two of the six fsyncs of an ingest
        // batch's commit): after a crash it may be older, empty or gone, which readers handle like a stale hint.
        try
        {
            _store.PutUnsynced(LatestKey, Encoding.ASCII.GetBytes(version.ToString(CultureInfo.InvariantCulture)));
            if (version > RetainedVersions)
            {
                _store.Delete(KeyOf(version - RetainedVersions));
            }
        }
        catch (QueryException)
        {
        }
    }

    /// <summary>The newest committed version (other processes' commits included); what new scans should plan against.</summary>
    public Manifest Refresh()
    {
        lock (_lock)
        {
            _current = LoadFromHint(_current);
            return _current;
        }
    }

    /// <summary>The newest version, found from the hint when it is ahead of <paramref name="known"/>.</summary>
    private Manifest LoadFromHint(Manifest known)
    {
        long hinted = ReadHint();
        if (hinted <= known.Version)
        {
            return LoadNewer(known);
        }
        return Read(hinted) is { } hintedManifest ? LoadNewer(hintedManifest) : LoadLatest();
    }

    private long ReadHint()
    {
        byte[]? hint = _store.TryGet(LatestKey);
        return hint is not null && long.TryParse(Encoding.ASCII.GetString(hint), NumberStyles.None, CultureInfo.InvariantCulture, out long hinted)
            ? hinted
            : -1;
    }

    private Manifest LoadLatest()
    {
        long hinted = ReadHint();
        if (hinted > 0 && Read(hinted) is { } hintedManifest)
        {
            return LoadNewer(hintedManifest);
        }
        // No usable hint (a new database, or one whose hint is missing or names a version cleaned up since): list.
        long version = 0;
        foreach (ObjectInfo info in _store.List(Folder))
        {
            if (TryParseVersion(info.Key, out long listed) && listed > version)
            {
                version = listed;
            }
        }
        if (version == 0)
        {
            return Manifest.Empty;
        }
        return LoadNewer(Read(version) ?? throw new QueryException(ErrorKind.Io,
            $"manifest {_store.Describe(KeyOf(version))} is missing (it was listed a moment ago)"));
    }

    /// <summary>The newest version after <paramref name="known"/> (which itself if none is newer).</summary>
    private Manifest LoadNewer(Manifest known)
    {
        Manifest newest = known;
        while (Read(newest.Version + 1) is { } next)
        {
            newest = next;
        }
        return newest;
    }

    private Manifest? Read(long version)
    {
        string key = KeyOf(version);
        byte[]? content = _store.TryGet(key);
        if (content is null)
        {
            return null;
        }
        Manifest manifest = Manifest.Parse(content, _store.Describe(key));
        return manifest.Version == version ? manifest
            : throw new QueryException(ErrorKind.Io, $"manifest {_store.Describe(key)} is corrupt: it records version {manifest.Version}");
    }

    private static bool TryParseVersion(string key, out long version)
    {
        version = 0;
        return key.StartsWith(Folder, StringComparison.Ordinal) && key.EndsWith(".json", StringComparison.Ordinal)
            && long.TryParse(key.AsSpan(Folder.Length, key.Length - Folder.Length - 5), NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }
}
