using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Analytics.Engine;
using Analytics.Errors;
using Analytics.Flight.Arrow;
using Analytics.Flight.Grpc;
using Analytics.Flight.Protocol;
using Analytics.Flight.Protocol.Sql;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Analytics.Flight.Server;

/// <summary>
/// Flight SQL (arrow-flight.md §3.4) on top of the Flight methods: statement queries and updates, prepared statements
/// (parameters bound by DoPut), and the catalog commands, which are answered by ScopeQL queries over the system
/// relations (<c>system.databases</c>, <c>system.schemas</c>, <c>system.tables</c>, <c>system.views</c>). The query
/// text is ScopeQL, not SQL.
/// </summary>
internal sealed partial class FlightService
{
    private const int MaxPreparedStatements = 10_000;
    private const int MaxPositionalParameters = 256;

    private readonly ConcurrentDictionary<string, PreparedStatement> _prepared = new(StringComparer.Ordinal);

    private StatementRequest ResolveSqlCommand(Any command, CancellationToken cancellationToken)
    {
        if (command.TryUnpack(out CommandStatementQuery statement))
        {
            return new StatementRequest(statement.Query, []);
        }
        if (command.TryUnpack(out CommandPreparedStatementQuery prepared))
        {
            PreparedStatement entry = Prepared(prepared.PreparedStatementHandle);
            return new StatementRequest(entry.Statement, entry.Parameters);
        }
        if (command.Is(CommandGetCatalogs.Descriptor))
        {
            return new StatementRequest("FROM system.databases SELECT database_name AS catalog_name ORDER BY catalog_name", []);
        }
        if (command.TryUnpack(out CommandGetDbSchemas schemas))
        {
            List<StatementParameter> parameters = [];
            StringBuilder text = new("FROM system.schemas");
            AddFilters(text, parameters, schemas.HasCatalog ? schemas.Catalog : null, schemas.HasDbSchemaFilterPattern ? schemas.DbSchemaFilterPattern : null, null, "schema_name");
            text.Append(" SELECT database_name AS catalog_name, schema_name AS db_schema_name ORDER BY catalog_name, db_schema_name");
            return new StatementRequest(text.ToString(), parameters);
        }
        if (command.TryUnpack(out CommandGetTables tables))
        {
            return TablesStatement(tables);
        }
        if (command.TryUnpack(out CommandGetSqlInfo info))
        {
            return new StatementRequest("-- Flight SQL GetSqlInfo " + string.Join(',', info.Info), [])
            {
                FixedResult = SqlInfoResult.Build([.. info.Info]),
            };
        }
        if (command.Is(CommandGetTableTypes.Descriptor))
        {
            return new StatementRequest("VALUES ('TABLE'), ('VIEW') SELECT $0 AS table_type", []);
        }
        throw new FlightRpcException(GrpcStatusCode.Unimplemented, $"Flight SQL command {FlightSqlCommand.NameOf(command)} is not supported");
    }

    private static StatementRequest TablesStatement(CommandGetTables command)
    {
        if (command.IncludeSchema)
        {
            throw new FlightRpcException(GrpcStatusCode.Unimplemented, "CommandGetTables with include_schema is not supported (use GetSchema on the table's PATH)");
        }
        bool all = command.TableTypes.Count == 0;
        List<StatementParameter> parameters = [];
        string? catalog = command.HasCatalog ? command.Catalog : null;
        string? schemaPattern = command.HasDbSchemaFilterPattern ? command.DbSchemaFilterPattern : null;
        string? tablePattern = command.HasTableNameFilterPattern ? command.TableNameFilterPattern : null;
        StringBuilder text = new("FROM system.tables");
        AddFilters(text, parameters, catalog, schemaPattern, tablePattern, "table_name");
        if (!all && !command.TableTypes.Contains("TABLE"))
        {
            text.Append(" WHERE false");
        }
        text.Append(" SELECT database_name AS catalog_name, schema_name AS db_schema_name, table_name, 'TABLE' AS table_type");
        text.Append(" UNION ALL FROM system.views");
        AddFilters(text, parameters, catalog, schemaPattern, tablePattern, "view_name");
        if (!all && !command.TableTypes.Contains("VIEW"))
        {
            text.Append(" WHERE false");
        }
        text.Append(" SELECT database_name AS catalog_name, schema_name AS db_schema_name, view_name AS table_name, 'VIEW' AS table_type");
        return new StatementRequest(text.ToString(), parameters);
    }

