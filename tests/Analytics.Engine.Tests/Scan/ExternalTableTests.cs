using System.Collections.Immutable;
using System.Globalization;
using Analytics.Engine.Execution;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Scan;

/// <summary>The external-table seam (<see cref="ITableFormat"/>) wired into the catalog, binder, INSERT, DROP and the manifest.</summary>
public sealed class ExternalTableTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "analytics-external-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>
    /// <c>lines</c>: rows as tab-separated text lines in <c>rows.txt</c> of the table's data directory (in memory for an
    /// in-memory database). Columns default to <c>(id int, name string)</c>; declared columns must be int or string.
    /// Options: <c>'readonly' = true</c>. Takes <c>column 0 = constant</c> filters exactly.
    /// </summary>
    private sealed class LinesFormat : ITableFormat
    {
        public List<ExternalTableContext> Opened { get; } = [];

        public List<ScanFilter> Pushed { get; } = [];

        public int Disposed { get; set; }

        public string Format => "lines";

        public IExternalTable Open(ExternalTableContext context)
        {
            foreach (string key in context.Properties.Keys)
            {
                if (key != "readonly")
                {
                    throw new QueryException(ErrorKind.Binder, $"table \"{context.TableName}\": unknown lines option '{key}'");
                }
            }
            BatchSchema schema = context.Columns.Count == 0
                ? new BatchSchema(new Field("id", LogicalType.Int), new Field("name", LogicalType.String))
                : context.Columns;
            foreach (Field field in schema.Fields)
            {
                if (field.Type.Id is not (TypeId.Int or TypeId.String))
                {
                    throw new QueryException(ErrorKind.Binder, $"lines cannot store column {field.Name} of type {field.Type}");
                }
            }
            Opened.Add(context);
            return new LinesTable(this, schema, context.DataDirectory is null ? null : Path.Combine(context.DataDirectory, "rows.txt"),
                context.Properties.TryGetValue("readonly", out string? readOnly) && readOnly == "true");
        }
    }

    private sealed class LinesTable(LinesFormat format, BatchSchema schema, string? file, bool readOnly) : IExternalTable, IScanSource
    {
        private readonly List<string> _memory = [];

        public IScanSource Source => this;

        public BatchSchema Schema => schema;

        public List<string> Lines() => file is null ? [.. _memory] : File.Exists(file) ? [.. File.ReadAllLines(file)] : [];

        public ITableAppender? OpenAppender() => readOnly ? null : new Appender(this);

        public void Commit(List<string> lines)
        {
            if (file is null)
            {
                _memory.AddRange(lines);
            }
            else
            {
                File.AppendAllLines(file, lines);
            }
        }

        public FilterPushdown CanPushDown(ScanFilter filter) =>
            filter is CompareFilter { Column: 0, Op: CompareOp.Equal, Value: long } ? FilterPushdown.Exact : FilterPushdown.Unsupported;

        public ScanPlan PlanScan(ScanRequest request)
        {
            format.Pushed.AddRange(request.Filters);
            return new ScanPlan([new LinesSplit()], new ScanMetrics());
        }

        public IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context) => new Reader(this, request);

        public void Dispose() => format.Disposed++;

        private sealed class Reader(LinesTable table, ScanRequest request) : IScanReader
        {
            private readonly List<string> _lines = table.Lines();
            private int _next;

            public bool Read(Batch destination, CancellationToken cancellationToken)
            {
                destination.Reset();
                int rows = 0;
                for (; _next < _lines.Count && rows < Batch.Capacity; _next++)
                {
                    string[] values = _lines[_next].Split('\t');
                    if (!Matches(values))
                    {
                        continue;
                    }
                    for (int c = 0; c < request.Columns.Length; c++)
                    {
                        int column = request.Columns[c];
                        string text = values[column];
                        RowValues.Set(destination.Columns[c], rows, text == "\\N" ? null
                            : table.Schema[column].Type.Id == TypeId.Int ? long.Parse(text, CultureInfo.InvariantCulture) : text);
                    }
                    rows++;
                }
                destination.SetCount(rows);
                return rows > 0;
            }

            private bool Matches(string[] values)
            {
                foreach (ScanFilter filter in request.Filters)
                {
                    if (filter is CompareFilter { Column: 0, Op: CompareOp.Equal, Value: long id } && values[0] != id.ToString(CultureInfo.InvariantCulture))
                    {
                        return false;
                    }
                }
                return true;
            }

            public void Dispose()
            {
            }
        }
    }

    private sealed record LinesSplit : ScanSplit;

    private sealed class Appender(LinesTable table) : ITableAppender
    {
        private readonly List<string> _lines = [];

        public void Append(Batch batch)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                int row = batch.RowAt(i);
                _lines.Add(string.Join('\t', batch.Columns.Select(c => RowValues.Get(c, row) switch
                {
                    null => "\\N",
                    long value => value.ToString(CultureInfo.InvariantCulture),
                    object value => (string)value,
                })));
            }
        }

        public void Commit() => table.Commit(_lines);

        public void Dispose()
        {
        }
    }

    private static List<string> Rows(Session session, string query)
    {
        using QueryResult result = session.Execute(query);
        List<string> rows = [];
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                int row = batch.RowAt(i);
                rows.Add(string.Join('|', batch.Columns.Select(c => RowValues.Get(c, row)?.ToString() ?? "NULL")));
            }
        }
        return rows;
    }

    /// <summary>Runs a statement to completion (an INSERT writes while its result is read).</summary>
    private static void Execute(Session session, string statement)
    {
        using QueryResult result = session.Execute(statement);
        while (result.ReadNext(CancellationToken.None, out _))
        {
        }
    }

    private static string Error(Session session, string statement) =>
        Assert.Throws<QueryException>(() => Execute(session, statement)).Message;

    [Fact]
    public void An_external_table_is_created_inserted_into_scanned_with_pushdown_and_reopened()
    {
        string path = Path.Combine(_directory, "db");
        LinesFormat format = new();
        using (Database database = Database.Open(path))
        {
            database.RegisterTableFormat(format);
            using Session session = database.Connect();
            Execute(session, "CREATE TABLE people WITH ('format' = 'LINES')");
            ExternalTableContext created = Assert.Single(format.Opened);
            Assert.Equal(("scopedb.public.people", true, 0), (created.TableName, created.Create, created.Columns.Count));
            Assert.StartsWith(Path.Combine(Path.GetFullPath(path), "external") + Path.DirectorySeparatorChar, created.DataDirectory, StringComparison.Ordinal);
            Assert.True(Directory.Exists(created.DataDirectory));

            // Rows are cast to the table schema like a native insert (NULL → int, the column list spreads the rest).
            Execute(session, "VALUES (1, 'ada'), (2, 'grace') INSERT INTO people");
            Execute(session, "VALUES ('linus') INSERT INTO people (name)");
            Assert.Equal(["1\tada", "2\tgrace", "\\N\tlinus"], File.ReadAllLines(Path.Combine(created.DataDirectory!, "rows.txt")));

            Assert.Equal(["grace"], Rows(session, "FROM people WHERE id = 2 SELECT name"));
            Assert.Equal(CompareOp.Equal, Assert.IsType<CompareFilter>(Assert.Single(format.Pushed)).Op);
            Assert.Equal(["ada|1", "grace|1", "linus|1"], Rows(session, "FROM people GROUP BY name AGGREGATE count() AS n ORDER BY name"));
            Assert.Equal(["id|int|NULL", "name|string|NULL"], Rows(session, "DESCRIBE TABLE people"));
            Assert.Equal(["people|lines|NULL"], Rows(session, "FROM system.tables SELECT table_name, format, row_count"));
        }
        Assert.Equal(1, format.Disposed);

        LinesFormat reopened = new();
        using (Database database = Database.Open(path))
        {
            using Session session = database.Connect();
            // Registered after opening: the table opens on first use.
            Assert.Equal(["people"], Rows(session, "SHOW TABLES"));
            Assert.Equal("Catalog Error: table \"scopedb.public.people\": unknown table format 'lines' (none are registered)",
                Error(session, "FROM people"));
            database.RegisterTableFormat(reopened);
            Assert.Equal(["1|ada", "2|grace", "NULL|linus"], Rows(session, "FROM people ORDER BY name"));
            Assert.False(Assert.Single(reopened.Opened).Create);

            string dataDirectory = reopened.Opened[0].DataDirectory!;
            Execute(session, "DROP TABLE people");
            Assert.Equal(1, reopened.Disposed);
            Assert.False(Directory.Exists(dataDirectory));
            Assert.Equal("Catalog Error: table \"people\" does not exist", Error(session, "FROM people"));
        }
        using (Database database = Database.Open(path))
        {
            Assert.Empty(database.Catalog.Tables);
        }
    }

    [Fact]
    public void Declared_columns_are_given_to_the_format_and_joins_with_native_tables_work()
    {
        LinesFormat format = new();
        using Database database = Database.OpenInMemory();
        database.RegisterTableFormat(format);
        using Session session = database.Connect();
        Execute(session, "CREATE TABLE tags (tag_id int, tag string) WITH ('format' = 'lines')");
        Assert.Null(format.Opened[0].DataDirectory);
        Assert.Equal(["tag_id", "tag"], format.Opened[0].Columns.Fields.Select(f => f.Name));
        Execute(session, "VALUES (1, 'red'), (2, 'blue') INSERT INTO tags");
        Execute(session, "CREATE TABLE items (name string, tag_id int)");
        Execute(session, "VALUES ('apple', 1), ('sky', 2), ('cherry', 1) INSERT INTO items");
        Assert.Equal(["blue|1", "red|2"],
            Rows(session, "FROM items JOIN tags ON items.tag_id = tags.tag_id GROUP BY tag AGGREGATE count() AS n ORDER BY tag"));
        Execute(session, "FROM tags WHERE tag_id = 1 SELECT tag INSERT INTO items (name)");
        Assert.Equal(["red"], Rows(session, "FROM items WHERE tag_id IS NULL SELECT name"));
    }

    [Fact]
    public void Bad_definitions_and_unsupported_statements_are_clear_errors_and_leave_nothing_behind()
    {
        string path = Path.Combine(_directory, "db");
        LinesFormat format = new();
        using Database database = Database.Open(path);
        database.RegisterTableFormat(format);
        using Session session = database.Connect();

        Assert.Equal("Catalog Error: table \"scopedb.public.t\": unknown table format 'parquet' (registered formats: lines)",
            Error(session, "CREATE TABLE t WITH ('format' = 'parquet')"));
        Assert.Equal("Binder Error: table \"scopedb.public.t\": unknown lines option 'colour'",
            Error(session, "CREATE TABLE t WITH ('format' = 'lines', 'colour' = 'red')"));
        Assert.Equal("Binder Error: lines cannot store column f of type float",
            Error(session, "CREATE TABLE t (f float) WITH ('format' = 'lines')"));
        Assert.Empty(database.Catalog.Tables);
        Assert.False(Directory.Exists(Path.Combine(path, "external")) && Directory.EnumerateFileSystemEntries(Path.Combine(path, "external")).Any());

        Assert.Equal("Binder Error: an external table (format 'lines') keeps its data in its format: PARTITION BY, CLUSTER BY, DISTINCT ON and 'data_retention_days' do not apply",
            Error(session, "CREATE TABLE t (id int) PARTITION BY id WITH ('format' = 'lines')"));
        Assert.Equal("Binder Error: table option 'format' is given more than once",
            Error(session, "CREATE TABLE t WITH ('format' = 'lines', 'FORMAT' = 'lines')"));
        Assert.Equal("Binder Error: CREATE TABLE needs a column list (only an external table, WITH ('format' = …), may leave its columns to the format)",
            Error(session, "CREATE TABLE t WITH ('data_retention_days' = 3)"));
        Assert.Equal("Binder Error: unknown table option 'path' (supported: 'data_retention_days'); an external table takes 'format' = '…' and its format's options",
            Error(session, "CREATE TABLE t (a int) WITH ('path' = '/x')"));

        Execute(session, "CREATE TABLE ro WITH ('format' = 'lines', 'readonly' = true)");
        Assert.Equal("Binder Error: cannot INSERT INTO \"scopedb.public.ro\": its format 'lines' is read-only",
            Error(session, "VALUES (1, 'x') INSERT INTO ro"));
        Assert.Equal("Not implemented Error: DELETE is not supported on \"scopedb.public.ro\": it is an external table (format 'lines'), whose data its format owns",
            Error(session, "DELETE FROM ro WHERE id = 1"));
        Assert.Contains("UPDATE is not supported on \"scopedb.public.ro\"", Error(session, "UPDATE ro SET name = 'y'"), StringComparison.Ordinal);
        Assert.Contains("ALTER TABLE is not supported on \"scopedb.public.ro\"", Error(session, "ALTER TABLE ro ADD COLUMN x int"), StringComparison.Ordinal);
        Execute(session, "CREATE TABLE IF NOT EXISTS ro WITH ('format' = 'lines')");
        Assert.Single(format.Opened);
        Assert.Equal(0, database.Compact());
        Assert.Equal("Catalog Error: a table format named 'lines' is already registered",
            Assert.Throws<QueryException>(() => database.RegisterTableFormat(new LinesFormat())).Message);
    }
}
