using Analytics.Engine.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators.Aggregation;

/// <summary>
/// Maps group keys to dense group ids: an open-addressing table with linear probing that stores each slot's hash
/// and group id (the hash rejects most mismatches before keys are compared). Keys are hashed a batch at a time with
/// the Vector hash kernels. When every key is dictionary-encoded (and the dictionaries' code combinations are few), a
/// row's codes combine into one index of a per-dictionaries cache of group ids, so only the first row of each distinct
/// key is hashed and compared — two or three string keys group as cheaply as one. A single integer-like key (int,
/// uint, timestamp, interval) hashes through a bijection (<see cref="HashKernels.HashInt64"/>), so equal hashes mean
/// equal keys: its rows and merges match on the slot's hash alone, one cache line per probe and no key read.
/// The table's arrays are rented from <see cref="WorkingArrayPool{T}"/> (a query with a million groups would otherwise
/// allocate tens of MiB of large-object-heap arrays and run full collections) and go back with <see cref="Release"/>.
/// </summary>
internal sealed class GroupTable
{
    private const int EmptySlot = -1;

    private readonly GroupKeyColumn[] _keys;
    private ulong[] _rowHashes = WorkingArrayPool<ulong>.Shared.Rent(Batch.Capacity);
    private Slot[] _slots = [];
    private ulong[] _groupHashes = [];
    /// <summary>The slot count less one: the slots are the first _mask + 1 of <see cref="_slots"/> (a rented array may be longer).</summary>
    private int _mask;

    /// <summary>One key whose hash is a bijection of its 64-bit value (NULL aside): a slot whose hash matches holds the key.</summary>
    private readonly bool _hashIdentifiesKey;

    /// <summary>More distinct code combinations than this and dictionary keys take the hashing path.</summary>
    private const int MaxCodeCombinations = 1 << 18;

    private readonly ColumnVector?[] _cachedDictionaries;
    private int[] _codeToGroup = [];

