// Compares the two engines' outputs of perf/compare/run.sh and prints one line per query (both medians and the ratio,
// or why the results differ), then `geomean analytics/duckdb = X.XX` over the queries both answered alike.
// Exits 1 when any query's results differ or a query failed in either engine.
// Usage: node compare.mjs SUITE_JSON ANALYTICS_JSON DUCKDB_JSON
import { readFileSync } from 'node:fs';

const [suitePath, analyticsPath, duckdbPath] = process.argv.slice(2);
const suite = JSON.parse(readFileSync(suitePath, 'utf8'));
const analytics = JSON.parse(readFileSync(analyticsPath, 'utf8'));
const duckdb = JSON.parse(readFileSync(duckdbPath, 'utf8'));

const median = times => {
  const sorted = [...times].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const timestamp = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/;
const numeric = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

// One cell in a form both engines agree on: timestamps to microseconds, numbers compared with a relative tolerance.
function cellsEqual(a, b) {
  if (a === b) return true;
  const ta = timestamp.exec(a), tb = timestamp.exec(b);
  if (ta && tb) return ta[1] === tb[1] && (ta[2] ?? '').padEnd(9, '0') === (tb[2] ?? '').padEnd(9, '0');
  if (numeric.test(a) && numeric.test(b)) {
    const x = Number(a), y = Number(b);
    return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
  }
  return false;
}

function sameRows(left, right, ordered) {
  if (left.length !== right.length) return `${left.length} rows vs ${right.length}`;
  const key = row => row.join('\u0001');
  const a = ordered ? left : [...left].sort((x, y) => key(x).localeCompare(key(y)));
  const b = ordered ? right : [...right].sort((x, y) => key(x).localeCompare(key(y)));
  for (let r = 0; r < a.length; r++) {
    if (a[r].length !== b[r].length || a[r].some((cell, c) => !cellsEqual(cell, b[r][c]))) {
      return `row ${r}: [${a[r].join(', ')}] vs [${b[r].join(', ')}]`;
    }
  }
  return null;
}

const pad = (text, width) => String(text).padEnd(width);
const ms = value => `${value.toFixed(1)} ms`.padStart(11);
let failures = 0;
const ratios = [];
console.log(`load events: analytics ${rate(analytics.load.events)}, duckdb ${rate(duckdb.load.events)}`);
function rate(load) {
  return `${(load.rows / load.seconds / 1e6).toFixed(2)} M rows/s (${load.seconds.toFixed(2)} s)`;
}
console.log(`${pad('query', 24)} ${'analytics'.padStart(11)} ${'duckdb'.padStart(11)}  ratio  note`);
for (const query of suite.queries) {
  const ours = analytics.queries.find(q => q.name === query.name);
  const theirs = duckdb.queries.find(q => q.name === query.name);
  if (ours?.error || theirs?.error || !ours || !theirs) {
    failures++;
    console.log(`${pad(query.name, 24)} FAILED: ${ours?.error ? `analytics: ${ours.error}` : ''} ${theirs?.error ? `duckdb: ${theirs.error}` : ''}`);
    continue;
  }
  let note = '';
  let difference;
  if (query.compare === 'approx') {
    const exact = Number(theirs.exact[0][0]);
    const ourError = Math.abs(Number(ours.rows[0][0]) - exact) / exact;
    const theirError = Math.abs(Number(theirs.rows[0][0]) - exact) / exact;
    note = `exact ${exact}: analytics off by ${(ourError * 100).toFixed(2)}%, duckdb by ${(theirError * 100).toFixed(2)}%`;
    if (ourError > query.tolerance) difference = `analytics is off by more than ${query.tolerance * 100}%`;
  } else {
    difference = sameRows(ours.rows, theirs.rows, query.order === 'ordered');
  }
  if (difference) {
    failures++;
    console.log(`${pad(query.name, 24)} RESULTS DIFFER: ${difference}`);
    continue;
  }
  const a = median(ours.timesMs), d = median(theirs.timesMs);
  ratios.push(a / d);
  if (theirs.url) note = `duckdb on the pre-extracted url column: ${median(theirs.url.timesMs).toFixed(1)} ms (ratio ${(a / median(theirs.url.timesMs)).toFixed(2)})`;
  console.log(`${pad(query.name, 24)} ${ms(a)} ${ms(d)}  ${(a / d).toFixed(2)}   ${note}`);
}
const geomean = Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / Math.max(1, ratios.length));
console.log(`geomean analytics/duckdb = ${geomean.toFixed(2)}${failures ? ` (over ${ratios.length} queries; ${failures} failed or differ)` : ''}`);
process.exit(failures ? 1 : 0);
