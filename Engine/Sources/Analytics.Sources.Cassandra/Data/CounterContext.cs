using System.Buffers.Binary;

namespace Analytics.Sources.Cassandra.Data;

/// <summary>
/// A counter cell's value: Cassandra's counter context (CounterContext). An int16 header count N, N int16 header
/// entries naming the special shards (a negative entry e: the shard at index e − Int16.MinValue is <em>global</em>; a
/// non-negative entry: the shard at that index is <em>local</em>), then 32-byte shards sorted by counter id: 16-byte
/// counter id, int64 clock, int64 count. Shards without a header entry are <em>remote</em>. The counter's value is the
/// sum of the shard counts. Contexts of one cell from several sstables merge shard by shard as Cassandra merges them.
/// </summary>
internal static class CounterContext
{
    public const int IdLength = 16;
    public const int ShardLength = IdLength + 8 + 8;

    private enum ShardKind : byte { Remote, Global, Local }

    /// <summary>The counter's value: the sum of its shards' counts.</summary>
    public static long Total(ReadOnlySpan<byte> context)
    {
        int start = ShardsStart(context);
        long total = 0;
        for (int offset = start; offset < context.Length; offset += ShardLength)
        {
            total += BinaryPrimitives.ReadInt64BigEndian(context[(offset + IdLength + 8)..]);
        }
        return total;
    }

    /// <summary>
    /// CounterContext.merge: shards of the same counter id reconcile (a global shard beats the others and the higher
    /// clock wins between global shards; two local shards add clocks and counts; between remote shards the higher
    /// clock wins, a negative clock meaning an invalidated shard); shards of other ids are kept. The result is a
    /// well-formed context (ids ascending, header entries for its global and local shards).
    /// </summary>
    public static byte[] Merge(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        ShardKind[] leftKinds = Kinds(left, out int leftStart);
        ShardKind[] rightKinds = Kinds(right, out int rightStart);
        int maxShards = leftKinds.Length + rightKinds.Length;
        byte[] shards = new byte[maxShards * ShardLength];
        ShardKind[] kinds = new ShardKind[maxShards];
        int count = 0;
        int l = 0;
        int r = 0;
        while (l < leftKinds.Length || r < rightKinds.Length)
        {
            ReadOnlySpan<byte> leftShard = l < leftKinds.Length ? left.Slice(leftStart + (l * ShardLength), ShardLength) : default;
            ReadOnlySpan<byte> rightShard = r < rightKinds.Length ? right.Slice(rightStart + (r * ShardLength), ShardLength) : default;
            int order = l == leftKinds.Length ? 1 : r == rightKinds.Length ? -1
                : leftShard[..IdLength].SequenceCompareTo(rightShard[..IdLength]);
            Span<byte> output = shards.AsSpan(count * ShardLength, ShardLength);
            if (order < 0)
            {
                leftShard.CopyTo(output);
                kinds[count++] = leftKinds[l++];
            }
            else if (order > 0)
            {
                rightShard.CopyTo(output);
                kinds[count++] = rightKinds[r++];
            }
            else
            {
                kinds[count++] = Reconcile(leftShard, leftKinds[l++], rightShard, rightKinds[r++], output);
            }
        }
        int headers = 0;
        for (int i = 0; i < count; i++)
        {
            headers += kinds[i] == ShardKind.Remote ? 0 : 1;
        }
        byte[] merged = new byte[2 + (headers * 2) + (count * ShardLength)];
        BinaryPrimitives.WriteInt16BigEndian(merged, (short)headers);
        int header = 2;
        for (int i = 0; i < count; i++)
        {
            if (kinds[i] != ShardKind.Remote)
            {
                BinaryPrimitives.WriteInt16BigEndian(merged.AsSpan(header), (short)(kinds[i] == ShardKind.Global ? i + short.MinValue : i));
                header += 2;
            }
        }
        shards.AsSpan(0, count * ShardLength).CopyTo(merged.AsSpan(header));
        return merged;
    }

