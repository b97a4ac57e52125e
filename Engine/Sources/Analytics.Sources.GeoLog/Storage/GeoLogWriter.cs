using System.Globalization;
using Analytics.Sources.GeoLog.Format;

namespace Analytics.Sources.GeoLog.Storage;

/// <summary>
/// Appends location updates to a geo log directory. Appends (from any number of threads) encode the update as a delta
/// against the object's state into a buffer; a background thread writes the buffer as one frame of the write-ahead log
/// every <see cref="GeoLogOptions.FlushInterval"/> or when it reaches <see cref="GeoLogOptions.FlushBytes"/>, and seals
/// the log into an object-clustered segment when it reaches <see cref="GeoLogOptions.SegmentBytes"/> or
/// <see cref="GeoLogOptions.SegmentDuration"/>. Opening recovers: a torn last frame is truncated (logged), and logs
/// without a segment are sealed. Disposing flushes and seals.
/// </summary>
public sealed class GeoLogWriter : IDisposable
{
    /// <summary>The largest Unix millisecond a nanosecond timestamp can hold (2262-04-11).</summary>
    public const long MaxUnixMilliseconds = long.MaxValue / 1_000_000;

    private readonly string _directory;
    private readonly GeoLogOptions _options;
    private readonly Action<string> _log;
    private readonly Func<DateTimeOffset> _clock;
    private readonly SegmentCache _cache = new();
    private readonly object _sync = new();
    private readonly object _io = new();
    private readonly ObjectTable _objects;
    private readonly Thread _flusher;
    private readonly AutoResetEvent _wake = new(false);
    private readonly long _checkpointMs;
    private readonly long _segmentMs;
    private readonly long _latenessMs;
    private ByteBuffer _records = new(1 << 16);
    private ByteBuffer _definitions = new(1 << 10);
    private ByteBuffer _spareRecords = new(1 << 16);
    private ByteBuffer _spareDefinitions = new(1 << 10);
    private int _definitionCount;
    private readonly ByteBuffer _frame = new(1 << 16);
    private long[] _definedInWal = new long[16];
    private Memtable _memtable;
    private long _walSequence;
    private FileStream _wal;
    private long _highWater;
    private long _appended;
    private bool _sealRequested;
    private volatile bool _stopping;
    private bool _disposed;
    private Exception? _backgroundError;

    private GeoLogWriter(string directory, GeoLogOptions options)
    {
        _directory = directory;
        _options = options;
        _log = options.Log ?? (message => Console.Error.WriteLine(message));
        _clock = options.Clock ?? (() => DateTimeOffset.UtcNow);
        _checkpointMs = (long)options.CheckpointInterval.TotalMilliseconds;
        _segmentMs = (long)options.SegmentDuration.TotalMilliseconds;
        _latenessMs = (long)Math.Min(options.MaxLateness.TotalMilliseconds, long.MaxValue / 2);
        System.IO.Directory.CreateDirectory(directory);
        if (options.ColdDirectory is not null)
        {
            System.IO.Directory.CreateDirectory(options.ColdDirectory);
        }
        long lastSequence = Recover();
        GeoLogStore store = GeoLogStore.Open(directory, options.ColdDirectory, _cache, _checkpointMs, includeWal: false);
        _objects = store.LatestObjects(out _highWater);
        _definedInWal = new long[Math.Max(16, _objects.Count * 2)];
        _walSequence = lastSequence + 1;
        _memtable = NewMemtable();
        _wal = CreateWal(_walSequence);
        MoveColdSegments();
        _flusher = new Thread(FlushLoop) { IsBackground = true, Name = "geolog flusher" };
        _flusher.Start();
    }

    /// <summary>Opens (creating when needed) the geo log in <paramref name="directory"/> for appending.</summary>
    public static GeoLogWriter Open(string directory, GeoLogOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        options ??= new GeoLogOptions();
        options.Validate();
        return new GeoLogWriter(directory, options);
    }

