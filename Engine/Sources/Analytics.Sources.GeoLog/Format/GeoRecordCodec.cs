using System.Buffers.Binary;
using System.Text;

namespace Analytics.Sources.GeoLog.Format;

/// <summary>An update already converted to fixed point (what the writer encodes).</summary>
internal struct FixedUpdate
{
    public long Ts;
    /// <summary>Numeric field bits plus <see cref="GeoFields.DataBit"/> when <see cref="Changes"/> is not empty.</summary>
    public int Mask;
    public FieldValues Values;
    public KeyValuePair<string, GeoValue>[]? Changes;
}

/// <summary>What decoding a record tells besides the new state: the update's own fields and its data changes.</summary>
internal struct DecodedRecord
{
    /// <summary>Numeric field bits and <see cref="GeoFields.DataBit"/> of the update itself.</summary>
    public int Mask;
    public bool Keyframe;
    /// <summary>Position and length of the update's data change list in the decoded span (-1 when none).</summary>
    public int ChangesStart;
    public int ChangesLength;
}

/// <summary>
/// Encodes and decodes one record (see the README's "Record" section). A delta record holds the header varint (the
/// presence mask), the timestamp as a zig-zag delta-of-delta in ms, and per present field the zig-zag difference to the
/// previous fixed-point value; a keyframe holds the whole state. Decoding never throws: it returns false on bytes that
/// cannot be a record, and the caller reports the file and offset.
/// </summary>
internal static class GeoRecordCodec
{
    /// <summary>Applies <paramref name="update"/> to <paramref name="state"/> and appends its record to <paramref name="output"/>.</summary>
    public static void Encode(ByteBuffer output, ref GeoState state, in FixedUpdate update, bool keyframe)
    {
        long previousTs = state.HasUpdate ? state.Ts : update.Ts;
        long interval = update.Ts - previousTs;
        if (keyframe)
        {
            state.Ts = update.Ts;
            state.Interval = interval;
            for (int f = 0; f < GeoFields.Count; f++)
            {
                if ((update.Mask & (1 << f)) != 0)
                {
                    state.Values[f] = update.Values[f];
                }
            }
            state.Known |= update.Mask & GeoFields.NumericMask;
            if (update.Changes is not null)
            {
                state.ApplyData(update.Changes);
            }
            output.WriteVarint((ulong)(update.Mask | GeoFields.KeyframeBit));
            WriteState(output, in state);
            if ((update.Mask & GeoFields.DataBit) != 0)
            {
                WriteChanges(output, update.Changes!);
            }
            return;
        }
        output.WriteVarint((ulong)update.Mask);
        output.WriteSigned(interval - state.Interval);
        state.Interval = interval;
        state.Ts = update.Ts;
        for (int f = 0; f < GeoFields.Count; f++)
        {
            if ((update.Mask & (1 << f)) != 0)
            {
                long previous = (state.Known & (1 << f)) != 0 ? state.Values[f] : 0;
                output.WriteSigned(update.Values[f] - previous);
                state.Values[f] = update.Values[f];
            }
        }
        state.Known |= update.Mask & GeoFields.NumericMask;
        if ((update.Mask & GeoFields.DataBit) != 0)
        {
            WriteChanges(output, update.Changes!);
            state.ApplyData(update.Changes);
        }
    }

    /// <summary>The full state: ts, interval, known mask, known values, the data map (checkpoint entries and keyframes).</summary>
    public static void WriteState(ByteBuffer output, in GeoState state)
    {
        output.WriteVarint((ulong)state.Ts);
        output.WriteSigned(state.Interval);
        output.WriteVarint((ulong)state.Known);
        for (int f = 0; f < GeoFields.Count; f++)
        {
            if ((state.Known & (1 << f)) != 0)
            {
                output.WriteSigned(state.Values[f]);
            }
        }
        WriteChanges(output, state.Data ?? []);
    }

    /// <summary>A count, then per entry the key and a tagged value.</summary>
    public static void WriteChanges(ByteBuffer output, ReadOnlySpan<KeyValuePair<string, GeoValue>> entries)
    {
        output.WriteVarint((ulong)entries.Length);
        foreach (KeyValuePair<string, GeoValue> entry in entries)
        {
            output.WriteString(entry.Key);
            output.WriteByte((byte)entry.Value.Kind);
            switch (entry.Value.Kind)
            {
                case GeoValueKind.Int:
                    output.WriteSigned(entry.Value.AsInt);
                    break;
                case GeoValueKind.Float:
                    output.WriteDouble(entry.Value.AsFloat);
                    break;
                case GeoValueKind.String:
                    output.WriteString(entry.Value.AsString);
                    break;
            }
        }
    }

