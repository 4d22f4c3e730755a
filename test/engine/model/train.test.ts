import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../../engine/synth/index.js';
import { trainModel, trainingRunRecord, loadModel, predictFile, METRIC_NAMES } from '../../../engine/model/index.js';
import { tempDir } from '../../helpers.js';

const dir = tempDir('dc-train-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trainModel (library)', () => {
  it('--non-finite impute keeps every row; the result carries what tracking records', async () => {
    const file = join(dir, 'train.csv');
    await synthesize({ rows: 4000, seed: 5, out: file });
    const result = await trainModel({ data: file, nonFinite: 'impute', workers: 0, nEstimators: 5, registry: join(dir, 'models'), seed: 3 });
    expect(result.data.rows_dropped_non_finite).toBe(0);
    expect(result.data.train_rows + result.data.test_rows).toBe(4000);
    expect(result.params).toMatchObject({ non_finite: 'impute', seed: 3, n_estimators: 5, model_type: 'random_forest' });
    expect(result.model.fill.nan.every(Number.isFinite)).toBe(true);

    const record = trainingRunRecord(result);
    expect(record.metrics.map((m) => m.key).sort()).toEqual([...METRIC_NAMES, ...METRIC_NAMES.map((name) => `train_${name}`)].sort());
    expect(record.params['model_type']).toBe('random_forest');
    expect(Object.values(record.params).every((v) => v !== null)).toBe(true);
    expect(record.model).toMatchObject({ name: 'ddos_random_forest', version: 1, aliases: ['challenger'] });
    expect(record.artifacts.map((a) => a.path)).toEqual(['model/model.json', 'model/MLmodel', 'model/model.onnx', 'model/requirements.txt', 'model/conda.yaml', 'model/python_env.yaml', 'profile.json', 'prediction_profile.json', 'metrics.json', 'feature_importance.csv', 'confusion_matrix.json', 'confusion_matrix.csv']);

    const loaded = await loadModel(join(dir, 'models'));
    expect(loaded.version?.version).toBe(1);
    expect(loaded.model.nonFinite).toBe('impute');
  });
});

describe('train and test metrics', () => {
  it('the train split\'s confusion counts and the test split\'s add up to predicting every row of the file', async () => {
    const file = join(dir, 'both.csv');
    await synthesize({ rows: 3000, seed: 9, out: file });
    // impute: no row is dropped, so the two splits are the whole file
    const result = await trainModel({ data: file, nonFinite: 'impute', workers: 0, nEstimators: 5, registry: join(dir, 'models-both'), seed: 2 });
    const out = join(dir, 'both-predictions.csv');
    await predictFile({ model: result.modelDir, data: file, out });
    const counts = { true_positives: 0, true_negatives: 0, false_positives: 0, false_negatives: 0 };
    for (const line of readFileSync(out, 'utf8').trim().split('\n').slice(1)) {
      const [pred, , truth] = line.split(',');
      const key = pred === '1' ? (truth === '1' ? 'true_positives' : 'false_positives') : truth === '1' ? 'false_negatives' : 'true_negatives';
      counts[key]++;
    }
    for (const key of Object.keys(counts) as Array<keyof typeof counts>) expect(result.trainMetrics[key] + result.metrics[key], key).toBe(counts[key]);
    expect(result.trainMetrics.true_positives + result.trainMetrics.false_negatives).toBe(result.data.train_positives);
    // a forest fits its own training rows at least as well as unseen ones
    expect(result.trainMetrics.accuracy).toBeGreaterThanOrEqual(result.metrics.accuracy);
    const record = trainingRunRecord(result);
    expect(record.metrics.find((m) => m.key === 'train_accuracy')?.value).toBe(result.trainMetrics.accuracy);
    expect(JSON.parse(readFileSync(result.artifacts.metrics, 'utf8')).train_metrics.true_positives).toBe(result.trainMetrics.true_positives);
  });
});

