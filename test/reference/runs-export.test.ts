/**
 * `runs export` read back by independent readers: the Parquet file with pyarrow, the CSV with
 * Python's csv module (RFC 4180 quoting: commas, quotes and newlines inside cells), both compared
 * cell by cell with the ledger's run.json files of runs the CLI made checking the real CICIDS
 * extracts (one in an experiment whose name needs quoting).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { FLOWS_299, HEAD_9998, ROOT, SAMPLE_10, cli, tempDir } from '../helpers.js';
import { ledgerRunFiles, type LedgerRunFile } from '../engine/tracking/support.js';

const python = inject('pythonPath');
const dir = tempDir('dc-runs-export-');
const ledger = join(dir, 'ledger');
const EXPERIMENT = 'drift, "quoted"';

type LedgerRun = LedgerRunFile;

function runsReference(request: unknown): any {
  const result = spawnSync(python, [join(ROOT, 'test', 'reference', 'runs_reference.py'), JSON.stringify(request)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`runs_reference.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const ledgerRuns = () => ledgerRunFiles(ledger).filter((r) => r.experiment === EXPERIMENT);

/** Every column the export should have, with the value each run has in it (undefined: none). */
function expectedCells(run: LedgerRun): Record<string, string | number | undefined> {
  const cells: Record<string, string | number | undefined> = {
    run_id: run.id,
    ledger_id: run.id,
    experiment: run.experiment,
    run_name: run.run_name,
    status: run.status,
    start_time: run.start_time,
    end_time: run.end_time,
  };
  for (const m of run.metrics) cells[`metrics.${m.key}`] = Number(m.value);
  for (const [k, v] of Object.entries(run.params)) cells[`params.${k}`] = v;
  for (const [k, v] of Object.entries(run.tags)) cells[`tags.${k}`] = v;
  return cells;
}

beforeAll(() => {
  const profile = join(dir, 'profile.json');
  expect(cli(['baseline', HEAD_9998, '-o', profile]).code).toBe(0);
  for (const batch of [FLOWS_299, SAMPLE_10, HEAD_9998]) {
    const result = cli(['check', '--baseline', profile, batch, '--workers', '0', '--experiment', EXPERIMENT, '--ledger-dir', ledger]);
    expect(result.code, result.stderr).toBe(0);
  }
});

describe('runs export, read back by pyarrow and Python csv', () => {
  it('Parquet: one row per run, strings, doubles and UTC millisecond timestamps, each cell as in the ledger', () => {
    const file = join(dir, 'runs.parquet');
    const result = cli(['runs', 'export', '--experiment', EXPERIMENT, '-o', file, '--ledger-dir', ledger]);
    expect(result.code, result.stderr).toBe(0);
    const { parquet } = runsReference({ parquet: file });
    const runs = ledgerRuns();
    expect(parquet.rows).toHaveLength(runs.length);
    const types = Object.fromEntries(parquet.columns.map((c: { name: string; type: string }) => [c.name, c.type]));
    expect(types).toMatchObject({ run_id: 'string', experiment: 'string', start_time: 'timestamp[ms, tz=UTC]', end_time: 'timestamp[ms, tz=UTC]', 'metrics.overall_score': 'double', 'params.method': 'string', 'tags.action_recommended': 'string' });
    const columns = new Set(runs.flatMap((r) => Object.keys(expectedCells(r))));
    expect(new Set(Object.keys(types))).toEqual(columns);
    for (const run of runs) {
      const row = parquet.rows.find((r: { run_id: string }) => r.run_id === run.id);
      const cells = expectedCells(run);
      for (const column of columns) expect([column, row[column]]).toEqual([column, cells[column] ?? null]);
    }
  });

  it('CSV: quoted where a cell holds a comma, a quote or a newline; times ISO 8601; empty where a run has no value', () => {
    const file = join(dir, 'runs.csv');
    const result = cli(['runs', 'export', '--experiment', EXPERIMENT, '-o', file, '--ledger-dir', ledger, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const { csv } = runsReference({ csv: file });
    const runs = ledgerRuns();
    expect(csv.rows).toHaveLength(runs.length);
    expect(csv.header).toEqual(JSON.parse(result.stdout).columns);
    // the note tag holds newlines, the experiment a comma and quotes: both survive the round trip
    expect(runs.every((r) => r.tags['mlflow.note.content']!.includes('\n'))).toBe(true);
    for (const run of runs) {
      const row: string[] = csv.rows.find((r: string[]) => r[0] === run.id);
      const cells = expectedCells(run);
      csv.header.forEach((column: string, i: number) => {
        const want = cells[column];
        const got = row[i]!;
        if (want === undefined) expect([column, got]).toEqual([column, '']);
        else if (column === 'start_time' || column === 'end_time') expect([column, Date.parse(got)]).toEqual([column, want]);
        else if (typeof want === 'number') expect([column, Number(got)]).toEqual([column, want]);
        else expect([column, got]).toEqual([column, want]);
      });
    }
  });
});