    /// <summary>Decodes the record at <paramref name="position"/> into <paramref name="state"/>.</summary>
    /// <param name="trackData">Whether to maintain <see cref="GeoState.Data"/> (state queries); scans skip it.</param>
    public static bool TryDecode(ReadOnlySpan<byte> source, ref int position, ref GeoState state, bool trackData, out DecodedRecord record)
    {
        record = default;
        return TryReadHead(source, ref position, in state, out ulong header, out long ts, out long interval)
            && TryApply(source, ref position, ref state, trackData, header, ts, interval, out record);
    }

    /// <summary>
    /// Decodes the record at <paramref name="position"/> into <paramref name="state"/> (with its data) only when its
    /// timestamp is ≤ <paramref name="at"/>; otherwise sets <paramref name="later"/> and leaves both untouched. State
    /// queries stop at the first later record without decoding it, and read its header and timestamp only once.
    /// </summary>
    public static bool TryDecodeNotAfter(ReadOnlySpan<byte> source, ref int position, ref GeoState state, long at, out bool later)
    {
        int next = position;
        if (!TryReadHead(source, ref next, in state, out ulong header, out long ts, out long interval))
        {
            later = false;
            return false;
        }
        later = ts > at;
        if (later)
        {
            return true;
        }
        position = next;
        return TryApply(source, ref position, ref state, trackData: true, header, ts, interval, out _);
    }

    /// <summary>
    /// Reads a record's header and works out its timestamp and interval. A delta record's delta-of-delta is consumed; a
    /// keyframe's timestamp is only peeked (it is the first field of the state that follows the header).
    /// </summary>
    private static bool TryReadHead(ReadOnlySpan<byte> source, ref int position, in GeoState state, out ulong header, out long ts, out long interval)
    {
        ts = 0;
        interval = 0;
        if (!Varint.TryRead(source, ref position, out header) || header > (GeoFields.KeyframeBit | GeoFields.DataBit | GeoFields.NumericMask))
        {
            return false;
        }
        if ((header & GeoFields.KeyframeBit) != 0)
        {
            int peek = position;
            if (!Varint.TryRead(source, ref peek, out ulong value) || value > long.MaxValue)
            {
                return false;
            }
            ts = (long)value;
            return true;
        }
        if (!Varint.TryRead(source, ref position, out ulong dod) || !state.HasUpdate)
        {
            return false;
        }
        interval = state.Interval + Varint.UnZigZag(dod);
        ts = state.Ts + interval;
        return true;
    }

    /// <summary>The rest of a record whose head <see cref="TryReadHead"/> read: the fields (or the state) and the data.</summary>
    private static bool TryApply(ReadOnlySpan<byte> source, ref int position, ref GeoState state, bool trackData, ulong header, long ts, long interval, out DecodedRecord record)
    {
        record = default;
        record.ChangesStart = -1;
        int mask = (int)header & ~GeoFields.KeyframeBit;
        record.Mask = mask;
        record.Keyframe = (header & GeoFields.KeyframeBit) != 0;
        if (record.Keyframe)
        {
            if (!TryReadState(source, ref position, ref state, trackData))
            {
                return false;
            }
        }
        else
        {
            state.Interval = interval;
            state.Ts = ts;
            // Visit only the present fields (set bits, lowest first: the order they were written in).
            int present = mask & GeoFields.NumericMask;
            while (present != 0)
            {
                int f = System.Numerics.BitOperations.TrailingZeroCount(present);
                present &= present - 1;
                if (!Varint.TryRead(source, ref position, out ulong delta))
                {
                    return false;
                }
                long previous = (state.Known & (1 << f)) != 0 ? state.Values[f] : 0;
                state.Values[f] = previous + Varint.UnZigZag(delta);
            }
            state.Known |= mask & GeoFields.NumericMask;
        }
        if ((mask & GeoFields.DataBit) != 0)
        {
            int start = position;
            if (!TrySkipChanges(source, ref position))
            {
                return false;
            }
            record.ChangesStart = start;
            record.ChangesLength = position - start;
            if (trackData && !record.Keyframe)
            {
                state.ApplyData(ChangeListCache.Get(source.Slice(start, position - start)));
            }
        }
        return true;
    }

