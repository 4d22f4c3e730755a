import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../../engine/synth/index.js';
import { trainModel, trainingRunRecord, loadModel, METRIC_NAMES } from '../../../engine/model/index.js';
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
    expect(record.metrics.map((m) => m.key).sort()).toEqual([...METRIC_NAMES].sort());
    expect(record.params['model_type']).toBe('random_forest');
    expect(Object.values(record.params).every((v) => v !== null)).toBe(true);
    expect(record.model).toMatchObject({ name: 'ddos_random_forest', version: 1, aliases: ['challenger'] });
    expect(record.artifacts.map((a) => a.path)).toEqual(['model/model.json', 'model/MLmodel', 'model/model.onnx', 'model/requirements.txt', 'model/conda.yaml', 'model/python_env.yaml', 'profile.json', 'metrics.json']);

    const loaded = await loadModel(join(dir, 'models'));
    expect(loaded.version?.version).toBe(1);
    expect(loaded.model.nonFinite).toBe('impute');
  });
});