    public string Directory => _directory;

    /// <summary>Updates accepted so far by this writer.</summary>
    public long Appended => Interlocked.Read(ref _appended);

    /// <summary>
    /// Buffers one update. Throws <see cref="GeoLogRejectedException"/> for input the README's policy rejects (then
    /// nothing of the update is kept) and rethrows a failure of the background flush.
    /// </summary>
    public void Append(in GeoUpdate update)
    {
        FixedUpdate converted = Convert(in update);
        lock (_sync)
        {
            ThrowIfUnusable();
            if (_objects.TryGet(update.Kind, update.ObjectId, out int index))
            {
                long previous = _objects.State(index).Ts;
                if (update.UnixMilliseconds < previous)
                {
                    throw new GeoLogRejectedException(string.Create(CultureInfo.InvariantCulture,
                        $"update of '{update.ObjectId}' at {update.UnixMilliseconds} ms is older than its previous update ({previous} ms)"));
                }
            }
            else
            {
                index = -1;
            }
            if (_highWater != long.MinValue && update.UnixMilliseconds < _highWater - _latenessMs)
            {
                throw new GeoLogRejectedException(string.Create(CultureInfo.InvariantCulture,
                    $"update of '{update.ObjectId}' at {update.UnixMilliseconds} ms is more than {_latenessMs} ms older than the newest accepted update ({_highWater} ms)"));
            }
            if (index < 0)
            {
                index = _objects.GetOrAdd(update.Kind, update.ObjectId, out _);
                if (index >= _definedInWal.Length)
                {
                    Array.Resize(ref _definedInWal, _definedInWal.Length * 2);
                }
            }
            AppendLocked(index, in converted);
        }
    }

    /// <summary>
    /// Buffers all of <paramref name="updates"/> or none: every update is checked (the README's policy, including the
    /// order of one object's updates within the batch) before the first is appended.
    /// </summary>
    public void AppendAll(ReadOnlySpan<GeoUpdate> updates)
    {
        FixedUpdate[] converted = new FixedUpdate[updates.Length];
        for (int i = 0; i < updates.Length; i++)
        {
            converted[i] = Convert(in updates[i]);
        }
        lock (_sync)
        {
            ThrowIfUnusable();
            Dictionary<(string, string), long> latest = [];
            long highWater = _highWater;
            foreach (ref readonly GeoUpdate update in updates)
            {
                long previous = latest.TryGetValue((update.Kind, update.ObjectId), out long inBatch) ? inBatch
                    : _objects.TryGet(update.Kind, update.ObjectId, out int known) ? _objects.State(known).Ts : long.MinValue;
                if (update.UnixMilliseconds < previous)
                {
                    throw new GeoLogRejectedException(string.Create(CultureInfo.InvariantCulture,
                        $"update of '{update.ObjectId}' at {update.UnixMilliseconds} ms is older than its previous update ({previous} ms)"));
                }
                if (highWater != long.MinValue && update.UnixMilliseconds < highWater - _latenessMs)
                {
                    throw new GeoLogRejectedException(string.Create(CultureInfo.InvariantCulture,
                        $"update of '{update.ObjectId}' at {update.UnixMilliseconds} ms is more than {_latenessMs} ms older than the newest accepted update ({highWater} ms)"));
                }
                latest[(update.Kind, update.ObjectId)] = update.UnixMilliseconds;
                highWater = Math.Max(highWater, update.UnixMilliseconds);
            }
            for (int i = 0; i < updates.Length; i++)
            {
                int index = _objects.GetOrAdd(updates[i].Kind, updates[i].ObjectId, out bool added);
                if (added && index >= _definedInWal.Length)
                {
                    Array.Resize(ref _definedInWal, _definedInWal.Length * 2);
                }
                AppendLocked(index, in converted[i]);
            }
        }
    }

