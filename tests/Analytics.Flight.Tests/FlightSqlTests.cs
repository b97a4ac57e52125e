using Analytics.Flight.Client;
using Analytics.Flight.Grpc;
using Analytics.Flight.Protocol;
using Analytics.Flight.Protocol.Sql;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Xunit;

namespace Analytics.Flight.Tests;

/// <summary>Flight SQL commands (Any-packed in CMD descriptors, action bodies and DoPut descriptors).</summary>
public sealed class FlightSqlTests
{
    private const string FlightSqlTypeUrl = "type.googleapis.com/arrow.flight.protocol.sql.";

    private static FlightDescriptor Sql(IMessage command) =>
        new() { Type = FlightDescriptor.Types.DescriptorType.Cmd, Cmd = Any.Pack(command).ToByteString() };

    private static async Task<List<string>> Rows(FlightClient client, IMessage command)
    {
        FlightInfo info = await client.GetFlightInfoAsync(Sql(command));
        using FlightQueryReader reader = await client.ReadAsync(info.Endpoint[0].Ticket);
        return TestServer.Rows(reader);
    }

    [Fact]
    public async Task Statement_query_gives_a_TicketStatementQuery_ticket()
    {
        await using TestServer server = await TestServer.StartAsync();
        using FlightClient client = server.Client();
        FlightInfo info = await client.GetFlightInfoAsync(Sql(new CommandStatementQuery { Query = "FROM people WHERE id = 2 SELECT name" }));
        Assert.True(Any.Parser.ParseFrom(info.Endpoint[0].Ticket.Ticket_).Is(TicketStatementQuery.Descriptor));
        using FlightQueryReader reader = await client.ReadAsync(info.Endpoint[0].Ticket);
        Assert.Equal(["bob"], TestServer.Rows(reader));
    }

    [Fact]
    public async Task Catalog_commands_list_catalogs_schemas_tables_and_types()
    {
        await using TestServer server = await TestServer.StartAsync();
        server.Run("CREATE TABLE pets (name string)");
        server.Run("CREATE VIEW people_view AS FROM people SELECT id");
        using FlightClient client = server.Client();
        Assert.Equal(["scopedb"], await Rows(client, new CommandGetCatalogs()));
        Assert.Equal(["scopedb\tpublic"], await Rows(client, new CommandGetDbSchemas { Catalog = "scopedb", DbSchemaFilterPattern = "pub%" }));
        Assert.Empty(await Rows(client, new CommandGetDbSchemas { DbSchemaFilterPattern = "x%" }));
        Assert.Equal(["scopedb\tpublic\tpeople\tTABLE", "scopedb\tpublic\tpets\tTABLE", "scopedb\tpublic\tpeople_view\tVIEW"],
            await Rows(client, new CommandGetTables()));
        Assert.Equal(["scopedb\tpublic\tpeople\tTABLE", "scopedb\tpublic\tpeople_view\tVIEW"],
            await Rows(client, new CommandGetTables { TableNameFilterPattern = "peop%" }));
        Assert.Equal(["scopedb\tpublic\tpets\tTABLE"], await Rows(client, new CommandGetTables { TableNameFilterPattern = "p_ts", TableTypes = { "TABLE" } }));
        Assert.Equal(["TABLE", "VIEW"], await Rows(client, new CommandGetTableTypes()));
        Any primaryKeys = new() { TypeUrl = FlightSqlTypeUrl + "CommandGetPrimaryKeys" };
        FlightRpcException unsupported = await Assert.ThrowsAsync<FlightRpcException>(() => client.GetFlightInfoAsync(
            new FlightDescriptor { Type = FlightDescriptor.Types.DescriptorType.Cmd, Cmd = primaryKeys.ToByteString() }));
        Assert.Equal(GrpcStatusCode.Unimplemented, unsupported.Status);
        Assert.Contains("CommandGetPrimaryKeys", unsupported.Detail, StringComparison.Ordinal);
        // GetSqlInfo's dense union is written by hand; its values are checked by the grpc-js peer (our reader has no unions).
        FlightInfo sqlInfo = await client.GetFlightInfoAsync(Sql(new CommandGetSqlInfo { Info = { 0, 4 } }));
        Assert.Equal(["info_name", "value"], Flight.Arrow.FlightDataIpc.ReadSchemaMessage(sqlInfo.Schema.Span).Fields.Select(f => f.Name));
    }

