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
/// key is hashed and compared — two or three string keys group as cheaply as one.
/// </summary>
internal sealed class GroupTable
{
    private const int EmptySlot = -1;

    private readonly GroupKeyColumn[] _keys;
    private readonly ulong[] _rowHashes = new ulong[Batch.Capacity];
    private ulong[] _slotHashes;
    private int[] _slotGroups;
    private ulong[] _groupHashes = new ulong[64];
    private int _mask;

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
        _slotHashes = new ulong[256];
        _slotGroups = new int[256];
        Array.Fill(_slotGroups, EmptySlot);
        _mask = 255;
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
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            groupIds[k] = FindOrAddRow(_rowHashes[row], keys, row);
        }
    }

    /// <summary>The group id in this table of <paramref name="otherGroup"/> of <paramref name="other"/> (same key types).</summary>
    public int FindOrAddGroup(GroupTable other, int otherGroup)
    {
        ulong hash = other._groupHashes[otherGroup];
        int slot = (int)hash & _mask;
        while (true)
        {
            int group = _slotGroups[slot];
            if (group == EmptySlot)
            {
                group = NewGroup(hash, slot);
                for (int i = 0; i < _keys.Length; i++)
                {
                    _keys[i].AppendFrom(other._keys[i], otherGroup);
                }
                return group;
            }
            if (_slotHashes[slot] == hash && GroupEquals(group, other, otherGroup))
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
            int group = _slotGroups[slot];
            if (group == EmptySlot)
            {
                group = NewGroup(hash, slot);
                for (int i = 0; i < _keys.Length; i++)
                {
                    _keys[i].Append(keys[i], row);
                }
                return group;
            }
            if (_slotHashes[slot] == hash && RowEquals(group, keys, row))
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
            Array.Resize(ref _groupHashes, group * 2);
        }
        _groupHashes[group] = hash;
        if (_keys.Length > 0)
        {
            _slotHashes[slot] = hash;
            _slotGroups[slot] = group;
            if (GroupCount * 2 > _slotGroups.Length)
            {
                Rehash();
            }
        }
        return group;
    }

    private void Rehash()
    {
        int size = _slotGroups.Length * 2;
        _slotHashes = new ulong[size];
        _slotGroups = new int[size];
        Array.Fill(_slotGroups, EmptySlot);
        _mask = size - 1;
        for (int group = 0; group < GroupCount; group++)
        {
            int slot = (int)_groupHashes[group] & _mask;
            while (_slotGroups[slot] != EmptySlot)
            {
                slot = (slot + 1) & _mask;
            }
            _slotHashes[slot] = _groupHashes[group];
            _slotGroups[slot] = group;
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
                _codeToGroup = new int[combinations];
            }
            _codeToGroup.AsSpan(0, combinations).Fill(EmptySlot);
        }
        bool dense = selection.IsEmpty;
        bool anyNull = false;
        foreach (ColumnVector key in keys)
        {
            anyNull |= !key.Validity.AllValid;
        }
        ReadOnlySpan<int> firstCodes = keys[0].Codes;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (anyNull && AnyNullAt(keys, row))
            {
                groupIds[k] = FindOrAddRow(KeyHashing.HashRow(keys, row), keys, row);
                continue;
            }
            int combined = firstCodes[row];
            for (int i = 1; i < keys.Length; i++)
            {
                combined = combined * _cachedDictionaries[i]!.Capacity + keys[i].Codes[row];
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