    private void AppendLocked(int index, in FixedUpdate update)
    {
        if (_definedInWal[index] != _walSequence)
        {
            (string kind, string id) = _objects.Names[index];
            _definitions.WriteVarint((ulong)index);
            _definitions.WriteString(kind);
            _definitions.WriteString(id);
            _definitionCount++;
            _definedInWal[index] = _walSequence;
        }
        ref int since = ref _objects.SinceKeyframe(index);
        bool keyframe = since == 0 || since >= _options.KeyframeInterval;
        since = keyframe ? 1 : since + 1;
        ref GeoState state = ref _objects.State(index);
        _records.WriteVarint((ulong)index);
        int recordStart = _records.Length;
        GeoRecordCodec.Encode(_records, ref state, in update, keyframe);
        if (_memtable.Add(index, _records.Span[recordStart..], in state, keyframe))
        {
            _memtable.AddCheckpoint(_objects.States);
        }
        _highWater = Math.Max(_highWater, update.Ts);
        _appended++;
        if (_records.Length >= _options.FlushBytes)
        {
            _wake.Set();
        }
        if (!_sealRequested && (_memtable.RecordBytes >= _options.SegmentBytes || _memtable.HighWater - _memtable.LowWater >= _segmentMs))
        {
            _sealRequested = true;
            _wake.Set();
        }
    }

    /// <summary>Checks and converts an update to fixed point (the README's bad-input policy).</summary>
    private static FixedUpdate Convert(in GeoUpdate update)
    {
        if (string.IsNullOrEmpty(update.ObjectId) || update.Kind is null)
        {
            throw new GeoLogRejectedException("an update needs a non-empty object id and a kind");
        }
        if (update.UnixMilliseconds is < 0 or > MaxUnixMilliseconds)
        {
            throw new GeoLogRejectedException(string.Create(CultureInfo.InvariantCulture,
                $"update of '{update.ObjectId}': timestamp {update.UnixMilliseconds} ms is outside 1970-01-01 … 2262-04-11"));
        }
        FixedUpdate converted = new() { Ts = update.UnixMilliseconds };
        for (int f = 0; f < GeoFields.Count; f++)
        {
            if (update.Field(f) is double value)
            {
                if (GeoFields.TryToFixed(f, value, out long fixedPoint) is { } problem)
                {
                    throw new GeoLogRejectedException($"update of '{update.ObjectId}': {problem}");
                }
                converted.Values[f] = fixedPoint;
                converted.Mask |= 1 << f;
            }
        }
        if (update.Data is { Count: > 0 } data)
        {
            KeyValuePair<string, GeoValue>[] changes = new KeyValuePair<string, GeoValue>[data.Count];
            for (int i = 0; i < changes.Length; i++)
            {
                changes[i] = data[i];
                if (changes[i].Key is null || (changes[i].Value.Kind == GeoValueKind.Float && !double.IsFinite(changes[i].Value.AsFloat)))
                {
                    throw new GeoLogRejectedException($"update of '{update.ObjectId}': data keys must not be null and numbers must be finite");
                }
            }
            converted.Changes = changes;
            converted.Mask |= GeoFields.DataBit;
        }
        return converted;
    }

    /// <summary>Writes everything buffered so far as one frame (one sequential write) before returning.</summary>
    public void Flush()
    {
        lock (_io)
        {
            lock (_sync)
            {
                ThrowIfUnusable();
            }
            FlushLocked();
        }
    }

    /// <summary>Flushes and seals the write-ahead log into a segment now.</summary>
    public void Seal()
    {
        lock (_io)
        {
            lock (_sync)
            {
                ThrowIfUnusable();
            }
            SealLocked();
        }
    }