    public GroupTable(ReadOnlySpan<LogicalType> keyTypes)
    {
        _keys = new GroupKeyColumn[keyTypes.Length];
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i] = new GroupKeyColumn(keyTypes[i]);
        }
        _cachedDictionaries = new ColumnVector?[keyTypes.Length];
        _hashIdentifiesKey = keyTypes.Length == 1 && keyTypes[0].Physical == PhysicalKind.Fixed64 && keyTypes[0].Id != TypeId.Float;
        Rehash(256);
    }

    /// <summary>A slot of the open-addressing table: the group's key hash beside its id, read together by a probe.</summary>
    private struct Slot
    {
        public ulong Hash;
        public int Group;
    }

    public int GroupCount { get; private set; }

    public GroupKeyColumn[] Keys => _keys;

    /// <summary>Writes the group id of each active row k to <paramref name="groupIds"/>[k], adding new groups.</summary>
    public void FindOrAdd(ColumnVector[] keys, int count, ReadOnlySpan<int> selection, Span<int> groupIds)
    {
        bool dense = selection.IsEmpty;
        if (CanUseCodes(keys))
        {
            FindOrAddByCodes(keys, count, selection, groupIds);
            return;
        }
        for (int i = 0; i < keys.Length; i++)
        {
            KeyHashing.HashColumn(keys[i], i == 0, count, selection, _rowHashes);
        }
        if (_hashIdentifiesKey)
        {
            FindOrAddByHash(keys, count, selection, groupIds);
            return;
        }
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            groupIds[k] = FindOrAddRow(_rowHashes[row], keys, row);
        }
    }

    /// <summary>
    /// <see cref="FindOrAdd"/> for a single integer-like key (hashes computed): a non-NULL row whose hash is not
    /// <see cref="HashKernels.NullHash"/> matches the slot with its hash, as only its key has that hash.
    /// </summary>
    private void FindOrAddByHash(ColumnVector[] keys, int count, ReadOnlySpan<int> selection, Span<int> groupIds)
    {
        bool dense = selection.IsEmpty;
        ReadOnlySpan<ulong> rowHashes = _rowHashes;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            ulong hash = rowHashes[row];
            if (hash == HashKernels.NullHash)
            {
                // A NULL key, or the one value hashing like NULL: compare keys.
                groupIds[k] = FindOrAddRow(hash, keys, row);
                continue;
            }
            int slot = (int)hash & _mask;
            while (true)
            {
                ref Slot entry = ref _slots[slot];
                if (entry.Group == EmptySlot)
                {
                    int group = NewGroup(hash, slot);
                    _keys[0].Append(keys[0], row);
                    groupIds[k] = group;
                    break;
                }
                if (entry.Hash == hash)
                {
                    groupIds[k] = entry.Group;
                    break;
                }
                slot = (slot + 1) & _mask;
            }
        }
    }

    /// <summary>The merge partition of <paramref name="group"/>: the top <paramref name="bits"/> bits of its key hash (slots use the low bits).</summary>
    public int PartitionOf(int group, int bits) => (int)(_groupHashes[group] >> (64 - bits));

    /// <summary>Grows the slot table and the keys ahead of <paramref name="groups"/> groups in all (a merge knows its incoming count).</summary>
    public void Reserve(int groups)
    {
        if (_groupHashes.Length < groups)
        {
            WorkingArrayPool<ulong>.Grow(ref _groupHashes, groups, GroupCount);
        }
        foreach (GroupKeyColumn key in _keys)
        {
            key.Reserve(groups);
        }
        int size = _mask + 1;
        if (_keys.Length == 0 || (long)groups * 2 <= size)
        {
            return;
        }
        while ((long)groups * 2 > size)
        {
            size *= 2;
        }
        Rehash(size);
    }

    /// <summary>The group id in this table of <paramref name="otherGroup"/> of <paramref name="other"/> (same key types).</summary>
    public int FindOrAddGroup(GroupTable other, int otherGroup)
    {
        ulong hash = other._groupHashes[otherGroup];
        bool hashMatches = _hashIdentifiesKey && hash != HashKernels.NullHash;
        int slot = (int)hash & _mask;
        while (true)
        {
            ref Slot entry = ref _slots[slot];
            int group = entry.Group;
            if (group == EmptySlot)
            {
                group = NewGroup(hash, slot);
                for (int i = 0; i < _keys.Length; i++)
                {
                    _keys[i].AppendFrom(other._keys[i], otherGroup);
                }
                return group;
            }
            if (entry.Hash == hash && (hashMatches || GroupEquals(group, other, otherGroup)))
            {
                return group;
            }
            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>Adds the single group of a global aggregate (no keys).</summary>
    public int AddEmptyKeyGroup() => NewGroup(0, 0);

    private bool GroupEquals(int group, GroupTable other, int otherGroup)
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            if (!_keys[i].EqualsGroup(group, other._keys[i], otherGroup))
            {
                return false;
            }
        }
        return true;
    }

    private int FindOrAddRow(ulong hash, ColumnVector[] keys, int row)
    {
        int slot = (int)hash & _mask;
        while (true)
        {
            ref Slot entry = ref _slots[slot];
            int group = entry.Group;
            if (group == EmptySlot)
            {
                group = NewGroup(hash, slot);
                for (int i = 0; i < _keys.Length; i++)
                {
                    _keys[i].Append(keys[i], row);
                }
                return group;
            }
            if (entry.Hash == hash && RowEquals(group, keys, row))
            {
                return group;
            }
            slot = (slot + 1) & _mask;
        }
    }

    private bool RowEquals(int group, ColumnVector[] keys, int row)
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            if (!_keys[i].EqualsRow(group, keys[i], row))
            {
                return false;
            }
        }
        return true;
    }

    private int NewGroup(ulong hash, int slot)
    {
        int group = GroupCount++;
        if (group == _groupHashes.Length)
        {
            WorkingArrayPool<ulong>.Grow(ref _groupHashes, group + 1, group);
        }
        _groupHashes[group] = hash;
        if (_keys.Length > 0)
        {
            _slots[slot] = new Slot { Hash = hash, Group = group };
            if (GroupCount * 2 > _mask + 1)
            {
                Rehash(2 * (_mask + 1));
            }
        }
        return group;
    }

    /// <summary>Replaces the slots by <paramref name="size"/> (a power of two) empty ones holding every group.</summary>
    private void Rehash(int size)
    {
        Slot[] old = _slots;
        _slots = WorkingArrayPool<Slot>.Shared.Rent(size);
        _slots.AsSpan(0, size).Fill(new Slot { Group = EmptySlot });
        WorkingArrayPool<Slot>.Return(ref old);
        _mask = size - 1;
        for (int group = 0; group < GroupCount; group++)
        {
            ulong hash = _groupHashes[group];
            int slot = (int)hash & _mask;
            while (_slots[slot].Group != EmptySlot)
            {
                slot = (slot + 1) & _mask;
            }
            _slots[slot] = new Slot { Hash = hash, Group = group };
        }
    }

    private static bool CanUseCodes(ColumnVector[] keys)
    {
        if (keys.Length == 0)
        {
            return false;
        }
        long combinations = 1;
        foreach (ColumnVector key in keys)
        {
            if (key.Encoding != VectorEncoding.Dictionary)
            {
                return false;
            }
            combinations *= key.Dictionary!.Capacity;
        }
        // One key: the cache is as large as its dictionary, which the scan already holds.
        return keys.Length == 1 || combinations <= MaxCodeCombinations;
    }

    private void FindOrAddByCodes(ColumnVector[] keys, int count, ReadOnlySpan<int> selection, Span<int> groupIds)
    {
        bool changed = false;
        int combinations = 1;
        for (int i = 0; i < keys.Length; i++)
        {
            ColumnVector dictionary = keys[i].Dictionary!;
            changed |= !ReferenceEquals(dictionary, _cachedDictionaries[i]);
            _cachedDictionaries[i] = dictionary;
            combinations *= dictionary.Capacity;
        }
        if (changed)
        {
            if (_codeToGroup.Length < combinations)
            {
                WorkingArrayPool<int>.Grow(ref _codeToGroup, combinations, 0);
            }
            _codeToGroup.AsSpan(0, combinations).Fill(EmptySlot);
        }
        bool dense = selection.IsEmpty;
        bool anyNull = false;
        foreach (ColumnVector key in keys)
        {
            anyNull |= !key.Validity.AllValid;
        }
        if (keys.Length == 1 && !anyNull)
        {
            FindOrAddBySingleCode(keys, count, selection, groupIds);
            return;
        }
        ReadOnlySpan<int> firstCodes = keys[0].Codes;
        // The second and third keys (the common multi-key shapes) read hoisted spans; more keys loop over the columns.
        ReadOnlySpan<int> secondCodes = keys.Length > 1 ? keys[1].Codes : default;
        int secondCapacity = keys.Length > 1 ? _cachedDictionaries[1]!.Capacity : 0;
        ReadOnlySpan<int> thirdCodes = keys.Length > 2 ? keys[2].Codes : default;
        int thirdCapacity = keys.Length > 2 ? _cachedDictionaries[2]!.Capacity : 0;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (anyNull && AnyNullAt(keys, row))
            {
                groupIds[k] = FindOrAddRow(KeyHashing.HashRow(keys, row), keys, row);
                continue;
            }
            int combined = firstCodes[row];
            if (keys.Length > 1)
            {
                combined = combined * secondCapacity + secondCodes[row];
                if (keys.Length > 2)
                {
                    combined = combined * thirdCapacity + thirdCodes[row];
                    for (int i = 3; i < keys.Length; i++)
                    {
                        combined = combined * _cachedDictionaries[i]!.Capacity + keys[i].Codes[row];
                    }
                }
            }
            int group = _codeToGroup[combined];
            if (group == EmptySlot)
            {
                group = FindOrAddRow(KeyHashing.HashRow(keys, row), keys, row);
                _codeToGroup[combined] = group;
            }
            groupIds[k] = group;
        }
    }

    /// <summary>
    /// <see cref="FindOrAddByCodes"/> for one dictionary key without NULLs (GROUP BY a string column): a row's group is
    /// its code's cache entry, a load per row with no combination or NULL test (a batch's cache misses are the rare
    /// first rows of a key).
    /// </summary>
    private void FindOrAddBySingleCode(ColumnVector[] keys, int count, ReadOnlySpan<int> selection, Span<int> groupIds)
    {
        ReadOnlySpan<int> codes = keys[0].Codes;
        int[] codeToGroup = _codeToGroup;
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            int code = codes[row];
            int group = codeToGroup[code];
            if (group == EmptySlot)
            {
                group = FindOrAddRow(KeyHashing.HashRow(keys, row), keys, row);
                codeToGroup[code] = group;
            }
            groupIds[k] = group;
        }
    }

    /// <summary>
    /// Returns the table's arrays to the pool once its groups are written (or the query failed). The table must not be
    /// used again: its arrays are empty from here on, so a late read fails instead of seeing another query's values,
    /// and a second release returns nothing.
    /// </summary>
    public void Release()
    {
        WorkingArrayPool<ulong>.Return(ref _rowHashes);
        WorkingArrayPool<Slot>.Return(ref _slots);
        WorkingArrayPool<ulong>.Return(ref _groupHashes);
        WorkingArrayPool<int>.Return(ref _codeToGroup);
        foreach (GroupKeyColumn key in _keys)
        {
            key.Release();
        }
    }

    private static bool AnyNullAt(ColumnVector[] keys, int row)
    {
        foreach (ColumnVector key in keys)
        {
            if (key.Validity.IsNull(row))
            {
                return true;
            }
        }
        return false;
    }
}
