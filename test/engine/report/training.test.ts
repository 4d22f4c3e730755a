/** The training report kind: its text (version, train and test metrics, the files) and its JSON (no model, the profile by identity). */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../../engine/synth/index.js';
import { trainModel, type TrainResult } from '../../../engine/model/index.js';
import { renderTraining, trainingJson } from '../../../engine/report/index.js';
import { tempDir } from '../../helpers.js';

const dir = tempDir('dc-report-training-');
let result: TrainResult;

beforeAll(async () => {
  const file = join(dir, 'train.csv');
  await synthesize({ rows: 1500, seed: 8, out: file });
  result = await trainModel({ data: file, workers: 0, nEstimators: 3, registry: join(dir, 'models'), seed: 1 });
});

describe('the training report', () => {
  it('text: the version and its aliases, the train and test metrics to 6 digits, the confusion counts, the files written', () => {
    const lines = renderTraining(result).split('\n');
    expect(lines[0]).toMatch(new RegExp(`^random_forest ddos_random_forest v1 \\(challenger\\): ${result.data.train_rows} train / ${result.data.test_rows} test rows, \\d+ dropped \\(non-finite\\), fit \\d+\\.\\d{2} s$`));
    expect(lines[2]).toMatch(/^metric\s+train\s+test$/);
    // the columns: train, then test
    const row = (name: string) => lines.find((l) => l.startsWith(name))!.slice(name.length).trim().split(/\s{2,}/);
    for (const metric of ['roc_auc', 'accuracy', 'precision', 'recall', 'f1_score'] as const) expect(row(metric), metric).toEqual([result.trainMetrics[metric].toFixed(6), result.metrics[metric].toFixed(6)]);
    const counts = (m: typeof result.metrics) => `${m.true_positives} / ${m.true_negatives} / ${m.false_positives} / ${m.false_negatives}`;
    expect(row('tp / tn / fp / fn')).toEqual([counts(result.trainMetrics), counts(result.metrics)]);
    expect(lines.at(-2)).toBe(`wrote ${result.artifacts.model}, ${result.artifacts.profile}, ${result.artifacts.prediction_profile}, ${result.artifacts.metrics}`);
    expect(lines.at(-1)).toBe(`MLflow model (ONNX): ${result.modelDir} (mlflow.pyfunc.load_model loads it)`);
  });

  it('JSON: everything but the model, in snake_case; the profile by its id, rows and feature count', () => {
    const json = trainingJson(result);
    expect(json).not.toHaveProperty('model');
    expect(Object.keys(json).filter((key) => !/^[a-z0-9_]+$/.test(key))).toEqual([]);
    expect(json).toMatchObject({ model_type: result.modelType, registered_model: result.registeredModel, model_dir: result.modelDir });
    expect(json.profile).toEqual({ id: result.profile.id, rows: result.profile.rows, features: result.profile.features.length });
    expect(json.metrics).toEqual(result.metrics);
    expect(json.train_metrics).toEqual(result.trainMetrics);
    expect(json.version).toBe(1);
  });
});
