using System.Runtime.ExceptionServices;
using Analytics.Engine.Execution;
using Analytics.Engine.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators.Aggregation;

/// <summary>
/// A group table with the accumulators of its groups: one merged partition, or one worker's partial aggregate plus
/// the rows it buffered by partition once its table was full (<see cref="PartitionedRows"/>, null when it never was).
/// </summary>
internal readonly record struct AggregatePart(GroupTable Table, Accumulator[] Accumulators, PartitionedRows? Rows = null)
{
    /// <summary>Returns the part's pooled arrays and buffered rows; the part must not be read again (a second release does nothing).</summary>
    public void Release()
    {
        Table.Release();
        foreach (Accumulator accumulator in Accumulators)
        {
            accumulator.Release();
        }
        Rows?.ReleaseAll();
    }
}

/// <summary>
/// Merges the workers' partial aggregates. Many groups are merged by radix partition: every worker's groups are
/// bucketed by the top bits of their key hash (<see cref="GroupTable.PartitionOf"/>), and each partition's groups of
/// all workers go into a table and accumulators of its own, so the partitions merge in parallel on the query's
/// threads and each partition's table is a small fraction of the whole (its probes stay in cache). Few groups (or one
/// thread) merge serially into the first worker's table, which is then the only part. Rows a worker buffered by
/// partition are aggregated into their partition's table after the workers' groups. The merge's working arrays are
/// rented from <see cref="WorkingArrayPool{T}"/> and returned when it is done with them; the workers' parts stay the
/// caller's to release, and so do the merged parts.
/// </summary>
internal static class GroupMerge
{
    /// <summary>Fewer groups than this in all and the merge is serial: partitioning would cost more than it saves.</summary>
    public const int MinGroupsToPartition = 1 << 15;

    /// <summary>64 partitions: enough to balance two to a few dozen threads, few enough for the partition pass to stay cheap.</summary>
    public const int PartitionBits = 6;

    public const int Partitions = 1 << PartitionBits;

    /// <summary>
    /// The merged groups as parts whose groups are disjoint (their concatenation is every group once); none for a keyed
    /// aggregate without rows.
    /// </summary>
    public static AggregatePart[] Merge(PhysicalHashAggregate aggregate, List<AggregatePart> workers, int threads,
        CancellationToken cancellationToken)
    {
        List<AggregatePart> inputs = [];
        long total = 0;
        bool buffered = false;
        foreach (AggregatePart worker in workers)
        {
            if (worker.Table.GroupCount > 0)
            {
                inputs.Add(worker);
                total += worker.Table.GroupCount;
                buffered |= worker.Rows is not null;
            }
        }
        if (inputs.Count == 0)
        {
            // A keyed aggregate over no rows: no groups.
            return [];
        }
        if (!buffered && (inputs.Count == 1 || aggregate.Groups.IsEmpty || threads <= 1 || total < MinGroupsToPartition))
        {
            return [MergeSerially(aggregate, inputs)];
        }
        return new PartitionedMerge(aggregate, inputs).Run(threads, cancellationToken);
    }

    /// <summary>The other workers' groups folded into the first worker's table and accumulators.</summary>
    private static AggregatePart MergeSerially(PhysicalHashAggregate aggregate, List<AggregatePart> inputs)
    {
        AggregatePart result = inputs[0];
        for (int w = 1; w < inputs.Count; w++)
        {
            AggregatePart worker = inputs[w];
            int groups = worker.Table.GroupCount;
            // Rented arrays may be longer than asked: only their first `groups` entries are passed on.
            int[] otherGroups = WorkingArrayPool<int>.Shared.Rent(groups);
            int[] targets = WorkingArrayPool<int>.Shared.Rent(groups);
            // At most every incoming group is new: one rehash up front instead of one per doubling.
            result.Table.Reserve(result.Table.GroupCount + groups);
            for (int g = 0; g < groups; g++)
            {
                otherGroups[g] = g;
                targets[g] = aggregate.Groups.IsEmpty ? 0 : result.Table.FindOrAddGroup(worker.Table, g);
            }
            MergeAccumulators(result.Accumulators, result.Table.GroupCount, worker.Accumulators, otherGroups.AsSpan(0, groups), targets.AsSpan(0, groups));
            WorkingArrayPool<int>.Return(ref otherGroups);
            WorkingArrayPool<int>.Return(ref targets);
        }
        return result;
    }