    [Fact]
    public async Task Statement_update_runs_INSERT_UPDATE_DELETE_and_reports_counts()
    {
        await using TestServer server = await TestServer.StartAsync();
        using FlightClient client = server.Client();
        Assert.Equal(2, await client.ExecuteUpdateAsync("VALUES (7, 'g', 7.0), (8, 'h', 8.0) INSERT INTO people"));
        Assert.Equal(1, await client.ExecuteUpdateAsync("UPDATE people SET score = 0.0 WHERE id = 7"));
        Assert.Equal(3, await client.ExecuteUpdateAsync("DELETE FROM people WHERE id <= 3"));
        Assert.Equal(["7\tg\t0", "8\th\t8"], await Rows(client, new CommandStatementQuery { Query = "FROM people ORDER BY id" }));
        FlightRpcException error = await Assert.ThrowsAsync<FlightRpcException>(() => client.ExecuteUpdateAsync("DELETE FROM nowhere"));
        Assert.Equal(GrpcStatusCode.NotFound, error.Status);
    }

    [Fact]
    public async Task Prepared_statements_bind_parameters_through_DoPut_and_close()
    {
        await using TestServer server = await TestServer.StartAsync();
        using FlightClient client = server.Client();
        ActionCreatePreparedStatementResult prepared = await Create(client, "FROM people WHERE id > ? ORDER BY id SELECT name");
        Assert.True(prepared.DatasetSchema.IsEmpty);
        FlightDescriptor bind = Sql(new CommandPreparedStatementQuery { PreparedStatementHandle = prepared.PreparedStatementHandle });
        byte[] parameters = FlightServerTests.IpcOf("VALUES (1) SELECT $0 AS p", server);
        List<PutResult> bound = await client.DoPutAsync(FlightClient.ToFlightData(bind, parameters));
        Assert.Equal(prepared.PreparedStatementHandle, DoPutPreparedStatementResult.Parser.ParseFrom(bound[^1].AppMetadata).PreparedStatementHandle);
        Assert.Equal(["bob", "cy"], await Rows(client, new CommandPreparedStatementQuery { PreparedStatementHandle = prepared.PreparedStatementHandle }));

        // Named placeholders take the parameter column of their name; a ? the column at its position.
        ActionCreatePreparedStatementResult named = await Create(client, "FROM people WHERE name = @name OR id = ? ORDER BY id SELECT id");
        FlightDescriptor bindNamed = Sql(new CommandPreparedStatementQuery { PreparedStatementHandle = named.PreparedStatementHandle });
        await client.DoPutAsync(FlightClient.ToFlightData(bindNamed, FlightServerTests.IpcOf("VALUES (3, 'ada') SELECT $0 AS id, $1 AS name", server)));
        Assert.Equal(["1", "3"], await Rows(client, new CommandPreparedStatementQuery { PreparedStatementHandle = named.PreparedStatementHandle }));

        ActionCreatePreparedStatementResult query = await Create(client, "FROM people SELECT id");
        Assert.False(query.IsUpdate);
        Assert.False(query.DatasetSchema.IsEmpty);
        ActionCreatePreparedStatementResult update = await Create(client, "DELETE FROM people WHERE id = ?");
        Assert.True(update.IsUpdate);
        List<PutResult> deleted = await client.DoPutAsync(FlightClient.ToFlightData(
            Sql(new CommandPreparedStatementUpdate { PreparedStatementHandle = update.PreparedStatementHandle }), FlightServerTests.IpcOf("VALUES (1), (3) SELECT $0 AS p", server)));
        Assert.Equal(2, DoPutUpdateResult.Parser.ParseFrom(deleted[^1].AppMetadata).RecordCount);

        await foreach (Result _ in client.DoActionAsync(new Protocol.Action
        {
            Type = "ClosePreparedStatement",
            Body = Any.Pack(new ActionClosePreparedStatementRequest { PreparedStatementHandle = prepared.PreparedStatementHandle }).ToByteString(),
        }))
        {
        }
        FlightRpcException closed = await Assert.ThrowsAsync<FlightRpcException>(() =>
            client.GetFlightInfoAsync(Sql(new CommandPreparedStatementQuery { PreparedStatementHandle = prepared.PreparedStatementHandle })));
        Assert.Equal(GrpcStatusCode.NotFound, closed.Status);
    }

    private static async Task<ActionCreatePreparedStatementResult> Create(FlightClient client, string query)
    {
        await foreach (Result result in client.DoActionAsync(new Protocol.Action
        {
            Type = "CreatePreparedStatement",
            Body = Any.Pack(new ActionCreatePreparedStatementRequest { Query = query }).ToByteString(),
        }))
        {
            return Any.Parser.ParseFrom(result.Body).Unpack<ActionCreatePreparedStatementResult>();
        }
        throw new InvalidOperationException("CreatePreparedStatement returned no result");
    }
}
