/**
 * What a search and a failed training leave in the ledger with no tracking server (nothing
 * fails): the training run as the parent of one child run per trial, and a FAILED run with the
 * error. The same runs on a real MLflow server: test/cli/train-search-mlflow.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../../engine/synth/index.js';
import { runSearch, planSearch, trainModel, type TrainResult } from '../../../engine/model/index.js';
import { recordFailedTraining, recordTraining } from '../../../engine/report/index.js';
import { Ledger, type RunRecord } from '../../../engine/tracking/index.js';
import { InputError } from '../../../engine/util/index.js';
import { tempDir } from '../../helpers.js';

const dir = tempDir('dc-train-search-');
let result: TrainResult;
let runs: RunRecord[];

beforeAll(async () => {
  const file = join(dir, 'train.csv');
  await synthesize({ rows: 600, seed: 21, out: file });
  result = await trainModel({ data: file, model: 'rf', search: 'grid', cv: 2, scoring: 'f1', param: ['n_estimators=2,3', 'max_depth=3', 'min_samples_leaf=1', 'max_features=sqrt'], workers: 1, registry: join(dir, 'models'), seed: 4 });
  const outcome = await recordTraining(result, { ledgerDir: join(dir, 'ledger'), trackingUri: null });
  expect(outcome.state).toBe('local');
  expect(outcome.runs).toHaveLength(3);
  runs = await new Ledger(join(dir, 'ledger')).list();
});

describe('a search in the ledger', () => {
  it('the training run is the parent: best params, its cv score, the test metrics, the model', () => {
    const parent = runs.find((r) => !r.parent_id)!;
    const best = result.search!.trials[result.search!.best]!;
    expect(parent.status).toBe('FINISHED');
    expect(parent.params).toMatchObject({ search: 'grid', cv_folds: '2', scoring: 'f1', best_trial: String(best.index), n_estimators: String(best.params['n_estimators']), max_depth: '3' });
    const metric = (run: RunRecord, key: string) => run.metrics.filter((m) => m.key === key);
    expect(metric(parent, 'cv_f1_mean')[0]!.value).toBe(best.cv_mean);
    expect(metric(parent, 'roc_auc')[0]!.value).toBe(result.metrics.roc_auc);
    expect(parent.models?.[0]?.register_as).toBe('ddos_random_forest');
    expect(parent.artifacts.map((a) => a.path)).toEqual(expect.arrayContaining(['feature_importance.csv', 'confusion_matrix.json', 'confusion_matrix.csv']));
  });

  it('the parent carries the importance as an SVG bar chart: the CSV\'s features, most important first', () => {
    const parent = runs.find((r) => !r.parent_id)!;
    const ledger = new Ledger(join(dir, 'ledger'));
    const svg = readFileSync(ledger.artifactFile(parent.id, 'feature_importance.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const csv = readFileSync(result.artifacts.feature_importance!, 'utf8').trim().split('\n').slice(1);
    const names = csv.map((line) => line.split(',')[1]!).slice(0, 30);
    // each shown feature is an axis label, in the CSV's order (vega writes labels top to bottom)
    const labels = [...svg.matchAll(/<text[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]!);
    const positions = names.map((name) => labels.indexOf(name));
    expect(positions.every((p) => p >= 0), `labels: ${labels.slice(0, 40).join(' | ')}`).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // one bar per shown feature, its length proportional to the importance (coordinates to 0.1 px)
    const bars = /<g class="mark-rect[^>]*>(.*?)<\/g>/.exec(svg)![1]!;
    const lengths = [...bars.matchAll(/h(\d+(?:\.\d)?)v/g)].map((m) => Number(m[1]));
    expect(lengths).toHaveLength(names.length);
    const values = csv.map((line) => Number(line.split(',').at(-1))).slice(0, 30);
    const scale = lengths[0]! / values[0]!;
    lengths.forEach((length, i) => expect(Math.abs(length - values[i]! * scale)).toBeLessThanOrEqual(0.1));
  });

  it('every trial is a child run with its params and fold scores', () => {
    const parent = runs.find((r) => !r.parent_id)!;
    const children = runs.filter((r) => r.parent_id === parent.id).sort((a, b) => Number(a.params['trial']) - Number(b.params['trial']));
    expect(children).toHaveLength(2);
    children.forEach((child, i) => {
      const trial = result.search!.trials[i]!;
      expect(child.status).toBe('FINISHED');
      expect(child.run_name).toBe(`trial-${i}-random_forest`);
      expect(child.params).toMatchObject({ trial: String(i), model_type: 'random_forest', n_estimators: String(trial.params['n_estimators']), max_depth: '3', max_features: 'sqrt' });
      expect(child.metrics.find((m) => m.key === 'cv_f1_mean')!.value).toBe(trial.cv_mean);
      expect(child.metrics.find((m) => m.key === 'cv_f1_std')!.value).toBe(trial.cv_std);
      expect(child.metrics.filter((m) => m.key === 'cv_f1').map((m) => [m.step, m.value])).toEqual(trial.fold_scores.map((v, f) => [f, v]));
      expect(child.tags['best']).toBe(String(i === result.search!.best));
      expect(child.models ?? []).toEqual([]);
    });
  });
});

describe('failures', () => {
  it('a trial whose fit fails scores NaN and keeps its error; when every trial fails, the first error is the search\'s', async () => {
    const plan = planSearch('rf', { method: 'grid', cv: 2, param: ['n_estimators=1,2,3', 'max_depth=none', 'min_samples_leaf=1', 'max_features=sqrt'] }, 1);
    const labels = Uint8Array.from({ length: 20 }, (_, i) => i % 2);
    const data = { featureNames: ['x'], columns: [Float64Array.from(labels)], labels, rows: 20 };
    const hooks = {
      fit: async (trial: { params: Record<string, unknown> }) => {
        if (trial.params['n_estimators'] === 2) throw new InputError('trial two cannot be fitted');
        return trial.params['n_estimators'] as number;
      },
      // a "model" that predicts the label when it has 3 trees, its opposite otherwise
      predict: async (trees: number, part: typeof data) => {
        const pred = part.labels.map((l) => (trees === 3 ? l : 1 - l));
        return { pred, proba: Float64Array.from(pred) };
      },
      modelType: () => 'random_forest',
      concurrency: 2,
    };
    const search = await runSearch(plan, data, hooks);
    expect(search.trials[1]!.error).toEqual({ code: 'DC_ERR_INPUT', message: 'trial two cannot be fitted' });
    expect(search.trials[1]!.fold_scores.every(Number.isNaN)).toBe(true);
    expect(search.best).toBe(2);
    await expect(runSearch(plan, data, { ...hooks, fit: async () => Promise.reject(new InputError('no fit')) })).rejects.toThrow(/^no fit$/);
  });

  it('a training that fails records a FAILED run with the error, credentials blanked', async () => {
    const file = join(dir, 'one-class.csv');
    writeFileSync(file, ['a,b,Label', ...Array.from({ length: 30 }, (_, i) => `${i},${i % 4},BENIGN`)].join('\n') + '\n');
    const request = { data: file, model: 'auto' as const, search: 'random' as const, trials: 3, workers: 0 };
    const error = await trainModel({ ...request, registry: join(dir, 'models-fail') }).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'DC_ERR_INPUT' });
    const ledgerDir = join(dir, 'ledger-fail');
    const outcome = await recordFailedTraining(error, request, { ledgerDir, trackingUri: null });
    expect(outcome.state).toBe('local');
    const [run] = await new Ledger(ledgerDir).list();
    expect(run!.status).toBe('FAILED');
    expect(run!.params).toMatchObject({ model_choice: 'auto', data: 'one-class.csv', search: 'random', search_trials: '3' });
    expect(run!.tags['error_code']).toBe('DC_ERR_INPUT');
    expect(run!.tags['error']).toMatch(/one-class\.csv: column "Label": .* a classifier needs both classes/);
    expect(readFileSync(join(ledgerDir, 'runs', run!.id, 'artifacts', 'error.txt'), 'utf8')).toBe(`DC_ERR_INPUT: ${run!.tags['error']}\n`);

    // a message that carries the tracking token (or URI credentials) is stored without them
    const secretDir = join(dir, 'ledger-secret');
    const leak = new Error('upload to http://bob:pa55word@127.0.0.1:1/ with token tok-9f8e7d6c failed\nsecond line');
    await recordFailedTraining(leak, request, { ledgerDir: secretDir, trackingUri: null, env: { MLFLOW_TRACKING_TOKEN: 'tok-9f8e7d6c' } });
    const [stored] = await new Ledger(secretDir).list();
    expect(stored!.tags['error']).toBe('upload to http://127.0.0.1:1/ with token *** failed second line');
    expect(stored!.tags['error_code']).toBe('DC_ERR_INTERNAL');
  });
});
