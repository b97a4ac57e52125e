using System.Buffers.Binary;
using Analytics.Sources.Cassandra.Data;
using Xunit;

namespace Analytics.Sources.Cassandra.Tests;

/// <summary>Counter contexts merged across sstables as Cassandra's CounterContext.merge does.</summary>
public sealed class CounterContextTests
{
    private enum Kind { Remote, Global, Local }

    /// <summary>A context of shards (id byte, kind, clock, count), ids ascending; header entries in shard order.</summary>
    private static byte[] Context(params (byte Id, Kind Kind, long Clock, long Count)[] shards)
    {
        int headers = shards.Count(s => s.Kind != Kind.Remote);
        byte[] context = new byte[2 + (headers * 2) + (shards.Length * 32)];
        BinaryPrimitives.WriteInt16BigEndian(context, (short)headers);
        int header = 2;
        int shard = 2 + (headers * 2);
        for (int i = 0; i < shards.Length; i++)
        {
            if (shards[i].Kind != Kind.Remote)
            {
                BinaryPrimitives.WriteInt16BigEndian(context.AsSpan(header), (short)(shards[i].Kind == Kind.Global ? i + short.MinValue : i));
                header += 2;
            }
            context[shard + 15] = shards[i].Id;
            BinaryPrimitives.WriteInt64BigEndian(context.AsSpan(shard + 16), shards[i].Clock);
            BinaryPrimitives.WriteInt64BigEndian(context.AsSpan(shard + 24), shards[i].Count);
            shard += 32;
        }
        return context;
    }

    [Fact]
    public void The_fixture_context_is_one_global_shard()
    {
        byte[] fixture = Convert.FromHexString("00018000cd74f90bb0874b6587439eb06642c42d00000000000000010000000000000001");
        Assert.Equal(1, CounterContext.Total(fixture));
        // The same shard in two sstables (a copied generation) is one increment, not two.
        Assert.Equal(fixture, CounterContext.Merge(fixture, fixture));
    }

    [Fact]
    public void Global_shards_keep_the_highest_clock_and_beat_other_kinds()
    {
        byte[] older = Context((1, Kind.Global, 3, 10));
        byte[] newer = Context((1, Kind.Global, 5, 7));
        Assert.Equal(newer, CounterContext.Merge(older, newer));
        Assert.Equal(newer, CounterContext.Merge(newer, older));
        // Equal clocks (a lost sstable healed): the higher count, deterministically.
        Assert.Equal(Context((1, Kind.Global, 5, 9)), CounterContext.Merge(Context((1, Kind.Global, 5, 9)), newer));
        // A global shard wins over a local or remote shard of the same id whatever the clocks.
        Assert.Equal(older, CounterContext.Merge(Context((1, Kind.Local, 90, 100)), older));
        Assert.Equal(older, CounterContext.Merge(older, Context((1, Kind.Remote, 90, 100))));
    }

    [Fact]
    public void Local_shards_of_one_id_add_up_and_beat_remote_ones()
    {
        byte[] merged = CounterContext.Merge(Context((2, Kind.Local, 1, 4)), Context((2, Kind.Local, 2, -1)));
        Assert.Equal(Context((2, Kind.Local, 3, 3)), merged);
        Assert.Equal(3, CounterContext.Total(merged));
        Assert.Equal(Context((2, Kind.Local, 1, 4)), CounterContext.Merge(Context((2, Kind.Remote, 7, 50)), Context((2, Kind.Local, 1, 4))));
    }

    [Fact]
    public void Remote_shards_keep_the_higher_clock_and_an_invalidated_negative_clock_wins()
    {
        Assert.Equal(Context((3, Kind.Remote, 8, 2)), CounterContext.Merge(Context((3, Kind.Remote, 4, 6)), Context((3, Kind.Remote, 8, 2))));
        Assert.Equal(Context((3, Kind.Remote, 4, 6)), CounterContext.Merge(Context((3, Kind.Remote, 4, 6)), Context((3, Kind.Remote, 4, 5))));
        Assert.Equal(Context((3, Kind.Remote, -9, 0)), CounterContext.Merge(Context((3, Kind.Remote, 4, 6)), Context((3, Kind.Remote, -9, 0))));
        Assert.Equal(Context((3, Kind.Remote, -9, 0)), CounterContext.Merge(Context((3, Kind.Remote, -9, 0)), Context((3, Kind.Remote, 4, 6))));
    }

    [Fact]
    public void Shards_of_different_ids_are_kept_in_id_order_and_their_counts_sum()
    {
        byte[] left = Context((1, Kind.Global, 2, 10), (4, Kind.Remote, 3, 5));
        byte[] right = Context((2, Kind.Local, 1, 7), (4, Kind.Remote, 6, 1), (9, Kind.Global, 1, 100));
        byte[] merged = CounterContext.Merge(left, right);
        Assert.Equal(Context((1, Kind.Global, 2, 10), (2, Kind.Local, 1, 7), (4, Kind.Remote, 6, 1), (9, Kind.Global, 1, 100)), merged);
        Assert.Equal(118, CounterContext.Total(merged));
        // Merging is associative over three generations, whatever the order.
        byte[] third = Context((2, Kind.Local, 1, 1));
        Assert.Equal(CounterContext.Merge(CounterContext.Merge(left, right), third), CounterContext.Merge(left, CounterContext.Merge(third, right)));
        Assert.Equal(119, CounterContext.Total(CounterContext.Merge(merged, third)));
    }

    [Fact]
    public void Malformed_contexts_are_format_errors()
    {
        Assert.Equal("a counter context is shorter than its header", Assert.Throws<FormatException>(() => CounterContext.Total([0])).Message);
        Assert.Equal("a counter context of 33 bytes does not hold 0 header entries and whole 32-byte shards",
            Assert.Throws<FormatException>(() => CounterContext.Total(new byte[33])).Message);
        byte[] unsorted = Context((5, Kind.Remote, 1, 1), (2, Kind.Remote, 1, 1));
        Assert.Equal("the shards of a counter context are not in ascending counter id order",
            Assert.Throws<FormatException>(() => CounterContext.Merge(unsorted, unsorted)).Message);
        byte[] badHeader = Context((1, Kind.Local, 1, 1));
        BinaryPrimitives.WriteInt16BigEndian(badHeader.AsSpan(2), 3);
        Assert.Equal("a counter context header names shard 3 of 1", Assert.Throws<FormatException>(() => CounterContext.Merge(badHeader, badHeader)).Message);
    }
}
