'use strict';
// nodejs-polars as a second, independent reader (Rust Arrow): node polars_read.js FILE prints
// {"columns":[{name,dtype}], "rows":[[...]]} as JSON, 64-bit integers as decimal strings.
const fs = require('fs');
const pl = require('nodejs-polars');

const file = process.argv[2];
const bytes = fs.readFileSync(file);
const read = bytes.subarray(0, 6).toString('latin1') === 'ARROW1' ? pl.readIPC(bytes) : pl.readIPCStream(bytes);
const columns = read.columns.map(name => ({ name, dtype: String(read.getColumn(name).dtype) }));
// Exact text for 64-bit integers and temporal values (JS numbers would round them).
const exact = read.columns.filter(name => /Int64|UInt64|Datetime|Duration/.test(String(read.getColumn(name).dtype)));
const frame = exact.length === 0 ? read
  : read.withColumns(...exact.map(name => pl.col(name).cast(/Datetime|Duration/.test(String(read.getColumn(name).dtype)) ? pl.Int64 : read.getColumn(name).dtype).cast(pl.Utf8)));
const rows = frame.rows().map(row => row.map(v => {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (v instanceof Uint8Array || Buffer.isBuffer(v)) return 'hex:' + Buffer.from(v).toString('hex');
  return v;
}));
process.stdout.write(JSON.stringify({ columns, rows }));
