/**
 * The database path on a real PostgreSQL server (the `postgres` project's globalSetup starts
 * one: test/setup/global-postgres.ts): the CICIDS rows with timestamps over 60 days in a
 * classifier_predictions table, checked against the same rows as CSV files; windows at their
 * boundaries; bad URL, table, column and a TLS mode the server lacks in one line; the password in no output.
 */
import { beforeAll, afterAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import pg from 'pg';
import { checkSourceWindow, openSource, type Source } from '../../../engine/sources/index.js';
import { cli, tempDir } from '../../helpers.js';
import { insertStatements, predictionRows, predictionsCsv, START_MS, DAY } from './dataset.js';
import { assertBoundaries, assertFineSameAsCsv, assertMonitorSameAsCsv, assertSameAsCsv, csvReference, DRIFTED, verdict } from './equivalence.js';

const url = inject('postgresUrl');
const password = inject('postgresPassword');
const rows = predictionRows();
const dir = tempDir('dc-postgres-test-');

beforeAll(async () => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('DROP TABLE IF EXISTS classifier_predictions');
  for (const sql of insertStatements(rows)) await client.query(sql);
  // the monitoring table: wrong predictions, varied probabilities, labels not known yet (NULL)
  await client.query('DROP TABLE IF EXISTS noisy_predictions');
  for (const sql of insertStatements(rows, 'noisy_predictions', 500, true)) await client.query(sql);
  // the same rows with a BOOLEAN label and prediction (NULL labels stay NULL)
  await client.query('DROP TABLE IF EXISTS bool_predictions');
  await client.query('CREATE TABLE bool_predictions AS TABLE noisy_predictions');
  for (const column of ['label', 'prediction']) await client.query(`ALTER TABLE bool_predictions ALTER COLUMN "${column}" TYPE BOOLEAN USING "${column}" = 1`);
  await client.query('CREATE SCHEMA IF NOT EXISTS serving');
  // a naive timestamp column (read as UTC) in another schema
  await client.query(`CREATE OR REPLACE VIEW serving.naive AS SELECT ("timestamp" AT TIME ZONE 'UTC') AS ts, * FROM classifier_predictions`);
  await client.end();
});

describe('a PostgreSQL source', () => {
  let source: Source;
  beforeAll(async () => {
    source = await openSource(url);
  });
  afterAll(() => source.close());

  it('gives the reference and the verdicts of the same rows as CSV files', async () => {
    await assertSameAsCsv(source, rows, dir);
  });

  it('counts in the database (width_bucket, GROUPING SETS) what the rows pulled through a cursor give', async () => {
    const profile = await csvReference(rows, dir);
    const inDb = await checkSourceWindow(source, profile, DRIFTED);
    const pulled = await checkSourceWindow(source, profile, DRIFTED, { pull: true });
    expect(verdict(inDb.report)).toEqual(verdict(pulled.report));
    expect(source.countSql!(DRIFTED, { featureNames: ['Flow Duration'], edges: [Float64Array.from([1, 2.5])], tails: false })).toContain(
      `width_bucket(CAST("Flow Duration" AS DOUBLE PRECISION), ARRAY[CAST('1' AS DOUBLE PRECISION), CAST('2.5' AS DOUBLE PRECISION)])`,
    );
  });

  it('gives the methods on the fine summary (ks; wasserstein with its tails query) the report of the same rows as CSV files', async () => {
    await assertFineSameAsCsv(source, rows, dir);
  });

  it('gives the fine methods the same scores as the rows pulled (wasserstein with its tails query)', async () => {
    const profile = await csvReference(rows, dir);
    const pulledKs = await checkSourceWindow(source, profile, DRIFTED, { method: 'wasserstein', pull: true });
    const inDbKs = await checkSourceWindow(source, profile, DRIFTED, { method: 'wasserstein' });
    inDbKs.report.features.forEach((f, i) => expect(f.score).toBeCloseTo(pulledKs.report.features[i]!.score, 12));
    expect(inDbKs.report.action).toBe(pulledKs.report.action);
  });

  it('monitors a window: the performance monitor gives the same labelled rows as a CSV file', async () => {
    const noisy = await openSource(url, { table: 'noisy_predictions' });
    try {
      await assertMonitorSameAsCsv(noisy, rows, dir);
    } finally {
      await noisy.close();
    }
  });

  it('reads a BOOLEAN label and prediction as 0/1: the performance monitor gives the same rows as a CSV file', async () => {
    const booleans = await openSource(url, { table: 'bool_predictions' });
    try {
      expect((await booleans.columns()).find((c) => c.name === 'prediction')).toMatchObject({ numeric: false, boolean: true });
      await assertMonitorSameAsCsv(booleans, rows, dir);
    } finally {
      await booleans.close();
    }
  });

  it('falls back to a plain connection on a server without TLS: prefer (the default) and allow, as libpq', async () => {
    for (const mode of ['prefer', 'allow']) {
      const plain = await openSource(`${url}?sslmode=${mode}`);
      try {
        expect(await plain.countRows(DRIFTED)).toBeGreaterThan(0);
      } finally {
        await plain.close();
      }
    }
  });

  it('keeps windows half-open at their boundaries, on timestamptz and on a naive timestamp (UTC) in another schema', async () => {
    await assertBoundaries(source);
    const naive = await openSource(url, { table: 'serving.naive', timeColumn: 'ts' });
    try {
      await assertBoundaries(naive);
    } finally {
      await naive.close();
    }
  });
});

