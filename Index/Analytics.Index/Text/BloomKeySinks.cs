using Analytics.Index.Bloom;

namespace Analytics.Index.Text;

/// <summary>Inserts every key into a filter (building a block's index).</summary>
public struct BloomInsertSink(SplitBlockBloomFilter filter) : ITextKeySink
{
    public readonly void Add(ulong hash) => filter.Insert(hash);
}

/// <summary>Probes every key; <see cref="AllPresent"/> stays true only while each may be in the filter (pruning a block needs one that is not).</summary>
public struct BloomProbeSink(SplitBlockBloomFilter filter) : ITextKeySink
{
    public bool AllPresent { get; private set; } = true;

    public void Add(ulong hash)
    {
        if (AllPresent && !filter.MayContain(hash))
        {
            AllPresent = false;
        }
    }
}