    /// <summary>Two shards of one counter id into <paramref name="output"/>; returns the kind of the result.</summary>
    private static ShardKind Reconcile(ReadOnlySpan<byte> left, ShardKind leftKind, ReadOnlySpan<byte> right, ShardKind rightKind, Span<byte> output)
    {
        long leftClock = BinaryPrimitives.ReadInt64BigEndian(left[IdLength..]);
        long rightClock = BinaryPrimitives.ReadInt64BigEndian(right[IdLength..]);
        long leftCount = BinaryPrimitives.ReadInt64BigEndian(left[(IdLength + 8)..]);
        long rightCount = BinaryPrimitives.ReadInt64BigEndian(right[(IdLength + 8)..]);
        bool keepLeft;
        if (leftKind == ShardKind.Global || rightKind == ShardKind.Global)
        {
            keepLeft = leftKind == ShardKind.Global && rightKind == ShardKind.Global
                ? leftClock != rightClock ? leftClock > rightClock : leftCount >= rightCount
                : leftKind == ShardKind.Global;
        }
        else if (leftKind == ShardKind.Local && rightKind == ShardKind.Local)
        {
            // Two local shards hold increments not yet summed: both count.
            left[..IdLength].CopyTo(output);
            BinaryPrimitives.WriteInt64BigEndian(output[IdLength..], leftClock + rightClock);
            BinaryPrimitives.WriteInt64BigEndian(output[(IdLength + 8)..], leftCount + rightCount);
            return ShardKind.Local;
        }
        else if (leftKind == ShardKind.Local || rightKind == ShardKind.Local)
        {
            keepLeft = leftKind == ShardKind.Local;
        }
        else if (leftClock == rightClock)
        {
            keepLeft = leftCount >= rightCount;
        }
        else
        {
            keepLeft = (leftClock >= 0 && rightClock > 0 && leftClock >= rightClock) || (leftClock < 0 && (rightClock > 0 || leftClock < rightClock));
        }
        (keepLeft ? left : right).CopyTo(output);
        return keepLeft ? leftKind : rightKind;
    }

    /// <summary>The kind of every shard (from the header) and where the shards start.</summary>
    private static ShardKind[] Kinds(ReadOnlySpan<byte> context, out int shardsStart)
    {
        shardsStart = ShardsStart(context);
        ShardKind[] kinds = new ShardKind[(context.Length - shardsStart) / ShardLength];
        for (int offset = 2; offset < shardsStart; offset += 2)
        {
            short entry = BinaryPrimitives.ReadInt16BigEndian(context[offset..]);
            int index = entry < 0 ? entry - short.MinValue : entry;
            if (index >= kinds.Length)
            {
                throw new FormatException($"a counter context header names shard {index} of {kinds.Length}");
            }
            kinds[index] = entry < 0 ? ShardKind.Global : ShardKind.Local;
        }
        for (int i = 1; i < kinds.Length; i++)
        {
            int previous = shardsStart + ((i - 1) * ShardLength);
            if (context.Slice(previous, IdLength).SequenceCompareTo(context.Slice(previous + ShardLength, IdLength)) >= 0)
            {
                throw new FormatException("the shards of a counter context are not in ascending counter id order");
            }
        }
        return kinds;
    }

    private static int ShardsStart(ReadOnlySpan<byte> context)
    {
        if (context.Length < 2)
        {
            throw new FormatException("a counter context is shorter than its header");
        }
        int headers = Math.Abs((int)BinaryPrimitives.ReadInt16BigEndian(context));
        int start = 2 + (headers * 2);
        if (start > context.Length || (context.Length - start) % ShardLength != 0)
        {
            throw new FormatException($"a counter context of {context.Length} bytes does not hold {headers} header entries and whole 32-byte shards");
        }
        return start;
    }
}
