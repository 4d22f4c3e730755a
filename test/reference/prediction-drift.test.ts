/**
 * Prediction drift against numpy/scipy (test/reference/prediction_drift_reference.py): a small
 * forest trained on the real CICIDS extract (HEAD_9998 relabelled, split at random into training
 * and held-out rows), our own predictions exported to Python. The stored y_prob profile's
 * quantiles, decile edges, fine edges and counts are numpy's on the holdout's probabilities;
 * the PSI of prediction drift is numpy's restatement on those bins; the positive rates are
 * numpy's; scipy's KS statistic and Wasserstein distance lie within the bounds our fine-summary
 * estimates state.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applyFill, dropNonFinite, predictDataset, readLabelledData, scoreFile, stratifiedSplit, takeRows, trainModel, type TrainResult } from '../../engine/model/index.js';
import { predictionDrift } from '../../engine/drift/index.js';
import { readCsvText, relabelledHead, rng, tempDir, writeCsvText } from '../helpers.js';

const SCRIPT = join(import.meta.dirname, 'prediction_drift_reference.py');
const dir = tempDir('dc-prediction-drift-ref-');
const train = join(dir, 'train.csv');
const held = join(dir, 'held.csv');
const port80 = join(dir, 'port80.csv');

let trained: TrainResult;
let holdout: Float64Array;
let holdoutPred: Uint8Array;
const currents: Record<string, Float64Array> = {};
let numpy: any;

beforeAll(async () => {
  const csv = readCsvText(relabelledHead(join(dir, 'labelled.csv')));
  const port = csv.header.split(',').map((n) => n.trim()).indexOf('Destination Port');
  const random = rng(7);
  const trainRows: string[] = [];
  const heldRows: string[] = [];
  for (const row of csv.rows) (random() < 0.7 ? trainRows : heldRows).push(row);
  writeCsvText(train, { ...csv, rows: trainRows });
  writeCsvText(held, { ...csv, rows: heldRows });
  writeCsvText(port80, { ...csv, rows: heldRows.filter((row) => row.split(',')[port] === '80') });
  trained = await trainModel({ data: train, registry: join(dir, 'models'), nEstimators: 10, workers: 2 });
  // the holdout as train made it (drop policy, split at test_size 0.2, seed 42), scored by the saved model
  const { dataset } = dropNonFinite(await readLabelledData([train]));
  const test = takeRows(dataset, stratifiedSplit(dataset.labels, 0.2, 42).test);
  ({ proba: holdout, pred: holdoutPred } = await predictDataset(trained.model, { ...test, columns: applyFill(test.columns, trained.model.fill) }));
  for (const [name, file] of [['held', held], ['port80', port80]] as const) currents[name] = (await scoreFile(trained.model, file)).proba;
  const spec = { reference: Array.from(holdout), currents: Object.fromEntries(Object.entries(currents).map(([k, v]) => [k, Array.from(v)])), bins: 10, resolution: 1000, eps: 1e-4, threshold: 0.5 };
  const run = spawnSync(inject('pythonPath'), [SCRIPT], { input: JSON.stringify(spec), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(run.status, run.stderr).toBe(0);
  numpy = JSON.parse(run.stdout);
}, 300_000);

describe('prediction drift = numpy/scipy on our own predictions', () => {
  it('the stored y_prob profile has numpy\'s quantiles, decile edges, fine edges and counts of the holdout\'s probabilities', () => {
    const stored = trained.predictionProfile;
    expect(stored.rows).toBe(holdout.length);
    const feature = stored.profile.features[0]!;
    expect(feature.quantiles).toEqual(numpy.quantiles);
    expect(feature.edges).toEqual(numpy.interior);
    expect(feature.fine!.edges).toEqual(numpy.fine_edges);
    expect([...feature.counts, feature.missing]).toEqual(numpy.currents.held.expected_counts);
    let positives = 0;
    for (const p of holdoutPred) positives += p;
    expect(stored.positive_rate).toBe(positives / holdout.length);
    expect(stored.positive_rate).toBe(numpy.positive_rate);
  });

  it('the PSI of prediction drift is numpy\'s on those bins; the positive rates are numpy\'s', () => {
    for (const name of ['held', 'port80']) {
      const ours = predictionDrift(trained.predictionProfile, { yProb: currents[name]!, file: name });
      const theirs = numpy.currents[name];
      const rows = currents[name]!.length;
      expect(ours.actual).toEqual(theirs.actual_counts.map((c: number) => (c === 0 ? 1e-4 : c / rows)));
      expect(Math.abs(ours.score - theirs.psi), `${name}: ${ours.score} vs ${theirs.psi}`).toBeLessThanOrEqual(1e-12 * Math.max(1, theirs.psi));
      expect(ours.current.positive_rate).toBe(theirs.positive_rate);
    }
    expect(predictionDrift(trained.predictionProfile, { yProb: currents['held']!, file: 'held' }).drifted).toBe(false);
    expect(predictionDrift(trained.predictionProfile, { yProb: currents['port80']!, file: 'port80' }).drifted).toBe(true);
  });

  it('scipy\'s ks_2samp statistic and wasserstein_distance lie within our estimates\' bounds', () => {
    for (const name of ['held', 'port80']) {
      const theirs = numpy.currents[name];
      const ks = predictionDrift(trained.predictionProfile, { yProb: currents[name]!, file: name }, { method: 'ks' });
      const [low, high] = ks.statistic_bounds!;
      expect(theirs.ks, `${name} ks`).toBeGreaterThanOrEqual(low - 1e-12);
      expect(theirs.ks, `${name} ks`).toBeLessThanOrEqual(high + 1e-12);
      const w = predictionDrift(trained.predictionProfile, { yProb: currents[name]!, file: name }, { method: 'wasserstein' });
      const [wLow, wHigh] = w.statistic_bounds!;
      expect(theirs.wasserstein, `${name} wasserstein`).toBeGreaterThanOrEqual(wLow - 1e-12);
      expect(theirs.wasserstein, `${name} wasserstein`).toBeLessThanOrEqual(wHigh + 1e-12);
    }
  });
});
