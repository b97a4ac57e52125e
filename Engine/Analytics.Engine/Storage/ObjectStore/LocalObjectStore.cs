using System.Runtime.InteropServices;
using Analytics.Errors;
using Microsoft.Win32.SafeHandles;

namespace Analytics.Engine.Storage.ObjectStore;

/// <summary>
/// An object store in a local directory: one file per object, keys map to relative paths. A write goes to a temporary
/// file that is fsynced and then renamed into place (or, for <see cref="PutIfAbsent"/>, hard-linked, which fails
/// atomically when the name exists), and the directory is fsynced, so an object is either absent or complete
/// (<see cref="PutUnsynced"/> skips both fsyncs).
/// Temporary files (<c>*.tmp-*</c>) left by a crash are invisible to <see cref="List"/>.
/// </summary>
internal sealed partial class LocalObjectStore : IObjectStore
{
    private const string TempMarker = ".tmp-";
    private readonly string _root;

    public LocalObjectStore(string root)
    {
        _root = Path.GetFullPath(root);
        try
        {
            Directory.CreateDirectory(_root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new QueryException(ErrorKind.Io, $"cannot open database directory \"{_root}\": {e.Message}", e);
        }
    }

    public string Location => _root;

    public string Describe(string key) => PathOf(key);

    private string PathOf(string key)
    {
        if (key.Length == 0 || key[0] == '/' || key.Contains("..", StringComparison.Ordinal) || key.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid object key \"{key}\"", nameof(key));
        }
        return Path.Combine(_root, key);
    }

    public void Put(string key, ReadOnlySpan<byte> content)
    {
        string path = Replace(key, content, durable: true);
        SyncDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>
    /// The rename keeps the object whole for readers; without the two fsyncs (file and directory, each a wait for the
    /// disk) a crash may leave the older content, an empty file or none.
    /// </summary>
    public void PutUnsynced(string key, ReadOnlySpan<byte> content) => Replace(key, content, durable: false);

    /// <summary>Writes a temporary file and renames it over the object's; returns the object's path.</summary>
    private string Replace(string key, ReadOnlySpan<byte> content, bool durable)
    {
        string path = PathOf(key);
        string temp = WriteTemp(path, content, durable);
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new QueryException(ErrorKind.Io, $"cannot write \"{path}\": {e.Message}", e);
        }
        return path;
    }

