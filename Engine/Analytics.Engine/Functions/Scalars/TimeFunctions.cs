using Analytics.Engine.Execution;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>
/// now() (scopeql.md §3.4): the statement's start time, UTC, the same for every row; trunc(ts, unit): the timestamp
/// truncated down to a unit, the usual PARTITION BY key; floor/ceil(ts, n, unit); strftime/strptime (<see cref="TimePattern"/>).
/// </summary>
internal static class TimeFunctions
{
    public static void Register(FunctionRegistry registry)
    {
        registry.Add(new ScalarFunction("now", [], LogicalType.Timestamp, Volatility.Stable, new Now()));
        registry.Add(new ScalarFunction("trunc", [new("ts", LogicalType.Timestamp), new("unit", LogicalType.String)],
            LogicalType.Timestamp, Volatility.Immutable, new TruncTimestamp()));
        foreach ((string name, bool up) in (ReadOnlySpan<(string, bool)>)[("floor", false), ("ceil", true)])
        {
            registry.Add(new ScalarFunction(name, [new("ts", LogicalType.Timestamp), new("unit", LogicalType.String)],
                LogicalType.Timestamp, Volatility.Immutable, new RoundTimestamp(up)));
            registry.Add(new ScalarFunction(name, [new("ts", LogicalType.Timestamp), new("n", LogicalType.Int), new("unit", LogicalType.String)],
                LogicalType.Timestamp, Volatility.Immutable, new RoundTimestamp(up)));
        }
        registry.Add(new ScalarFunction("strftime", [new("ts", LogicalType.Timestamp), new("format", LogicalType.String), new("timezone", LogicalType.String, Optional: true)],
            LogicalType.String, Volatility.Immutable, new Strftime()));
        registry.Add(new ScalarFunction("strptime", [new("s", LogicalType.String), new("format", LogicalType.String)],
            LogicalType.Timestamp, Volatility.Immutable, new Strptime()));
    }

    /// <summary>A unit name of trunc/floor/ceil in nanoseconds (Q6: 'day' is a UTC day; week and larger are rejected).</summary>
    internal static long UnitNanos(ReadOnlySpan<byte> unit, string function) => unit switch
    {
        _ when unit.SequenceEqual("day"u8) => 86_400_000_000_000L,
        _ when unit.SequenceEqual("hour"u8) => 3_600_000_000_000L,
        _ when unit.SequenceEqual("minute"u8) => 60_000_000_000L,
        _ when unit.SequenceEqual("second"u8) => 1_000_000_000L,
        _ when unit.SequenceEqual("millisecond"u8) => 1_000_000L,
        _ when unit.SequenceEqual("microsecond"u8) => 1_000L,
        _ when unit.SequenceEqual("nanosecond"u8) => 1L,
        _ => ThrowHelper.Throw<long>(ErrorKind.InvalidInput,
            $"{function}: unknown unit '{System.Text.Encoding.UTF8.GetString(unit)}' (expected day, hour, minute, second, millisecond, microsecond or nanosecond)"),
    };

    /// <summary>floor/ceil(ts, [n,] unit): down or up to a multiple of n units since the epoch (n defaults to 1).</summary>
    private sealed class RoundTimestamp(bool up) : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            string function = up ? "ceil" : "floor";
            long value = (long)arguments[0]!;
            long n = arguments.Length == 3 ? (long)arguments[1]! : 1;
            if (n <= 0)
            {
                throw new QueryException(ErrorKind.InvalidInput, $"{function}: n must be a positive integer, got {n}");
            }
            long unit = UnitNanos(System.Text.Encoding.UTF8.GetBytes((string)arguments[^1]!), function);
            long step = n > long.MaxValue / unit ? ThrowHelper.Throw<long>(ErrorKind.OutOfRange, $"{function}: {n} units do not fit in an interval") : n * unit;
            long remainder = value % step;
            long floor = value - (remainder < 0 ? remainder + step : remainder);
            if (!up || floor == value)
            {
                return floor;
            }
            return floor > long.MaxValue - step ? ThrowHelper.Throw<long>(ErrorKind.OutOfRange, $"{function}: the result is past the last timestamp") : floor + step;
        }
    }

    private sealed class Strftime : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) =>
            TimePattern.Format((long)arguments[0]!, (string)arguments[1]!, arguments.Length > 2 ? TimePattern.FindZone((string)arguments[2]!) : TimeZoneInfo.Utc);
    }

    private sealed class Strptime : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) => TimePattern.Parse((string)arguments[0]!, (string)arguments[1]!);
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
            long constantUnit = unitArgument.Encoding == VectorEncoding.Constant && !unitArgument.IsNullAt(0) ? UnitNanos(unitArgument.GetBytes(0), "trunc") : 0;
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
                    unit = UnitNanos(units.GetBytes(unitIndex), "trunc");
                }
                long value = timestamps.GetData<long>()[index];
                long remainder = value % unit;
                output[row] = value - (remainder < 0 ? remainder + unit : remainder);
            }
        }
    }
}
