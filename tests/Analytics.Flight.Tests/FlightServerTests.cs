using Xunit;
using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Analytics.Arrow;
using Analytics.Flight.Client;
using Analytics.Flight.Grpc;
using Analytics.Flight.Protocol;
using Analytics.Flight.Protocol.Sql;
using Google.Protobuf;

namespace Analytics.Flight.Tests;

public sealed class FlightServerTests
{
    private static FlightDescriptor Command(string statement) =>
        new() { Type = FlightDescriptor.Types.DescriptorType.Cmd, Cmd = ByteString.CopyFromUtf8(statement) };

    private static FlightDescriptor Path(params string[] path)
    {
        FlightDescriptor descriptor = new() { Type = FlightDescriptor.Types.DescriptorType.Path };
        descriptor.Path.AddRange(path);
        return descriptor;
    }

    [Fact]
    public async Task Statement_GetFlightInfo_then_DoGet_returns_the_rows()
    {
        await using TestServer server = await TestServer.StartAsync();
        using FlightClient client = server.Client();
        FlightInfo info = await client.GetFlightInfoAsync(Command("FROM people WHERE id >= 2 ORDER BY id SELECT id, name, score"));
        Assert.Single(info.Endpoint);
        Assert.Equal(-1, info.TotalRecords);
        Assert.Equal(["id", "name", "score"], Flight.Arrow.FlightDataIpc.ReadSchemaMessage(info.Schema.Span).Fields.Select(f => f.Name));
        using FlightQueryReader reader = await client.ReadAsync(info.Endpoint[0].Ticket);
        Assert.Equal(["2\tbob\t2.5", "3\tcy\tNULL"], TestServer.Rows(reader));
    }

    [Fact]
    public async Task Table_path_has_schema_row_count_and_rows()
    {
        await using TestServer server = await TestServer.StartAsync();
        using FlightClient client = server.Client();
        FlightInfo info = await client.GetFlightInfoAsync(Path("people"));
        Assert.Equal(3, info.TotalRecords);
        SchemaResult schema = await client.GetSchemaAsync(Path("scopedb", "public", "people"));
        Assert.Equal(["id", "name", "score"], Flight.Arrow.FlightDataIpc.ReadSchemaMessage(schema.Schema.Span).Fields.Select(f => f.Name));
        using FlightQueryReader reader = await client.ReadAsync(info.Endpoint[0].Ticket);
        Assert.Equal(3, TestServer.Rows(reader).Count);
        PollInfo poll = await client.PollFlightInfoAsync(Path("people"));
        Assert.Null(poll.FlightDescriptor);
        Assert.Equal(1.0, poll.Progress);
        Assert.Equal(3, poll.Info.TotalRecords);
    }

    [Fact]
    public async Task ListFlights_lists_every_table_and_ListTables_DropTable_actions_work()
    {
        await using TestServer server = await TestServer.StartAsync();
        server.Run("CREATE TABLE other (x int)");
        using FlightClient client = server.Client();
        List<string> flights = [];
        await foreach (FlightInfo info in client.ListFlightsAsync())
        {
            flights.Add(string.Join('.', info.FlightDescriptor.Path) + "=" + info.TotalRecords);
        }
        Assert.Equal(["scopedb.public.other=0", "scopedb.public.people=3"], flights);
        Assert.Equal(["scopedb.public.other", "scopedb.public.people"], await Results(client, "ListTables", ByteString.Empty));
        Assert.Empty(await Results(client, "DropTable", ByteString.CopyFromUtf8("other")));
        Assert.Equal(["scopedb.public.people"], await Results(client, "ListTables", ByteString.Empty));
        List<string> actions = [];
        await foreach (ActionType action in client.ListActionsAsync())
        {
            actions.Add(action.Type);
        }
        Assert.Contains("CancelFlightInfo", actions);
        Assert.Contains("DropTable", actions);
    }

    private static async Task<List<string>> Results(FlightClient client, string type, ByteString body)
    {
        List<string> results = [];
        await foreach (Result result in client.DoActionAsync(new Protocol.Action { Type = type, Body = body }))
        {
            results.Add(result.Body.ToStringUtf8());
        }
        return results;
    }