describe('the CLI on PostgreSQL', () => {
  const until = new Date(START_MS + 60 * DAY).toISOString();

  it('reference create, reference stats and check --from, with the libpq variables instead of a URL', () => {
    const parsed = new URL(url);
    const env = { PGHOST: parsed.hostname, PGPORT: parsed.port, PGUSER: parsed.username, PGPASSWORD: password, PGDATABASE: parsed.pathname.slice(1) };
    const out = join(dir, 'reference.json');
    const created = cli(['reference', 'create', '--from', 'postgres:', '--days', '30', '--until', '2026-01-31T02:00:00+02:00', '-o', out], { env });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('5000 rows');
    const stats = cli(['reference', 'stats', out]);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toContain('period:   [2026-01-01T00:00:00.000Z, 2026-01-31T00:00:00.000Z) UTC on timestamp');
    const checked = cli(['check', '--from', url, '--window', '3d', '--until', until, '--baseline', out, '--json', '--no-record']);
    expect(checked.code).toBe(0);
    const report = JSON.parse(checked.stdout);
    expect(report.window).toEqual({ from: '2026-02-27T00:00:00.000Z', until: '2026-03-02T00:00:00.000Z', interval: '[from, until)', timezone: 'UTC' });
    expect(report.action).toBe('retrain');
    for (const text of [created.stdout, created.stderr, stats.stdout, checked.stdout, checked.stderr]) expect(text).not.toContain(password);
  });

  it('check --chunk 1d gives one result per chunk, --reference-days builds the reference from the days before', () => {
    const checked = cli(['check', '--from', url, '--window', '4d', '--chunk', '1d', '--until', until, '--reference-days', '30', '--json', '--no-record']);
    expect(checked.stderr).toContain('reference: 5000 rows in [2026-01-27T00:00:00.000Z, 2026-02-26T00:00:00.000Z) UTC');
    expect(checked.code).toBe(0);
    const result = JSON.parse(checked.stdout);
    expect(result.chunks.map((c: { window: { from: string } }) => c.window.from)).toEqual(['2026-02-26T00:00:00.000Z', '2026-02-27T00:00:00.000Z', '2026-02-28T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
    for (const chunk of result.chunks) expect(chunk.report.current.rows).toBeGreaterThan(150);
    expect(checked.stdout + checked.stderr).not.toContain(password);
  });

  it('monitor --from gives the performance of monitor on the same rows as a CSV file, without the password', () => {
    const file = predictionsCsv(rows, START_MS + 57 * DAY, START_MS + 60 * DAY, join(dir, 'monitor-predictions.csv'));
    const fromFile = cli(['monitor', file, '--json', '--no-record']);
    const fromSource = cli(['monitor', '--from', url, '--table', 'noisy_predictions', '--window', '3d', '--until', until, '--json', '--no-record']);
    expect(fromSource.code, fromSource.stderr).toBe(0);
    const { metrics, rows: labelled, status } = JSON.parse(fromSource.stdout);
    expect({ metrics, rows: labelled, status }).toEqual((({ metrics, rows, status }) => ({ metrics, rows, status }))(JSON.parse(fromFile.stdout)));
    expect(fromSource.stdout + fromSource.stderr).not.toContain(password);
    const fromBooleans = cli(['monitor', '--from', url, '--table', 'bool_predictions', '--window', '3d', '--until', until, '--json', '--no-record']);
    expect(fromBooleans.code, fromBooleans.stderr).toBe(0);
    expect((({ metrics, rows, status }) => ({ metrics, rows, status }))(JSON.parse(fromBooleans.stdout))).toEqual({ metrics, rows: labelled, status });
  });

  it('a wrong password, host, table or column is one line without the password', () => {
    const wrong = url.replace(password, `${password}-wrong`);
    const cases: [string[], RegExp][] = [
      [['--from', wrong], /cannot connect: password authentication failed/],
      [['--from', url, '--table', 'nope'], /table nope: no table "nope"/],
      [['--from', url, '--time-column', 'when'], /no time column "when" in table classifier_predictions/],
      [['--from', 'postgres://u:hunter2secret@127.0.0.1:1/db'], /cannot connect/],
      [['--from', 'mysql://x'], /is not a source: use postgres:\/\//],
      // this server has no TLS: a mode that needs it says so
      [['--from', url, '--sslmode', 'require'], /cannot connect: The server does not support SSL connections \(sslmode require needs TLS, which the server does not offer\)$/m],
    ];
    for (const [args, pattern] of cases) {
      const result = cli(['reference', 'create', ...args, '--days', '30', '--until', until, '-o', join(dir, 'never.json')]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toContain(password);
      expect(result.stderr).not.toContain('hunter2secret');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
