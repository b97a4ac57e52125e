using Analytics.Engine.Execution;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>
/// now() (scopeql.md §3.4): the statement's start time, UTC, the same for every row; trunc(ts, unit): the timestamp
/// truncated down to a unit, the usual PARTITION BY key.
/// </summary>
internal static class TimeFunctions
{
    public static void Register(FunctionRegistry registry)
    {
        registry.Add(new ScalarFunction("now", [], LogicalType.Timestamp, Volatility.Stable, new Now()));
        registry.Add(new ScalarFunction("trunc", [new("ts", LogicalType.Timestamp), new("unit", LogicalType.String)],
            LogicalType.Timestamp, Volatility.Immutable, new TruncTimestamp()));
    }

    private sealed class Now : StatementConstantKernel
    {
        public override object? Value(EvaluationContext context) => context.NowNanos;
    }

    /// <summary>Floors to a multiple of the unit (Q6: 'day' is a UTC day); timestamps before 1970 floor downwards too.</summary>
    private sealed class TruncTimestamp : ScalarKernel
    {
        public override void Evaluate(ReadOnlySpan<ColumnVector> arguments, int count, ReadOnlySpan<int> selection, ColumnVector result)
        {
            Span<long> output = result.GetData<long>();
            bool dense = selection.IsEmpty;
            // The unit is nearly always a literal: parse it once, not per row.
            ColumnVector unitArgument = arguments[1];
            long constantUnit = unitArgument.Encoding == VectorEncoding.Constant && !unitArgument.IsNullAt(0) ? UnitNanos(unitArgument.GetBytes(0)) : 0;
            for (int k = 0; k < count; k++)
            {
                int row = dense ? k : selection[k];
                if (arguments[0].IsNullAt(row) || unitArgument.IsNullAt(row))
                {
                    result.Validity.SetNull(row, result.Capacity);
                    continue;
                }
                ValueReader.Locate(arguments[0], row, out ColumnVector timestamps, out int index);
                long unit = constantUnit;
                if (unit == 0)
                {
                    ValueReader.Locate(unitArgument, row, out ColumnVector units, out int unitIndex);
                    unit = UnitNanos(units.GetBytes(unitIndex));
                }
                long value = timestamps.GetData<long>()[index];
                long remainder = value % unit;
                output[row] = value - (remainder < 0 ? remainder + unit : remainder);
            }
        }

        private static long UnitNanos(ReadOnlySpan<byte> unit) => unit switch
        {
            _ when unit.SequenceEqual("day"u8) => 86_400_000_000_000L,
            _ when unit.SequenceEqual("hour"u8) => 3_600_000_000_000L,
            _ when unit.SequenceEqual("minute"u8) => 60_000_000_000L,
            _ when unit.SequenceEqual("second"u8) => 1_000_000_000L,
            _ when unit.SequenceEqual("millisecond"u8) => 1_000_000L,
            _ when unit.SequenceEqual("microsecond"u8) => 1_000L,
            _ when unit.SequenceEqual("nanosecond"u8) => 1L,
            _ => ThrowHelper.Throw<long>(ErrorKind.InvalidInput,
                $"trunc: unknown unit '{System.Text.Encoding.UTF8.GetString(unit)}' (expected day, hour, minute, second, millisecond, microsecond or nanosecond)"),
        };
    }
}