    public bool PutIfAbsent(string key, ReadOnlySpan<byte> content)
    {
        string path = PathOf(key);
        string temp = WriteTemp(path, content, durable: true);
        try
        {
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
            {
                // link(2) creates the name only if it does not exist: the atomic "create if absent" of POSIX.
                if (Link(temp, path) != 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == 17 /* EEXIST */)
                    {
                        return false;
                    }
                    throw new QueryException(ErrorKind.Io, $"cannot create \"{path}\" (errno {errno})");
                }
            }
            else
            {
                try
                {
                    File.Move(temp, path, overwrite: false);
                }
                catch (IOException) when (File.Exists(path))
                {
                    return false;
                }
            }
        }
        finally
        {
            TryDelete(temp);
        }
        SyncDirectory(Path.GetDirectoryName(path)!);
        return true;
    }

    /// <summary>A new temporary file next to <paramref name="path"/> with the content (fsynced when <paramref name="durable"/>).</summary>
    private static string WriteTemp(string path, ReadOnlySpan<byte> content, bool durable)
    {
        string temp = path + TempMarker + Guid.NewGuid().ToString("N");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using SafeFileHandle handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None,
                FileOptions.None, preallocationSize: content.Length);
            RandomAccess.Write(handle, content, 0);
            if (durable)
            {
                RandomAccess.FlushToDisk(handle);
            }
            return temp;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new QueryException(ErrorKind.Io, $"cannot write \"{path}\": {e.Message}", e);
        }
    }

    public byte[]? TryGet(string key)
    {
        string path = PathOf(key);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new QueryException(ErrorKind.Io, $"cannot read \"{path}\": {e.Message}", e);
        }
    }

    /// <summary>
    /// Asks the kernel to start reading the ranges into the page cache (<c>posix_fadvise(WILLNEED)</c>), so a cold scan's
    /// disk reads overlap the decoding of the blocks before them. A failure only means no read-ahead.
    /// </summary>
    public void Prefetch(string key, ReadOnlySpan<ObjectRange> ranges)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            using SafeFileHandle handle = File.OpenHandle(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read);
            int fd = (int)handle.DangerousGetHandle();
            foreach (ObjectRange range in ranges)
            {
                _ = PosixFadvise(fd, range.Offset, range.Length, WillNeed);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The read that follows reports the problem with the object.
        }
    }

    private const int WillNeed = 3; // POSIX_FADV_WILLNEED

    public void ReadRange(string key, long offset, Span<byte> destination)
    {
        using IObjectReader reader = OpenRead(key);
        reader.ReadRange(offset, destination);
    }

    /// <summary>The object's file, opened once for its reads; a missing object is reported by the first read.</summary>
    public IObjectReader OpenRead(string key) => new FileReader(PathOf(key));

    private sealed class FileReader(string path) : IObjectReader
    {
        private SafeFileHandle? _handle;

        public void ReadRange(long offset, Span<byte> destination)
        {
            try
            {
                _handle ??= File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
                int done = 0;
                while (done < destination.Length)
                {
                    int read = RandomAccess.Read(_handle, destination[done..], offset + done);
                    if (read == 0)
                    {
                        throw new QueryException(ErrorKind.Io,
                            $"\"{path}\" is truncated: {destination.Length} bytes at offset {offset} requested, the object ends at {offset + done}");
                    }
                    done += read;
                }
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new QueryException(ErrorKind.Io, $"object \"{path}\" does not exist", e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new QueryException(ErrorKind.Io, $"cannot read \"{path}\": {e.Message}", e);
            }
        }

        public void Dispose()
        {
            _handle?.Dispose();
            _handle = null;
        }
    }

    public ObjectInfo? Head(string key)
    {
        FileInfo file = new(PathOf(key));
        return file.Exists ? new ObjectInfo(key, file.Length, file.LastWriteTimeUtc) : null;
    }

    public IReadOnlyList<ObjectInfo> List(string prefix)
    {
        List<ObjectInfo> objects = [];
        // Only the directory the prefix names (up to its last '/') can hold matches.
        int slash = prefix.LastIndexOf('/');
        string folder = slash < 0 ? _root : Path.Combine(_root, prefix[..slash]);
        if (!Directory.Exists(folder))
        {
            return objects;
        }
        try
        {
            foreach (string path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                string key = Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/');
                if (key.StartsWith(prefix, StringComparison.Ordinal) && !key.Contains(TempMarker, StringComparison.Ordinal))
                {
                    FileInfo file = new(path);
                    objects.Add(new ObjectInfo(key, file.Length, file.LastWriteTimeUtc));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new QueryException(ErrorKind.Io, $"cannot list \"{folder}\": {e.Message}", e);
        }
        objects.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return objects;
    }

    public void Delete(string key)
    {
        string path = PathOf(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new QueryException(ErrorKind.Io, $"cannot delete \"{path}\": {e.Message}", e);
        }
    }

    /// <summary>
    /// Removes temporary files last written before <paramref name="cutoff"/>: left behind by a crashed writer, they
    /// were never visible as objects (younger ones may belong to a write in progress in another process). Files under
    /// <paramref name="excludedFolder"/> (a folder of the root that holds no objects) are left alone.
    /// </summary>
    public void DeleteAbandonedTemporaries(DateTimeOffset cutoff, string? excludedFolder = null)
    {
        string? excluded = excludedFolder is null ? null : Path.Combine(_root, excludedFolder) + Path.DirectorySeparatorChar;
        foreach (string path in Directory.EnumerateFiles(_root, "*" + TempMarker + "*", SearchOption.AllDirectories))
        {
            if ((excluded is null || !path.StartsWith(excluded, StringComparison.Ordinal)) && File.GetLastWriteTimeUtc(path) < cutoff.UtcDateTime)
            {
                TryDelete(path);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary is invisible to readers; the next open removes it.
        }
    }

    /// <summary>Makes a rename inside <paramref name="directory"/> durable (fsync of the directory, POSIX only).</summary>
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }
        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new QueryException(ErrorKind.Io, $"cannot open directory \"{directory}\" to sync it (errno {Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (FSync(fd) != 0)
            {
                throw new QueryException(ErrorKind.Io, $"cannot sync directory \"{directory}\" (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    public void Dispose()
    {
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string created);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
