using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Scan;

public sealed class SourceFactoryTests
{
    /// <summary><c>numbers(n, skip => k)</c>: 0..n-1, skipping (and reporting) every k-th value.</summary>
    private sealed class NumbersFactory : ISourceFactory
    {
        public SourceOptions? LastOptions { get; private set; }

        public string Name => "numbers";

        public IScanSource Create(SourceOptions options)
        {
            LastOptions = options;
            options.CheckNames(Name, 1, "skip", "note", "columns");
            return new NumbersSource((long)options.Positional[0]!, options.GetInt64(Name, "skip", 0));
        }
    }

    private sealed record NumbersSplit : ScanSplit;

    private sealed class NumbersSource(long count, long skip) : IScanSource
    {
        public BatchSchema Schema { get; } = new(new Field("n", LogicalType.Int));

        public FilterPushdown CanPushDown(ScanFilter filter) => FilterPushdown.Unsupported;

        public ScanPlan PlanScan(ScanRequest request) => new([new NumbersSplit()], new ScanMetrics());

        public IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context) => new Reader(count, skip, context.Metrics);

        private sealed class Reader(long count, long skip, ScanMetrics metrics) : IScanReader
        {
            private long _next;

            public bool Read(Batch destination, CancellationToken cancellationToken)
            {
                destination.Reset();
                int rows = 0;
                for (; _next < count && rows < Batch.Capacity; _next++)
                {
                    if (skip > 0 && _next % skip == skip - 1)
                    {
                        metrics.SkipRow($"value {_next} skipped");
                        continue;
                    }
                    destination.Columns[0].GetData<long>()[rows++] = _next;
                }
                destination.SetCount(rows);
                return rows > 0;
            }

            public void Dispose()
            {
            }
        }
    }

    [Fact]
    public void A_registered_factory_is_a_table_function_with_constant_arguments_and_skipped_rows_are_reported()
    {
        using Database database = Database.OpenInMemory();
        NumbersFactory factory = new();
        database.RegisterSourceFactory(factory);
        using Session session = database.Connect();
        using QueryResult result = session.Execute("FROM NUMBERS(2 + 8, skip => 4, note => {'b': [1, 'x'], 'a': NULL}) AS s AGGREGATE sum(s.n), count()");
        Assert.True(result.ReadNext(CancellationToken.None, out Batch? batch));
        Assert.Equal((0L + 1 + 2 + 4 + 5 + 6 + 8 + 9, 8L), (batch!.Columns[0].GetData<long>()[0], batch.Columns[1].GetData<long>()[0]));
        Assert.False(result.ReadNext(CancellationToken.None, out _));
        Assert.Equal(2, result.RowsSkipped);
        Assert.Equal(["value 3 skipped", "value 7 skipped"], result.Warnings);
        SourceOptions options = factory.LastOptions!;
        Assert.Equal<object?>([10L], options.Positional);
        ImmutableArray<KeyValuePair<string, object?>> note = (ImmutableArray<KeyValuePair<string, object?>>)options.Named["note"]!;
        Assert.Equal(["b", "a"], note.Select(p => p.Key));
        Assert.Equal<object?>([1L, "x"], (ImmutableArray<object?>)note[0].Value!);
        Assert.Null(note[1].Value);
    }

    [Fact]
    public void Factory_names_are_unique_and_options_are_checked()
    {
        using Database database = Database.OpenInMemory();
        database.RegisterSourceFactory(new NumbersFactory());
        Assert.Equal("Catalog Error: a table function named numbers is already registered",
            Assert.Throws<QueryException>(() => database.RegisterSourceFactory(new NumbersFactory())).Message);
        using Session session = database.Connect();
        Assert.Equal("Binder Error: numbers(): unknown option skp (known: skip, note, columns)",
            Assert.Throws<QueryException>(() => session.Execute("FROM numbers(3, skp => 1)")).Message);
        Assert.Equal("Binder Error: numbers(): option skip must be an integer",
            Assert.Throws<QueryException>(() => session.Execute("FROM numbers(3, skip => 'x')")).Message);
        Assert.Equal("Binder Error: numbers(): option skip given twice",
            Assert.Throws<QueryException>(() => session.Execute("FROM numbers(3, skip => 1, skip => 2)")).Message);
        Assert.Equal("Binder Error: positional argument after named argument in numbers()",
            Assert.Throws<QueryException>(() => session.Execute("FROM numbers(skip => 1, 3)")).Message);
        Assert.Equal("Binder Error: numbers() takes at most 1 positional argument(s), got 2",
            Assert.Throws<QueryException>(() => session.Execute("FROM numbers(3, 4)")).Message);
    }
}