    private static void MergeAccumulators(Accumulator[] into, int groups, Accumulator[] from, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        for (int i = 0; i < into.Length; i++)
        {
            into[i].EnsureCapacity(groups);
            into[i].Merge(from[i], otherGroups, targets);
        }
    }

    /// <summary>
    /// A counting sort of the table's group ids by partition (ascending ids within a partition), and where each
    /// partition starts in that order (partitions + 1 entries). The order is rented from <see cref="WorkingArrayPool{T}"/>
    /// (longer than the group count; read it through the starts) for the caller to return.
    /// </summary>
    public static (int[] Order, int[] Starts) Bucket(GroupTable table)
    {
        int groups = table.GroupCount;
        int[] partitions = WorkingArrayPool<int>.Shared.Rent(groups);
        int[] starts = new int[Partitions + 1];
        for (int g = 0; g < groups; g++)
        {
            int partition = table.PartitionOf(g, PartitionBits);
            partitions[g] = partition;
            starts[partition + 1]++;
        }
        for (int p = 0; p < Partitions; p++)
        {
            starts[p + 1] += starts[p];
        }
        int[] order = WorkingArrayPool<int>.Shared.Rent(groups);
        int[] next = starts[..Partitions];
        for (int g = 0; g < groups; g++)
        {
            order[next[partitions[g]]++] = g;
        }
        WorkingArrayPool<int>.Return(ref partitions);
        return (order, starts);
    }

    /// <summary>Returns the orders <see cref="Bucket"/> rented (one per worker) once the partitions are merged.</summary>
    public static void ReturnOrders(int[][] orders)
    {
        for (int w = 0; w < orders.Length; w++)
        {
            WorkingArrayPool<int>.Return(ref orders[w]);
        }
    }

    /// <summary>
    /// Runs <paramref name="merge"/> once for every partition on up to <paramref name="threads"/> threads (this one and
    /// engine helpers), each claiming the next partition when it is done; returns once every helper has ended. A failed
    /// merge stops the other threads from claiming more partitions and is rethrown as it was (this thread's first, else
    /// the first helper's): when two partitions fail at once the query still reports one error of its own kind, not an
    /// aggregate of them.
    /// </summary>
    public static void ForEachPartition(int threads, Action<int> merge, CancellationToken cancellationToken)
    {
        int nextPartition = -1;
        void MergePartitions()
        {
            try
            {
                int partition;
                while ((partition = Interlocked.Increment(ref nextPartition)) < Partitions)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    merge(partition);
                }
            }
            catch
            {
                Volatile.Write(ref nextPartition, Partitions);
                throw;
            }
        }
        Task[] helpers = new Task[Math.Min(threads, Partitions) - 1];
        for (int i = 0; i < helpers.Length; i++)
        {
            helpers[i] = EngineThreads.Shared.Run(MergePartitions);
        }
        Exception? failure = null;
        try
        {
            MergePartitions();
        }
        catch (Exception e)
        {
            failure = e;
        }
        try
        {
            // Every helper ends before the workers' states are released, even when this thread failed.
            Task.WaitAll(helpers, CancellationToken.None);
        }
        catch (AggregateException e)
        {
            failure ??= e.InnerExceptions[0];
        }
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>One radix-partitioned merge: the workers' groups bucketed by partition, then partitions claimed by the threads one at a time.</summary>
    private sealed class PartitionedMerge
    {
        private readonly PhysicalHashAggregate _aggregate;
        private readonly List<AggregatePart> _inputs;
        private readonly int[] _argumentCounts;
        private readonly int _maxArguments;
        /// <summary>Per worker: its group ids ordered by partition, and where each partition starts in that order (Partitions + 1 entries).</summary>
        private readonly int[][] _order;
        private readonly int[][] _starts;
        private readonly AggregatePart[] _parts = new AggregatePart[Partitions];