    /// <summary>Reads a state written by <see cref="WriteState"/>.</summary>
    public static bool TryReadState(ReadOnlySpan<byte> source, ref int position, ref GeoState state, bool trackData)
    {
        if (!Varint.TryRead(source, ref position, out ulong ts) || ts > long.MaxValue
            || !Varint.TryRead(source, ref position, out ulong interval)
            || !Varint.TryRead(source, ref position, out ulong known) || known > GeoFields.NumericMask)
        {
            return false;
        }
        state.Ts = (long)ts;
        state.Interval = Varint.UnZigZag(interval);
        state.Known = (int)known;
        for (int f = 0; f < GeoFields.Count; f++)
        {
            if ((state.Known & (1 << f)) != 0)
            {
                if (!Varint.TryRead(source, ref position, out ulong value))
                {
                    return false;
                }
                state.Values[f] = Varint.UnZigZag(value);
            }
        }
        int start = position;
        if (!TrySkipChanges(source, ref position))
        {
            return false;
        }
        if (trackData)
        {
            // An empty map is one zero byte: skip the array (a checkpoint holds thousands of such states).
            state.Data = position - start == 1 ? null : ChangeListCache.Get(source[start..position]);
        }
        return true;
    }

    /// <summary>Moves past a change list, checking that it is well formed.</summary>
    public static bool TrySkipChanges(ReadOnlySpan<byte> source, ref int position)
    {
        if (!Varint.TryRead(source, ref position, out ulong count) || count > (ulong)source.Length)
        {
            return false;
        }
        for (ulong i = 0; i < count; i++)
        {
            if (!TrySkipString(source, ref position) || position >= source.Length)
            {
                return false;
            }
            byte tag = source[position++];
            switch ((GeoValueKind)tag)
            {
                case GeoValueKind.Remove or GeoValueKind.False or GeoValueKind.True:
                    break;
                case GeoValueKind.Int:
                    if (!Varint.TryRead(source, ref position, out _))
                    {
                        return false;
                    }
                    break;
                case GeoValueKind.Float:
                    position += 8;
                    if (position > source.Length)
                    {
                        return false;
                    }
                    break;
                case GeoValueKind.String:
                    if (!TrySkipString(source, ref position))
                    {
                        return false;
                    }
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    private static bool TrySkipString(ReadOnlySpan<byte> source, ref int position)
    {
        if (!Varint.TryRead(source, ref position, out ulong length) || length > (ulong)(source.Length - position))
        {
            return false;
        }
        position += (int)length;
        return true;
    }

    /// <summary>Reads a change list already checked by <see cref="TrySkipChanges"/>.</summary>
    public static KeyValuePair<string, GeoValue>[] ReadChanges(ReadOnlySpan<byte> list)
    {
        int position = 0;
        Varint.TryRead(list, ref position, out ulong count);
        KeyValuePair<string, GeoValue>[] entries = new KeyValuePair<string, GeoValue>[(int)count];
        for (int i = 0; i < entries.Length; i++)
        {
            string key = ReadString(list, ref position);
            GeoValueKind kind = (GeoValueKind)list[position++];
            GeoValue value = kind switch
            {
                GeoValueKind.False => GeoValue.Boolean(false),
                GeoValueKind.True => GeoValue.Boolean(true),
                GeoValueKind.Int => GeoValue.Int(ReadSigned(list, ref position)),
                GeoValueKind.Float => GeoValue.Float(ReadDouble(list, ref position)),
                GeoValueKind.String => GeoValue.String(ReadString(list, ref position)),
                _ => GeoValue.Remove,
            };
            entries[i] = new(key, value);
        }
        return entries;
    }

    private static long ReadSigned(ReadOnlySpan<byte> list, ref int position)
    {
        Varint.TryRead(list, ref position, out ulong value);
        return Varint.UnZigZag(value);
    }

    private static double ReadDouble(ReadOnlySpan<byte> list, ref int position)
    {
        double value = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(list[position..]));
        position += 8;
        return value;
    }

    public static string ReadString(ReadOnlySpan<byte> source, ref int position)
    {
        Varint.TryRead(source, ref position, out ulong length);
        string value = Encoding.UTF8.GetString(source.Slice(position, (int)length));
        position += (int)length;
        return value;
    }
}
