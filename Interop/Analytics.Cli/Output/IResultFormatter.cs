using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Cli.Output;

/// <summary>Writes one result set as its batches arrive; nothing holds the whole result.</summary>
internal interface IResultFormatter
{
    void Begin(BatchSchema schema);

    void WriteBatch(Batch batch);

    void End();
}
