/**
 * `npm run bench -- sources [--rows N] [--columns C] [--postgres URL] [--only duckdb|postgres] [--methods psi,ks,wasserstein]`:
 * a 30-day window of N rows (default 10,000,000) with C float64 feature columns (default 8) in a
 * DuckDB file and in PostgreSQL (a server started for the run from Debian's binaries, as the
 * tests do, unless --postgres names one), checked against a reference two ways: the histogram
 * computed in the database (one aggregate query: engine/sources/sql.ts) and the rows pulled into
 * this process and counted here (`check --pull`), two rounds alternating, the best of each. The rows are generated inside each database
 * (generate_series / range), so loading costs no transfer. `--methods` (default psi) times each drift
 * method's check (ks and wasserstein bin on the fine grid). Prints a Markdown table and the load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSourceWindow, openSource, referenceFromSource, type Source } from '../engine/sources/index.js';
import { startPostgres } from './postgres.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The generating SELECT: row i at START + i * 30 days / N, features from a hash of i (the last third drifted). */
function generated(rows: number, columns: number, series: string, ts: string): string {
  const features = Array.from({ length: columns }, (_, c) => `CAST(((i * ${2654435761 + c * 40503}) % 1000003) AS DOUBLE PRECISION) / 1000003.0 * ${c + 1} * (CASE WHEN i > ${Math.floor((rows * 2) / 3)} THEN 1.3 ELSE 1 END) AS "f${c}"`);
  return `SELECT ${ts} AS "timestamp", ${features.join(', ')} FROM ${series}`;
}

interface Row {
  database: string;
  method: string;
  rows: number;
  columns: number;
  load_s: number;
  in_database_s: number;
  pulled_s: number;
  same_verdict: boolean;
}

async function timeChecks(name: string, source: Source, rows: number, columns: number, loadSeconds: number, methods: string[]): Promise<Row[]> {
  const window = { from: new Date(START), until: new Date(START + 30 * DAY) };
  // the reference: the first day's rows (pulled: exact quantiles)
  const profile = await referenceFromSource(source, { from: window.from, until: new Date(START + DAY) }, { maxRows: rows });
  const out: Row[] = [];
  for (const method of methods) out.push(await timeMethod(name, source, profile, window, method, rows, columns, loadSeconds));
  return out;
}

async function timeMethod(name: string, source: Source, profile: Awaited<ReturnType<typeof referenceFromSource>>, window: { from: Date; until: Date }, method: string, rows: number, columns: number, loadSeconds: number): Promise<Row> {  // two rounds, the two ways alternating (the first round also warms the database's cache); the best of each
  let inDatabase = Infinity;
  let pulledSeconds = Infinity;
  let inDb!: Awaited<ReturnType<typeof checkSourceWindow>>;
  let pulled!: Awaited<ReturnType<typeof checkSourceWindow>>;
  for (let round = 0; round < 2; round++) {
    let started = performance.now();
    inDb = await checkSourceWindow(source, profile, window, { method });
    inDatabase = Math.min(inDatabase, (performance.now() - started) / 1000);
    started = performance.now();
    pulled = await checkSourceWindow(source, profile, window, { method, pull: true });
    pulledSeconds = Math.min(pulledSeconds, (performance.now() - started) / 1000);
  }
  // wasserstein's tail sums are added in the database's order: its score agrees to rounding
  const close = Math.abs(inDb.report.overall_score - pulled.report.overall_score) <= 1e-9 * Math.max(1, Math.abs(pulled.report.overall_score));
  const same = (method === 'wasserstein' ? close : inDb.report.overall_score === pulled.report.overall_score) && inDb.report.action === pulled.report.action && inDb.report.current.rows === rows;
  console.error(`bench sources: ${name} ${method}: in the database ${inDatabase.toFixed(2)} s, pulled ${pulledSeconds.toFixed(2)} s (${inDb.report.current.rows} rows, ${inDb.report.action})`);
  return { database: name, method, rows, columns, load_s: loadSeconds, in_database_s: inDatabase, pulled_s: pulledSeconds, same_verdict: same };
}

export async function benchSources(args: string[]): Promise<void> {
  const rows = Number(argValue(args, '--rows') ?? 10_000_000);
  const columns = Number(argValue(args, '--columns') ?? 8);
  const only = argValue(args, '--only');
  const methods = (argValue(args, '--methods') ?? 'psi').split(',');
  const step = (30 * DAY) / rows;
  const loadStart = loadavg();
  const results: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dc-bench-sources-'));
  try {
    if (only !== 'postgres') {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const file = join(dir, 'predictions.duckdb');
      const instance = await DuckDBInstance.create(file);
      const connection = await instance.connect();
      const started = performance.now();
      await connection.run(`CREATE TABLE classifier_predictions AS ${generated(rows, columns, `range(${rows}) AS r(i)`, `TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_milliseconds(CAST(floor(i * ${step}) AS BIGINT))`).replaceAll('DOUBLE PRECISION', 'DOUBLE')}`);
      const load = (performance.now() - started) / 1000;
      connection.closeSync();
      instance.closeSync();
      const source = await openSource(`duckdb:${file}`);
      try {
        results.push(...(await timeChecks('DuckDB (file)', source, rows, columns, load, methods)));
      } finally {
        await source.close();
      }
    }
    if (only !== 'duckdb') {
      const given = argValue(args, '--postgres');
      const server = given ? null : await startPostgres();
      const url = given ?? server!.url;
      try {
        const pg = (await import('pg')).default;
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        const started = performance.now();
        await client.query('DROP TABLE IF EXISTS classifier_predictions');
        await client.query(`CREATE UNLOGGED TABLE classifier_predictions AS ${generated(rows, columns, `generate_series(CAST(0 AS BIGINT), ${rows - 1}) AS i`, `TIMESTAMPTZ '2026-01-01 00:00:00+00' + floor(i * ${step}) * INTERVAL '1 millisecond'`)}`);
        await client.query('ANALYZE classifier_predictions');
        const load = (performance.now() - started) / 1000;
        await client.end();
        const source = await openSource(url);
        try {
          results.push(...(await timeChecks('PostgreSQL 15', source, rows, columns, load, methods)));
        } finally {
          await source.close();
        }
      } finally {
        await server?.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = [
    '| database | method | rows in the 30-day window | feature columns | load (generated in the database) | histogram in the database (one query) | rows pulled and counted here | same verdict |',
    '|---|---|---:|---:|---:|---:|---:|---|',
    ...results.map((r) => `| ${r.database} | ${r.method} | ${r.rows.toLocaleString('en-US')} | ${r.columns} | ${r.load_s.toFixed(1)} s | ${r.in_database_s.toFixed(2)} s | ${r.pulled_s.toFixed(2)} s (${(r.pulled_s / r.in_database_s).toFixed(1)}x) | ${r.same_verdict ? 'yes' : 'NO'} |`),
    '',
    `load average ${loadStart.map((l) => l.toFixed(2)).join(' ')} at start, ${loadavg().map((l) => l.toFixed(2)).join(' ')} at end`,
  ];
  console.log(lines.join('\n'));
}
