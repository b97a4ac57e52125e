using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators.Aggregation;

/// <summary>
/// Maps group keys to dense group ids: an open-addressing table with linear probing that stores each slot's hash
/// and group id (the hash rejects most mismatches before keys are compared). Keys are hashed a batch at a time with
/// the Vector hash kernels; a dictionary-encoded single key maps codes to group ids through a per-dictionary cache, so
/// each distinct value is hashed once per dictionary.
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

    private ColumnVector? _cachedDictionary;
    private int[] _codeToGroup = [];
    private ulong[] _dictionaryHashes = [];
    private readonly ColumnVector[] _dictionaryKey = new ColumnVector[1];
    private readonly ColumnVector[] _rowKey = new ColumnVector[1];

    public GroupTable(ReadOnlySpan<LogicalType> keyTypes)
    {
        _keys = new GroupKeyColumn[keyTypes.Length];
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i] = new GroupKeyColumn(keyTypes[i]);
        }
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
        if (keys.Length == 1 && keys[0].Encoding == VectorEncoding.Dictionary)
        {
            FindOrAddDictionary(keys[0], count, selection, groupIds);
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

    private void FindOrAddDictionary(ColumnVector key, int count, ReadOnlySpan<int> selection, Span<int> groupIds)
    {
        ColumnVector dictionary = key.Dictionary!;
        if (!ReferenceEquals(dictionary, _cachedDictionary))
        {
            int size = dictionary.Capacity;
            if (_codeToGroup.Length < size)
            {
                _codeToGroup = new int[size];
                _dictionaryHashes = new ulong[size];
            }
            _codeToGroup.AsSpan(0, size).Fill(EmptySlot);
            HashKernels.HashBytes<OverwriteHash>(dictionary.Offsets, dictionary.Heap, _dictionaryHashes, size, default, default);
            _cachedDictionary = dictionary;
        }
        ReadOnlySpan<int> codes = key.Codes;
        _dictionaryKey[0] = dictionary;
        _rowKey[0] = key;
        bool dense = selection.IsEmpty;
        bool anyNull = !key.Validity.AllValid;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (anyNull && key.Validity.IsNull(row))
            {
                groupIds[k] = FindOrAddRow(HashKernels.NullHash, _rowKey, row);
                continue;
            }
            int code = codes[row];
            int group = _codeToGroup[code];
            if (group == EmptySlot)
            {
                group = FindOrAddRow(_dictionaryHashes[code], _dictionaryKey, code);
                _codeToGroup[code] = group;
            }
            groupIds[k] = group;
        }
    }
}
