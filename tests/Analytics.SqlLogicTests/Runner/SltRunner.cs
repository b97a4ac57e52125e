using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Analytics.Engine;
using Analytics.Errors;
using Analytics.Sources.Cassandra;
using Analytics.Sources.Files.Csv;
using Analytics.Sources.Files.Json;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.SqlLogicTests.Runner;

/// <summary>The outcome of one file: failures as <c>file.slt:LINE: …</c> texts, or why the file was skipped.</summary>
public sealed record SltRunResult(ImmutableArray<string> Failures, string? SkipReason, int RecordsRun)
{
    /// <summary>Non-fatal findings, e.g. a multi-row <c>nosort</c> query without ORDER BY (architecture.md §10).</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];
}

/// <summary>
/// Runs one .slt file against a fresh <see cref="Database"/>: in memory, or <c>Database.Open({TEST_DIR}/db)</c> when
/// the file contains <c>restart</c>, with the file sources (<c>read_json</c>, <c>read_csv</c>) registered. Every file gets
/// its own scratch directory for <c>{TEST_DIR}</c>; <c>{DATA_DIR}</c> is <c>tests/sql/data</c>.
/// </summary>
public sealed class SltRunner
{
    /// <summary>The engine name <c>skipif</c>/<c>onlyif</c> compare against.</summary>
    public const string EngineName = "analytics";

    private static readonly TimeSpan StatementTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Capabilities <c>require</c> accepts; anything else skips the file (e.g. <c>require source cassandra</c>).</summary>
    private static readonly ImmutableHashSet<string> s_capabilities = ["vector_size 2048"];

    /// <param name="onlyLine">Run only the record at this line plus the statements before it (setup).</param>
    /// <param name="complete">Rewrite the expected blocks of queries in place instead of reporting mismatches.</param>
    public SltRunResult RunFile(string path, int? onlyLine = null, bool complete = false)
    {
        string file = Path.GetFullPath(path);
        ImmutableArray<SltRecord> records = SltParser.ParseFile(file);
        return Run(records, file, onlyLine, complete);
    }

