'use strict';
// The arrow-js side of the interop tests.
//   node arrow_peer.js read FILE      prints {"format", "fields":[{name,type,nullable,metadata}], "rows":[[...]]} as JSON:
//                                     64-bit integers and 64-bit temporal values as decimal strings (exact), binary as
//                                     "hex:..", structs and maps as objects, lists as arrays.
//   node arrow_peer.js write DIR      writes arrow-js made inputs for the C# reader into DIR (see writeAll).
const fs = require('fs');
const path = require('path');
const arrow = require('apache-arrow');

function canon(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return 'hex:' + Buffer.from(value).toString('hex');
  if (value instanceof arrow.Vector) return Array.from({ length: value.length }, (_, i) => canon(value.get(i)));
  if (value instanceof Map) { const o = {}; for (const [k, v] of value) o[String(k)] = canon(v); return o; }
  if (typeof value === 'object' && typeof value.toJSON === 'function') {
    const json = value.toJSON();
    if (typeof json !== 'object' || json === null) return json;
    if (json instanceof Map) { const o = {}; for (const [k, v] of json) o[String(k)] = canon(v); return o; }
    const o = {};
    for (const k of Object.keys(json)) o[k] = canon(json[k]);
    return o;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

// 64-bit temporal values: arrow-js converts them to lossy millisecond numbers in get(); read the stored integers.
function rawAt(column, index) {
  let start = 0;
  for (const data of column.data) {
    if (index < start + data.length) return data.values[data.offset + (index - start)];
    start += data.length;
  }
  throw new Error('row out of range');
}

function read(file) {
  const bytes = fs.readFileSync(file);
  const reader = arrow.RecordBatchReader.from(bytes);
  const table = new arrow.Table(reader.readAll ? [...reader] : reader);
  const fields = table.schema.fields.map(f => ({
    name: f.name, type: String(f.type), nullable: f.nullable, metadata: Object.fromEntries(f.metadata),
  }));
  const rows = [];
  for (let i = 0; i < table.numRows; i++) {
    rows.push(table.schema.fields.map((f, c) => {
      const column = table.getChildAt(c);
      if (!column.isValid(i)) return null;
      const id = f.type.typeId;
      if (id === arrow.Type.Timestamp || id === arrow.Type.Duration || (id === arrow.Type.Date && f.type.unit === arrow.DateUnit.MILLISECOND)) {
        return canon(BigInt(rawAt(column, i)));
      }
      return canon(column.get(i));
    }));
  }
  process.stdout.write(JSON.stringify({ format: reader.isFile() ? 'file' : 'stream', fields, rows }));
}

function typesTable() {
  const n = (values, type) => arrow.vectorFromArray(values, type);
  const decimal = arrow.makeVector(arrow.makeData({
    type: new arrow.Decimal(2, 10, 128), length: 3, nullCount: 1,
    nullBitmap: new Uint8Array([0b101]),
    data: new Uint32Array([12345, 0, 0, 0, 0, 0, 0, 0, 0xFFFFFFFB, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF]),
  }));
  const structType = new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Utf8(), true)]);
  const mapType = new arrow.Map_(new arrow.Field('entries', new arrow.Struct([
    new arrow.Field('key', new arrow.Utf8(), false), new arrow.Field('value', new arrow.Int32(), true)]), false));
  return new arrow.Table({
    i8: n([-128, null, 127], new arrow.Int8()),
    i16: n([-32768, 1, null], new arrow.Int16()),
    i32: n([null, -5, 2147483647], new arrow.Int32()),
    i64: n([-9223372036854775808n, null, 9223372036854775807n], new arrow.Int64()),
    u8: n([0, 255, null], new arrow.Uint8()),
    u16: n([65535, null, 1], new arrow.Uint16()),
    u32: n([4294967295, 0, null], new arrow.Uint32()),
    u64: n([18446744073709551615n, null, 7n], new arrow.Uint64()),
    f16: n([1.5, null, -2], new arrow.Float16()),
    f32: n([0.25, -1, null], new arrow.Float32()),
    f64: n([null, 3.141592653589793, -0.5], new arrow.Float64()),
    b: n([true, null, false], new arrow.Bool()),
    s: n(['héllo', '', null], new arrow.Utf8()),
    ls: n([null, 'large', 'ünïcode'], new arrow.LargeUtf8()),
    sv: n(['short', 'a string longer than twelve bytes', null], new arrow.Utf8View()),
    bin: n([new Uint8Array([1, 2, 3]), null, new Uint8Array([])], new arrow.Binary()),
    lbin: n([null, new Uint8Array([255]), new Uint8Array([0, 0])], new arrow.LargeBinary()),
    fsb: n([new Uint8Array([1, 2, 3]), null, new Uint8Array([4, 5, 6])], new arrow.FixedSizeBinary(3)),
    ts_ms_utc: n([1764930000123, null, 0], new arrow.TimestampMillisecond('UTC')),
    ts_s: n([1000, 86400000, null], new arrow.TimestampSecond()),
    d32: n([0, null, 20000 * 86400000], new arrow.DateDay()),
    d64: n([null, 86400000, -86400000], new arrow.DateMillisecond()),
    t32: n([1000, null, 86399999], new arrow.TimeMillisecond()),
    t64: n([null, 1n, 86399999999n], new arrow.TimeMicrosecond()),
    dur: n([1500n, null, -1n], new arrow.DurationMillisecond()),
    dec: decimal,
    list: n([[1, 2], null, []], new arrow.List(new arrow.Field('item', new arrow.Int32(), true))),
    fsl: n([[1, 2], [3, null], null], new arrow.FixedSizeList(2, new arrow.Field('item', new arrow.Int16(), true))),
    st: n([{ a: 1, b: 'x' }, null, { a: null, b: 'z' }], structType),
    map: n([new Map([['k', 1]]), null, new Map([['a', 2], ['b', null]])], mapType),
    dict: n(['red', 'green', 'red'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
    nul: n([null, null, null], new arrow.Null()),
  });
}

function deltaDictionaryBytes() {
  const first = arrow.vectorFromArray(['a', 'b'], new arrow.Utf8());
  const chunked = first.concat(arrow.vectorFromArray(['c'], new arrow.Utf8()));
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32(), 7);
  const batch1 = new arrow.Table({ d: arrow.makeVector(arrow.makeData({ type, length: 2, nullCount: 0, data: new Int32Array([1, 0]), dictionary: first })) });
  const batch2 = new arrow.Table({ d: arrow.makeVector(arrow.makeData({ type, length: 3, nullCount: 1, nullBitmap: new Uint8Array([0b101]), data: new Int32Array([2, 0, 0]), dictionary: chunked })) });
  const writer = new arrow.RecordBatchStreamWriter();
  writer.write(batch1.batches[0]);
  writer.write(batch2.batches[0]);
  writer.finish();
  return writer.toUint8Array(true);
}