    [Fact]
    public async Task ScopeQL_errors_are_INVALID_ARGUMENT_with_the_message_and_missing_tables_NOT_FOUND()
    {
        await using TestServer server = await TestServer.StartAsync();
        using FlightClient client = server.Client();
        FlightRpcException syntax = await Assert.ThrowsAsync<FlightRpcException>(() => client.GetFlightInfoAsync(Command("FROM people SELEC id")));
        Assert.Equal(GrpcStatusCode.InvalidArgument, syntax.Status);
        Assert.StartsWith("Syntax Error:", syntax.Detail, StringComparison.Ordinal);
        FlightRpcException missing = await Assert.ThrowsAsync<FlightRpcException>(() => client.GetFlightInfoAsync(Path("nope")));
        Assert.Equal(GrpcStatusCode.NotFound, missing.Status);
        Assert.Contains("nope", missing.Detail, StringComparison.Ordinal);
        FlightRpcException write = await Assert.ThrowsAsync<FlightRpcException>(() => client.GetFlightInfoAsync(Command("DELETE FROM people")));
        Assert.Equal(GrpcStatusCode.InvalidArgument, write.Status);
        Assert.Contains("read-only", write.Detail, StringComparison.Ordinal);
        // The server keeps serving.
        using FlightQueryReader reader = await client.QueryAsync("FROM people AGGREGATE count() AS n");
        Assert.Equal(["3"], TestServer.Rows(reader));
    }