    public SltRunResult Run(ImmutableArray<SltRecord> records, string file, int? onlyLine = null, bool complete = false)
    {
        foreach (SltRecord record in records)
        {
            if (record is ControlRecord { Kind: ControlKind.Require } require && !s_capabilities.Contains(require.Argument))
            {
                return new SltRunResult([], $"{record.Location}: requires '{require.Argument}'", 0);
            }
        }
        string scratch = Path.Combine(Path.GetTempPath(), "analytics-slt",
            Path.GetFileNameWithoutExtension(file) + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(scratch);
        try
        {
            FileRun run = new(file, scratch, HasRestart(records), onlyLine, complete);
            try
            {
                run.RunAll(records);
            }
            finally
            {
                run.Dispose();
            }
            if (complete && run.Rewrites.Count > 0)
            {
                SltCompletion.Rewrite(file, run.Rewrites);
            }
            return new SltRunResult([.. run.Failures], null, run.RecordsRun) { Warnings = [.. run.Warnings] };
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static bool HasRestart(ImmutableArray<SltRecord> records)
    {
        foreach (SltRecord record in records)
        {
            if (record is ControlRecord { Kind: ControlKind.Restart })
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The mutable state of one file's run.</summary>
    private sealed class FileRun(string file, string scratch, bool persistent, int? onlyLine, bool complete) : IDisposable
    {
        private readonly Dictionary<string, List<string>> _labels = new(StringComparer.Ordinal);
        private Database? _database;
        private Session? _session;
        private int _hashThreshold;

        public List<string> Failures { get; } = [];

        public List<string> Warnings { get; } = [];

        public List<(ExpectedBlockSpan Span, List<string> Lines)> Rewrites { get; } = [];

        public int RecordsRun { get; private set; }

        private Session Session
        {
            get
            {
                if (_session is null)
                {
                    _database = persistent ? Database.Open(Path.Combine(scratch, "db")) : Database.OpenInMemory();
                    _database.RegisterSourceFactory(new ReadJsonSourceFactory());
                    _database.RegisterSourceFactory(new ReadCsvSourceFactory());
                    _database.RegisterSourceFactory(new SSTableSourceFactory());
                    _database.RegisterTableFormat(new SSTableTableFormat());
                    Analytics.Sources.GeoLog.Scan.GeoLogTables geoLogTables = new();
                    _database.RegisterSourceFactory(new Analytics.Sources.GeoLog.Scan.GeoLogSourceFactory(geoLogTables));
                    _database.RegisterSourceFactory(new Analytics.Sources.GeoLog.Scan.GeoLogStateSourceFactory(geoLogTables));
                    _database.RegisterSourceFactory(new Analytics.Sources.GeoLog.Scan.GeoLogHistorySourceFactory(geoLogTables));
                    _database.RegisterTableFormat(new Analytics.Sources.GeoLog.Table.GeoLogTableFormat(geoLogTables));
                    _database.RegisterSourceFactory(new Arrow.Sources.ReadArrowSourceFactory());
                    _session = _database.Connect();
                }
                return _session;
            }
        }

        public void RunAll(ImmutableArray<SltRecord> records)
        {
            bool skipping = false;
            foreach (SltRecord record in records)
            {
                if (onlyLine is int target && string.Equals(record.File, file, StringComparison.Ordinal))
                {
                    if (record.Line > target)
                    {
                        break;
                    }
                    if (record.Line < target && record is QueryRecord)
                    {
                        continue;
                    }
                }
                if (record is ControlRecord control)
                {
                    switch (control.Kind)
                    {
                        case ControlKind.Halt:
                            return;
                        case ControlKind.ModeSkip:
                            skipping = true;
                            break;
                        case ControlKind.ModeUnskip:
                            skipping = false;
                            break;
                        case ControlKind.HashThreshold:
                            if (!int.TryParse(control.Argument, NumberStyles.None, CultureInfo.InvariantCulture, out _hashThreshold))
                            {
                                Failures.Add($"{record.Location}: hash-threshold needs a non-negative integer");
                            }
                            break;
                        case ControlKind.Restart when !skipping:
                            Dispose();
                            break;
                    }
                    continue;
                }
                if (skipping || !ConditionsHold(record.Conditions))
                {
                    continue;
                }
                RecordsRun++;
                switch (record)
                {
                    case StatementRecord statement:
                        RunStatement(statement);
                        break;
                    case QueryRecord query:
                        RunQuery(query);
                        break;
                }
            }
        }

        private static bool ConditionsHold(ImmutableArray<SltCondition> conditions)
        {
            foreach (SltCondition condition in conditions)
            {
                bool isUs = string.Equals(condition.Engine, EngineName, StringComparison.Ordinal);
                if (condition.OnlyIf != isUs)
                {
                    return false;
                }
            }
            return true;
        }

        private static readonly string s_dataDirectory = Path.Combine(SltPaths.SqlDirectory(), "data");

        private string Substitute(string sql) => sql
            .Replace("{TEST_DIR}", scratch, StringComparison.Ordinal)
            .Replace("{DATA_DIR}", s_dataDirectory, StringComparison.Ordinal);

        private void RunStatement(StatementRecord statement)
        {
            string sql = Substitute(statement.Sql);
            string? error = null;
            try
            {
                using CancellationTokenSource timeout = new(StatementTimeout);
                using QueryResult result = Session.Execute(sql, timeout.Token);
                while (result.ReadNext(timeout.Token, out _))
                {
                }
            }
            catch (QueryException e)
            {
                error = e.Message;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Failures.Add($"{statement.Location}: statement threw {e.GetType().Name} (not a QueryException): {e.Message}\n{sql}");
                return;
            }

            if (!statement.ExpectError && error is not null)
            {
                Failures.Add($"{statement.Location}: statement failed: {error}\n{sql}");
            }
            else if (statement.ExpectError && error is null)
            {
                Failures.Add($"{statement.Location}: statement succeeded but an error was expected\n{sql}");
            }
            else if (statement.ExpectError && !SltResultComparer.ErrorMatches(statement.ExpectedError, error!))
            {
                Failures.Add($"{statement.Location}: wrong error\nSQL:\n{sql}\nexpected:\n{statement.ExpectedError}\nactual:\n{error}");
            }
        }

        private void RunQuery(QueryRecord query)
        {
            string sql = Substitute(query.Sql);
            List<string[]> rows = [];
            BatchSchema schema;
            try
            {
                using CancellationTokenSource timeout = new(StatementTimeout);
                using QueryResult result = Session.Execute(sql, timeout.Token);
                schema = result.Schema;
                while (result.ReadNext(timeout.Token, out Batch? batch))
                {
                    for (int i = 0; batch is not null && i < batch.Count; i++)
                    {
                        int row = batch.RowAt(i);
                        string[] cells = new string[batch.Columns.Length];
                        for (int column = 0; column < cells.Length; column++)
                        {
                            cells[column] = SltValueRenderer.Render(batch.Columns[column], row);
                        }
                        rows.Add(cells);
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                string kind = e is QueryException ? string.Empty : $" {e.GetType().Name}";
                Failures.Add($"{query.Location}: query failed:{kind} {e.Message}\n{sql}");
                return;
            }

            string? typeProblem = CheckTypes(query.Types, schema);
            if (typeProblem is not null)
            {
                Failures.Add($"{query.Location}: {typeProblem}\n{sql}");
                return;
            }

            if (query.Sort == SortMode.NoSort && rows.Count > 1 && !sql.Contains("ORDER BY", StringComparison.OrdinalIgnoreCase))
            {
                Warnings.Add($"{query.Location}: nosort on {rows.Count} rows without ORDER BY; the order may not be stable");
            }

            int values = rows.Count * schema.Count;
            List<string> actual = _hashThreshold > 0 && values > _hashThreshold
                ? [SltResultComparer.Hash(rows, query.Sort)]
                : SltResultComparer.Arrange(rows, query.Sort);

            if (query.Label is not null)
            {
                if (_labels.TryGetValue(query.Label, out List<string>? previous))
                {
                    if (!SltResultComparer.LinesMatch(previous, actual))
                    {
                        Failures.Add($"{query.Location}: result differs from earlier queries labelled '{query.Label}'\n" +
                            $"SQL:\n{sql}\nlabel result:\n{string.Join('\n', previous)}\nactual:\n{string.Join('\n', actual)}");
                    }
                    if (query.Expected.IsEmpty)
                    {
                        return;
                    }
                }
                else
                {
                    _labels[query.Label] = actual;
                }
            }

            bool matches;
            if (SltResultComparer.IsHashLine(query.Expected))
            {
                matches = string.Equals(query.Expected[0].Trim(), SltResultComparer.Hash(rows, query.Sort), StringComparison.Ordinal);
            }
            else
            {
                List<string> comparable = actual.Count == 1 && SltResultComparer.IsHashLine(actual)
                    ? SltResultComparer.Arrange(rows, query.Sort)
                    : actual;
                matches = SltResultComparer.LinesMatch(SltResultComparer.ArrangeExpected(query.Expected, query.Sort), comparable);
            }
            if (matches)
            {
                return;
            }
            if (complete && query.Span is not null)
            {
                Rewrites.Add((query.Span, actual));
                return;
            }
            Failures.Add($"{query.Location}: query result mismatch\nSQL:\n{sql}\nexpected:\n{string.Join('\n', query.Expected)}\n" +
                $"actual:\n{string.Join('\n', actual)}");
        }

        private static string? CheckTypes(string types, BatchSchema schema)
        {
            StringBuilder actual = new(schema.Count);
            bool ok = types.Length == schema.Count;
            for (int column = 0; column < schema.Count; column++)
            {
                LogicalType type = schema[column].Type;
                actual.Append(SltValueRenderer.LetterOf(type));
                ok &= column < types.Length && SltValueRenderer.Matches(types[column], type);
            }
            return ok ? null : $"column types '{types}' do not match the result schema ({schema}; letters '{actual}')";
        }

        public void Dispose()
        {
            _session?.Dispose();
            _database?.Dispose();
            _session = null;
            _database = null;
        }
    }
}
