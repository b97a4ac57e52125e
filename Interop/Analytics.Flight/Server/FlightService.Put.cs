using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using Analytics.Arrow;
using Analytics.Arrow.Arrays;
using Analytics.Arrow.Conversion;
using Analytics.Arrow.Types;
using Analytics.Engine;
using Analytics.Engine.Ingest;
using Analytics.Flight.Arrow;
using Analytics.Flight.Grpc;
using Analytics.Flight.Protocol;
using Analytics.Flight.Protocol.Sql;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Analytics.Flight.Server;

/// <summary>
/// DoPut: Arrow batches appended to a table (PATH descriptor), atomically per call: everything uploaded is inserted
/// in one commit after the client has finished, or nothing when anything fails (bad IPC, a column that does not fit
/// the table, a size limit, the client going away). Each IPC message (schema, batches) is acknowledged with a PutResult carrying its
/// app_metadata back; the last PutResult carries <c>DoPutUpdateResult{record_count}</c>. Flight SQL updates and
/// parameter binding also arrive through DoPut.
/// </summary>
internal sealed partial class FlightService
{
    private const int UploadPipeBytes = 16 << 20;

    private async Task DoPutAsync(FlightCall call)
    {
        FlightData first = await call.ReadAsync(FlightData.Parser).ConfigureAwait(false)
            ?? throw new FlightRpcException(GrpcStatusCode.InvalidArgument, "DoPut carries no FlightData");
        FlightDescriptor descriptor = first.FlightDescriptor
            ?? throw new FlightRpcException(GrpcStatusCode.InvalidArgument, "the first FlightData of a DoPut must carry the flight_descriptor");
        if (descriptor.Type == FlightDescriptor.Types.DescriptorType.Path)
        {
            string table = string.Join('.', descriptor.Path);
            _ = QualifiedName(descriptor.Path);
            long rows = await ReadUploadAsync(call, first, acknowledge: true, (reader, token) => Append(reader, table, token)).ConfigureAwait(false);
            Interlocked.Add(ref _counters._rowsAppended, rows);
            await call.WriteAsync(new PutResult { AppMetadata = new DoPutUpdateResult { RecordCount = rows }.ToByteString() }).ConfigureAwait(false);
            return;
        }
        if (descriptor.Type == FlightDescriptor.Types.DescriptorType.Cmd && FlightSqlCommand.TryUnpack(descriptor.Cmd, out Any? command))
        {
            await DoSqlPutAsync(call, first, command!).ConfigureAwait(false);
            return;
        }
        throw new FlightRpcException(GrpcStatusCode.InvalidArgument, "DoPut needs a PATH descriptor naming a table, or a Flight SQL command");
    }

    private async Task DoSqlPutAsync(FlightCall call, FlightData first, Any command)
    {
        if (command.TryUnpack(out CommandStatementUpdate update))
        {
            await DrainAsync(call).ConfigureAwait(false);
            long count = ExecuteUpdate(update.Query, [], call.Cancellation);
            await call.WriteAsync(new PutResult { AppMetadata = new DoPutUpdateResult { RecordCount = count }.ToByteString() }).ConfigureAwait(false);
            return;
        }
        if (command.TryUnpack(out CommandPreparedStatementQuery query))
        {
            PreparedStatement prepared = Prepared(query.PreparedStatementHandle);
            List<IReadOnlyList<StatementParameter>> rows = await ReadParametersAsync(call, first).ConfigureAwait(false);
            prepared.Parameters = rows.Count > 0 ? rows[0] : [];
            DoPutPreparedStatementResult result = new() { PreparedStatementHandle = query.PreparedStatementHandle };
            await call.WriteAsync(new PutResult { AppMetadata = result.ToByteString() }).ConfigureAwait(false);
            return;
        }
        if (command.TryUnpack(out CommandPreparedStatementUpdate preparedUpdate))
        {
            PreparedStatement prepared = Prepared(preparedUpdate.PreparedStatementHandle);
            List<IReadOnlyList<StatementParameter>> rows = await ReadParametersAsync(call, first).ConfigureAwait(false);
            long count = 0;
            if (rows.Count == 0)
            {
                count = ExecuteUpdate(prepared.Statement, prepared.Parameters, call.Cancellation);
            }
            foreach (IReadOnlyList<StatementParameter> parameters in rows)
            {
                count += ExecuteUpdate(prepared.Statement, parameters, call.Cancellation);
            }
            await call.WriteAsync(new PutResult { AppMetadata = new DoPutUpdateResult { RecordCount = count }.ToByteString() }).ConfigureAwait(false);
            return;
        }
        throw new FlightRpcException(GrpcStatusCode.Unimplemented, $"DoPut with Flight SQL command {FlightSqlCommand.NameOf(command)} is not supported");
    }

