import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { countRequest, openSource, type Source } from '../../../engine/sources/index.js';
import { tempDir } from '../../helpers.js';
import { insertStatements, predictionRows, windowCsv } from './dataset.js';
import { assertBoundaries, assertSameAsCsv, csvReference, DRIFTED, verdict } from './equivalence.js';
import { checkSourceWindow } from '../../../engine/sources/index.js';

const rows = predictionRows();
const dir = tempDir('dc-duckdb-');
const database = join(dir, 'predictions.duckdb');

beforeAll(async () => {
  const instance = await DuckDBInstance.create(database);
  const connection = await instance.connect();
  for (const sql of insertStatements(rows)) await connection.run(sql);
  // a view with a naive TIMESTAMP column (read as UTC) and a Parquet copy
  await connection.run('CREATE VIEW naive AS SELECT CAST("timestamp" AT TIME ZONE \'UTC\' AS TIMESTAMP) AS "ts", * EXCLUDE ("timestamp") FROM classifier_predictions');
  await connection.run(`COPY classifier_predictions TO '${join(dir, 'predictions.parquet')}' (FORMAT parquet)`);
  connection.closeSync();
  instance.closeSync();
});

describe('a DuckDB source', () => {
  let source: Source;
  beforeAll(async () => {
    source = await openSource(`duckdb:${database}`);
  });
  afterAll(() => source.close());

  it('gives the reference and the verdicts of the same rows as CSV files', async () => {
    await assertSameAsCsv(source, rows, dir);
  });

  it('gives the same verdict with a method on the fine summary (ks) and with the tail sums (wasserstein)', async () => {
    const profile = await csvReference(rows, dir);
    const file = windowCsv(rows, DRIFTED.from.getTime(), DRIFTED.until.getTime(), join(dir, 'drifted.csv'));
    const { checkDrift } = await import('../../../engine/drift/index.js');
    for (const method of ['ks', 'wasserstein']) {
      const sql = (await checkSourceWindow(source, profile, DRIFTED, { method })).report;
      const csv = await checkDrift(profile, file, { method, workers: 0 });
      expect(sql.features.map((f) => f.name)).toEqual(csv.features.map((f) => f.name));
      expect(sql.action).toBe(csv.action);
      sql.features.forEach((f, i) => expect(f.score).toBeCloseTo(csv.features[i]!.score, 12));
    }
  });

  it('counts in the database what the rows pulled and counted here give', async () => {
    const profile = await csvReference(rows, dir);
    const inDb = await checkSourceWindow(source, profile, DRIFTED);
    const pulled = await checkSourceWindow(source, profile, DRIFTED, { pull: true });
    expect(verdict(inDb.report)).toEqual(verdict(pulled.report));
  });

  it('keeps windows half-open at their boundaries', async () => {
    await assertBoundaries(source);
  });

  it('generates one aggregate query per window (a second one only for the tail sums)', () => {
    const request = { featureNames: ['Flow Duration', 'Fwd IAT Total'], edges: [Float64Array.from([1, 2.5]), Float64Array.from([0.1])], tails: false };
    const sql = source.countSql!(DRIFTED, request);
    expect(sql.split(';')).toHaveLength(1);
    expect(sql).toContain(`"timestamp" >= TIMESTAMPTZ '${DRIFTED.from.toISOString()}' AND "timestamp" < TIMESTAMPTZ '${DRIFTED.until.toISOString()}'`);
    expect(sql).toContain('GROUP BY GROUPING SETS (("c0"), ("c1"))');
    // the bin as a binary search over the edges: below 2.5, then below 1
    expect(sql).toContain(`CASE WHEN CAST("Flow Duration" AS DOUBLE) < CAST('2.5' AS DOUBLE) THEN CASE WHEN CAST("Flow Duration" AS DOUBLE) < CAST('1' AS DOUBLE) THEN 0 ELSE 1 END ELSE 2 END`);
    expect(source.countSql!(DRIFTED, { ...request, tails: true }).split(';')).toHaveLength(2);
  });
});

describe('DuckDB over Parquet files and a view with a naive TIMESTAMP', () => {
  it('reads Parquet by glob with the same verdicts', async () => {
    const source = await openSource(`duckdb:${join(dir, '*.parquet')}`);
    try {
      await assertSameAsCsv(source, rows, tempDir());
    } finally {
      await source.close();
    }
  });

  it('takes a timestamp without a time zone as UTC', async () => {
    const source = await openSource(`duckdb:${database}?table=naive`, { timeColumn: 'ts' });
    try {
      await assertBoundaries(source);
    } finally {
      await source.close();
    }
  });
});

describe('bad DuckDB sources', () => {
  it('names a missing file, table or column in one line', async () => {
    await expect(openSource(`duckdb:${join(dir, 'nope.duckdb')}`)).rejects.toThrow(/nope\.duckdb: no such DuckDB database file/);
    const noTable = await openSource(`duckdb:${database}?table=nope`);
    await expect(noTable.countRows(DRIFTED)).rejects.toThrow(/^duckdb:.*table nope: no table "nope"/);
    await noTable.close();
    const noColumn = await openSource(`duckdb:${database}`, { timeColumn: 'when' });
    const error = await noColumn.countRows(DRIFTED).catch((e: Error) => e);
    expect(String((error as Error).message)).toMatch(/no time column "when" in table classifier_predictions \(its columns: timestamp, Destination Port/);
    expect((error as Error).message).not.toContain('\n');
    await noColumn.close();
  });

  it('refuses a profile feature the table lacks', async () => {
    const source = await openSource(`duckdb:${database}`);
    const profile = await csvReference(rows, dir);
    const renamed = { ...profile, features: [{ ...profile.features[0]!, name: 'Not A Column' }, ...profile.features.slice(1)] };
    await expect(checkSourceWindow(source, renamed, DRIFTED)).rejects.toThrow(/feature "Not A Column" is not a column of the source/);
    expect(countRequest(profile).featureNames).toHaveLength(profile.features.length);
    await source.close();
  });
});

