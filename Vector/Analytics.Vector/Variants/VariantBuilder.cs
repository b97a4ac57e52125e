using System.Buffers.Binary;
using System.Text;
using Analytics.Errors;
using Analytics.Vector.Vectors;

namespace Analytics.Vector.Variants;

/// <summary>
/// Builds one variant value in the canonical encoding: the metadata holds exactly the keys used, sorted; object
/// fields are in key order with duplicates resolved last-write-wins; integers take the smallest width; every width
/// and offset size is minimal; -0.0 is +0.0 and every NaN has one bit pattern. So two equal values always have equal
/// bytes, which lets grouping, DISTINCT and hashing work on raw bytes. Values are recorded as a pre-order node list
/// and encoded in <see cref="Finish"/>, because field ids and offset widths are only known at the end. All buffers
/// are kept across <see cref="Reset"/>: no allocations in steady state.
/// </summary>
public sealed class VariantBuilder
{
    private const byte NodeScalar = 0;
    private const byte NodeArray = 1;
    private const byte NodeObject = 2;

    private struct Node
    {
        public byte Kind;
        public int ScalarStart;
        public int ScalarLength;
        public int KeyOccurrence;
        public int End;
        public int ChildStart;
        public int ChildCount;
        public int Size;
        // A container's widths of offsets and field ids, from ComputeSizes for WriteNode.
        public byte OffsetSize;
        public byte IdSize;
    }

    private Node[] _nodes = new Node[64];
    private int _nodeCount;
    private byte[] _scalars = new byte[1024];
    private int _scalarLength;
    private byte[] _keyHeap = new byte[256];
    private int _keyHeapLength;
    private int[] _keyStart = new int[32];
    private int[] _keyLength = new int[32];
    private int[] _keyId = new int[32];
    private int _keyCount;
    private int[] _stack = new int[16];
    private int _depth;
    private int _pendingKey = -1;
    private int[] _children = new int[64];
    private int[] _sortedKeys = new int[32];
    private int _sortedCount;
    private bool[] _keyLive = new bool[32];
    private byte[] _output = new byte[1024];
    // The metadata of the row being finished, or of the remembered layout's row (the same bytes when it repeats).
    private byte[] _metadata = new byte[256];
    private int _metadataLength;
    private byte[] _utf8Scratch = new byte[256];

    // The keys the current key ids were assigned for: rows of one stream usually repeat their keys in the same order,
    // and then the sort of the previous Finish still holds.
    private byte[] _assignedKeyHeap = [];
    private int[] _assignedKeyLength = [];
    private int _assignedKeyCount = -1;
    private int _assignedKeyHeapLength;
    private int _assignedDictionarySize;

    // The layout of the last row finished without duplicate keys, when its keys are the assigned ones: each node's
    // kind and extent (its metadata stays in _metadata). A row with the same keys and the same layout has the same
    // key ids, the same children in each container (Node.ChildStart/ChildCount and _children are left as that row's)
    // and the same metadata, so Finish only sizes and writes it. Rows of one stream mostly repeat their predecessor's.
    private byte[] _layoutKinds = [];
    private int[] _layoutEnds = [];
    private int _layoutNodeCount = -1;

    /// <summary>Nesting depth of the containers currently open.</summary>
    public int Depth => _depth;

    public void Reset()
    {
        _nodeCount = 0;
        _scalarLength = 0;
        _keyHeapLength = 0;
        _keyCount = 0;
        _depth = 0;
        _pendingKey = -1;
    }

    public void WriteNull() => AddPrimitive(VariantEncoding.PrimitiveNull, 0);

    public void WriteBoolean(bool value) =>
        AddPrimitive(value ? VariantEncoding.PrimitiveTrue : VariantEncoding.PrimitiveFalse, 0);

    public void WriteInt64(long value)
    {
        if (value is >= sbyte.MinValue and <= sbyte.MaxValue)
        {
            AddPrimitive(VariantEncoding.PrimitiveInt8, 1)[0] = (byte)(sbyte)value;
        }
        else if (value is >= short.MinValue and <= short.MaxValue)
        {
            BinaryPrimitives.WriteInt16LittleEndian(AddPrimitive(VariantEncoding.PrimitiveInt16, 2), (short)value);
        }
        else if (value is >= int.MinValue and <= int.MaxValue)
        {
            BinaryPrimitives.WriteInt32LittleEndian(AddPrimitive(VariantEncoding.PrimitiveInt32, 4), (int)value);
        }
        else
        {
            BinaryPrimitives.WriteInt64LittleEndian(AddPrimitive(VariantEncoding.PrimitiveInt64, 8), value);
        }
    }