    /// <summary>WHERE clauses for a catalog name and SQL LIKE patterns (as anchored regular expressions) on the schema and name columns.</summary>
    private static void AddFilters(StringBuilder text, List<StatementParameter> parameters, string? catalog, string? schemaPattern, string? namePattern, string nameColumn)
    {
        if (catalog is not null)
        {
            text.Append(" WHERE database_name = @catalog");
            AddParameter(parameters, StatementParameter.String("catalog", catalog));
        }
        if (schemaPattern is not null)
        {
            text.Append(" WHERE regexp_like(schema_name, @schema_pattern)");
            AddParameter(parameters, StatementParameter.String("schema_pattern", LikeToRegex(schemaPattern)));
        }
        if (namePattern is not null)
        {
            text.Append(" WHERE regexp_like(").Append(nameColumn).Append(", @name_pattern)");
            AddParameter(parameters, StatementParameter.String("name_pattern", LikeToRegex(namePattern)));
        }
    }

    private static void AddParameter(List<StatementParameter> parameters, StatementParameter parameter)
    {
        if (!parameters.Exists(p => string.Equals(p.Name, parameter.Name, StringComparison.Ordinal)))
        {
            parameters.Add(parameter);
        }
    }

    /// <summary>A SQL LIKE pattern (<c>%</c>, <c>_</c>, backslash escapes) as an anchored regular expression.</summary>
    internal static string LikeToRegex(string pattern)
    {
        StringBuilder regex = new("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                regex.Append(Regex.Escape(pattern[++i].ToString()));
            }
            else
            {
                regex.Append(c switch { '%' => ".*", '_' => ".", _ => Regex.Escape(c.ToString()) });
            }
        }
        return regex.Append('$').ToString();
    }

    private async Task DoSqlActionAsync(Protocol.Action action, FlightCall call)
    {
        switch (action.Type)
        {
            case "CreatePreparedStatement":
            {
                ActionCreatePreparedStatementRequest request = UnpackActionBody<ActionCreatePreparedStatementRequest>(action);
                ActionCreatePreparedStatementResult result = Prepare(request.Query, call.Cancellation);
                await call.WriteAsync(new Result { Body = Any.Pack(result).ToByteString() }).ConfigureAwait(false);
                break;
            }
            case "ClosePreparedStatement":
            {
                ActionClosePreparedStatementRequest request = UnpackActionBody<ActionClosePreparedStatementRequest>(action);
                if (!_prepared.TryRemove(request.PreparedStatementHandle.ToStringUtf8(), out _))
                {
                    throw new FlightRpcException(GrpcStatusCode.NotFound, $"unknown prepared statement {request.PreparedStatementHandle.ToStringUtf8()}");
                }
                Interlocked.Decrement(ref _counters._openPreparedStatements);
                break;
            }
            case "CancelQuery":
            {
                ActionCancelQueryRequest request = UnpackActionBody<ActionCancelQueryRequest>(action);
                FlightInfo info;
                try
                {
                    info = FlightInfo.Parser.ParseFrom(request.Info);
                }
                catch (InvalidProtocolBufferException e)
                {
                    throw new FlightRpcException(GrpcStatusCode.InvalidArgument, $"malformed FlightInfo in CancelQuery: {e.Message}", e);
                }
                ActionCancelQueryResult.Types.CancelResult outcome = CancelFlight(info) == CancelStatus.Cancelled
                    ? ActionCancelQueryResult.Types.CancelResult.Cancelled
                    : ActionCancelQueryResult.Types.CancelResult.NotCancellable;
                await call.WriteAsync(new Result { Body = Any.Pack(new ActionCancelQueryResult { Result = outcome }).ToByteString() }).ConfigureAwait(false);
                break;
            }
            default:
                throw new FlightRpcException(GrpcStatusCode.Unimplemented, $"unknown action type '{action.Type}' (ListActions lists the supported ones)");
        }
    }

    /// <summary>Flight SQL action bodies are Any-packed; a bare message is accepted too.</summary>
    private static T UnpackActionBody<T>(Protocol.Action action) where T : IMessage<T>, new()
    {
        try
        {
            Any any = Any.Parser.ParseFrom(action.Body);
            if (any.TryUnpack(out T unpacked))
            {
                return unpacked;
            }
        }
        catch (InvalidProtocolBufferException)
        {
            // Not an Any: parse the body as the message itself below.
        }
        return ParseBody(new MessageParser<T>(() => new T()), action);
    }

    /// <summary>
    /// Prepares a statement: a query's result schema when it can be learned without parameter values, or
    /// <c>is_update</c> when the statement writes (it is then run by DoPut CommandPreparedStatementUpdate).
    /// </summary>
    private ActionCreatePreparedStatementResult Prepare(string statement, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(statement))
        {
            throw new FlightRpcException(GrpcStatusCode.InvalidArgument, "CreatePreparedStatement needs a query");
        }
        if (_prepared.Count >= MaxPreparedStatements)
        {
            throw new FlightRpcException(GrpcStatusCode.ResourceExhausted, $"too many open prepared statements ({MaxPreparedStatements}); close some");
        }
        ActionCreatePreparedStatementResult result = new();
        try
        {
            result.DatasetSchema = FlightDataIpc.SchemaMessage(DescribeStatement(new StatementRequest(statement, []), cancellationToken));
            result.IsUpdate = false;
        }
        catch (QueryException e) when (e.Kind == ErrorKind.InvalidInput && e.Text.StartsWith("the session is read-only", StringComparison.Ordinal))
        {
            result.IsUpdate = true;
        }
        catch (QueryException e) when (e.Kind == ErrorKind.Binder && e.Text.Contains("has no value", StringComparison.Ordinal))
        {
            // Placeholders: the schema is known once DoPut has bound the parameters. Whether the statement writes is
            // learned by binding NULLs to its ? placeholders (the read-only check comes after binding).
            result.IsUpdate = WritesWithNullParameters(statement, cancellationToken);
        }
        string handle = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _prepared[handle] = new PreparedStatement(statement);
        Interlocked.Increment(ref _counters._openPreparedStatements);
        result.PreparedStatementHandle = ByteString.CopyFromUtf8(handle);
        return result;
    }

    private bool WritesWithNullParameters(string statement, CancellationToken cancellationToken)
    {
        StatementParameter[] nulls = new StatementParameter[MaxPositionalParameters];
        Array.Fill(nulls, StatementParameter.Null(null));
        try
        {
            DescribeStatement(new StatementRequest(statement, nulls), cancellationToken);
            return false;
        }
        catch (QueryException e) when (e.Kind == ErrorKind.InvalidInput && e.Text.StartsWith("the session is read-only", StringComparison.Ordinal))
        {
            return true;
        }
        catch (QueryException)
        {
            // Named placeholders or a statement that does not bind with NULLs: treated as a query until parameters come.
            return false;
        }
    }

    private PreparedStatement Prepared(ByteString handle) =>
        _prepared.TryGetValue(handle.ToStringUtf8(), out PreparedStatement? entry)
            ? entry
            : throw new FlightRpcException(GrpcStatusCode.NotFound, $"unknown prepared statement {handle.ToStringUtf8()}");

    /// <summary>A prepared statement and the parameter values DoPut last bound to it.</summary>
    private sealed class PreparedStatement(string statement)
    {
        public string Statement { get; } = statement;

        public IReadOnlyList<StatementParameter> Parameters { get; set; } = [];
    }
}
