// Writes the comparison's deterministic events dataset (seeded, so every run and both engines see the same rows):
//   events.ndjson  one JSON object per line: ts (one day, ascending with jitter), source (8 skewed values),
//                  application (50 Zipf-like values), level, latency_ms, user_id (~1M distinct), and var, an object
//                  with meta.http_url (~5,000 paths), meta.status, tags (an array) and sparse extra keys;
//   apps.ndjson    the dimension table: application -> team, tier.
// Usage: node generate.mjs OUT_DIR ROWS
import { createWriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [outDir, rowsText] = process.argv.slice(2);
const rows = Number(rowsText ?? 10_000_000);
if (!outDir || !Number.isInteger(rows) || rows <= 0) {
  console.error('usage: node generate.mjs OUT_DIR ROWS');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

// SplitMix32-style generator: deterministic and fast enough for 10M rows.
let state = 0x9e3779b9;
function next() {
  state = (state + 0x6d2b79f5) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 15), z | 1);
  z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
  return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
}
function pick(weights, values) {
  const r = next();
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i];
    if (r < acc) return values[i];
  }
  return values[values.length - 1];
}

const sources = ['nginx', 'app', 'db', 'cache', 'queue', 'auth', 'cdn', 'batch'];
const sourceWeights = [0.40, 0.20, 0.12, 0.10, 0.08, 0.05, 0.03, 0.02];
const applications = Array.from({ length: 50 }, (_, i) => `app-${String(i).padStart(2, '0')}`);
const zipf = applications.map((_, i) => 1 / (i + 1));
const zipfTotal = zipf.reduce((a, b) => a + b, 0);
const applicationWeights = zipf.map(w => w / zipfTotal);
const resources = ['users', 'orders', 'items', 'carts', 'payments', 'search', 'reviews', 'sessions', 'health', 'static'];
const statuses = [200, 200, 200, 200, 200, 200, 201, 204, 301, 304, 400, 401, 403, 404, 404, 500, 502, 503];
const regions = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-south-1'];
const day = Date.UTC(2026, 10, 1) * 1000; // microseconds
const stepMicros = (86_400 * 1_000_000) / rows;

function isoMicros(micros) {
  const millis = Math.floor(micros / 1000);
  const iso = new Date(millis).toISOString(); // yyyy-mm-ddThh:mm:ss.mmmZ
  const sub = String(micros % 1000).padStart(3, '0');
  return `${iso.slice(0, 23)}${sub}Z`;
}

const events = createWriteStream(join(outDir, 'events.ndjson'));
let buffer = '';
for (let i = 0; i < rows; i++) {
  const ts = Math.floor(day + i * stepMicros + next() * stepMicros);
  const source = pick(sourceWeights, sources);
  const application = pick(applicationWeights, applications);
  const level = Math.floor(next() * next() * 6);
  const latency = Math.round(next() * next() * 2_000_000) / 1000;
  const userId = Math.floor(next() * 1_000_000);
  const path = Math.floor(next() * next() * 5000);
  const resource = resources[path % resources.length];
  const url = `/api/v${1 + (path % 3)}/${resource}/${path}`;
  const status = statuses[Math.floor(next() * statuses.length)];
  let extra = '';
  if (next() < 0.3) extra += `,"region":"${regions[Math.floor(next() * regions.length)]}"`;
  if (next() < 0.1) extra += `,"trace_id":"${Math.floor(next() * 4294967296).toString(16).padStart(8, '0')}"`;
  if (next() < 0.05) extra += `,"retry":${1 + Math.floor(next() * 3)}`;
  const tags = next() < 0.5 ? `["web","${resource}"]` : `["api","${resource}","v${1 + (path % 3)}"]`;
  buffer += `{"ts":"${isoMicros(ts)}","source":"${source}","application":"${application}","level":${level},` +
    `"latency_ms":${latency},"user_id":${userId},"var":{"meta":{"http_url":"${url}","status":${status}},"tags":${tags}${extra}}}\n`;
  if (buffer.length > 1 << 20) {
    if (!events.write(buffer)) await new Promise(resolve => events.once('drain', resolve));
    buffer = '';
  }
}
events.end(buffer);
await new Promise(resolve => events.on('finish', resolve));

const teams = ['checkout', 'catalog', 'identity', 'platform', 'growth'];
const apps = createWriteStream(join(outDir, 'apps.ndjson'));
applications.forEach((application, i) => {
  apps.write(`{"application":"${application}","team":"${teams[i % teams.length]}","tier":${1 + (i % 3)}}\n`);
});
apps.end();
await new Promise(resolve => apps.on('finish', resolve));