    private static async Task DrainAsync(FlightCall call)
    {
        while (await call.ReadAsync(FlightData.Parser).ConfigureAwait(false) is not null)
        {
        }
    }

    /// <summary>Runs a writing statement to its end; the rows it changed (0 for DDL).</summary>
    private long ExecuteUpdate(string statement, IReadOnlyList<StatementParameter> parameters, CancellationToken cancellationToken)
    {
        using Session session = _database.Connect();
        using QueryResult result = session.Execute(statement, parameters, cancellationToken);
        while (result.ReadNext(cancellationToken, out _))
        {
        }
        return Math.Max(0, result.RowsAffected);
    }

    /// <summary>The rows of the uploaded parameter batches, each as positional statement parameters.</summary>
    private async Task<List<IReadOnlyList<StatementParameter>>> ReadParametersAsync(FlightCall call, FlightData first)
    {
        if (first.DataHeader.IsEmpty)
        {
            FlightData? next = await call.ReadAsync(FlightData.Parser).ConfigureAwait(false);
            if (next is null)
            {
                // Only the descriptor: no parameters bound.
                return [];
            }
            first = next;
        }
        return await ReadUploadAsync(call, first, acknowledge: false, (reader, token) =>
        {
            List<IReadOnlyList<StatementParameter>> rows = [];
            BatchSchema schema = ArrowImport.ToBatchSchema(reader.Schema);
            ArrowImport import = new();
            Batch batch = new(schema);
            try
            {
                while (reader.ReadNext() is { } arrow)
                {
                    for (int start = 0; start < arrow.Length; start += Batch.Capacity)
                    {
                        token.ThrowIfCancellationRequested();
                        import.Fill(arrow, start, Math.Min(Batch.Capacity, arrow.Length - start), batch);
                        for (int r = 0; r < batch.Count; r++)
                        {
                            StatementParameter[] parameters = new StatementParameter[schema.Count];
                            for (int c = 0; c < parameters.Length; c++)
                            {
                                parameters[c] = ToParameter(schema[c].Name.Length == 0 ? null : schema[c].Name, batch.Columns[c], r);
                            }
                            rows.Add(parameters);
                        }
                    }
                }
            }
            finally
            {
                batch.Release();
            }
            return rows;
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// One parameter value. The column's name is the parameter's, for <c>@name</c> placeholders (an unnamed column
    /// binds only by position); the n-th column is the n-th <c>?</c> either way.
    /// </summary>
    private static StatementParameter ToParameter(string? name, Analytics.Vector.Vectors.ColumnVector column, int row) => ValueReader.GetValue(column, row) switch
    {
        null => StatementParameter.Null(name),
        bool value => StatementParameter.Boolean(name, value),
        long value => StatementParameter.Int(name, value),
        ulong value => StatementParameter.UInt(name, value),
        double value => StatementParameter.Float(name, value),
        string value when column.Type.Id == TypeId.String => StatementParameter.String(name, value),
        string json => StatementParameter.Json(name, json),
        byte[] value => StatementParameter.Binary(name, value),
        Analytics.Vector.Values.Timestamp value => StatementParameter.Timestamp(name, value.Nanos),
        Interval value => StatementParameter.Interval(name, value.Nanos),
        object other => throw new FlightRpcException(GrpcStatusCode.InvalidArgument, $"unsupported value of type {other.GetType().Name} for parameter {name ?? "?"}"),
    };

    /// <summary>Appends the uploaded batches to <paramref name="table"/> through a <see cref="TableAppender"/> and commits them once.</summary>
    private long Append(ArrowIpcReader reader, string table, CancellationToken cancellationToken)
    {
        using Session session = _database.Connect();
        using TableAppender appender = session.OpenAppender(table);
        int[] columnMap = MapColumns(reader.Schema, appender);
        ArrowImport import = new();
        while (reader.ReadNext() is { } batch)
        {
            for (int start = 0; start < batch.Length; start += Batch.Capacity)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Batch target = appender.RentBatch();
                import.Fill(batch, start, Math.Min(Batch.Capacity, batch.Length - start), target, columnMap);
                appender.Append(target);
            }
        }
        return appender.Flush(cancellationToken);
    }

    /// <summary>For each table column, the uploaded column of the same name, which must map to the column's type.</summary>
    private static int[] MapColumns(ArrowSchema uploaded, TableAppender appender)
    {
        BatchSchema columns = appender.Schema;
        int[] map = new int[columns.Count];
        for (int c = 0; c < columns.Count; c++)
        {
            Analytics.Vector.Types.Field column = columns[c];
            int found = -1;
            for (int f = 0; f < uploaded.Fields.Count; f++)
            {
                if (string.Equals(uploaded.Fields[f].Name, column.Name, StringComparison.OrdinalIgnoreCase))
                {
                    found = f;
                    break;
                }
            }
            if (found < 0)
            {
                throw new FlightRpcException(GrpcStatusCode.InvalidArgument, $"the uploaded batches have no column '{column.Name}' of table {appender.TableName}");
            }
            LogicalType type = ArrowImport.MapType(uploaded.Fields[found]);
            if (type != column.Type)
            {
                throw new FlightRpcException(GrpcStatusCode.InvalidArgument,
                    $"column '{column.Name}' of table {appender.TableName} is {column.Type}; the uploaded Arrow {uploaded.Fields[found].Type} column reads as {type}");
            }
            map[c] = found;
        }
        if (uploaded.Fields.Count != columns.Count)
        {
            throw new FlightRpcException(GrpcStatusCode.InvalidArgument, string.Create(CultureInfo.InvariantCulture,
                $"the uploaded batches have {uploaded.Fields.Count} columns; table {appender.TableName} has {columns.Count}"));
        }
        return map;
    }

    /// <summary>
    /// Rebuilds the IPC stream of the call's FlightData (from <paramref name="first"/> on) into a pipe that
    /// <paramref name="consume"/> reads on a worker thread with <see cref="ArrowIpcReader"/>. The upload is limited
    /// to <see cref="FlightServerOptions.MaxPutBytes"/>. When either side fails, the other stops and the first error
    /// is the call's.
    /// </summary>
    private async Task<T> ReadUploadAsync<T>(FlightCall call, FlightData first, bool acknowledge, Func<ArrowIpcReader, CancellationToken, T> consume)
    {
        Pipe pipe = new(new PipeOptions(pauseWriterThreshold: UploadPipeBytes, resumeWriterThreshold: UploadPipeBytes / 2, useSynchronizationContext: false));
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(call.Cancellation);
        Task<T> consumer = Task.Run(() =>
        {
            using Stream stream = pipe.Reader.AsStream();
            using ArrowIpcReader reader = ArrowIpcReader.Open(stream);
            return consume(reader, stop.Token);
        }, CancellationToken.None);
        Exception? failure = null;
        try
        {
            long total = 0;
            for (FlightData? data = first; data is not null; data = await call.ReadAsync(FlightData.Parser).ConfigureAwait(false))
            {
                total += data.CalculateSize();
                if (total > _options.MaxPutBytes)
                {
                    throw new FlightRpcException(GrpcStatusCode.ResourceExhausted, string.Create(CultureInfo.InvariantCulture,
                        $"the DoPut upload exceeds the limit of {_options.MaxPutBytes} bytes; nothing was written"));
                }
                if (FlightDataIpc.WriteIpcMessage(data, pipe.Writer))
                {
                    FlushResult flushed = await pipe.Writer.FlushAsync(call.Cancellation).ConfigureAwait(false);
                    if (flushed.IsCompleted)
                    {
                        break;
                    }
                    if (acknowledge)
                    {
                        await call.WriteAsync(new PutResult { AppMetadata = data.AppMetadata }).ConfigureAwait(false);
                    }
                }
            }
            FlightDataIpc.WriteEndOfStream(pipe.Writer);
            await pipe.Writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
            await stop.CancelAsync().ConfigureAwait(false);
            await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
        }
        try
        {
            T result = await consumer.ConfigureAwait(false);
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
            return result;
        }
        catch when (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
            throw;
        }
    }
}
