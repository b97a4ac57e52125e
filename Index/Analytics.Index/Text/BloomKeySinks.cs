using Analytics.Index.Bloom;

namespace Analytics.Index.Text;

/// <summary>Inserts every key into a filter (building a block's index).</summary>
public struct BloomInsertSink(SplitBlockBloomFilter filter) : ITextKeySink
{
    public readonly void Add(ulong hash) => filter.Insert(hash);
}
