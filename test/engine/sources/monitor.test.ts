/**
 * `monitor --from` in the engine: the performance of a window's labelled rows from JSON-lines logs
 * and DuckDB (integer and BOOLEAN label and prediction columns) equals `monitor` on the same rows as a predictions CSV (PostgreSQL: postgres.test.ts);
 * a chunk without labels has no report; missing columns and bad labels are one-line errors.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { join } from 'node:path';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { monitorSourceChunks, monitorSourceWindow, openSource } from '../../../engine/sources/index.js';
import { tempDir } from '../../helpers.js';
import { DAY, insertStatements, predictionRows, START_MS, writeLogs } from './dataset.js';
import { assertMonitorSameAsCsv, DRIFTED } from './equivalence.js';

const rows = predictionRows();
const dir = tempDir('dc-monitor-source-');
const database = join(dir, 'predictions.duckdb');

beforeAll(async () => {
  const instance = await DuckDBInstance.create(database);
  const connection = await instance.connect();
  for (const sql of insertStatements(rows, 'classifier_predictions', 500, true)) await connection.run(sql);
  // the same rows with a BOOLEAN label and prediction (NULL labels stay NULL)
  await connection.run('CREATE TABLE bool_predictions AS SELECT * REPLACE (CAST("label" AS BOOLEAN) AS "label", CAST("prediction" AS BOOLEAN) AS "prediction") FROM classifier_predictions');
  connection.closeSync();
  instance.closeSync();
});

describe('monitoring a window of a source', () => {
  it('gives logs the performance monitor gives the same labelled rows as a CSV file', async () => {
    const source = await openSource(`logs:${writeLogs(rows, join(dir, 'logs'), { noisy: true })}`);
    try {
      await assertMonitorSameAsCsv(source, rows, dir);
    } finally {
      await source.close();
    }
  });

  it('gives DuckDB the performance monitor gives the same labelled rows as a CSV file', async () => {
    const source = await openSource(`duckdb:${database}`);
    try {
      await assertMonitorSameAsCsv(source, rows, dir);
      // chunks: one report per day, and a chunk past the data has none
      const period = { from: new Date(START_MS + 59 * DAY), until: new Date(START_MS + 61 * DAY) };
      const chunks = await monitorSourceChunks(source, period, DAY);
      expect(chunks.map((c) => c.report === null)).toEqual([false, true]);
      const day59 = await monitorSourceWindow(source, { from: period.from, until: new Date(START_MS + 60 * DAY) });
      expect(chunks[0]!.report!.metrics).toEqual(day59.report.metrics);
    } finally {
      await source.close();
    }
  });

  it('reads JSON true / false labels and predictions in logs as 1 / 0', async () => {
    const logs = writeLogs(rows, join(dir, 'bool-logs'), { noisy: true });
    for (const name of readdirSync(logs)) {
      const lines = readFileSync(join(logs, name), 'utf8').trim().split('\n').map((line) => {
        const value = JSON.parse(line);
        return JSON.stringify({ ...value, prediction: value.prediction === 1, ...('label' in value ? { label: value.label === 1 } : {}) });
      });
      writeFileSync(join(logs, name), lines.join('\n') + '\n');
    }
    expect(readFileSync(join(logs, readdirSync(logs)[0]!), 'utf8')).toMatch(/"prediction":(true|false)/);
    const source = await openSource(`logs:${logs}`);
    try {
      await assertMonitorSameAsCsv(source, rows, dir);
    } finally {
      await source.close();
    }
  });

  it('reads a BOOLEAN label and prediction in DuckDB as 0/1: the same performance as the integer columns and the CSV file', async () => {
    const source = await openSource(`duckdb:${database}`, { table: 'bool_predictions' });
    try {
      const types = await source.columns();
      expect(types.find((c) => c.name === 'label')).toMatchObject({ numeric: false, boolean: true });
      await assertMonitorSameAsCsv(source, rows, dir);
    } finally {
      await source.close();
    }
  });

  it('names a missing label column, a bad label and a window without labels in one line', async () => {
    const logs = join(tempDir(), 'logs');
    mkdirSync(logs);
    const line = (extra: object) => JSON.stringify({ timestamp: '2026-01-01T00:00:00Z', features: { a: 1 }, prediction: 1, probability: 0.8, ...extra });
    const window = { from: new Date(START_MS), until: new Date(START_MS + DAY) };
    const cases: [string, RegExp][] = [
      [line({}), /no column "label" \(--label names it\)/],
      [line({ label: 2 }), /column "label" must be 0 or 1 in a labelled row, got 2/],
      [line({ label: null }), /no labelled rows \(1 rows, none with a "label"\)/],
    ];
    for (const [text, pattern] of cases) {
      writeFileSync(join(logs, 'a.jsonl'), text + '\n');
      const source = await openSource(`logs:${logs}`);
      const error = (await monitorSourceWindow(source, window).catch((e: Error) => e)) as Error;
      expect(error.message).toMatch(pattern);
      expect(error.message).not.toContain('\n');
    }
    const source = await openSource(`duckdb:${database}`);
    await expect(monitorSourceWindow(source, DRIFTED, { maxRows: 10 })).rejects.toThrow(/more than the 10 monitoring pulls/);
    await source.close();
  });
});
