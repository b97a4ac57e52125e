// The DuckDB side of perf/compare/run.sh: loads the generated NDJSON into a DuckDB database file (var as JSON, plus
// url pre-extracted), runs every suite query to warm up (3 runs, then on until 3 s) and RUNS times measured, and
// writes the timings and rows (as text) as JSON. Queries with `duckdbUrl` also run on the pre-extracted column; `exact` queries run once.
// Usage: node duckdb.mjs DATA_DIR SUITE_JSON RUNS OUTPUT_JSON
import { DuckDBInstance, DuckDBTimestampValue } from '@duckdb/node-api';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dataDir, suitePath, runsText, outputPath] = process.argv.slice(2);
const runs = Number(runsText);
const suite = JSON.parse(readFileSync(suitePath, 'utf8'));
const databasePath = join(dataDir, 'duckdb.db');
rmSync(databasePath, { force: true });
rmSync(`${databasePath}.wal`, { force: true });
const instance = await DuckDBInstance.create(databasePath);
const connection = await instance.connect();

function text(value) {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof DuckDBTimestampValue) {
    const micros = value.micros;
    const date = new Date(Number(micros / 1000n));
    const sub = String(((micros % 1000n) + 1000n) % 1000n).padStart(3, '0');
    return `${date.toISOString().slice(0, 23)}${sub}Z`;
  }
  return String(value);
}

async function rowsOf(sql) {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRows().map(row => row.map(text));
}

const load = {};
const events = join(dataDir, 'events.ndjson');
let started = performance.now();
await connection.run(`CREATE TABLE events AS SELECT ts, source, application, level, latency_ms, user_id, var,
  var->>'$.meta.http_url' AS url
  FROM read_json('${events}', format = 'newline_delimited',
    columns = {ts: 'TIMESTAMP', source: 'VARCHAR', application: 'VARCHAR', level: 'BIGINT', latency_ms: 'DOUBLE', user_id: 'BIGINT', var: 'JSON'})`);
await connection.run('CHECKPOINT');
let seconds = (performance.now() - started) / 1000;
const eventRows = Number((await rowsOf('SELECT count(*) FROM events'))[0][0]);
load.events = { rows: eventRows, seconds };
console.error(`duckdb: loaded ${eventRows.toLocaleString('en')} rows of events in ${seconds.toFixed(2)} s (${(eventRows / seconds / 1e6).toFixed(2)} M rows/s)`);
started = performance.now();
await connection.run(`CREATE TABLE apps AS SELECT * FROM read_json('${join(dataDir, 'apps.ndjson')}', format = 'newline_delimited',
    columns = {application: 'VARCHAR', team: 'VARCHAR', tier: 'BIGINT'})`);
load.apps = { rows: 50, seconds: (performance.now() - started) / 1000 };

async function measure(sql) {
  const rows = await rowsOf(sql);
  // The Analytics side's warm-up (CompareRunner.WarmUp): at least 3 runs, then on until 3 s (at most 10,000 runs); DuckDB
  // is compiled ahead of time, so there is no JIT to wait for.
  const warmUpStart = performance.now();
  for (let w = 1; w < 10000 && (w < 3 || performance.now() - warmUpStart < 3000); w++) await connection.runAndReadAll(sql);
  const timesMs = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    await connection.runAndReadAll(sql);
    timesMs.push(performance.now() - start);
  }
  return { rows, timesMs };
}

const queries = [];
for (const query of suite.queries) {
  const result = { name: query.name };
  try {
    Object.assign(result, await measure(query.duckdb));
    if (query.duckdbUrl) result.url = await measure(query.duckdbUrl);
    if (query.exact) result.exact = await rowsOf(query.exact);
  } catch (error) {
    result.error = String(error.message ?? error);
  }
  console.error(`duckdb: ${query.name} ${result.error ? `failed: ${result.error}` : 'done'}`);
  queries.push(result);
}
writeFileSync(outputPath, JSON.stringify({ load, queries }, null, 2));
connection.closeSync?.();
