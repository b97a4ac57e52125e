using System.Collections.Immutable;
using System.Text;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sources.Files.Csv;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Xunit;

namespace Analytics.Sources.Files.Tests.Csv;

/// <summary>A unique temporary directory of CSV files, deleted afterwards, and the calls that drive read_csv over them.</summary>
public sealed class CsvTestDirectory : TestDirectory
{
    public static IScanSource Create(string pattern, params (string Name, object? Value)[] named) =>
        new ReadCsvSourceFactory().Create(Options(pattern, named));

    /// <summary>A <c>columns => {…}</c> value as the binder passes it: names and type names in written order.</summary>
    public static ImmutableArray<KeyValuePair<string, object?>> Columns(params (string Name, string Type)[] columns) =>
        [.. columns.Select(c => KeyValuePair.Create(c.Name, (object?)c.Type))];

    /// <summary>The names and types of the schema as "name type" text.</summary>
    public static string[] Describe(IScanSource source) => [.. source.Schema.Fields.Select(f => $"{f.Name} {f.Type}")];

    /// <summary>Every column of every row as "a|b" text.</summary>
    public static List<string> ReadAll(IScanSource source) => Read(source).Rows;

    /// <summary>The projected columns (all when none are given) of every row as "a|b" text, and the metrics.</summary>
    public static (List<string> Rows, ScanMetrics Metrics) Read(IScanSource source, params int[] columns) => Read(source, null, columns);

    public static (List<string> Rows, ScanMetrics Metrics) Read(IScanSource source, long? limit, params int[] columns)
    {
        ImmutableArray<int> projection = columns.Length == 0 ? ScanRequest.All(source.Schema.Count).Columns : [.. columns];
        ScanRequest request = new(projection, [], limit);
        ScanPlan plan = source.PlanScan(request);
        BatchSchema schema = new(ImmutableArray.CreateRange(projection.Select(c => source.Schema[c])));
        List<string> rows = [];
        foreach (ScanSplit split in plan.Splits)
        {
            using IScanReader reader = source.OpenReader(split, request, new ScanContext(plan.Metrics));
            Batch batch = new(schema);
            while (reader.Read(batch, CancellationToken.None))
            {
                Assert.InRange(batch.Count, 1, Batch.Capacity);
                for (int row = 0; row < batch.Count; row++)
                {
                    rows.Add(string.Join('|', batch.Columns.Select(c => ValueFormatter.Format(c, row))));
                }
            }
            Assert.Equal(0, batch.Count);
        }
        return (rows, plan.Metrics);
    }

    /// <summary>The message of the <see cref="QueryException"/> that <paramref name="action"/> throws.</summary>
    public static string Error(Action action) => Assert.Throws<QueryException>(action).Message;
}
