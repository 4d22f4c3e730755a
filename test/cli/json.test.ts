/**
 * JSON keys in one case: every command of the CLI that has `--json` is run here (the built CLI, on
 * real files), its stdout parsed, and every key of every object in it must be snake_case, except
 * the keys of maps whose keys are data (feature names, metric names, aliases). A command with
 * `--json` and no run in the table fails the test, so a new command cannot skip the rule.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, everyCommand } from '../../cli/program.js';
import { synthesize } from '../../engine/synth/index.js';
import { predictFile, promoteModel, trainModel } from '../../engine/model/index.js';
import { cli, tempDir } from '../helpers.js';
import type { Command } from 'commander';

const dir = tempDir('dc-cli-json-');
const at = (name: string) => join(dir, name);
const files = { train: at('train.csv'), batch: at('batch.csv'), labelled: at('labelled.csv'), predictions: at('predictions.csv'), profile: at('profile.json') };
const registry = at('models');
const ledger = at('ledger');
const place = (state: string) => ['--registry', registry, '--state-dir', at(state), '--ledger-dir', ledger];

/** Objects whose keys are data, by the key that holds them (anywhere in a document). */
const DATA_MAPS = new Set(['metrics', 'train_metrics', 'aliases', 'params', 'tags']);

const RUNS: Record<string, string[]> = {
  baseline: ['baseline', files.train, '-o', at('baseline-out.json'), '--json'],
  check: ['check', files.batch, '--baseline', files.profile, '--predictions', '--model', `${registry}@1`, '--json', '--ledger-dir', ledger],
  scan: ['scan', files.batch, files.labelled, '--baseline', files.profile, '--json', '--ledger-dir', ledger],
  synth: ['synth', '--rows', '300', '-o', at('synth.csv'), '--json'],
  demo: ['demo', '--dir', at('demo'), '--train-rows', '2000', '--batch-rows', '500', '--workers', '0', '--json'],
  'mlflow sync': ['mlflow', 'sync', '--json', '--ledger-dir', ledger, '--tracking-uri', 'http://127.0.0.1:9'],
  'mlflow status': ['mlflow', 'status', '--json', '--ledger-dir', ledger],
  train: ['train', files.train, '--registry', at('models-train'), '--n-estimators', '2', '--workers', '0', '--json', '--ledger-dir', ledger],
  predict: ['predict', files.batch, '--model', registry, '-o', at('predict-out.csv'), '--json'],
  'models promote': ['models', 'promote', '1', '--registry', registry, '--json', '--ledger-dir', ledger],
  'models list': ['models', 'list', '--registry', registry, '--json'],
  'models compare': ['models', 'compare', '1', `${registry}@1`, '--registry', registry, '--data', files.train, '--json'],
  'models tag': ['models', 'tag', '1', 'staging', '--registry', registry, '--json', '--ledger-dir', ledger],
  abtest: ['abtest', files.labelled, '--model-a', `${registry}@1`, '--model-b', `${registry}@1`, '--bootstrap', '20', '--json', '--ledger-dir', ledger],
  'profile merge': ['profile', 'merge', files.profile, files.profile, '-o', at('merged-out.json'), '--json'],
  'models profile': ['models', 'profile', '--model', `${registry}@1`, '--data', files.train, '--json'],
  monitor: ['monitor', files.predictions, '--registry', registry, '--json', '--ledger-dir', ledger],
  'agent check': ['agent', 'check', files.batch, ...place('state'), '--json', '--workers', '0', '--no-record'],
  'agent retrain': ['agent', 'retrain', '--new-data', files.labelled, '--base-data', files.train, ...place('state'), '--n-estimators', '2', '--workers', '0', '--force', '--json', '--no-record'],
  'agent status': ['agent', 'status', ...place('state'), '--json'],
  // after check and scan: the ledger holds drift runs
  'runs summary': ['runs', 'summary', '--json', '--ledger-dir', ledger],
  'runs list': ['runs', 'list', '--json', '--ledger-dir', ledger],
  'runs export': ['runs', 'export', '--experiment', 'drift_monitoring', '-o', at('runs.parquet'), '--json', '--ledger-dir', ledger],
  'runs cleanup': ['runs', 'cleanup', '--experiment', 'drift_monitoring', '--keep-last', '1', '--dry-run', '--json', '--ledger-dir', ledger],
  'runs history': ['runs', 'history', '--feature', 'Flow Duration', '--json', '--ledger-dir', ledger],
  'config show': ['config', 'show', '--json'],
  'reference create': ['reference', 'create', '--from', `logs:${at('logs')}`, '--days', '10', '--until', '2026-01-11', '-o', at('reference.json'), '--json'],
  'reference stats': ['reference', 'stats', at('reference.json'), '--json'],
};

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  await synthesize({ rows: 800, seed: 41, out: files.train });
  await synthesize({ rows: 300, seed: 42, drift: 'severe', out: files.batch });
  await synthesize({ rows: 600, seed: 43, drift: 'severe', out: files.labelled });
  await trainModel({ data: files.train, registry, nEstimators: 2, workers: 0, seed: 7 });
  await promoteModel(1, { registry });
  await predictFile({ model: registry, data: files.batch, out: files.predictions });
  expect(cli(['baseline', files.train, '-o', files.profile]).code).toBe(0);
  // prediction logs for `reference create --from logs:` (features a and b; label, prediction: not features)
  const { writeFileSync } = await import('node:fs');
  mkdirSync(at('logs'));
  const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ timestamp: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(), features: { a: i % 13, b: (i * 7) % 31 }, prediction: i % 2, label: i % 2 }));
  writeFileSync(join(at('logs'), 'p.jsonl'), lines.join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pathOf = (command: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = command; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

/** Every key that is not snake_case, as a path (`files[].settings.policy.alertOverall`). */
function badKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => badKeys(item, `${path}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const here = path ? `${path}.${key}` : key;
    const own = /^[a-z][a-z0-9_]*$/.test(key) ? [] : [here];
    // a data map's keys are names from the data; its values are still documents
    const below = DATA_MAPS.has(key) && inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? Object.entries(inner).flatMap(([k, v]) => badKeys(v, `${here}.${k}`)) : badKeys(inner, here);
    return [...own, ...below];
  });
}

describe('--json: one case for every key', () => {
  it('every command with --json has a run here', () => {
    const withJson = everyCommand(buildProgram())
      .filter((c) => c.options.some((o) => o.long === '--json'))
      .map(pathOf)
      .sort();
    expect(withJson).toEqual(Object.keys(RUNS).sort());
  });

  it('the walker catches a camelCase key, also inside arrays, and leaves data maps alone', () => {
    expect(badKeys({ a_b: [{ settings: { policy: { alertOverall: 1 } } }], metrics: { 'Flow Bytes/s': { fooBar: 1 } } })).toEqual(['a_b[].settings.policy.alertOverall', 'metrics.Flow Bytes/s.fooBar']);
  });

  for (const [name, args] of Object.entries(RUNS)) {
    it(`${name}: stdout is one JSON document with snake_case keys`, () => {
      // a closed port is refused at once; no retries, so the run takes no back-off time
      const result = cli(args, { env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' } });
      // mlflow sync against a closed port exits 3 (runs stay queued); every other run succeeds or
      // reports a verdict (exit 0..1)
      expect(result.code, result.stderr).toBeLessThanOrEqual(name === 'mlflow sync' ? 3 : 1);
      const document = JSON.parse(result.stdout) as unknown;
      expect(badKeys(document)).toEqual([]);
    });
  }
});
