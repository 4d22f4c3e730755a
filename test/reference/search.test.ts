/**
 * The search's folds and scores and the training artifacts against independent references
 * (test/reference/search_reference.py): the class counts of each stratified fold against
 * scikit-learn's StratifiedKFold, log_loss against scikit-learn's, and the forest's mean decrease
 * in impurity restated in Python from the trees exported in model.json (exact), with a loose
 * look at scikit-learn's own RandomForestClassifier importance ranking on the same rows.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { dropNonFinite, finiteRows, logLoss, readLabelledData, stratifiedKFold, stratifiedSplit, trainModel, type TrainResult } from '../../engine/model/index.js';
import { Rng } from '../../engine/util/index.js';
import { relabelledHead, tempDir } from '../helpers.js';

const python = inject('pythonPath');
const SCRIPT = join(import.meta.dirname, 'search_reference.py');
const dir = tempDir('dc-search-ref-');

function ask(request: unknown): any {
  const result = spawnSync(python, [SCRIPT], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`search_reference.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

function labelsOf(n: number, positives: number, seed: number): Uint8Array {
  const labels = new Uint8Array(n);
  const rng = new Rng(seed);
  let left = positives;
  while (left > 0) {
    const r = rng.int(0, n - 1);
    if (labels[r] === 0) {
      labels[r] = 1;
      left--;
    }
  }
  return labels;
}

describe('stratified K-fold against scikit-learn', () => {
  it('every fold has the class counts StratifiedKFold gives the same fold', () => {
    const cases = [
      { labels: labelsOf(103, 15, 1), k: 4 },
      { labels: labelsOf(1000, 7, 2), k: 7 },
      { labels: labelsOf(57, 28, 3), k: 5 },
      { labels: labelsOf(20, 10, 4), k: 2 },
      { labels: labelsOf(9999, 4321, 5), k: 10 },
      { labels: labelsOf(31, 3, 6), k: 3 },
    ];
    const theirs: number[][][] = ask({ kfold: cases.map((c) => ({ labels: [...c.labels], k: c.k })) }).kfold;
    cases.forEach((c, i) => {
      const fold = stratifiedKFold(c.labels, c.k, 42);
      const ours = Array.from({ length: c.k }, (_, f) => [0, 1].map((label) => c.labels.filter((l, r) => l === label && fold[r] === f).length));
      expect(ours, `case ${i}`).toEqual(theirs[i]);
    });
  });

  it('log_loss equals scikit-learn\'s, clipped probabilities included', () => {
    const rng = new Rng(8);
    const cases = [
      { y: [1, 0, 1, 1, 0], p: [0.9, 0.2, 0.6, 1, 0] },
      { y: Array.from({ length: 500 }, () => (rng.chance(0.3) ? 1 : 0)), p: Array.from({ length: 500 }, () => rng.uniform()) },
    ];
    const theirs: number[] = ask({ log_loss: cases }).log_loss;
    cases.forEach((c, i) => expect(logLoss(c.y, c.p)).toBeCloseTo(theirs[i]!, 12));
  });
});

describe('feature importance of a forest', () => {
  let data: string;
  let trained: TrainResult;
  let answer: { mdi: number[]; sklearn_importance: number[] };
  beforeAll(async () => {
    data = relabelledHead(join(dir, 'labelled.csv'));
    trained = await trainModel({ data, workers: 0, nEstimators: 30, registry: join(dir, 'models'), seed: 3 });
    // the file rows of the training split: the finite rows (drop policy), then the split's picks
    const read = await readLabelledData([data]);
    const finite = finiteRows(read);
    const usable: number[] = [];
    for (let r = 0; r < read.rows; r++) if (finite[r]) usable.push(r);
    const split = stratifiedSplit(dropNonFinite(read).dataset.labels, 0.2, 3);
    answer = ask({ mdi: { model: trained.artifacts.model, data, rows: [...split.train].map((i) => usable[i]!), seed: 0 } });
  }, 300_000);

  it('the CSV holds the mean decrease in impurity restated from the exported trees', () => {
    const lines = readFileSync(trained.artifacts.feature_importance!, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('rank,feature,importance');
    const ours = new Map(lines.slice(1).map((line) => {
      const cells = line.split(',');
      return [cells.slice(1, -1).join(','), Number(cells[cells.length - 1])] as const;
    }));
    expect(ours.size).toBe(trained.model.features.length);
    trained.model.features.forEach((name, f) => expect(ours.get(name), name).toBeCloseTo(answer.mdi[f]!, 12));
    const ranked = lines.slice(1).map((line) => Number(line.split(',').pop()));
    expect([...ranked].sort((a, b) => b - a)).toEqual(ranked);
    expect(ranked.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('its top features are among scikit-learn\'s RandomForestClassifier\'s on the same rows (loosely)', () => {
    const top = (values: number[], n: number) => values.map((v, f) => [v, f] as const).sort((a, b) => b[0] - a[0]).slice(0, n).map(([, f]) => trained.model.features[f]!);
    const ours = top(answer.mdi, 5);
    const theirs = top(answer.sklearn_importance, 10);
    // the label follows Destination Port: both forests rank it first; of our top 5, most are in their top 10
    expect(ours[0]).toBe('Destination Port');
    expect(theirs[0]).toBe('Destination Port');
    expect(ours.filter((name) => theirs.includes(name)).length).toBeGreaterThanOrEqual(3);
  });

  it('the confusion matrix of the test split, as JSON and CSV', () => {
    const m = trained.metrics;
    const doc = JSON.parse(readFileSync(trained.artifacts.confusion_matrix, 'utf8'));
    expect(doc).toMatchObject({ split: 'test', labels: [0, 1], rows: 'actual', columns: 'predicted', matrix: [[m.true_negatives, m.false_positives], [m.false_negatives, m.true_positives]] });
    expect(readFileSync(trained.artifacts.confusion_matrix_csv, 'utf8')).toBe(`actual,predicted_0,predicted_1\n0,${m.true_negatives},${m.false_positives}\n1,${m.false_negatives},${m.true_positives}\n`);
  });
});