    /// <summary>Takes the buffered frame (under the append lock) and writes it; the caller holds <see cref="_io"/>.</summary>
    private void FlushLocked()
    {
        int definitions;
        lock (_sync)
        {
            if (_records.Length == 0 && _definitionCount == 0)
            {
                return;
            }
            (_records, _spareRecords) = (_spareRecords, _records);
            (_definitions, _spareDefinitions) = (_spareDefinitions, _definitions);
            definitions = _definitionCount;
            _definitionCount = 0;
        }
        WriteFrame(definitions);
    }

    private void WriteFrame(int definitions)
    {
        _frame.Clear();
        _frame.Reserve(WalFile.FrameHeaderLength);
        _frame.WriteVarint((ulong)definitions);
        _frame.Write(_spareDefinitions.Span);
        _frame.Write(_spareRecords.Span);
        WalFile.SealFrame(_frame);
        _wal.Write(_frame.Span);
        _wal.Flush(_options.SyncOnFlush);
        _spareRecords.Clear();
        _spareDefinitions.Clear();
    }

    private void SealLocked()
    {
        Memtable sealedTable;
        List<(string Kind, string Id)> names;
        long sequence;
        int definitions;
        lock (_sync)
        {
            (_records, _spareRecords) = (_spareRecords, _records);
            (_definitions, _spareDefinitions) = (_spareDefinitions, _definitions);
            definitions = _definitionCount;
            _definitionCount = 0;
            sealedTable = _memtable;
            names = [.. _objects.Names];
            _objects.ForceKeyframes();
            _memtable = NewMemtable();
            sequence = _walSequence;
            _walSequence++;
            _sealRequested = false;
        }
        if (_spareRecords.Length > 0 || definitions > 0)
        {
            WriteFrame(definitions);
        }
        _wal.Dispose();
        string walPath = Path.Combine(_directory, GeoLogFiles.WalName(sequence));
        if (sealedTable.Records > 0)
        {
            WriteSegment(sequence, sealedTable, names);
        }
        File.Delete(walPath);
        _wal = CreateWal(sequence + 1);
        MoveColdSegments();
    }

    /// <summary>A new memtable opening with a checkpoint of every object's state (its runs start with keyframes).</summary>
    private Memtable NewMemtable()
    {
        Memtable memtable = new(_checkpointMs);
        memtable.AddCheckpoint(_objects.States);
        return memtable;
    }