function writeAll(dir) {
  const table = typesTable();
  fs.writeFileSync(path.join(dir, 'types.arrows'), arrow.tableToIPC(table, 'stream'));
  fs.writeFileSync(path.join(dir, 'types.arrow'), arrow.tableToIPC(table, 'file'));
  const sliceSource = new arrow.Table({
    s: arrow.vectorFromArray(['zero', null, 'two', 'three', null, 'five', 'six'], new arrow.Utf8()),
    i: arrow.vectorFromArray([0, 1, null, 3, 4, null, 6], new arrow.Int32()),
    l: arrow.vectorFromArray([[0], [1, 1], null, [3, 3, 3], [], [5], null], new arrow.List(new arrow.Field('item', new arrow.Int32(), true))),
    b: arrow.vectorFromArray([true, false, true, null, true, false, true], new arrow.Bool()),
  });
  fs.writeFileSync(path.join(dir, 'sliced.arrows'), arrow.tableToIPC(sliceSource.slice(3, 6), 'stream'));
  fs.writeFileSync(path.join(dir, 'delta.arrows'), deltaDictionaryBytes());
}

const [command, target] = process.argv.slice(2);
if (command === 'read') read(target);
else if (command === 'write') writeAll(target);
else { process.stderr.write('usage: arrow_peer.js read FILE | write DIR\n'); process.exit(2); }