    [Fact]
    public async Task Unknown_and_foreign_tickets_are_NOT_FOUND()
    {
        await using TestServer server = await TestServer.StartAsync();
        using FlightClient client = server.Client();
        FlightRpcException foreign = await Assert.ThrowsAsync<FlightRpcException>(() => client.ReadAsync(new Ticket { Ticket_ = ByteString.CopyFromUtf8("FROM people") }));
        Assert.Equal(GrpcStatusCode.NotFound, foreign.Status);
        Assert.Contains("unknown ticket", foreign.Detail, StringComparison.Ordinal);
        var forged = Google.Protobuf.WellKnownTypes.Any.Pack(new TicketStatementQuery { StatementHandle = ByteString.CopyFromUtf8("0123") });
        FlightRpcException expired = await Assert.ThrowsAsync<FlightRpcException>(() => client.ReadAsync(new Ticket { Ticket_ = forged.ToByteString() }));
        Assert.Equal(GrpcStatusCode.NotFound, expired.Status);
        Assert.Contains("0123", expired.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DoPut_appends_atomically_and_acknowledges_each_batch()
    {
        await using TestServer server = await TestServer.StartAsync();
        using FlightClient client = server.Client();
        byte[] ipc = IpcOf("VALUES (10, 'x', 0.5), (11, 'y', NULL) SELECT $0 AS id, $1 AS name, $2 AS score", server);
        List<FlightData> messages = [.. FlightClient.ToFlightData(Path("people"), ipc)];
        messages[^1].AppMetadata = ByteString.CopyFromUtf8("batch-1");
        List<PutResult> acks = await client.DoPutAsync(messages);
        // One acknowledgement per IPC message (the schema, then the batch, echoing its app_metadata), then the count.
        Assert.Equal(["", "batch-1"], acks[..^1].Select(a => a.AppMetadata.ToStringUtf8()));
        Assert.Equal(2, DoPutUpdateResult.Parser.ParseFrom(acks[^1].AppMetadata).RecordCount);
        using (FlightQueryReader reader = await client.QueryAsync("FROM people WHERE id >= 10 ORDER BY id"))
        {
            Assert.Equal(["10\tx\t0.5", "11\ty\tNULL"], TestServer.Rows(reader));
        }
        Assert.Equal(2, server.Server.Counters.RowsAppended);

        // A column of the wrong type: nothing of the call is written.
        byte[] wrong = IpcOf("VALUES (12, 'z', 'not a float') SELECT $0 AS id, $1 AS name, $2 AS score", server);
        FlightRpcException error = await Assert.ThrowsAsync<FlightRpcException>(() => client.DoPutAsync(FlightClient.ToFlightData(Path("people"), wrong)));
        Assert.Equal(GrpcStatusCode.InvalidArgument, error.Status);
        Assert.Contains("column 'score'", error.Detail, StringComparison.Ordinal);
        using FlightQueryReader count = await client.QueryAsync("FROM people AGGREGATE count() AS n");
        Assert.Equal(["5"], TestServer.Rows(count));
    }

    [Fact]
    public async Task DoPut_over_the_upload_limit_is_RESOURCE_EXHAUSTED_and_writes_nothing()
    {
        await using TestServer server = await TestServer.StartAsync(configure: o => o with { MaxPutBytes = 64 << 10 });
        server.CreateNumbers("numbers", 50_000);
        server.Run("CREATE TABLE copy (id int, value int)");
        using FlightClient client = server.Client();
        byte[] ipc = IpcOf("FROM numbers", server);
        FlightRpcException error = await Assert.ThrowsAsync<FlightRpcException>(() => client.DoPutAsync(FlightClient.ToFlightData(Path("copy"), ipc)));
        Assert.Equal(GrpcStatusCode.ResourceExhausted, error.Status);
        Assert.Contains("nothing was written", error.Detail, StringComparison.Ordinal);
        using FlightQueryReader count = await client.QueryAsync("FROM copy AGGREGATE count() AS n");
        Assert.Equal(["0"], TestServer.Rows(count));
        // Within the limit the same upload goes through.
        await using TestServer roomy = await TestServer.StartAsync();
        roomy.Run("CREATE TABLE copy (id int, value int)");
        using FlightClient other = roomy.Client();
        List<PutResult> acks = await other.DoPutAsync(FlightClient.ToFlightData(Path("copy"), ipc));
        Assert.Equal(50_000, DoPutUpdateResult.Parser.ParseFrom(acks[^1].AppMetadata).RecordCount);
    }

    [Fact]
    public async Task A_client_leaving_mid_DoPut_writes_nothing_and_the_server_keeps_serving()
    {
        await using TestServer server = await TestServer.StartAsync();
        server.Run("CREATE TABLE copy (id int, value int)");
        using FlightClient client = server.Client();
        using CancellationTokenSource leave = new();
        Vector.Batches.Batch batch = new(new Vector.Types.BatchSchema(
            new Vector.Types.Field("id", Vector.Types.LogicalType.Int), new Vector.Types.Field("value", Vector.Types.LogicalType.Int)));
        try
        {
            batch.Columns[0].GetData<long>().Fill(1);
            batch.Columns[1].GetData<long>().Fill(2);
            batch.SetCount(Vector.Batches.Batch.Capacity);
            IEnumerable<Vector.Batches.Batch> Upload()
            {
                yield return batch;
                yield return batch;
                // The first batches are on the wire; the client goes away before the upload ends.
                Thread.Sleep(300);
                leave.Cancel();
                yield return batch;
            }
            await Assert.ThrowsAnyAsync<Exception>(() => client.PutAsync(Path("copy"), batch.Schema, Upload(), leave.Token));
        }
        finally
        {
            batch.Release();
        }
        for (int i = 0; i < 50 && server.Server.Counters.RowsAppended == 0; i++)
        {
            await Task.Delay(20);
        }
        Assert.Equal(0, server.Server.Counters.RowsAppended);
        using FlightQueryReader count = await client.QueryAsync("FROM copy AGGREGATE count() AS n");
        Assert.Equal(["0"], TestServer.Rows(count));
        // A complete upload through the same client goes through.
        Vector.Batches.Batch one = new(batch.Schema);
        try
        {
            one.Columns[0].GetData<long>()[0] = 7;
            one.Columns[1].GetData<long>()[0] = 14;
            one.SetCount(1);
            List<PutResult> acks = await client.PutAsync(Path("copy"), one.Schema, [one]);
            Assert.Equal(1, DoPutUpdateResult.Parser.ParseFrom(acks[^1].AppMetadata).RecordCount);
        }
        finally
        {
            one.Release();
        }
        using FlightQueryReader rows = await client.QueryAsync("FROM copy");
        Assert.Equal(["7\t14"], TestServer.Rows(rows));
    }

    /// <summary>The Arrow IPC stream of a statement's result, written by Analytics.Arrow.</summary>
    internal static byte[] IpcOf(string statement, TestServer server)
    {
        using Engine.Session session = server.Database.Connect();
        using Engine.QueryResult result = session.Execute(statement);
        using MemoryStream stream = new();
        Analytics.Arrow.Results.ArrowResultWriter.Write(result, stream);
        return stream.ToArray();
    }

    [Fact]
    public async Task DoPut_with_a_bad_IPC_header_fails_with_the_offset_and_writes_nothing()
    {
        await using TestServer server = await TestServer.StartAsync();
        using FlightClient client = server.Client();
        List<FlightData> messages = [.. FlightClient.ToFlightData(Path("people"), IpcOf("VALUES (20, 'q', 1.0) SELECT $0 AS id, $1 AS name, $2 AS score", server))];
        byte[] header = messages[1].DataHeader.ToByteArray();
        BinaryPrimitives.WriteInt32LittleEndian(header, 0x7FFFFFF0);
        messages[1].DataHeader = ByteString.CopyFrom(header);
        FlightRpcException error = await Assert.ThrowsAsync<FlightRpcException>(() => client.DoPutAsync(messages));
        Assert.Equal(GrpcStatusCode.InvalidArgument, error.Status);
        Assert.StartsWith("Arrow Error:", error.Detail, StringComparison.Ordinal);
        using FlightQueryReader count = await client.QueryAsync("FROM people AGGREGATE count() AS n");
        Assert.Equal(["3"], TestServer.Rows(count));
    }

    [Fact]
    public async Task Malformed_protobuf_oversized_messages_and_wrong_content_type_get_clear_statuses()
    {
        await using TestServer server = await TestServer.StartAsync(configure: o => o with { MaxMessageBytes = 1024 });
        using HttpClient http = new() { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        (string? status, string? message) = await RawCall(http, server, "GetFlightInfo", [0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF]);
        Assert.Equal("3", status);
        Assert.Contains("malformed FlightDescriptor", message, StringComparison.Ordinal);
        byte[] big = new byte[5 + 4096];
        BinaryPrimitives.WriteUInt32BigEndian(big.AsSpan(1), 4096);
        (status, message) = await RawCall(http, server, "GetFlightInfo", big);
        Assert.Equal("8", status);
        Assert.Contains("exceeds the limit of 1024 bytes", message, StringComparison.Ordinal);
        (status, message) = await RawCall(http, server, "GetFlightInfo", [0, 0, 0, 0, 9, 1]);
        Assert.Equal("3", status);
        Assert.Contains("ended inside a gRPC message", message, StringComparison.Ordinal);
        (status, _) = await RawCall(http, server, "NoSuchMethod", [0, 0, 0, 0, 0]);
        Assert.Equal("12", status);
        using HttpRequestMessage wrongType = new(HttpMethod.Post, $"http://127.0.0.1:{server.Server.Port}/arrow.flight.protocol.FlightService/ListActions")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent("hi"),
        };
        using HttpResponseMessage response = await http.SendAsync(wrongType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        // Still serving.
        using FlightClient client = server.Client();
        using FlightQueryReader reader = await client.QueryAsync("FROM people AGGREGATE count() AS n");
        Assert.Equal(["3"], TestServer.Rows(reader));
    }

    private static async Task<(string? Status, string? Message)> RawCall(HttpClient http, TestServer server, string method, byte[] body)
    {
        using HttpRequestMessage request = new(HttpMethod.Post, $"http://127.0.0.1:{server.Server.Port}/arrow.flight.protocol.FlightService/{method}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        using HttpResponseMessage response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        HttpResponseHeaders source = response.TrailingHeaders.Contains("grpc-status") ? response.TrailingHeaders : response.Headers;
        return (source.TryGetValues("grpc-status", out var s) ? s.First() : null,
                source.TryGetValues("grpc-message", out var m) ? GrpcMessageText.Decode(m.First()) : null);
    }

    [Fact]
    public async Task Every_call_needs_the_token_and_Handshake_hands_it_out()
    {
        await using TestServer server = await TestServer.StartAsync(token: "s3cret");
        using FlightClient anonymous = server.Client(new FlightClientOptions());
        FlightRpcException missing = await Assert.ThrowsAsync<FlightRpcException>(() => anonymous.GetFlightInfoAsync(Path("people")));
        Assert.Equal(GrpcStatusCode.Unauthenticated, missing.Status);
        using FlightClient wrong = server.Client(new FlightClientOptions { Token = "guess" });
        FlightRpcException invalid = await Assert.ThrowsAsync<FlightRpcException>(() => wrong.ReadAsync(new Ticket()));
        Assert.Equal(GrpcStatusCode.Unauthenticated, invalid.Status);
        await Assert.ThrowsAsync<FlightRpcException>(() => wrong.HandshakeAsync("guess"));

        using FlightClient client = server.Client(new FlightClientOptions());
        Assert.Equal("s3cret", await client.HandshakeAsync("s3cret"));
        using FlightQueryReader reader = await client.QueryAsync("FROM people AGGREGATE count() AS n");
        Assert.Equal(["3"], TestServer.Rows(reader));
        Assert.Equal(3, server.Server.Counters.RejectedUnauthenticated);
    }

    [Fact]
    public async Task Every_RPC_is_UNAUTHENTICATED_with_a_wrong_token_and_nothing_changes()
    {
        await using TestServer server = await TestServer.StartAsync(token: "s3cret");
        using FlightClient wrong = server.Client(new FlightClientOptions { Token = "guess" });
        FlightDescriptor people = Path("people");
        List<(string Rpc, Func<Task> Call)> calls =
        [
            ("ListFlights", async () => { await foreach (FlightInfo _ in wrong.ListFlightsAsync()) { } }),
            ("GetFlightInfo", () => wrong.GetFlightInfoAsync(people)),
            ("PollFlightInfo", () => wrong.PollFlightInfoAsync(people)),
            ("GetSchema", () => wrong.GetSchemaAsync(people)),
            ("DoGet", async () => { await foreach (FlightData _ in wrong.DoGetAsync(new Ticket())) { } }),
            ("DoPut", () => wrong.ExecuteUpdateAsync("DELETE FROM people")),
            ("DoAction", async () => { await foreach (Result _ in wrong.DoActionAsync(new Protocol.Action { Type = "DropTable", Body = ByteString.CopyFromUtf8("people") })) { } }),
            ("ListActions", async () => { await foreach (ActionType _ in wrong.ListActionsAsync()) { } }),
        ];
        foreach ((string rpc, Func<Task> call) in calls)
        {
            FlightRpcException error = await Assert.ThrowsAsync<FlightRpcException>(call);
            Assert.True(error.Status == GrpcStatusCode.Unauthenticated, $"{rpc}: {error.Status} {error.Detail}");
        }
        Assert.Equal(calls.Count, server.Server.Counters.RejectedUnauthenticated);
        using FlightClient client = server.Client();
        using FlightQueryReader reader = await client.QueryAsync("FROM people AGGREGATE count() AS n");
        Assert.Equal(["3"], TestServer.Rows(reader));
    }

    [Fact]
    public async Task A_deadline_stops_a_slow_query_with_DEADLINE_EXCEEDED()
    {
        await using TestServer server = await TestServer.StartAsync();
        server.CreateNumbers("numbers", 3_000_000);
        using FlightClient client = server.Client(new FlightClientOptions { Timeout = TimeSpan.FromMilliseconds(300) });
        FlightRpcException error = await Assert.ThrowsAsync<FlightRpcException>(async () =>
        {
            using FlightQueryReader reader = await client.QueryAsync("FROM numbers ORDER BY value DESC");
            while (reader.ReadNext() is not null)
            {
                await Task.Delay(50);
            }
        });
        Assert.Equal(GrpcStatusCode.DeadlineExceeded, error.Status);
    }

    [Fact]
    public async Task A_client_leaving_mid_stream_cancels_the_query_and_the_server_keeps_serving()
    {
        await using TestServer server = await TestServer.StartAsync();
        server.CreateNumbers("numbers", 2_000_000);
        using FlightClient client = server.Client();
        using (FlightQueryReader reader = await client.QueryAsync("FROM numbers"))
        {
            Assert.NotNull(reader.ReadNext());
        }
        for (int i = 0; i < 100 && server.Server.Counters.CancelledExecutions == 0; i++)
        {
            await Task.Delay(50);
        }
        Assert.Equal(1, server.Server.Counters.CancelledExecutions);
        using FlightQueryReader next = await client.QueryAsync("FROM numbers AGGREGATE count() AS n, sum(value) AS s");
        Assert.Equal(["2000000\t3999998000000"], TestServer.Rows(next));
    }

    [Fact]
    public async Task CancelFlightInfo_stops_a_running_query()
    {
        await using TestServer server = await TestServer.StartAsync(configure: o => o with { StreamWindowBytes = 1 << 16 });
        server.CreateNumbers("numbers", 2_000_000);
        using FlightClient client = server.Client();
        FlightInfo info = await client.GetFlightInfoAsync(Command("FROM numbers"));
        using FlightQueryReader reader = await client.ReadAsync(info.Endpoint[0].Ticket);
        Assert.NotNull(reader.ReadNext());
        List<ByteString> results = [];
        await foreach (Result result in client.DoActionAsync(new Protocol.Action
        {
            Type = "CancelFlightInfo",
            Body = new CancelFlightInfoRequest { Info = info }.ToByteString(),
        }))
        {
            results.Add(result.Body);
        }
        Assert.Equal(CancelStatus.Cancelled, CancelFlightInfoResult.Parser.ParseFrom(results.Single()).Status);
        FlightRpcException error = Assert.Throws<FlightRpcException>(() =>
        {
            while (reader.ReadNext() is not null)
            {
            }
        });
        Assert.Equal(GrpcStatusCode.Cancelled, error.Status);
    }

    [Fact]
    public async Task Many_concurrent_identical_DoGets_execute_the_query_once()
    {
        await using TestServer server = await TestServer.StartAsync(configure: o => o with { StreamWindowBytes = 1 << 16 });
        server.CreateNumbers("numbers", 300_000);
        using FlightClient client = server.Client();
        FlightInfo info = await client.GetFlightInfoAsync(Command("FROM numbers ORDER BY id DESC SELECT id, value"));
        // The first reader holds the execution open (it reads one batch, then waits) while the others join.
        using FlightQueryReader first = await client.ReadAsync(info.Endpoint[0].Ticket);
        Assert.NotNull(first.ReadNext());
        Task<(long Rows, long Sum)>[] others = [.. Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            using FlightQueryReader reader = await client.ReadAsync(info.Endpoint[0].Ticket);
            long rows = 0, sum = 0;
            while (reader.ReadNext() is { } batch)
            {
                rows += batch.Length;
                foreach (string line in TestServer.Rows(batch))
                {
                    sum += long.Parse(line.Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            return (rows, sum);
        }))];
        while (first.ReadNext() is not null)
        {
        }
        foreach ((long rows, long sum) in await Task.WhenAll(others))
        {
            Assert.Equal(300_000, rows);
            Assert.Equal(2L * (300_000L * 299_999 / 2), sum);
        }
        Assert.Equal(1, server.Server.Counters.QueryExecutions);
        Assert.Equal(16, server.Server.Counters.CoalescedSubscriptions);
    }

    [Fact]
    public async Task Without_coalescing_every_DoGet_executes()
    {
        await using TestServer server = await TestServer.StartAsync(configure: o => o with { Coalescing = false });
        using FlightClient client = server.Client();
        FlightInfo info = await client.GetFlightInfoAsync(Command("FROM people"));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using FlightQueryReader reader = await client.ReadAsync(info.Endpoint[0].Ticket);
            Assert.Equal(3, TestServer.Rows(reader).Count);
        }));
        Assert.Equal(4, server.Server.Counters.QueryExecutions);
        Assert.Equal(0, server.Server.Counters.CoalescedSubscriptions);
    }
}
