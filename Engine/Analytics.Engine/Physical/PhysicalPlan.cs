using System.Text;
using Analytics.Vector.Types;

namespace Analytics.Engine.Physical;

/// <summary>The pipelines of a statement, in execution order; the last one feeds the result.</summary>
public sealed class PhysicalPlan(IReadOnlyList<Pipeline> pipelines, BatchSchema schema)
{
    public IReadOnlyList<Pipeline> Pipelines { get; } = pipelines;

    /// <summary>The result's schema (before the result sink is attached).</summary>
    public BatchSchema Schema { get; } = schema;

    /// <summary>EXPLAIN text: one block per pipeline, source first.</summary>
    /// <summary>The pipelines as text; with a profile (EXPLAIN ANALYZE) each operator carries its counters.</summary>
    public string Describe(QueryProfile? profile = null)
    {
        StringBuilder builder = new();
        for (int i = 0; i < Pipelines.Count; i++)
        {
            Pipeline pipeline = Pipelines[i];
            builder.Append("Pipeline ").Append(i + 1).Append(pipeline.IsParallel ? " (parallel)" : " (single thread)").Append('\n');
            builder.Append("  ").Append(pipeline.Source.Describe()).Append(profile?.Annotate(pipeline.Source)).Append('\n');
            foreach (PhysicalStreamOperator op in pipeline.Operators)
            {
                builder.Append("  ").Append(op.Describe()).Append(profile?.Annotate(op)).Append('\n');
            }
            builder.Append("  ").Append(pipeline.Sink.Describe()).Append(profile?.Annotate(pipeline.Sink));
            if (i + 1 < Pipelines.Count)
            {
                builder.Append('\n');
            }
        }
        return builder.ToString();
    }
}
