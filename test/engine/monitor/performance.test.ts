/** Performance metrics against hand-computed confusion matrices, the degradation rules, and input errors. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, monitorPredictions, performanceMetrics, readPredictions, resolveThresholds, violations } from '../../../engine/monitor/index.js';
import { tempDir } from '../../helpers.js';

const dir = tempDir('dc-monitor-');
// tp 3, fn 1, tn 4, fp 2
const yTrue = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
const yPred = [1, 1, 1, 0, 0, 0, 0, 0, 1, 1];
const yProb = [0.9, 0.8, 0.7, 0.3, 0.1, 0.2, 0.4, 0.35, 0.6, 0.75];

function csv(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('performance metrics', () => {
  it('match a hand-computed confusion matrix', () => {
    const m = performanceMetrics({ yTrue: Uint8Array.from(yTrue), yPred: Uint8Array.from(yPred), yProb: Float64Array.from(yProb) });
    expect(m.confusion_matrix).toEqual({ true_negatives: 4, false_positives: 2, false_negatives: 1, true_positives: 3 });
    expect(m.accuracy).toBeCloseTo(7 / 10, 15);
    expect(m.precision).toBeCloseTo(3 / 5, 15);
    expect(m.recall).toBeCloseTo(3 / 4, 15);
    expect(m.f1_score).toBeCloseTo(6 / 9, 15);
    expect(m.false_positive_rate).toBeCloseTo(2 / 6, 15);
    expect(m.false_negative_rate).toBeCloseTo(1 / 4, 15);
    // positive above negative in 6 + 6 + 5 + 2 of 4 * 6 pairs
    expect(m.roc_auc).toBeCloseTo(19 / 24, 15);
  });

  it('reads the CSV predict writes and JSON-lines logs alike', async () => {
    const fromCsv = await readPredictions(csv('p.csv', 'y_pred,y_prob,y_true\n' + yTrue.map((t, i) => `${yPred[i]},${yProb[i]},${t}`).join('\n') + '\n'));
    const fromJsonl = await readPredictions(csv('p.jsonl', yTrue.map((t, i) => JSON.stringify({ y_true: t, y_pred: yPred[i] === 1, y_prob: yProb[i] })).join('\n') + '\n'));
    expect(fromCsv.rows).toBe(10);
    expect(Array.from(fromJsonl.yPred)).toEqual(yPred);
    expect(Array.from(fromCsv.yProb!)).toEqual(Array.from(fromJsonl.yProb!));
    const noProb = await readPredictions(csv('np.csv', 'y_true,y_pred\r\n1,1\r\n0,0\r\n'));
    expect(noProb.yProb).toBeNull();
    expect(performanceMetrics(noProb).roc_auc).toBeNull();
  });

  it('all-correct predictions are healthy; each rule alone makes them degraded', async () => {
    const perfect = await monitorPredictions(csv('ok.csv', 'y_true,y_pred\n1,1\n1,1\n0,0\n0,0\n'), { registry: undefined });
    expect(perfect.status).toBe('healthy');
    expect(perfect.action).toBe('none');
    const base = { accuracy: 0.95, precision: 0.9, recall: 0.9, f1_score: 0.9, roc_auc: null, false_positive_rate: 0.05, false_negative_rate: 0.01, confusion_matrix: { true_negatives: 0, false_positives: 0, false_negatives: 0, true_positives: 0 } };
    expect(violations(base, DEFAULT_THRESHOLDS)).toEqual([]);
    expect(violations({ ...base, accuracy: 0.89 }, DEFAULT_THRESHOLDS).map((v) => v.metric)).toEqual(['accuracy']);
    expect(violations({ ...base, precision: 0.84 }, DEFAULT_THRESHOLDS).map((v) => v.metric)).toEqual(['precision']);
    expect(violations({ ...base, recall: 0.84 }, DEFAULT_THRESHOLDS).map((v) => v.metric)).toEqual(['recall']);
    expect(violations({ ...base, false_positive_rate: 0.11 }, DEFAULT_THRESHOLDS)).toEqual([{ metric: 'false_positive_rate', value: 0.11, threshold: 0.1, rule: 'above' }]);
    expect(violations({ ...base, false_negative_rate: 0.06 }, DEFAULT_THRESHOLDS).map((v) => v.metric)).toEqual(['false_negative_rate']);
    // thresholds are options
    expect(violations({ ...base, accuracy: 0.89 }, resolveThresholds({ minAccuracy: 0.8 }))).toEqual([]);
    const hand = await monitorPredictions(csv('hand.csv', 'y_true,y_pred\n' + yTrue.map((t, i) => `${t},${yPred[i]}`).join('\n')));
    expect(hand.status).toBe('degraded');
    expect(hand.action).toBe('retrain');
    expect(hand.violations.map((v) => v.metric)).toEqual(['accuracy', 'precision', 'recall', 'false_positive_rate', 'false_negative_rate']);
  });

  it('bad input is an InputError naming file and line', async () => {
    await expect(readPredictions(join(dir, 'missing.csv'))).rejects.toThrow(/missing\.csv: no such file/);
    await expect(readPredictions(csv('nolabel.csv', 'y_pred,y_prob\n1,0.9\n'))).rejects.toThrow(/nolabel\.csv:1: no y_true column/);
    await expect(readPredictions(csv('bad.csv', 'y_true,y_pred\n1,1\n2,0\n'))).rejects.toThrow(/bad\.csv:3: column "y_true": y_true must be 0 or 1, got "2"/);
    await expect(readPredictions(csv('prob.csv', 'y_true,y_pred,y_prob\n1,1,1.5\n'))).rejects.toThrow(/prob\.csv:2: column "y_prob"/);
    await expect(readPredictions(csv('ragged.csv', 'y_true,y_pred\n1\n'))).rejects.toThrow(/ragged\.csv:2: expected 2 fields, found 1/);
    await expect(readPredictions(csv('empty.csv', ''))).rejects.toMatchObject({ code: 'DC_ERR_INPUT' });
    await expect(readPredictions(csv('bad.jsonl', '{"y_true":1,"y_pred":1}\nnot json\n'))).rejects.toThrow(/bad\.jsonl:2: not a JSON object/);
    await expect(readPredictions(csv('header.csv', 'y_true,y_pred\n'))).rejects.toThrow(/no predictions/);
  });
});