        public PartitionedMerge(PhysicalHashAggregate aggregate, List<AggregatePart> inputs)
        {
            _aggregate = aggregate;
            _inputs = inputs;
            _argumentCounts = aggregate.ArgumentCounts(inputs[0].Accumulators);
            foreach (int count in _argumentCounts)
            {
                _maxArguments = Math.Max(_maxArguments, count);
            }
            _order = new int[inputs.Count][];
            _starts = new int[inputs.Count][];
            for (int w = 0; w < inputs.Count; w++)
            {
                (_order[w], _starts[w]) = Bucket(inputs[w].Table);
            }
        }

        public AggregatePart[] Run(int threads, CancellationToken cancellationToken)
        {
            try
            {
                ForEachPartition(threads, partition => _parts[partition] = MergePartition(partition), cancellationToken);
            }
            catch
            {
                // Cancelled or failed: the partitions merged so far are released here (nobody else sees them); a
                // partition that was being merged when the error came drops its arrays to the GC.
                foreach (AggregatePart part in _parts)
                {
                    if (part.Table is not null)
                    {
                        part.Release();
                    }
                }
                throw;
            }
            finally
            {
                ReturnOrders(_order);
            }
            return _parts;
        }

        private AggregatePart MergePartition(int partition)
        {
            int size = 0;
            int largest = 0;
            for (int w = 0; w < _inputs.Count; w++)
            {
                int count = _starts[w][partition + 1] - _starts[w][partition];
                size += count;
                largest = Math.Max(largest, count);
            }
            GroupTable table = new(_aggregate.KeyTypes());
            table.Reserve(size);
            Accumulator[] accumulators = _aggregate.CreateAccumulators();
            foreach (Accumulator accumulator in accumulators)
            {
                // Sized once for the workers' groups, as the table is: no copy per doubling.
                accumulator.EnsureCapacity(size);
            }
            int[] targets = WorkingArrayPool<int>.Shared.Rent(largest);
            for (int w = 0; w < _inputs.Count; w++)
            {
                AggregatePart worker = _inputs[w];
                ReadOnlySpan<int> groups = _order[w].AsSpan(_starts[w][partition], _starts[w][partition + 1] - _starts[w][partition]);
                for (int i = 0; i < groups.Length; i++)
                {
                    targets[i] = table.FindOrAddGroup(worker.Table, groups[i]);
                }
                MergeAccumulators(accumulators, table.GroupCount, worker.Accumulators, groups, targets.AsSpan(0, groups.Length));
            }
            WorkingArrayPool<int>.Return(ref targets);
            foreach (AggregatePart worker in _inputs)
            {
                if (worker.Rows is not null)
                {
                    AggregateRows(worker.Rows, partition, table, accumulators);
                }
            }
            return new AggregatePart(table, accumulators);
        }

        /// <summary>Runs a worker's buffered rows of <paramref name="partition"/> (keys, then arguments) into the partition's table.</summary>
        private void AggregateRows(PartitionedRows rows, int partition, GroupTable table, Accumulator[] accumulators)
        {
            int keyCount = _aggregate.Groups.Length;
            ColumnVector[] keys = new ColumnVector[keyCount];
            ColumnVector?[] inputs = new ColumnVector?[_maxArguments];
            int[] groupIds = WorkingArrayPool<int>.Shared.Rent(Batch.Capacity);
            foreach (Batch batch in rows.Of(partition))
            {
                int count = batch.Count;
                Array.Copy(batch.Columns, keys, keyCount);
                table.FindOrAdd(keys, count, default, groupIds);
                int column = keyCount;
                for (int i = 0; i < accumulators.Length; i++)
                {
                    int arguments = _argumentCounts[i];
                    for (int a = 0; a < arguments; a++)
                    {
                        inputs[a] = batch.Columns[column++];
                    }
                    accumulators[i].EnsureCapacity(table.GroupCount);
                    accumulators[i].Update(inputs.AsSpan(0, arguments), groupIds.AsSpan(0, count), count, default);
                }
            }
            WorkingArrayPool<int>.Return(ref groupIds);
            rows.Release(partition);
        }
    }
}
