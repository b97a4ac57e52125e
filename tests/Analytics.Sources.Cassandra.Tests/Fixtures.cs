using System.Collections.Immutable;
using System.Text;
using Analytics.Engine.Scan;
using Analytics.Sources.Cassandra;
using Analytics.Sources.Cassandra.Table;
using Analytics.Vector.Batches;
using Analytics.Vector.Values;

namespace Analytics.Sources.Cassandra.Tests;

/// <summary>The shipped sstable fixtures (tests/sql/data/sstables, Apache-2.0, each with a README) and a scan helper.</summary>
internal static class Fixtures
{
    public static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "Analytics.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }
        return Path.Combine(directory ?? throw new InvalidOperationException("repository root not found"), "tests", "sql", "data", "sstables");
    }

    public static string Dir(string set) => Path.Combine(Root, set);

    public static SSTableScanSource Open(string directory, string? schema = null, bool writetime = false, long? splitBytes = null)
    {
        ImmutableDictionary<string, object?>.Builder named = ImmutableDictionary.CreateBuilder<string, object?>();
        if (schema is not null)
        {
            named["schema"] = schema;
        }
        if (writetime)
        {
            named["writetime"] = true;
        }
        if (splitBytes is { } bytes)
        {
            named["split_bytes"] = bytes;
        }
        return (SSTableScanSource)new SSTableSourceFactory().Create(new SourceOptions([directory], named.ToImmutable()));
    }

    /// <summary>Every row of a scan (all splits in order) as "a | b | c", NULL for nulls.</summary>
    public static List<string> Rows(IScanSource source, ImmutableArray<ScanFilter> filters = default)
    {
        ScanRequest request = ScanRequest.All(source.Schema.Count) with { Filters = filters.IsDefault ? [] : filters };
        ScanPlan plan = source.PlanScan(request);
        return Rows(source, request, plan, plan.Splits);
    }

    /// <summary>The rows of the given splits (e.g. planned splits with another query time).</summary>
    public static List<string> Rows(IScanSource source, ScanRequest request, ScanPlan plan, IEnumerable<ScanSplit> splits)
    {
        List<string> rows = [];
        Batch batch = new(source.Schema);
        foreach (ScanSplit split in splits)
        {
            using IScanReader reader = source.OpenReader(split, request, new ScanContext(plan.Metrics));
            while (reader.Read(batch, CancellationToken.None))
            {
                for (int r = 0; r < batch.Count; r++)
                {
                    StringBuilder text = new();
                    for (int c = 0; c < batch.Columns.Length; c++)
                    {
                        text.Append(c == 0 ? "" : " | ").Append(batch.Columns[c].IsNullAt(r) ? "NULL" : ValueFormatter.Format(batch.Columns[c], r));
                    }
                    rows.Add(text.ToString());
                }
            }
        }
        return rows;
    }

    public static string Header(IScanSource source) => string.Join(" | ", source.Schema.Fields.Select(f => $"{f.Name}:{f.Type}"));
}