    /// <summary>Writes a segment to a temporary file, syncs it and renames it into place (all or nothing).</summary>
    private void WriteSegment(long sequence, Memtable memtable, IReadOnlyList<(string Kind, string Id)> names)
    {
        string path = Path.Combine(_directory, GeoLogFiles.SegmentName(sequence));
        string temp = path + GeoLogFiles.TempExtension;
        using (FileStream output = new(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            memtable.WriteSegment(output, names);
            output.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private void WriteSegmentBytes(long sequence, byte[] bytes)
    {
        string path = Path.Combine(_directory, GeoLogFiles.SegmentName(sequence));
        string temp = path + GeoLogFiles.TempExtension;
        using (FileStream output = new(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            output.Write(bytes);
            output.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private FileStream CreateWal(long sequence)
    {
        FileStream wal = new(Path.Combine(_directory, GeoLogFiles.WalName(sequence)), FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 1);
        wal.Write(WalFile.Header());
        wal.Flush(_options.SyncOnFlush);
        return wal;
    }

    /// <summary>
    /// Brings the directory to a clean state: deletes half-written segments, truncates torn log tails (logged), seals
    /// logs that have no segment and deletes logs that have one. Returns the largest sequence number seen.
    /// </summary>
    private long Recover()
    {
        foreach (string temp in System.IO.Directory.GetFiles(_directory, "*" + GeoLogFiles.TempExtension))
        {
            File.Delete(temp);
            _log($"geolog: {temp}: deleted a segment whose writing was interrupted");
        }
        long last = 0;
        HashSet<long> sealedSequences = [];
        foreach ((long sequence, string path) in GeoLogFiles.List(_directory, GeoLogFiles.SegmentExtension))
        {
            sealedSequences.Add(sequence);
            last = Math.Max(last, sequence);
            if (_options.ColdDirectory is not null && File.Exists(Path.Combine(_options.ColdDirectory, Path.GetFileName(path))))
            {
                // An interrupted move to the cold tier: the hot copy is complete, the move is redone later.
                File.Delete(Path.Combine(_options.ColdDirectory, Path.GetFileName(path)));
            }
        }
        foreach ((long sequence, _) in GeoLogFiles.List(_options.ColdDirectory, GeoLogFiles.SegmentExtension))
        {
            sealedSequences.Add(sequence);
            last = Math.Max(last, sequence);
        }
        foreach ((long sequence, string path) in GeoLogFiles.List(_directory, GeoLogFiles.WalExtension))
        {
            last = Math.Max(last, sequence);
            if (sealedSequences.Contains(sequence))
            {
                File.Delete(path);
                continue;
            }
            byte[] bytes = File.ReadAllBytes(path);
            WalFile.Validate(path, bytes, out long validLength);
            if (validLength < bytes.Length)
            {
                using (FileStream truncate = new(path, FileMode.Open, FileAccess.Write, FileShare.None))
                {
                    truncate.SetLength(validLength);
                    truncate.Flush(flushToDisk: true);
                }
                _log(string.Create(CultureInfo.InvariantCulture,
                    $"geolog: {path}: torn tail at offset {validLength} ({bytes.Length - validLength} bytes of an incomplete flush) truncated"));
            }
            if (validLength > WalFile.HeaderLength)
            {
                GeoLogStore prior = GeoLogStore.Open(_directory, _options.ColdDirectory, _cache, _checkpointMs, includeWal: false);
                WriteSegmentBytes(sequence, prior.BuildFromWal(path, bytes, validLength, _checkpointMs, out _));
                _log($"geolog: {path}: sealed into {GeoLogFiles.SegmentName(sequence)} on recovery");
            }
            File.Delete(path);
        }
        return last;
    }

    /// <summary>Moves sealed segments whose newest update is older than <see cref="GeoLogOptions.ColdAfter"/> to the cold tier.</summary>
    private void MoveColdSegments()
    {
        if (_options.ColdDirectory is null)
        {
            return;
        }
        long cutoff = _clock().ToUnixTimeMilliseconds() - (long)_options.ColdAfter.TotalMilliseconds;
        GeoLogTiering.MoveOlderThan(_directory, _options.ColdDirectory, cutoff, _cache, _log);
    }

    private void FlushLoop()
    {
        int wait = _options.FlushInterval == TimeSpan.Zero ? Timeout.Infinite : (int)Math.Max(1, _options.FlushInterval.TotalMilliseconds);
        while (!_stopping)
        {
            _wake.WaitOne(wait);
            if (_stopping)
            {
                break;
            }
            try
            {
                lock (_io)
                {
                    bool seal;
                    lock (_sync)
                    {
                        seal = _sealRequested;
                    }
                    if (seal)
                    {
                        SealLocked();
                    }
                    else
                    {
                        FlushLocked();
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                lock (_sync)
                {
                    _backgroundError = e;
                }
                _log($"geolog: {_directory}: background flush failed: {e.Message}");
                return;
            }
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_backgroundError is not null)
        {
            throw new IOException($"geolog: {_directory}: a background flush failed; reopen the writer", _backgroundError);
        }
    }

    /// <summary>Flushes, seals the log into a segment and stops the background thread.</summary>
    public void Dispose()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }
        }
        _stopping = true;
        _wake.Set();
        _flusher.Join();
        lock (_io)
        {
            if (_backgroundError is null)
            {
                SealLocked();
            }
            _wal.Dispose();
            File.Delete(Path.Combine(_directory, GeoLogFiles.WalName(_walSequence)));
            lock (_sync)
            {
                _disposed = true;
            }
        }
        _wake.Dispose();
    }
}
