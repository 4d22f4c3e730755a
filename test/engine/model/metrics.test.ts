/**
 * Every metric against scikit-learn (test/reference/sklearn_reference.py) on the same
 * y_true / y_pred / y_prob, within 1e-12: random cases, heavy ties in y_prob, all-equal scores,
 * perfect and inverted rankings, and the degenerate single-class cases (ROC AUC undefined: NaN;
 * precision/recall/F1 with a zero denominator: 0).
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { classificationMetrics, rocAuc, METRIC_NAMES, type ClassificationMetrics } from '../../../engine/model/index.js';
import { ROOT, tempDir, rng } from '../../helpers.js';

interface Case {
  name: string;
  y_true: number[];
  y_pred: number[];
  y_prob: number[];
}

function randomCase(name: string, seed: number, n: number, levels: number | null, positiveShare = 0.4): Case {
  const random = rng(seed);
  const y_true: number[] = [];
  const y_prob: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = random() < positiveShare ? 1 : 0;
    const score = Math.min(1, Math.max(0, 0.35 * y + 0.65 * random()));
    y_true.push(y);
    // `levels` rounds the scores so that many tie
    y_prob.push(levels === null ? score : Math.round(score * levels) / levels);
  }
  return { name, y_true, y_prob, y_pred: y_prob.map((p) => (p > 0.5 ? 1 : 0)) };
}

const CASES: Case[] = [
  randomCase('random, no ties', 1, 5000, null),
  randomCase('random, ties (11 score levels)', 2, 5000, 10),
  randomCase('random, heavy ties (3 levels)', 3, 777, 2),
  randomCase('rare positives', 4, 3000, 20, 0.01),
  { name: 'hand: ties across classes', y_true: [0, 0, 1, 1, 0, 1, 1, 0], y_pred: [0, 0, 1, 1, 1, 0, 1, 0], y_prob: [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.1] },
  { name: 'all scores equal', y_true: [0, 1, 1, 0, 1], y_pred: [1, 1, 1, 1, 1], y_prob: [0.5, 0.5, 0.5, 0.5, 0.5] },
  { name: 'perfect', y_true: [0, 0, 1, 1], y_pred: [0, 0, 1, 1], y_prob: [0.1, 0.2, 0.8, 0.9] },
  { name: 'inverted', y_true: [1, 1, 0, 0], y_pred: [0, 0, 1, 1], y_prob: [0.1, 0.2, 0.8, 0.9] },
  { name: 'only negatives, none predicted', y_true: [0, 0, 0], y_pred: [0, 0, 0], y_prob: [0.1, 0.2, 0.3] },
  { name: 'only negatives, some predicted', y_true: [0, 0, 0], y_pred: [1, 0, 1], y_prob: [0.9, 0.2, 0.6] },
  { name: 'only positives, all predicted', y_true: [1, 1, 1, 1], y_pred: [1, 1, 1, 1], y_prob: [0.9, 0.8, 0.7, 0.6] },
  { name: 'only positives, none predicted', y_true: [1, 1], y_pred: [0, 0], y_prob: [0.1, 0.2] },
  { name: 'no positive predicted', y_true: [0, 1, 0, 1], y_pred: [0, 0, 0, 0], y_prob: [0.1, 0.3, 0.2, 0.4] },
  { name: 'single row', y_true: [1], y_pred: [1], y_prob: [0.7] },
];

const dir = tempDir('dc-metrics-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sklearn(cases: Case[]): Array<Record<string, number | string>> {
  const file = join(dir, 'cases.json');
  writeFileSync(file, JSON.stringify(cases));
  return JSON.parse(execFileSync(inject('pythonPath'), [join(ROOT, 'test', 'reference', 'sklearn_reference.py'), 'metrics', file], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

describe('metrics equal scikit-learn', () => {
  const reference = sklearn(CASES);
  for (const [i, c] of CASES.entries()) {
    it(c.name, () => {
      const ours: ClassificationMetrics = classificationMetrics(c.y_true, c.y_pred, c.y_prob);
      for (const name of METRIC_NAMES) {
        const theirs = reference[i]![name];
        if (theirs === 'NaN') expect(ours[name], name).toBeNaN();
        else expect(Math.abs(ours[name] - (theirs as number)), `${name}: ours ${ours[name]}, sklearn ${theirs}`).toBeLessThanOrEqual(1e-12);
      }
    });
  }

  it('ROC AUC does not depend on the order of tied rows', () => {
    const c = CASES[2]!;
    const order = c.y_true.map((_, i) => i).reverse();
    expect(rocAuc(order.map((i) => c.y_true[i]!), order.map((i) => c.y_prob[i]!))).toBe(rocAuc(c.y_true, c.y_prob));
  });
});