    public void WriteUInt64(ulong value) =>
        BinaryPrimitives.WriteUInt64LittleEndian(AddPrimitive(VariantEncoding.PrimitiveUInt64, 8), value);

    public void WriteDouble(double value)
    {
        // One encoding per value: the float total order makes +0 = -0, and all NaNs are the same NaN.
        double canonical = double.IsNaN(value) ? double.NaN : value == 0 ? 0.0 : value;
        BinaryPrimitives.WriteDoubleLittleEndian(AddPrimitive(VariantEncoding.PrimitiveDouble, 8), canonical);
    }

    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        Span<byte> destination;
        if (utf8.Length <= VariantEncoding.MaxShortStringLength)
        {
            destination = AddScalar(1 + utf8.Length);
            destination[0] = (byte)((utf8.Length << 2) | VariantEncoding.BasicShortString);
            utf8.CopyTo(destination[1..]);
            return;
        }
        destination = AddPrimitive(VariantEncoding.PrimitiveString, 4 + utf8.Length);
        BinaryPrimitives.WriteInt32LittleEndian(destination, utf8.Length);
        utf8.CopyTo(destination[4..]);
    }

    public void WriteString(ReadOnlySpan<char> value) => WriteString(EncodeUtf8(value));

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        Span<byte> destination = AddPrimitive(VariantEncoding.PrimitiveBinary, 4 + value.Length);
        BinaryPrimitives.WriteInt32LittleEndian(destination, value.Length);
        value.CopyTo(destination[4..]);
    }

    public void WriteTimestamp(long nanos) =>
        BinaryPrimitives.WriteInt64LittleEndian(AddPrimitive(VariantEncoding.PrimitiveTimestampNanos, 8), nanos);

    public void WriteInterval(long nanos) =>
        BinaryPrimitives.WriteInt64LittleEndian(AddPrimitive(VariantEncoding.PrimitiveInterval, 8), nanos);

    public void StartArray() => OpenContainer(NodeArray);

    public void EndArray() => CloseContainer(NodeArray);

    public void StartObject() => OpenContainer(NodeObject);

    public void EndObject() => CloseContainer(NodeObject);

    /// <summary>The key of the next value inside the open object.</summary>
    public void WriteKey(ReadOnlySpan<byte> utf8)
    {
        if (_depth == 0 || _nodes[_stack[_depth - 1]].Kind != NodeObject || _pendingKey >= 0)
        {
            ThrowHelper.ThrowInternal("a variant key is only valid inside an object, before its value");
        }
        if (_keyCount == _keyStart.Length)
        {
            Array.Resize(ref _keyStart, _keyCount * 2);
            Array.Resize(ref _keyLength, _keyCount * 2);
            Array.Resize(ref _keyId, _keyCount * 2);
        }
        if (_keyHeapLength + utf8.Length > _keyHeap.Length)
        {
            Array.Resize(ref _keyHeap, Math.Max(_keyHeap.Length * 2, _keyHeapLength + utf8.Length));
        }
        utf8.CopyTo(_keyHeap.AsSpan(_keyHeapLength));
        _keyStart[_keyCount] = _keyHeapLength;
        _keyLength[_keyCount] = utf8.Length;
        _keyHeapLength += utf8.Length;
        _pendingKey = _keyCount++;
    }

    public void WriteKey(ReadOnlySpan<char> key) => WriteKey(EncodeUtf8(key));

    /// <summary>Deep copy of <paramref name="value"/> (which must not point into this builder), re-keyed canonically.</summary>
    public void WriteValue(VariantValue value)
    {
        switch (value.Kind)
        {
            case VariantKind.Null:
                WriteNull();
                break;
            case VariantKind.Boolean:
                WriteBoolean(value.GetBoolean());
                break;
            case VariantKind.Int:
                WriteInt64(value.GetInt64());
                break;
            case VariantKind.UInt:
                WriteUInt64(value.GetUInt64());
                break;
            case VariantKind.Float:
                WriteDouble(value.GetDouble());
                break;
            case VariantKind.String:
                WriteString(value.GetStringUtf8());
                break;
            case VariantKind.Binary:
                WriteBinary(value.GetBinary());
                break;
            case VariantKind.Timestamp:
                WriteTimestamp(value.GetTimestampNanos());
                break;
            case VariantKind.Interval:
                WriteInterval(value.GetIntervalNanos());
                break;
            case VariantKind.Array:
                StartArray();
                int length = value.ArrayLength;
                for (int i = 0; i < length; i++)
                {
                    WriteValue(value.GetArrayElement(i));
                }
                EndArray();
                break;
            default:
                StartObject();
                int count = value.ObjectCount;
                for (int i = 0; i < count; i++)
                {
                    VariantValue field = value.GetObjectField(i, out ReadOnlySpan<byte> key);
                    WriteKey(key);
                    WriteValue(field);
                }
                EndObject();
                break;
        }
    }

    /// <summary>
    /// The canonical row bytes (metadata, then value) of the one top-level value written since <see cref="Reset"/>.
    /// Valid until the builder is used again.
    /// </summary>
    public ReadOnlySpan<byte> Finish()
    {
        int length = Layout();
        if (_output.Length < length)
        {
            _output = new byte[Math.Max(length, _output.Length * 2)];
        }
        Span<byte> output = _output.AsSpan(0, length);
        Write(output);
        return output;
    }

    /// <summary>
    /// <see cref="Finish"/> into row <paramref name="row"/> of a variant vector (rows in ascending order), written in
    /// place. A top-level JSON null is written as such; callers that store it as SQL NULL check <see cref="IsJsonNull"/>.
    /// </summary>
    public void FinishInto(ColumnVector vector, int row)
    {
        ArgumentNullException.ThrowIfNull(vector);
        int length = Layout();
        Write(vector.BeginBytes(row, length));
        vector.CommitBytes(row, length);
    }

    /// <summary>Whether the one top-level value written since <see cref="Reset"/> is a JSON null.</summary>
    public bool IsJsonNull =>
        _nodeCount == 1 && _nodes[0].Kind == NodeScalar
        && _scalars[_nodes[0].ScalarStart] == VariantEncoding.PrimitiveHeader(VariantEncoding.PrimitiveNull);

    /// <summary>Lays the value out (key ids, children, sizes, metadata); returns the length of its row bytes.</summary>
    private int Layout()
    {
        if (_nodeCount == 0 || _depth != 0 || _nodes[0].End != _nodeCount)
        {
            ThrowHelper.ThrowInternal("a variant needs exactly one complete top-level value before Finish");
        }
        if (SameLayoutAsRemembered())
        {
            ComputeSizes();
        }
        else
        {
            int dictionarySize = AssignKeyIds(liveOnly: false);
            bool dropped = CollectChildren();
            if (dropped)
            {
                MarkLiveKeys();
                dictionarySize = AssignKeyIds(liveOnly: true);
            }
            ComputeSizes();
            WriteMetadata(dictionarySize);
            RememberLayout(dropped);
        }
        return _metadataLength + _nodes[0].Size;
    }

    /// <summary>Writes the laid-out row (metadata, then value) into <paramref name="output"/>, exactly its length.</summary>
    private void Write(Span<byte> output)
    {
        _metadata.AsSpan(0, _metadataLength).CopyTo(output);
        int position = _metadataLength;
        WriteNode(0, output, ref position);
    }

    /// <summary>
    /// Gives each distinct key its rank in byte order. With <paramref name="liveOnly"/>, keys that only occur inside
    /// fields dropped as duplicates are left out, so the dictionary holds exactly the keys of the final value.
    /// </summary>
    private int AssignKeyIds(bool liveOnly)
    {
        if (!liveOnly && SameKeysAsAssigned())
        {
            _sortedCount = _keyCount;
            return _assignedDictionarySize;
        }
        if (_sortedKeys.Length < _keyCount)
        {
            _sortedKeys = new int[_keyStart.Length];
        }
        _sortedCount = 0;
        for (int i = 0; i < _keyCount; i++)
        {
            if (!liveOnly || _keyLive[i])
            {
                _sortedKeys[_sortedCount++] = i;
            }
        }
        Span<int> order = _sortedKeys.AsSpan(0, _sortedCount);
        SortIndexes(order, new KeyComparer(_keyHeap, _keyStart, _keyLength));
        int unique = 0;
        for (int i = 0; i < order.Length; i++)
        {
            if (i > 0 && !KeyBytes(order[i]).SequenceEqual(KeyBytes(order[i - 1])))
            {
                unique++;
            }
            _keyId[order[i]] = unique;
        }
        int dictionarySize = order.Length == 0 ? 0 : unique + 1;
        RememberAssignedKeys(liveOnly, dictionarySize);
        return dictionarySize;
    }

    /// <summary>Whether the keys written since <see cref="Reset"/> are, in order, the ones the current ids were assigned for.</summary>
    private bool SameKeysAsAssigned() =>
        _keyCount == _assignedKeyCount && _keyHeapLength == _assignedKeyHeapLength
        && _keyLength.AsSpan(0, _keyCount).SequenceEqual(_assignedKeyLength.AsSpan(0, _keyCount))
        && _keyHeap.AsSpan(0, _keyHeapLength).SequenceEqual(_assignedKeyHeap.AsSpan(0, _keyHeapLength));

    /// <summary>
    /// Records the keys the ids were just assigned for (keys are stored back to back, so their lengths and bytes
    /// identify them); an assignment over the live keys only is not reusable.
    /// </summary>
    private void RememberAssignedKeys(bool liveOnly, int dictionarySize)
    {
        if (liveOnly)
        {
            _assignedKeyCount = -1;
            return;
        }
        if (_assignedKeyLength.Length < _keyCount)
        {
            _assignedKeyLength = new int[_keyLength.Length];
        }
        if (_assignedKeyHeap.Length < _keyHeapLength)
        {
            _assignedKeyHeap = new byte[_keyHeap.Length];
        }
        _keyLength.AsSpan(0, _keyCount).CopyTo(_assignedKeyLength);
        _keyHeap.AsSpan(0, _keyHeapLength).CopyTo(_assignedKeyHeap);
        _assignedKeyCount = _keyCount;
        _assignedKeyHeapLength = _keyHeapLength;
        _assignedDictionarySize = dictionarySize;
    }

    /// <summary>Whether the row has the keys the ids were assigned for and the layout <see cref="RememberLayout"/> recorded.</summary>
    private bool SameLayoutAsRemembered()
    {
        if (_nodeCount != _layoutNodeCount || !SameKeysAsAssigned())
        {
            return false;
        }
        for (int i = 0; i < _nodeCount; i++)
        {
            if (_nodes[i].Kind != _layoutKinds[i] || _nodes[i].End != _layoutEnds[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Records the layout of the row just finished for <see cref="SameLayoutAsRemembered"/>; a row with
    /// duplicate keys is not reusable (its ids cover the live keys only, and the assigned keys were forgotten).
    /// Kinds and extents determine the key occurrence of every field, so with the same keys they fix the whole layout.
    /// </summary>
    private void RememberLayout(bool dropped)
    {
        if (dropped)
        {
            _layoutNodeCount = -1;
            return;
        }
        if (_layoutKinds.Length < _nodeCount)
        {
            _layoutKinds = new byte[_nodes.Length];
            _layoutEnds = new int[_nodes.Length];
        }
        for (int i = 0; i < _nodeCount; i++)
        {
            _layoutKinds[i] = _nodes[i].Kind;
            _layoutEnds[i] = _nodes[i].End;
        }
        _layoutNodeCount = _nodeCount;
    }

    /// <summary>Marks the key occurrences of every field still reachable from the root after duplicate removal.</summary>
    private void MarkLiveKeys()
    {
        if (_keyLive.Length < _keyStart.Length)
        {
            _keyLive = new bool[_keyStart.Length];
        }
        _keyLive.AsSpan(0, _keyCount).Clear();
        int pending = 0;
        _stack[pending++] = 0;
        while (pending > 0)
        {
            ref Node node = ref _nodes[_stack[--pending]];
            for (int c = 0; c < node.ChildCount; c++)
            {
                int child = _children[node.ChildStart + c];
                if (_nodes[child].KeyOccurrence >= 0)
                {
                    _keyLive[_nodes[child].KeyOccurrence] = true;
                }
                if (_nodes[child].Kind != NodeScalar)
                {
                    if (pending == _stack.Length)
                    {
                        Array.Resize(ref _stack, pending * 2);
                    }
                    _stack[pending++] = child;
                }
            }
        }
    }

    /// <summary>Lists each container's children (objects: in key order, last duplicate kept); true if any were dropped.</summary>
    private bool CollectChildren()
    {
        bool dropped = false;
        int used = 0;
        for (int i = 0; i < _nodeCount; i++)
        {
            ref Node node = ref _nodes[i];
            if (node.Kind == NodeScalar)
            {
                continue;
            }
            int start = used;
            for (int child = i + 1; child < node.End; child = _nodes[child].End)
            {
                if (used == _children.Length)
                {
                    Array.Resize(ref _children, used * 2);
                }
                _children[used++] = child;
            }
            if (node.Kind == NodeObject && used - start > 1)
            {
                Span<int> fields = _children.AsSpan(start, used - start);
                SortIndexes(fields, new FieldComparer(_nodes, _keyId));
                // Equal keys are adjacent, in write order: keep the last of each run.
                int kept = 0;
                for (int f = 0; f < fields.Length; f++)
                {
                    if (f + 1 < fields.Length && KeyIdOf(fields[f + 1]) == KeyIdOf(fields[f]))
                    {
                        continue;
                    }
                    fields[kept++] = fields[f];
                }
                dropped |= kept != fields.Length;
                used = start + kept;
            }
            node.ChildStart = start;
            node.ChildCount = used - start;
        }
        return dropped;
    }

    private void ComputeSizes()
    {
        for (int i = _nodeCount - 1; i >= 0; i--)
        {
            ref Node node = ref _nodes[i];
            if (node.Kind == NodeScalar)
            {
                node.Size = node.ScalarLength;
                continue;
            }
            long dataSize = 0;
            int maxId = 0;
            for (int c = 0; c < node.ChildCount; c++)
            {
                int child = _children[node.ChildStart + c];
                dataSize += _nodes[child].Size;
                if (node.Kind == NodeObject)
                {
                    maxId = Math.Max(maxId, KeyIdOf(child));
                }
            }
            if (dataSize > int.MaxValue / 2)
            {
                ThrowHelper.Throw(ErrorKind.OutOfRange, "a variant value is larger than 1 GiB");
            }
            int count = node.ChildCount;
            int offsetSize = VariantEncoding.ByteWidth((uint)dataSize);
            int idSize = node.Kind == NodeObject ? VariantEncoding.ByteWidth((uint)maxId) : 0;
            node.OffsetSize = (byte)offsetSize;
            node.IdSize = (byte)idSize;
            node.Size = 1 + (count > byte.MaxValue ? 4 : 1) + count * idSize + (count + 1) * offsetSize + (int)dataSize;
        }
    }

    private void WriteMetadata(int dictionarySize)
    {
        int stringsLength = 0;
        for (int i = 0; i < _sortedCount; i++)
        {
            if (IsFirstOfKey(i))
            {
                stringsLength += _keyLength[_sortedKeys[i]];
            }
        }
        int offsetSize = VariantEncoding.ByteWidth((uint)Math.Max(stringsLength, dictionarySize));
        int length = 1 + offsetSize * (dictionarySize + 2) + stringsLength;
        if (_metadata.Length < length)
        {
            _metadata = new byte[Math.Max(length, _metadata.Length * 2)];
        }
        Span<byte> output = _metadata;
        output[0] = (byte)(VariantEncoding.MetadataVersion | VariantEncoding.MetadataSortedStrings | ((offsetSize - 1) << 6));
        VariantEncoding.WriteUnsigned(output[1..], (uint)dictionarySize, offsetSize);
        int offsetPosition = 1 + offsetSize;
        int stringPosition = offsetPosition + (dictionarySize + 1) * offsetSize;
        int stringOffset = 0;
        for (int i = 0; i < _sortedCount; i++)
        {
            if (!IsFirstOfKey(i))
            {
                continue;
            }
            VariantEncoding.WriteUnsigned(output[offsetPosition..], (uint)stringOffset, offsetSize);
            offsetPosition += offsetSize;
            ReadOnlySpan<byte> key = KeyBytes(_sortedKeys[i]);
            key.CopyTo(output[(stringPosition + stringOffset)..]);
            stringOffset += key.Length;
        }
        VariantEncoding.WriteUnsigned(output[offsetPosition..], (uint)stringOffset, offsetSize);
        _metadataLength = stringPosition + stringOffset;
    }

    private bool IsFirstOfKey(int sortedIndex) =>
        sortedIndex == 0 || _keyId[_sortedKeys[sortedIndex]] != _keyId[_sortedKeys[sortedIndex - 1]];

    /// <summary>
    /// Writes node <paramref name="index"/> (sized by ComputeSizes) at <paramref name="position"/> of
    /// <paramref name="destination"/>, and moves the position past it.
    /// </summary>
    private void WriteNode(int index, Span<byte> destination, ref int position)
    {
        ref Node node = ref _nodes[index];
        if (node.Kind == NodeScalar)
        {
            _scalars.AsSpan(node.ScalarStart, node.ScalarLength).CopyTo(destination[position..]);
            position += node.ScalarLength;
            return;
        }
        bool isObject = node.Kind == NodeObject;
        int count = node.ChildCount;
        int offsetSize = node.OffsetSize;
        int idSize = node.IdSize;
        bool isLarge = count > byte.MaxValue;
        int valueHeader = isObject
            ? (offsetSize - 1) | ((idSize - 1) << 2) | (isLarge ? 1 << 4 : 0)
            : (offsetSize - 1) | (isLarge ? 1 << 2 : 0);
        Span<byte> output = destination[position..];
        output[0] = (byte)((valueHeader << 2) | (isObject ? VariantEncoding.BasicObject : VariantEncoding.BasicArray));
        int header = 1;
        if (isLarge)
        {
            BinaryPrimitives.WriteInt32LittleEndian(output[1..], count);
            header += 4;
        }
        else
        {
            output[1] = (byte)count;
            header += 1;
        }
        if (isObject)
        {
            for (int c = 0; c < count; c++)
            {
                VariantEncoding.WriteUnsigned(output[header..], (uint)KeyIdOf(_children[node.ChildStart + c]), idSize);
                header += idSize;
            }
        }
        int offset = 0;
        for (int c = 0; c < count; c++)
        {
            VariantEncoding.WriteUnsigned(output[header..], (uint)offset, offsetSize);
            header += offsetSize;
            offset += _nodes[_children[node.ChildStart + c]].Size;
        }
        VariantEncoding.WriteUnsigned(output[header..], (uint)offset, offsetSize);
        header += offsetSize;
        position += header;
        for (int c = 0; c < count; c++)
        {
            WriteNode(_children[node.ChildStart + c], destination, ref position);
        }
    }

    private ReadOnlySpan<byte> EncodeUtf8(ReadOnlySpan<char> text)
    {
        int maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_utf8Scratch.Length < maxBytes)
        {
            _utf8Scratch = new byte[Math.Max(maxBytes, _utf8Scratch.Length * 2)];
        }
        return _utf8Scratch.AsSpan(0, Encoding.UTF8.GetBytes(text, _utf8Scratch));
    }

    private int KeyIdOf(int node) => _keyId[_nodes[node].KeyOccurrence];

    private ReadOnlySpan<byte> KeyBytes(int occurrence) => _keyHeap.AsSpan(_keyStart[occurrence], _keyLength[occurrence]);

    private Span<byte> AddPrimitive(byte primitiveId, int payloadLength)
    {
        Span<byte> destination = AddScalar(1 + payloadLength);
        destination[0] = VariantEncoding.PrimitiveHeader(primitiveId);
        return destination[1..];
    }

    private Span<byte> AddScalar(int length)
    {
        EnsureScalars(length);
        ref Node node = ref AddNode(NodeScalar);
        node.ScalarStart = _scalarLength;
        node.ScalarLength = length;
        node.End = _nodeCount;
        Span<byte> destination = _scalars.AsSpan(_scalarLength, length);
        _scalarLength += length;
        return destination;
    }

    private ref Node AddNode(byte kind)
    {
        int key = -1;
        if (_depth > 0 && _nodes[_stack[_depth - 1]].Kind == NodeObject)
        {
            if (_pendingKey < 0)
            {
                ThrowHelper.ThrowInternal("a value inside a variant object needs a key first");
            }
            key = _pendingKey;
            _pendingKey = -1;
        }
        else if (_depth == 0 && _nodeCount > 0)
        {
            ThrowHelper.ThrowInternal("a variant has exactly one top-level value; call Reset first");
        }
        if (_nodeCount == _nodes.Length)
        {
            Array.Resize(ref _nodes, _nodeCount * 2);
        }
        // Not cleared: ChildStart and ChildCount must survive for a row that repeats the remembered layout, and every
        // other field is set before it is read (scalar ranges and extents here and at the close, sizes in Finish).
        ref Node node = ref _nodes[_nodeCount++];
        node.Kind = kind;
        node.KeyOccurrence = key;
        node.End = 0;
        return ref node;
    }

    private void OpenContainer(byte kind)
    {
        int index = _nodeCount;
        AddNode(kind);
        if (_depth == _stack.Length)
        {
            Array.Resize(ref _stack, _depth * 2);
        }
        _stack[_depth++] = index;
    }

    private void CloseContainer(byte kind)
    {
        if (_depth == 0 || _nodes[_stack[_depth - 1]].Kind != kind || _pendingKey >= 0)
        {
            ThrowHelper.ThrowInternal(kind == NodeObject ? "EndObject without a matching StartObject (or after a dangling key)" : "EndArray without a matching StartArray");
        }
        _nodes[_stack[--_depth]].End = _nodeCount;
    }

    private void EnsureScalars(int extra)
    {
        if (_scalarLength + extra > _scalars.Length)
        {
            Array.Resize(ref _scalars, Math.Max(_scalars.Length * 2, _scalarLength + extra));
        }
    }

    /// <summary>
    /// Insertion sort for the usual handful of keys, heapsort beyond. Span.Sort would wrap the comparer in a delegate
    /// (an allocation per call); both comparers break ties by index, so stability does not matter.
    /// </summary>
    private static void SortIndexes<TComparer>(Span<int> items, TComparer comparer) where TComparer : struct, IComparer<int>
    {
        if (items.Length <= 24)
        {
            for (int i = 1; i < items.Length; i++)
            {
                int item = items[i];
                int j = i - 1;
                while (j >= 0 && comparer.Compare(items[j], item) > 0)
                {
                    items[j + 1] = items[j];
                    j--;
                }
                items[j + 1] = item;
            }
            return;
        }
        for (int start = items.Length / 2 - 1; start >= 0; start--)
        {
            SiftDown(items, start, items.Length, comparer);
        }
        for (int end = items.Length - 1; end > 0; end--)
        {
            (items[0], items[end]) = (items[end], items[0]);
            SiftDown(items, 0, end, comparer);
        }
    }

    private static void SiftDown<TComparer>(Span<int> items, int root, int count, TComparer comparer) where TComparer : struct, IComparer<int>
    {
        while (true)
        {
            int child = 2 * root + 1;
            if (child >= count)
            {
                return;
            }
            if (child + 1 < count && comparer.Compare(items[child], items[child + 1]) < 0)
            {
                child++;
            }
            if (comparer.Compare(items[root], items[child]) >= 0)
            {
                return;
            }
            (items[root], items[child]) = (items[child], items[root]);
            root = child;
        }
    }

    private readonly struct KeyComparer(byte[] heap, int[] start, int[] length) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            int order = heap.AsSpan(start[x], length[x]).SequenceCompareTo(heap.AsSpan(start[y], length[y]));
            return order != 0 ? order : x.CompareTo(y);
        }
    }

    private readonly struct FieldComparer(Node[] nodes, int[] keyIds) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            int order = keyIds[nodes[x].KeyOccurrence].CompareTo(keyIds[nodes[y].KeyOccurrence]);
            return order != 0 ? order : x.CompareTo(y);
        }
    }
}
