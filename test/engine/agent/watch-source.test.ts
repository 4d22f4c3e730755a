/**
 * `agent watch --from` in the engine, on DuckDB with the CICIDS rows over 60 days (the sources
 * tests' dataset) and a champion trained on the fixture file, with an injected clock: the first
 * start checks the latest complete window; a restart at the same time checks nothing (the state
 * remembers the window); time passing checks each new window once, oldest first, with the verdict
 * `checkDrift` gives the same rows as a CSV file; empty windows are marked with their error; a long
 * pause catches up at most maxCatchUp windows.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { agentWatchSource, dueWindows, readState, stateFileIn, type AgentCheckResult } from '../../../engine/agent/index.js';
import { checkDrift } from '../../../engine/drift/index.js';
import { loadProfile } from '../../../engine/profile/index.js';
import { openRegistry, promoteModel, trainModel } from '../../../engine/model/index.js';
import { tempDir } from '../../helpers.js';
import { DAY, insertStatements, predictionRows, START_MS, trainingCsv, windowCsv } from '../sources/dataset.js';

const rows = predictionRows();
const dir = tempDir('dc-watch-source-');
const registry = join(dir, 'models');
const database = join(dir, 'predictions.duckdb');
const stateDir = join(dir, 'agent');

beforeAll(async () => {
  const instance = await DuckDBInstance.create(database);
  const connection = await instance.connect();
  for (const sql of insertStatements(rows)) await connection.run(sql);
  connection.closeSync();
  instance.closeSync();
  // the champion's baseline is the first 30 days (the fixture is all BENIGN: a synthetic label to train on)
  await trainModel({ data: trainingCsv(rows, START_MS + 30 * DAY, join(dir, 'train.csv')), registry, nEstimators: 3, workers: 0, seed: 7 });
  await promoteModel(1, { registry });
}, 120_000);

function watch(at: number, extra: { maxPolls?: number; maxCatchUp?: number } = {}) {
  const results: AgentCheckResult[] = [];
  const logs: string[] = [];
  const done = agentWatchSource(`duckdb:${database}`, {
    registry,
    stateDir,
    record: false,
    intervalMs: 0,
    windowMs: DAY,
    maxPolls: extra.maxPolls ?? 1,
    maxCatchUp: extra.maxCatchUp,
    now: () => new Date(at),
    drift: { workers: 0 },
    onCheck: (r) => results.push(r),
    onLog: (e) => logs.push(`${e.event} ${e.message}`),
  });
  return done.then((summary) => ({ summary, results, logs }));
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('agent watch --from', () => {
  it('cuts time into whole windows on the UTC grid and catches up at most maxCatchUp', () => {
    const h = 3_600_000;
    expect(dueWindows(Date.UTC(2026, 2, 1, 5, 30), h, null, 24).map((w) => w.from.toISOString())).toEqual(['2026-03-01T04:00:00.000Z']);
    expect(dueWindows(Date.UTC(2026, 2, 1, 5, 30), h, Date.UTC(2026, 2, 1, 3), 24).map((w) => w.from.toISOString())).toEqual(['2026-03-01T03:00:00.000Z', '2026-03-01T04:00:00.000Z']);
    expect(dueWindows(Date.UTC(2026, 2, 1, 5, 0), h, Date.UTC(2026, 2, 1, 5), 24)).toEqual([]);
    expect(dueWindows(Date.UTC(2026, 2, 2), h, Date.UTC(2026, 2, 1), 3).map((w) => w.until.toISOString())).toEqual(['2026-03-01T22:00:00.000Z', '2026-03-01T23:00:00.000Z', '2026-03-02T00:00:00.000Z']);
  });

  it('checks each new window once, across restarts, with the verdict of the same rows as a file', async () => {
    const reg = openRegistry({ registry });
    const profile = await loadProfile(join(reg.folderOf((await reg.listVersions()).versions[0]!), 'profile.json'));
    // first start at day 30 12:00: the latest complete day, [day 29, day 30)
    const first = await watch(START_MS + 30 * DAY + DAY / 2, { maxPolls: 2 });
    expect(first.summary).toEqual({ polls: 2, checked: 1, failed: 0 });
    expect(first.results.map((r) => r.file)).toEqual([`duckdb:${database} table classifier_predictions [${iso(START_MS + 29 * DAY)}, ${iso(START_MS + 30 * DAY)})`]);
    // a restart at the same time: nothing new
    const again = await watch(START_MS + 30 * DAY + DAY / 2);
    expect(again.summary).toEqual({ polls: 1, checked: 0, failed: 0 });
    // two days later: day 30 and day 31, oldest first, each as checkDrift sees the same rows in a CSV file
    const later = await watch(START_MS + 32 * DAY + 1);
    expect(later.summary.checked).toBe(2);
    for (const [k, result] of later.results.entries()) {
      const from = START_MS + (30 + k) * DAY;
      expect(result.file).toContain(`[${iso(from)}, ${iso(from + DAY)})`);
      const file = windowCsv(rows, from, from + DAY, join(dir, `day-${30 + k}.csv`));
      const fileReport = await checkDrift(profile, file, { workers: 0 });
      expect(result.report.current.rows).toBe(fileReport.current.rows);
      expect(result.action).toBe(fileReport.action);
      expect(result.overall_score).toBeCloseTo(fileReport.overall_score, 12);
    }
    const state = await readState(stateFileIn(stateDir));
    const windows = Object.values(state.checked_windows ?? {}).sort((a, b) => a.from.localeCompare(b.from));
    expect(windows.map((w) => [w.from, w.rows])).toEqual([29, 30, 31].map((d) => [iso(START_MS + d * DAY), rows.times.filter((t) => t >= START_MS + d * DAY && t < START_MS + (d + 1) * DAY).length]));
    expect(state.total_checks).toBe(3);
  });

  it('after a long pause checks the last maxCatchUp windows; a window without rows is marked with its error', async () => {
    // day 70: the data ends at day 60, so the three windows caught up are empty
    const paused = await watch(START_MS + 70 * DAY, { maxCatchUp: 3 });
    expect(paused.summary).toEqual({ polls: 1, checked: 0, failed: 3 });
    expect(paused.logs.filter((l) => l.startsWith('ERROR'))).toHaveLength(3);
    expect(paused.logs.find((l) => l.startsWith('ERROR'))).toMatch(/no rows in the window \[2026-03-09T00:00:00.000Z, 2026-03-10T00:00:00.000Z\)/);
    const state = await readState(stateFileIn(stateDir));
    const empty = Object.values(state.checked_windows ?? {}).filter((w) => w.error);
    expect(empty.map((w) => w.from)).toEqual([67, 68, 69].map((d) => iso(START_MS + d * DAY)));
    // and they are not checked again
    expect((await watch(START_MS + 70 * DAY)).summary).toEqual({ polls: 1, checked: 0, failed: 0 });
  });
});
