// A Flight client on @grpc/grpc-js + apache-arrow, driven by tests/Analytics.Flight.Tests/NodeFlightPeerTests.cs:
//   node flight_peer.js COMMAND PORT TOKEN ARG...
// It prints one JSON object on stdout; a failed call prints {"error": CODE, "details": "..."} (exit code 0), so the
// C# test asserts on both outcomes.
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const arrow = require('apache-arrow');

const protos = path.resolve(__dirname, '../../../Interop/Analytics.Flight/Protos');
const loaderOptions = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [protos, __dirname] };
const definition = protoLoader.loadSync(['flight_service.proto', 'FlightSql.proto'], loaderOptions);
const loaded = grpc.loadPackageDefinition(definition);
const flight = loaded.arrow.flight.protocol;
// Raw protobufjs types, to encode Flight SQL commands and Any.
const protobuf = require('protobufjs');
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : path.join(protos, target));
root.loadSync('FlightSql.proto', { keepCase: true });
root.addJSON(protobuf.common['google/protobuf/any.proto'].nested);

const [command, port, token, ...args] = process.argv.slice(2);
const client = new flight.FlightService(`127.0.0.1:${port}`, grpc.credentials.createInsecure(),
  { 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20 });

function metadata() {
  const m = new grpc.Metadata();
  if (token && token !== '-') m.add('authorization', `Bearer ${token}`);
  return m;
}

function unary(method, request) {
  return new Promise((resolve, reject) => client[method](request, metadata(), (err, response) => (err ? reject(err) : resolve(response))));
}

function packAny(typeName, fields) {
  const type = root.lookupType(`arrow.flight.protocol.sql.${typeName}`);
  const value = type.encode(type.create(fields)).finish();
  const any = root.lookupType('google.protobuf.Any');
  return Buffer.from(any.encode(any.create({ type_url: `type.googleapis.com/arrow.flight.protocol.sql.${typeName}`, value })).finish());
}

// The IPC stream form of one FlightData: FFFFFFFF, padded header length, header, padding, body.
function ipcMessage(fd) {
  const header = fd.data_header;
  const padded = (header.length + 7) & ~7;
  const prefix = Buffer.alloc(8);
  prefix.writeInt32LE(-1, 0);
  prefix.writeInt32LE(padded, 4);
  return [prefix, header, Buffer.alloc(padded - header.length), fd.data_body];
}

const endOfStream = () => Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

function plain(value) {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}

function tableJson(table) {
  const names = table.schema.fields.map((f) => f.name);
  const rows = [];
  for (const row of table) rows.push(names.map((n) => plain(row[n])));
  // modes: the union mode of union columns (0 sparse, 1 dense), null for others.
  const modes = table.schema.fields.map((f) => (f.type.mode === undefined ? null : f.type.mode));
  return { columns: names, types: table.schema.fields.map((f) => String(f.type)), modes, rows };
}

async function doGetTable(ticket) {
  const parts = [];
  for await (const fd of client.DoGet(ticket, metadata())) {
    if (fd.data_header.length > 0) parts.push(...ipcMessage(fd));
  }
  parts.push(endOfStream());
  return arrow.tableFromIPC(Buffer.concat(parts));
}

async function query(statement) {
  const info = await unary('GetFlightInfo', { type: 'CMD', cmd: Buffer.from(statement, 'utf8') });
  const schema = arrow.tableFromIPC(Buffer.concat([info.schema, endOfStream()])).schema.fields.map((f) => f.name);
  const table = await doGetTable(info.endpoint[0].ticket);
  return { infoSchema: schema, totalRecords: info.total_records, ...tableJson(table) };
}

// Streams a (large) result through apache-arrow's async reader: rows and the sum of column 'value' without holding it.
async function stream(statement) {
  const info = await unary('GetFlightInfo', { type: 'CMD', cmd: Buffer.from(statement, 'utf8') });
  let bytes = 0;
  let messages = 0;
  async function* ipc() {
    for await (const fd of client.DoGet(info.endpoint[0].ticket, metadata())) {
      messages++;
      bytes += fd.data_header.length + fd.data_body.length;
      if (fd.data_header.length > 0) yield Buffer.concat(ipcMessage(fd));
    }
    yield endOfStream();
  }
  const reader = await arrow.RecordBatchReader.from(ipc());
  let rows = 0;
  let sum = 0n;
  for await (const batch of reader) {
    rows += batch.numRows;
    const values = batch.getChild('value').data[0].values;
    for (let i = 0; i < values.length; i++) sum += values[i];
  }
  return { rows, sum: sum.toString(), bytes, messages };
}

