namespace Analytics.Engine;

/// <summary>A connection to a <see cref="Database"/>: per-connection settings; executes ScopeQL statements.</summary>
public sealed class Session : IDisposable
{
    internal Session(Database database) => Database = database;

    public Database Database { get; }

    /// <summary>
    /// Executes one statement. Queries stream: the returned result yields batches as they are produced. Errors are
    /// <see cref="Analytics.Errors.QueryException"/>s (kind-prefixed messages).
    /// </summary>
    public QueryResult Execute(string statement, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException("in progress");

    /// <summary>Splits a script on top-level semicolons and executes the statements one at a time, lazily.</summary>
    public IEnumerable<QueryResult> ExecuteScript(string script, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException("in progress");

    public void Dispose()
    {
    }
}
