/**
 * `monitor --from` in the engine: the performance of a window's labelled rows from JSON-lines logs
 * and DuckDB equals `monitor` on the same rows as a predictions CSV (PostgreSQL: postgres.test.ts);
 * a chunk without labels has no report; missing columns and bad labels are one-line errors.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
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
