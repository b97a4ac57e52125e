using System.Text.Json;
using Analytics.Flight.Client;
using Xunit;

namespace Analytics.Flight.Tests;

/// <summary>Our server against an independent client: @grpc/grpc-js (HTTP/2, gRPC framing) + apache-arrow (IPC).</summary>
public sealed class NodeFlightPeerTests(NodeFlightPeer peer) : IClassFixture<NodeFlightPeer>
{
    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? "NULL" : e.ToString())];

    [Fact]
    public async Task GetFlightInfo_and_DoGet_from_grpc_js()
    {
        await using TestServer server = await TestServer.StartAsync();
        JsonElement result = peer.Call("query", server.Server.Port, null, "FROM people ORDER BY id SELECT id, name, score");
        Assert.Equal(["id", "name", "score"], Strings(result.GetProperty("infoSchema")));
        Assert.Equal(["Int64", "Utf8", "Float64"], Strings(result.GetProperty("types")));
        Assert.Equal(["1|ada|1.5", "2|bob|2.5", "3|cy|NULL"],
            result.GetProperty("rows").EnumerateArray().Select(r => string.Join('|', Strings(r))));
    }

    [Fact]
    public async Task DoPut_from_grpc_js_appends_and_acknowledges()
    {
        await using TestServer server = await TestServer.StartAsync();
        JsonElement result = peer.Call("put", server.Server.Port, null, "people");
        string[] acks = Strings(result.GetProperty("acks"));
        // arrow-js sends the strings dictionary-encoded: schema, dictionary batch, record batch, each acknowledged
        // with its app_metadata, then the commit's count.
        Assert.Equal(4, acks.Length);
        Assert.Equal("", acks[0]);
        Assert.StartsWith(Convert.ToHexString("batch@"u8).ToLowerInvariant(), acks[1], StringComparison.Ordinal);
        Assert.StartsWith(Convert.ToHexString("batch@"u8).ToLowerInvariant(), acks[2], StringComparison.Ordinal);
        Assert.Equal(3, Protocol.Sql.DoPutUpdateResult.Parser.ParseFrom(Convert.FromHexString(acks[3])).RecordCount);
        using FlightClient client = server.Client();
        using FlightQueryReader reader = await client.QueryAsync("FROM people WHERE id >= 100 ORDER BY id");
        Assert.Equal(["100\tfrom\t0.25", "101\tnode\t0.5", "102\tNULL\t0.75"], TestServer.Rows(reader));
    }

    [Fact]
    public async Task Flight_SQL_statement_from_grpc_js()
    {
        await using TestServer server = await TestServer.StartAsync();
        JsonElement result = peer.Call("sql", server.Server.Port, null, "FROM people AGGREGATE count() AS n, sum(score) AS total");
        Assert.Equal("type.googleapis.com/arrow.flight.protocol.sql.TicketStatementQuery", result.GetProperty("ticketType").GetString());
        Assert.Equal(["n", "total"], Strings(result.GetProperty("columns")));
        Assert.Equal(["3", "4"], Strings(result.GetProperty("rows")[0]));
    }

    [Fact]
    public async Task Flight_SQL_prepared_statement_parameters_bound_by_DoPut_from_grpc_js()
    {
        await using TestServer server = await TestServer.StartAsync();
        JsonElement result = peer.Call("prepared", server.Server.Port, null, "FROM people WHERE id > ? AND name <> @name ORDER BY id SELECT id, name", "1", "bob");
        Assert.True(result.GetProperty("boundHandle").GetBoolean());
        Assert.Equal(["3|cy"], result.GetProperty("rows").EnumerateArray().Select(r => string.Join('|', Strings(r))));
        Assert.Equal(0, server.Server.Counters.OpenPreparedStatements);
    }

    [Fact]
    public async Task Flight_SQL_GetSqlInfo_dense_union_read_by_apache_arrow()
    {
        await using TestServer server = await TestServer.StartAsync();
        JsonElement all = peer.Call("sqlinfo", server.Server.Port, null);
        Assert.Equal(["info_name", "value"], Strings(all.GetProperty("columns")));
        Assert.StartsWith("Union<Utf8 | Bool | Int64 | Int32 | List<", all.GetProperty("types")[1].GetString(), StringComparison.Ordinal);
        Assert.Equal(1, all.GetProperty("modes")[1].GetInt32());
        Dictionary<string, string> values = all.GetProperty("rows").EnumerateArray().ToDictionary(r => r[0].ToString(), r => r[1].ToString());
        Assert.Equal("Analytics", values["0"]);
        Assert.Equal("False", values["4"], ignoreCase: true);
        Assert.Equal("0", values["8"]);
        Assert.Equal("True", values["9"], ignoreCase: true);
        Assert.Equal("`", values["504"]);
        JsonElement some = peer.Call("sqlinfo", server.Server.Port, null, "9", "0", "12345");
        Assert.Equal(["0|Analytics", "9|true"], some.GetProperty("rows").EnumerateArray().Select(r => string.Join('|', Strings(r))).Select(v => v.Replace("True", "true", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task More_than_100_MB_stream_through_grpc_js_with_flow_control()
    {
        await using TestServer server = await TestServer.StartAsync();
        const long rows = 7_000_000;
        server.CreateNumbers("numbers", rows);
        JsonElement result = peer.Call("stream", server.Server.Port, null, "FROM numbers");
        Assert.Equal(rows, result.GetProperty("rows").GetInt64());
        Assert.Equal((rows * (rows - 1)).ToString(System.Globalization.CultureInfo.InvariantCulture), result.GetProperty("sum").GetString());
        Assert.True(result.GetProperty("bytes").GetInt64() > 100_000_000, $"only {result.GetProperty("bytes")} bytes");
        Assert.Equal(1, server.Server.Counters.QueryExecutions);
    }

    [Fact]
    public async Task Auth_failures_and_handshake_from_grpc_js()
    {
        await using TestServer server = await TestServer.StartAsync(token: "node-token");
        JsonElement anonymous = peer.Call("query", server.Server.Port, null, "FROM people");
        Assert.Equal(16, anonymous.GetProperty("error").GetInt32());
        JsonElement wrong = peer.Call("query", server.Server.Port, "wrong", "FROM people");
        Assert.Equal(16, wrong.GetProperty("error").GetInt32());
        Assert.Equal("invalid bearer token", wrong.GetProperty("details").GetString());
        JsonElement handshake = peer.Call("handshake", server.Server.Port, "node-token");
        Assert.Equal("Bearer node-token", handshake.GetProperty("bearer").GetString());
        Assert.Contains("CancelFlightInfo", Strings(handshake.GetProperty("actions")));
        JsonElement badHandshake = peer.Call("handshake", server.Server.Port, "nope");
        Assert.Equal(16, badHandshake.GetProperty("error").GetInt32());
        JsonElement ok = peer.Call("query", server.Server.Port, "node-token", "FROM people");
        Assert.Equal(3, ok.GetProperty("rows").GetArrayLength());
    }

    [Fact]
    public async Task ScopeQL_errors_reach_grpc_js_as_INVALID_ARGUMENT_with_the_message()
    {
        await using TestServer server = await TestServer.StartAsync();
        JsonElement result = peer.Call("query", server.Server.Port, null, "FROM people WHERE nope > 1");
        Assert.Equal(3, result.GetProperty("error").GetInt32());
        Assert.StartsWith("Binder Error:", result.GetProperty("details").GetString(), StringComparison.Ordinal);
        Assert.Contains("nope", result.GetProperty("details").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_grpc_js_clients()
    {
        await using TestServer server = await TestServer.StartAsync();
        Task<JsonElement>[] clients = [.. Enumerable.Range(0, 3).Select(_ => Task.Run(() => peer.Call("concurrent", server.Server.Port, null, "FROM people", "8")))];
        foreach (JsonElement result in await Task.WhenAll(clients))
        {
            Assert.Equal(Enumerable.Repeat("3", 8), Strings(result.GetProperty("counts")));
        }
    }
}
