/**
 * `models list`, `models compare` and `models tag` with no tracking server: the local registry
 * only (said so), stages set and shown, two versions compared, and both scored on the later
 * one's holdout (reproduced: the later version's holdout metrics are the test metrics train
 * recorded for it). Models trained by `driftcatcher train` on the real CICIDS rows (HEAD_9998
 * relabelled).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, relabelledHead, tempDir } from '../helpers.js';

const dir = tempDir('dc-cli-models-');
const registry = join(dir, 'models');
const data = join(dir, 'labelled.csv');

function ok(args: string[], cwd = dir) {
  const result = cli([...args, '--registry', registry], { cwd });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

beforeAll(() => {
  relabelledHead(data);
  // trained from its own folder with a relative path, as a user would: metrics.json records "labelled.csv"
  for (const [seed, trees] of [['1', '3'], ['2', '10']] as const) {
    const result = cli(['train', 'labelled.csv', '--registry', registry, '--n-estimators', trees, '--max-depth', '4', '--workers', '0', '--seed', seed, '--no-record'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
  }
  ok(['models', 'promote', '1']);
}, 300_000);

describe('models tag and models list', () => {
  it('sets a stage locally, says the server was not touched, and list shows it beside the aliases', () => {
    const tagged = ok(['models', 'tag', 'challenger', 'staging', '--json']);
    expect(JSON.parse(tagged.stdout)).toMatchObject({ version: 2, stage: 'staging', previous: null, mlflow: { state: 'local' } });
    expect(tagged.stderr).toBe('driftcatcher: stage staging set in the local registry only (no tracking server set)\n');
    expect(ok(['models', 'tag', '2', 'production']).stdout).toBe('v2 -> production (was staging)\n');
    ok(['models', 'tag', '1', 'archived']);
    const state = JSON.parse(readFileSync(join(registry, 'registry.json'), 'utf8'));
    expect(state.versions.map((v: { stage?: string }) => v.stage)).toEqual(['archived', 'production']);

    const list = ok(['models', 'list']);
    expect(list.stdout).toMatch(/local registry only: no tracking server set/);
    expect(list.stdout).toMatch(/^v1\s+random_forest\s+\d\.\d{6}\s+\d\.\d{6}\s+labelled\.csv \(\d+ rows\)\s+\S+\s+champion\s+archived$/m);
    expect(list.stdout).toMatch(/^v2\s+random_forest\s+.*challenger\s+production$/m);
    expect(list.stdout).not.toMatch(/mlflow version/);
    const json = JSON.parse(ok(['models', 'list', '--json']).stdout);
    expect(json.server).toMatchObject({ state: 'local', server: null, versions: [] });
    expect(json.local.map((v: { aliases: string[]; stage: string }) => [v.aliases, v.stage])).toEqual([[['champion'], 'archived'], [['challenger'], 'production']]);
  });

  it('a stage that is not one: usage error, one line, exit 2', () => {
    const result = cli(['models', 'tag', '1', 'retired', '--registry', registry]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^driftcatcher: .*retired.*(production, staging, archived|choices)/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('models compare', () => {
  it('champion vs challenger: metrics and their difference, the params that differ, both on the holdout of the later one', () => {
    const result = JSON.parse(ok(['models', 'compare', '--json']).stdout);
    expect(result.models.a).toMatchObject({ ref: 'champion', version: 1, aliases: ['champion'] });
    expect(result.models.b).toMatchObject({ ref: 'challenger', version: 2, aliases: ['challenger'] });
    const auc = result.metrics.find((m: { metric: string }) => m.metric === 'roc_auc');
    expect(auc.difference).toBe(auc.b - auc.a);
    expect(result.params.filter((p: { same: boolean }) => !p.same).map((p: { param: string }) => p.param)).toEqual(expect.arrayContaining(['n_estimators', 'seed']));
    expect(result.models.b.training_data.files).toEqual([{ file: 'labelled.csv', rows: 9998 }]);
    // the holdout is v2's: scored again, v2 gets exactly the test metrics train recorded for it
    expect(result.holdout).toMatchObject({ of: 'b', version: 2, files: ['labelled.csv'] });
    const registryState = JSON.parse(readFileSync(join(registry, 'registry.json'), 'utf8'));
    const v2 = registryState.versions[1].metrics;
    for (const m of ['roc_auc', 'accuracy', 'f1_score', 'true_positives', 'false_negatives']) expect(result.holdout.metrics.b[m]).toBe(v2[m]);
    expect(result.holdout.rows).toBe(v2.true_positives + v2.true_negatives + v2.false_positives + v2.false_negatives);

    const text = ok(['models', 'compare', '2', '1']).stdout;
    expect(text).toMatch(/^A = 2 = v2 \(random_forest; challenger; production\)\nB = 1 = v1 \(random_forest; champion; archived\)\n/);
    expect(text).toMatch(/^true_positives\s+\d+\s+\d+\s+[+-]?\d+$/m);
    expect(text).toMatch(/on one holdout: both scored on the holdout of v2 \(\d+ rows of labelled\.csv\)/);
  });

  it('from another folder the recorded training data is not there: compared without the holdout, unless --data names it', () => {
    const elsewhere = tempDir('dc-cli-models-elsewhere-');
    const without = ok(['models', 'compare'], elsewhere).stdout;
    expect(without).toMatch(/not scored on one holdout: the training data of v2 \(labelled\.csv\) is not here: give it with --data/);
    const withData = JSON.parse(ok(['models', 'compare', '--data', data, '--json'], elsewhere).stdout);
    expect(withData.holdout.rows).toBeGreaterThan(0);
  });
});
