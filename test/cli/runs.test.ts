/**
 * `driftcatcher runs` with no server: the ledger's runs, made by the CLI's own checks of the real
 * CICIDS extracts (and a training, whose registered version cleanup must keep). What each
 * command answers is compared with the run.json files read here directly, not with the engine.
 * The Parquet and CSV files are read back with pyarrow and Python's csv module in
 * test/reference/runs-export.test.ts; the server path is test/cli/runs-mlflow.test.ts.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../engine/synth/index.js';
import { FLOWS_299, HEAD_9998, SAMPLE_10, cli, tempDir } from '../helpers.js';
import { ledgerRunFiles, type LedgerRunFile } from '../engine/tracking/support.js';

const dir = tempDir('dc-cli-runs-');
const ledger = join(dir, 'ledger');
const registry = join(dir, 'models');
const profile = join(dir, 'profile.json');
const EXPERIMENT = 'runs_cleanup';

type LedgerRun = LedgerRunFile;

function run(args: string[]) {
  const result = cli([...args, '--ledger-dir', ledger]);
  expect(result.code, result.stderr).toBe(0);
  return result;
}
const json = (args: string[]) => JSON.parse(run([...args, '--json']).stdout);

const ledgerRuns = () => ledgerRunFiles(ledger);
const metricOf = (r: LedgerRun, key: string) => {
  const m = r.metrics.find((x) => x.key === key);
  return m === undefined ? undefined : Number(m.value);
};

beforeAll(async () => {
  const train = join(dir, 'train.csv');
  await synthesize({ rows: 1500, seed: 41, out: train });
  expect(cli(['baseline', HEAD_9998, '-o', profile]).code).toBe(0);
  for (const batch of [FLOWS_299, SAMPLE_10, HEAD_9998, FLOWS_299]) run(['check', '--baseline', profile, batch, '--workers', '0']);
  // the cleanup experiment: a training that registers a version, then checks after it
  run(['train', train, '--registry', registry, '--n-estimators', '3', '--workers', '0', '--experiment', EXPERIMENT]);
  for (const batch of [FLOWS_299, SAMPLE_10, HEAD_9998]) run(['check', '--baseline', profile, batch, '--workers', '0', '--experiment', EXPERIMENT]);
});

describe('runs summary and list on the ledger', () => {
  it('summary: every experiment with its run count, last run and latest verdicts', () => {
    const runs = ledgerRuns();
    const summary = json(['runs', 'summary']);
    expect(summary.source).toBe('ledger');
    const names = [...new Set(runs.map((r) => r.experiment))].sort();
    expect(summary.experiments.map((e: { name: string }) => e.name).sort()).toEqual(names);
    for (const name of names) {
      const mine = runs.filter((r) => r.experiment === name);
      const verdicts = mine.map((r) => r.tags['action_recommended']).filter(Boolean);
      const e = summary.experiments.find((x: { name: string }) => x.name === name);
      expect(e).toMatchObject({ runs: mine.length, last_run: { run_id: mine[0]!.id, run_name: mine[0]!.run_name }, latest_verdict: verdicts[0] ?? null, recent_verdicts: verdicts.slice(0, 5) });
    }
    const text = run(['runs', 'summary']).stdout;
    expect(text).toMatch(/drift_monitoring\s+4\s/);
    expect(text).toMatch(/8 run\(s\) in 2 experiment\(s\), ledger /);
  });

  it('list: newest first; --experiment, --limit, --since, and --filter as the files say', () => {
    const runs = ledgerRuns();
    const ids = (args: string[]) => json(['runs', 'list', ...args]).runs.map((r: { run_id: string }) => r.run_id);
    expect(ids([])).toEqual(runs.map((r) => r.id));
    expect(ids(['--experiment', 'drift_monitoring'])).toEqual(runs.filter((r) => r.experiment === 'drift_monitoring').map((r) => r.id));
    expect(ids(['--limit', '2'])).toEqual(runs.slice(0, 2).map((r) => r.id));
    expect(ids(['--since', '1h'])).toEqual(runs.map((r) => r.id));
    expect(ids(['--since', '2999-01-01'])).toEqual([]);

    const score = (r: LedgerRun) => metricOf(r, 'overall_score');
    expect(ids(['--filter', 'metrics.overall_score > 0.2'])).toEqual(runs.filter((r) => score(r) !== undefined && score(r)! > 0.2).map((r) => r.id));
    expect(ids(['--filter', "tags.action_recommended = 'retrain' AND metrics.n_drifted_features >= 10"])).toEqual(
      runs.filter((r) => r.tags['action_recommended'] === 'retrain' && (metricOf(r, 'n_drifted_features') ?? -1) >= 10).map((r) => r.id),
    );
    expect(ids(['--filter', "attributes.run_name LIKE 'train%'"])).toEqual(runs.filter((r) => r.run_name.startsWith('train')).map((r) => r.id));
    expect(ids(['--filter', "params.method != 'psi'"])).toEqual(runs.filter((r) => r.params['method'] !== undefined && r.params['method'] !== 'psi').map((r) => r.id));

    const text = run(['runs', 'list', '--experiment', 'drift_monitoring']).stdout;
    expect(text.split('\n')[0]).toMatch(/^run\s+experiment\s+name\s+started \(UTC\)\s+status\s+verdict\s+overall_score$/);
    expect(text).toMatch(/4 run\(s\), ledger /);
  });

  it('a bad filter, --since or --limit: one line naming the flag (and the position), exit 2, no stack', () => {
    const cases: [string[], RegExp][] = [
      [['--filter', 'metrics.overall_score >> 0.2'], /^driftcatcher: --filter: bad filter at position 24: expected a number after metrics\.overall_score >, got ">"\n$/],
      [['--filter', "metrics.overall_score > 0.2 OR tags.a = 'b'"], /^driftcatcher: --filter: bad filter at position 29: expected AND or the end of the filter, got "OR" \(MLflow filters have no OR\)\n$/],
      [['--filter', 'tags.\u001b[31m = 1'], /^driftcatcher: --filter: bad filter at position 6: unexpected character "\\u001b"/],
      [['--since', 'last week'], /^driftcatcher: --since: expected a duration such as 7d/],
      [['--limit', '0'], /^driftcatcher: .*--limit must be an integer from 1/],
    ];
    for (const [args, message] of cases) {
      const result = cli(['runs', 'list', ...args, '--ledger-dir', ledger]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/\u001b|at .*\.js:\d+/);
    }
  });
});

describe('runs history on the ledger', () => {
  it('--feature: the drift score per run, oldest first, with the checks\' threshold; a sparkline per series', () => {
    const runs = ledgerRuns().filter((r) => r.experiment === 'drift_monitoring').reverse();
    const result = json(['runs', 'history', '--feature', 'Flow Bytes/s,Destination Port']);
    expect(result.experiment).toBe('drift_monitoring');
    const history = result.history;
    expect(history.threshold).toBe(Number(runs.at(-1)!.params['threshold']));
    // the feature's score is logged as drift/<name> with the slash made safe
    for (const [feature, key] of [['Flow Bytes/s', 'drift/Flow Bytes_s'], ['Destination Port', 'drift/Destination Port']] as const) {
      const series = history.series.find((s: { name: string }) => s.name === feature);
      expect(series.points).toEqual(runs.map((r) => ({ time: r.end_time, run_id: r.id, value: metricOf(r, key) })));
    }
    const text = run(['runs', 'history', '--feature', 'Flow Bytes/s']).stdout.split('\n');
    expect(text[0]).toMatch(/^drift of Flow Bytes\/s in drift_monitoring \(drift\/Flow Bytes_s\), threshold 0\.2000 \(.\), scale /);
    expect(text[1]).toMatch(/^Flow Bytes\/s {2}[▁▂▃▄▅▆▇█]{4} {2}4 run\(s\), last \d\.\d{4}, min \d\.\d{4}, max \d+\.\d{4}, \d above threshold; /);
  });

  it('--html: one self-contained page with a plot per series and the runs it follows', () => {
    const file = join(dir, 'history.html');
    run(['runs', 'history', '--feature', 'Flow Bytes/s,Destination Port', '--html', file]);
    const html = readFileSync(file, 'utf8');
    // one SVG plot per series, and nothing fetched from elsewhere
    expect(html.match(/<svg[\s>]/g)?.length).toBeGreaterThanOrEqual(2);
    expect(html).toContain('Destination Port');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=["']?https?:/);
  });

  it('--metric overall_score: the alert level as the threshold; an unknown feature says which exist, exit 2', () => {
    const runs = ledgerRuns().filter((r) => r.experiment === 'drift_monitoring');
    const history = json(['runs', 'history', '--metric', 'overall_score']).history;
    expect(history.threshold).toBe(Number(runs[0]!.params['policy_alert_overall']));
    expect(history.series[0].points.map((p: { value: number }) => p.value)).toEqual(runs.reverse().map((r) => metricOf(r, 'overall_score')));

    const unknown = cli(['runs', 'history', '--feature', 'No Such Feature', '--ledger-dir', ledger]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^driftcatcher: no run of experiment "drift_monitoring" in .* logged drift\/No Such Feature; features it has: ACK Flag Count, /);
    const neither = cli(['runs', 'history', '--ledger-dir', ledger]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/give --feature or --metric/);
  });
});

describe('runs export and cleanup on the ledger', () => {
  it('export: a CSV with one row per run and a column per metric, param and tag; a bad name or folder: exit 2, nothing written', () => {
    const out = join(dir, 'export', 'runs.csv');
    const result = json(['runs', 'export', '--experiment', 'drift_monitoring', '-o', out]);
    const runs = ledgerRuns().filter((r) => r.experiment === 'drift_monitoring');
    expect(result).toMatchObject({ source: 'ledger', file: out, format: 'csv', rows: runs.length });
    const keys = new Set(runs.flatMap((r) => r.metrics.map((m) => `metrics.${m.key}`)));
    expect(result.columns.filter((c: string) => c.startsWith('metrics.')).sort()).toEqual([...keys].sort());
    expect(readdirSync(join(dir, 'export'))).toEqual(['runs.csv']);

    const badName = cli(['runs', 'export', '--experiment', 'drift_monitoring', '-o', join(dir, 'runs.xlsx'), '--ledger-dir', ledger]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/^driftcatcher: --output: cannot tell the format of ".*runs\.xlsx": name it \.csv or \.parquet\n$/);
    // a folder where the file goes: the rename fails, no temp file stays
    mkdirSync(join(dir, 'export', 'folder.csv'));
    const folder = cli(['runs', 'export', '--experiment', 'drift_monitoring', '-o', join(dir, 'export', 'folder.csv'), '--ledger-dir', ledger]);
    expect(folder.code).toBe(2);
    expect(folder.stderr.trim().split('\n')).toHaveLength(1);
    expect(folder.stderr).toMatch(/folder\.csv/);
    const blocked = cli(['runs', 'export', '--experiment', 'drift_monitoring', '-o', join(dir, 'export', 'runs.csv', 'x.csv'), '--ledger-dir', ledger]);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(join(dir, 'export')).sort()).toEqual(['folder.csv', 'runs.csv']);
  });

  it('cleanup --dry-run deletes nothing; cleanup keeps the newest n and the run of a registered version, deletes the rest', () => {
    const before = ledgerRuns().filter((r) => r.experiment === EXPERIMENT);
    expect(before).toHaveLength(4);
    const training = before.find((r) => r.run_name.startsWith('train'))!;
    // the local registry's version 1 was registered by that training run
    expect(JSON.parse(readFileSync(join(registry, 'registry.json'), 'utf8')).versions.map((v: { version: number }) => v.version)).toEqual([1]);
    expect(training.tags['model_version']).toBe('1');

    const dry = json(['runs', 'cleanup', '--experiment', EXPERIMENT, '--keep-last', '1', '--registry', registry, '--dry-run']);
    expect(dry).toMatchObject({ dry_run: true, total: 4, kept: 1, ledger_removed: [] });
    expect(dry.protected).toEqual([expect.objectContaining({ run_id: training.id, reason: expect.stringMatching(/registry version .* v1/) })]);
    const doomed = before.filter((r) => r !== before[0] && r !== training).map((r) => r.id);
    expect(dry.deleted.map((r: { run_id: string }) => r.run_id)).toEqual(doomed);
    expect(ledgerRuns().filter((r) => r.experiment === EXPERIMENT)).toHaveLength(4);

    const text = run(['runs', 'cleanup', '--experiment', EXPERIMENT, '--keep-last', '1', '--registry', registry]).stdout;
    expect(text).toMatch(new RegExp(`${EXPERIMENT}: 4 run\\(s\\); kept the newest 1, 1 more for registered model versions; deleted 2 \\(ledger `));
    expect(ledgerRuns().filter((r) => r.experiment === EXPERIMENT).map((r) => r.id)).toEqual([before[0]!.id, training.id]);
    for (const id of doomed) expect(existsSync(join(ledger, 'runs', id))).toBe(false);
    expect(readdirSync(join(ledger, 'runs')).filter((n) => n.startsWith('.'))).toEqual([]);
    // the other experiment is untouched
    expect(ledgerRuns().filter((r) => r.experiment === 'drift_monitoring')).toHaveLength(4);
    // --keep-last 0 still keeps the registered run
    const all = json(['runs', 'cleanup', '--experiment', EXPERIMENT, '--keep-last', '0', '--registry', registry]);
    expect(all.deleted.map((r: { run_id: string }) => r.run_id)).toEqual([before[0]!.id]);
    expect(ledgerRuns().filter((r) => r.experiment === EXPERIMENT).map((r) => r.id)).toEqual([training.id]);
  });
});
