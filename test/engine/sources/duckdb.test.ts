import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { countBatches, countRequest, openSource, type Source } from '../../../engine/sources/index.js';
import { nextUp } from '../../../engine/profile/index.js';
import { tempDir } from '../../helpers.js';
import { insertStatements, predictionRows } from './dataset.js';
import { assertBoundaries, assertFineSameAsCsv, assertSameAsCsv, csvReference, DRIFTED, verdict } from './equivalence.js';
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

  it('gives the methods on the fine summary (ks; wasserstein with its tail sums) the report of the same rows as CSV files', async () => {
    await assertFineSameAsCsv(source, rows, dir);
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

  it('generates one aggregate query per window, the tail sums in it too: histogram() on the doubles below the edges', () => {
    const request = { featureNames: ['Flow Duration', 'Fwd IAT Total'], edges: [Float64Array.from([1, 2.5]), Float64Array.from([0.1])], tails: false };
    const sql = source.countSql!(DRIFTED, request);
    expect(sql.split(';')).toHaveLength(1);
    expect(sql).toContain(`"timestamp" >= TIMESTAMPTZ '${DRIFTED.from.toISOString()}' AND "timestamp" < TIMESTAMPTZ '${DRIFTED.until.toISOString()}'`);
    expect(sql).not.toContain('GROUPING SETS');
    // bucket b_i = the double below e_i holds e_{i-1} <= x < e_i
    expect(sql).toContain(`histogram("x0", list_value(CAST('0.9999999999999999' AS DOUBLE), CAST('2.4999999999999996' AS DOUBLE))) FILTER (WHERE isfinite("x0")) AS "h0"`);
    const withTails = source.countSql!(DRIFTED, { ...request, tails: true });
    expect(withTails.split(';')).toHaveLength(1);
    expect(withTails).toContain(`AS "t1"`);
  });

  it('counts in one histogram() query what the rows counted here give: ties at each edge, the doubles beside them, non-finite, NULL, a feature without edges', async () => {
    const edges = [1, nextUp(1), 2, 1e300];
    const around = edges.flatMap((e) => [-nextUp(-e), e, nextUp(e)]);
    const values = [...around, 0.5, 1.5, 7, -3, 2e300, NaN, Infinity, -Infinity, null, 1, 2, 2];
    const instance = await DuckDBInstance.create(database.replace('.duckdb', '-edges.duckdb'));
    const connection = await instance.connect();
    await connection.run('CREATE TABLE edge_cases ("timestamp" TIMESTAMPTZ, "x" DOUBLE, "y" DOUBLE)');
    const literal = (v: number | null) => (v === null ? 'NULL' : `CAST('${String(v)}' AS DOUBLE)`);
    await connection.run(`INSERT INTO edge_cases VALUES ${values.map((v, i) => `(TIMESTAMPTZ '${DRIFTED.from.toISOString()}', ${literal(v)}, ${literal(values[values.length - 1 - i]!)})`).join(', ')}`);
    connection.closeSync();
    instance.closeSync();
    const edgeSource = await openSource(`duckdb:${database.replace('.duckdb', '-edges.duckdb')}?table=edge_cases`);
    try {
      for (const tails of [false, true]) {
        const request = { featureNames: ['x', 'y'], edges: [Float64Array.from(edges), new Float64Array(0)], tails };
        const inDb = await edgeSource.count(DRIFTED, request);
        const here = await countBatches(edgeSource.batches(DRIFTED, ['x', 'y']), request);
        expect(inDb.rows).toBe(values.length);
        expect(inDb.counts.map((c) => Array.from(c))).toEqual(here.counts.map((c) => Array.from(c)));
        expect(Array.from(inDb.quality)).toEqual(Array.from(here.quality));
        if (tails) expect(Array.from(inDb.tails!)).toEqual(Array.from(here.tails!));
      }
    } finally {
      await edgeSource.close();
    }
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

