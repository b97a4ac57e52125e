using System.Collections.Immutable;
using System.Globalization;
using Analytics.Engine;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Engine.Optimization;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Engine.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks;

/// <summary>
/// <c>FROM events AGGREGATE count_distinct(var['meta']['http_url']::string)</c> over 10M in-memory rows whose
/// <c>var</c> objects hold <c>{"id":…, "meta":{"http_url":…, "status":…}}</c> with 5,000 distinct URLs, with
/// variant_path_pushdown on and off. The logical plan is the binder's shape and goes through the real optimizer and
/// physical planner. rows/s = 10M / mean time.
/// </summary>
[MemoryDiagnoser]
public class VariantQueryBenchmarks
{
    public const int Rows = 10_000_000;
    public const int DistinctUrls = 5_000;

    private static readonly BatchSchema Schema = new(new Field("var", LogicalType.Any));

    private readonly EngineOptions _pushdown = new();
    private readonly EngineOptions _noPushdown = new() { DisabledOptimizers = ["variant_path_pushdown"] };
    private PhysicalPlan _withPushdown = null!;
    private PhysicalPlan _withoutPushdown = null!;

    [GlobalSetup]
    public void Setup()
    {
        InMemoryTableStorage table = CreateEvents();
        FunctionRegistry functions = FunctionRegistry.CreateBuiltin();
        BoundColumnReference var = new(0, "var", LogicalType.Any);
        BoundExpression url = new BoundCastExpression(
            new BoundVariantPathExpression(var, [new VariantPathStep("meta", 0), new VariantPathStep("http_url", 0)]), LogicalType.String, ErrorsAsNull: true);
        BoundAggregateExpression countDistinct = functions.BindAggregate("count_distinct", new CallArguments([url], []));
        LogicalAggregate plan = new(new LogicalScan("events", table, [0], [], [], null), [], [countDistinct],
            new BatchSchema(new Field("count_distinct", LogicalType.Int)));
        _withPushdown = PhysicalPlanner.Plan(Optimizer.Optimize(plan, new OptimizerContext(_pushdown)), _pushdown);
        _withoutPushdown = PhysicalPlanner.Plan(Optimizer.Optimize(plan, new OptimizerContext(_noPushdown)), _noPushdown);
        if (Drain(_withPushdown, _pushdown) != DistinctUrls || Drain(_withoutPushdown, _noPushdown) != DistinctUrls)
        {
            throw new InvalidOperationException("count_distinct disagrees with the generated data");
        }
    }

    [Benchmark]
    public long CountDistinctUrlPushdown() => Drain(_withPushdown, _pushdown);

    [Benchmark(Baseline = true)]
    public long CountDistinctUrlNoPushdown() => Drain(_withoutPushdown, _noPushdown);

    private static InMemoryTableStorage CreateEvents()
    {
        InMemoryTableStorage table = new(Schema);
        string[] urls = new string[DistinctUrls];
        for (int k = 0; k < urls.Length; k++)
        {
            urls[k] = string.Create(CultureInfo.InvariantCulture, $"https://example.test/api/v2/items/{k}/details");
        }
        VariantBuilder builder = new();
        Batch batch = new(Schema);
        using ITableWriter writer = table.OpenWriter();
        for (int start = 0; start < Rows; start += Batch.Capacity)
        {
            int count = Math.Min(Batch.Capacity, Rows - start);
            batch.Reset();
            for (int r = 0; r < count; r++)
            {
                int i = start + r;
                builder.Reset();
                builder.StartObject();
                builder.WriteKey("id");
                builder.WriteInt64(i);
                builder.WriteKey("meta");
                builder.StartObject();
                builder.WriteKey("http_url");
                builder.WriteString(urls[(int)((uint)(i * 2654435761u) % DistinctUrls)]);
                builder.WriteKey("status");
                builder.WriteInt64(i % 7 == 0 ? 404 : 200);
                builder.EndObject();
                builder.EndObject();
                builder.FinishInto(batch.Columns[0], r);
            }
            batch.SetCount(count);
            writer.Append(batch);
        }
        writer.Commit();
        batch.Release();
        return table;
    }

    private static long Drain(PhysicalPlan plan, EngineOptions options)
    {
        using QueryResult result = QueryExecutor.Execute(plan, StatementKind.Query, options, CancellationToken.None);
        long value = 0;
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            value = batch!.Columns[0].GetData<long>()[batch.RowAt(0)];
        }
        return value;
    }
}