// Uploads an arrow-js table by DoPut, the first FlightData carrying the descriptor; returns the PutResults' app_metadata (hex).
async function putTable(descriptor, data) {
  const bytes = arrow.tableToIPC(data, 'stream');
  const call = client.DoPut(metadata());
  const acks = [];
  const done = new Promise((resolve, reject) => {
    call.on('data', (r) => acks.push(Buffer.from(r.app_metadata).toString('hex')));
    call.on('end', resolve);
    call.on('error', reject);
  });
  let at = 0;
  let first = true;
  while (at < bytes.length) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at);
    const length = view.getInt32(4, true);
    if (length === 0) break;
    const header = Buffer.from(bytes.subarray(at + 8, at + 8 + length));
    const bodyLength = Number(arrow.Message.decode(header).bodyLength);
    const body = Buffer.from(bytes.subarray(at + 8 + length, at + 8 + length + bodyLength));
    const fd = { data_header: header, data_body: body, app_metadata: Buffer.from(first ? '' : `batch@${at}`) };
    if (first) fd.flight_descriptor = descriptor;
    call.write(fd);
    first = false;
    at += 8 + length + bodyLength;
  }
  call.end();
  await done;
  return acks;
}

async function put(table) {
  const data = arrow.tableFromArrays({
    id: BigInt64Array.from([100n, 101n, 102n]),
    name: ['from', 'node', null],
    score: Float64Array.from([0.25, 0.5, 0.75]),
  });
  return { acks: await putTable({ type: 'PATH', path: [table] }, data) };
}

async function action(type, body) {
  const results = [];
  for await (const result of client.DoAction({ type, body }, metadata())) results.push(result.body);
  return results;
}

// A Flight SQL prepared statement whose parameters arrow-js uploads by DoPut: column 'min' (int64, also the first ?)
// and 'name' (utf8, dictionary-encoded by arrow-js), then GetFlightInfo + DoGet of the statement, then close.
async function prepared(statement, min, name) {
  const any = root.lookupType('google.protobuf.Any');
  const [created] = await action('CreatePreparedStatement', packAny('ActionCreatePreparedStatementRequest', { query: statement }));
  const result = root.lookupType('arrow.flight.protocol.sql.ActionCreatePreparedStatementResult').decode(any.decode(created).value);
  const handle = result.prepared_statement_handle;
  const cmd = packAny('CommandPreparedStatementQuery', { prepared_statement_handle: handle });
  const parameters = arrow.tableFromArrays({ min: BigInt64Array.from([BigInt(min)]), name: [name] });
  const acks = await putTable({ type: 'CMD', cmd }, parameters);
  const bound = root.lookupType('arrow.flight.protocol.sql.DoPutPreparedStatementResult').decode(Buffer.from(acks[acks.length - 1], 'hex'));
  const info = await unary('GetFlightInfo', { type: 'CMD', cmd });
  const table = await doGetTable(info.endpoint[0].ticket);
  await action('ClosePreparedStatement', packAny('ActionClosePreparedStatementRequest', { prepared_statement_handle: handle }));
  return { boundHandle: Buffer.from(bound.prepared_statement_handle).equals(Buffer.from(handle)), ...tableJson(table) };
}

async function sql(statement) {
  const cmd = packAny('CommandStatementQuery', { query: statement });
  const info = await unary('GetFlightInfo', { type: 'CMD', cmd });
  const ticketAny = root.lookupType('google.protobuf.Any').decode(info.endpoint[0].ticket.ticket);
  return { ticketType: ticketAny.type_url, ...tableJson(await doGetTable(info.endpoint[0].ticket)) };
}

async function sqlinfo(...ids) {
  const cmd = packAny('CommandGetSqlInfo', { info: ids.map(Number) });
  const info = await unary('GetFlightInfo', { type: 'CMD', cmd });
  return tableJson(await doGetTable(info.endpoint[0].ticket));
}

async function handshake() {
  const call = client.Handshake(new grpc.Metadata());
  const bearer = await new Promise((resolve, reject) => {
    let header = null;
    call.on('metadata', (m) => { header = m.get('authorization')[0] || null; });
    call.on('data', () => {});
    call.on('end', () => resolve(header));
    call.on('error', reject);
    call.write({ protocol_version: 0, payload: Buffer.from(token, 'utf8') });
    call.end();
  });
  const actions = [];
  const list = client.ListActions({}, (() => { const m = new grpc.Metadata(); m.add('authorization', bearer); return m; })());
  for await (const action of list) actions.push(action.type);
  return { bearer, actions };
}

async function concurrent(statement, count) {
  const results = await Promise.all(Array.from({ length: Number(count) }, () => query(statement)));
  return { counts: results.map((r) => r.rows.length) };
}

const commands = { query, stream, put, prepared, sql, sqlinfo, handshake, concurrent };

(async () => {
  try {
    const result = await commands[command](...args);
    process.stdout.write(JSON.stringify(result) + '\n');
  } catch (err) {
    if (err && typeof err.code === 'number') {
      process.stdout.write(JSON.stringify({ error: err.code, details: err.details }) + '\n');
    } else {
      throw err;
    }
  } finally {
    client.close();
  }
})().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
