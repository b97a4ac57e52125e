using System.Globalization;
using Analytics.Engine.Execution;
using Analytics.Engine.Physical;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Operators;

/// <summary>
/// SAMPLE p PERCENT: narrows each batch's selection to the rows a Bernoulli trial keeps (probability p / 100, each row
/// independently). Every worker draws from its own generator, so sampling needs no lock; rows are never copied.
/// </summary>
public sealed class PhysicalSample(double percent, BatchSchema schema) : PhysicalStreamOperator
{
    public double Percent { get; } = percent;
    public override BatchSchema Schema { get; } = schema;

    public override string Describe() => $"Sample {Percent.ToString(CultureInfo.InvariantCulture)} PERCENT";

    public override OperatorState CreateState(object? globalState, QueryContext context, PipelineControl control) =>
        new State(Percent / 100.0);

    private sealed class State(double probability) : OperatorState
    {
        private readonly Random _random = new(Random.Shared.Next());

        public override Batch? Execute(Batch input)
        {
            int count = input.Count;
            Span<int> kept = input.SelectionStorage.Indices;
            int keptCount = 0;
            for (int i = 0; i < count; i++)
            {
                int row = input.RowAt(i);
                if (_random.NextDouble() < probability)
                {
                    kept[keptCount++] = row; // keptCount <= i: writing never overtakes the selection being read
                }
            }
            if (keptCount == 0)
            {
                return null;
            }
            input.ApplySelection(keptCount);
            return input;
        }
    }
}
