/**
 * Prediction drift (engine/drift/prediction.ts): y_prob binned on a one-feature profile and scored
 * by the method API. Checked against the scan: the same probabilities written as a CSV column
 * and checked by checkDrift on the workers' kernel give the same score for every method; plus
 * the positive rates, the verdict floor and the one-line errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDrift, predictionDrift, withPredictionDrift, PREDICTION_DRIFT_ACTION } from '../../../engine/drift/index.js';
import { buildProfile } from '../../../engine/profile/index.js';
import { rng, tempDir } from '../../helpers.js';

const dir = tempDir('dc-prediction-drift-');

/** Probabilities as a forest gives them: clustered near 0 and 1, a few distinct values (ties). */
function probabilities(n: number, positiveShare: number, seed: number): Float64Array {
  const random = rng(seed);
  return Float64Array.from({ length: n }, () => {
    const positive = random() < positiveShare;
    const votes = Math.round(20 * (positive ? 0.7 + 0.3 * random() : 0.35 * random() ** 2));
    return votes / 20;
  });
}

function reference(values: Float64Array) {
  const profile = buildProfile({ columns: [{ name: 'y_prob', values }], rows: values.length, bins: 10, label: null, source: { file: 'holdout', bytes: null, format: 'predictions' } });
  let positives = 0;
  for (const v of values) positives += v > 0.5 ? 1 : 0;
  return { profile, threshold: 0.5, rows: values.length, positive_rate: positives / values.length, split: 'test' };
}

const holdout = probabilities(2000, 0.3, 1);
const same = probabilities(1500, 0.3, 2);
const shifted = probabilities(1500, 0.6, 3);

describe('predictionDrift', () => {
  it('the same distribution is not drifted; a shifted positive rate is, with the rates and their change', () => {
    const ref = reference(holdout);
    const calm = predictionDrift(ref, { yProb: same, file: 'same' });
    expect(calm).toMatchObject({ column: 'y_prob', method: 'psi', score_kind: 'distance', threshold: 0.2, drifted: false, action: 'wait', decision_threshold: 0.5 });
    expect(calm.score).toBeLessThan(0.05);
    const moved = predictionDrift(ref, { yProb: shifted, file: 'shifted' });
    expect(moved).toMatchObject({ drifted: true, action: PREDICTION_DRIFT_ACTION });
    expect(moved.score).toBeGreaterThan(0.2);
    let positives = 0;
    for (const v of shifted) positives += v > 0.5 ? 1 : 0;
    expect(moved.current).toMatchObject({ file: 'shifted', rows: 1500, positive_rate: positives / 1500, non_finite: 0 });
    expect(moved.reference).toMatchObject({ rows: 2000, positive_rate: ref.positive_rate, split: 'test', profile_id: ref.profile.id });
    expect(moved.positive_rate_change).toBeCloseTo(positives / 1500 - ref.positive_rate, 15);
    expect(moved.positive_rate_change).toBeGreaterThan(0.2);
  });

  it('y_pred, when given, is what the current positive rate counts', () => {
    const yPred = new Uint8Array(same.length);
    yPred.fill(1, 0, 300);
    expect(predictionDrift(reference(holdout), { yProb: same, yPred, file: 'x' }).current.positive_rate).toBe(300 / same.length);
  });

  it('every method scores as checkDrift scores the same column of a CSV on the scan kernel', async () => {
    const ref = reference(holdout);
    for (const [name, values] of [['same', same], ['shifted', shifted]] as const) {
      const file = join(dir, `${name}.csv`);
      writeFileSync(file, 'y_prob\n' + Array.from(values, String).join('\n') + '\n');
      for (const method of ['psi', 'jensenshannon', 'hellinger', 'chisquare', 'ks', 'wasserstein']) {
        const scan = await checkDrift(ref.profile, file, { method, workers: 0 });
        const ours = predictionDrift(ref, { yProb: values, file }, { method });
        const feature = scan.features[0]!;
        expect(ours.score, `${name} ${method}`).toBe(feature.score);
        expect(ours.drifted, `${name} ${method}`).toBe(feature.drifted);
        expect(ours.expected).toEqual(feature.expected);
        expect(ours.actual).toEqual(feature.actual);
        if (feature.statistic_bounds) expect(ours.statistic_bounds).toEqual(feature.statistic_bounds);
      }
    }
  });

  it('non-finite probabilities go to the missing bin; no predictions is a one-line input error', () => {
    const values = Float64Array.from([...same.slice(0, 100), NaN, Infinity]);
    expect(predictionDrift(reference(holdout), { yProb: values, file: 'x' }).current.non_finite).toBe(2);
    expect(() => predictionDrift(reference(holdout), { yProb: new Float64Array(0), file: 'empty.csv' })).toThrow(/empty\.csv: no predictions/);
  });
});

describe('withPredictionDrift', () => {
  it('drifted predictions raise wait to alert and keep a stronger verdict; stable ones change nothing', () => {
    const ref = reference(holdout);
    const moved = predictionDrift(ref, { yProb: shifted, file: 'x' });
    const calm = predictionDrift(ref, { yProb: same, file: 'x' });
    const report = (action: 'wait' | 'alert' | 'retrain') => ({ action, method: 'psi' }) as unknown as Parameters<typeof withPredictionDrift>[0];
    expect(withPredictionDrift(report('wait'), moved)).toMatchObject({ action: 'alert', prediction_drift: { drifted: true } });
    expect(withPredictionDrift(report('retrain'), moved).action).toBe('retrain');
    expect(withPredictionDrift(report('wait'), calm)).toMatchObject({ action: 'wait', prediction_drift: { drifted: false } });
    expect(withPredictionDrift(report('alert'), calm).action).toBe('alert');
  });
});
