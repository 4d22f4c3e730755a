/**
 * Binary classification metrics, equal to scikit-learn's (1.7) on the same inputs:
 * `roc_auc_score(y_true, y_prob)`, `accuracy_score`, and `precision_score`, `recall_score`,
 * `f1_score` with pos_label=1 and the default zero_division ("warn": 0.0 when undefined), and
 * `confusion_matrix(y_true, y_pred, labels=[0, 1])`.
 *
 * - ROC AUC: the Mann-Whitney statistic with tied scores given average ranks, which is the area
 *   under scikit-learn's ROC curve (ties make its diagonal steps). Computed with integer counts,
 *   so it is exact up to the final division. NaN when y_true holds one class only (scikit-learn
 *   warns and returns nan).
 * - F1 = 2 tp / (2 tp + fp + fn), scikit-learn's formula since 1.3; 0 when tp + fp + fn = 0.
 */

export interface ConfusionCounts {
  true_positives: number;
  true_negatives: number;
  false_positives: number;
  false_negatives: number;
}

export interface ClassificationMetrics extends ConfusionCounts {
  roc_auc: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1_score: number;
}

export const METRIC_NAMES = ['roc_auc', 'accuracy', 'precision', 'recall', 'f1_score', 'true_positives', 'true_negatives', 'false_positives', 'false_negatives'] as const;

type Labels = ArrayLike<number>;

function checkLengths(a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new RangeError(`inputs have different lengths: ${a.length} and ${b.length}`);
}

export function confusionCounts(yTrue: Labels, yPred: Labels): ConfusionCounts {
  checkLengths(yTrue, yPred);
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const truth = yTrue[i]! === 1;
    const predicted = yPred[i]! === 1;
    if (truth && predicted) tp++;
    else if (truth) fn++;
    else if (predicted) fp++;
    else tn++;
  }
  return { true_positives: tp, true_negatives: tn, false_positives: fp, false_negatives: fn };
}

/** A ratio that is 0 when its denominator is 0 (scikit-learn's zero_division="warn" result). */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

export function accuracy(yTrue: Labels, yPred: Labels): number {
  const c = confusionCounts(yTrue, yPred);
  return ratio(c.true_positives + c.true_negatives, yTrue.length);
}

export function precision(yTrue: Labels, yPred: Labels): number {
  const c = confusionCounts(yTrue, yPred);
  return ratio(c.true_positives, c.true_positives + c.false_positives);
}

export function recall(yTrue: Labels, yPred: Labels): number {
  const c = confusionCounts(yTrue, yPred);
  return ratio(c.true_positives, c.true_positives + c.false_negatives);
}

export function f1Score(yTrue: Labels, yPred: Labels): number {
  const c = confusionCounts(yTrue, yPred);
  return ratio(2 * c.true_positives, 2 * c.true_positives + c.false_positives + c.false_negatives);
}

/**
 * Area under the ROC curve: (sum of the positives' ranks - P (P + 1) / 2) / (P N), ranks
 * averaged over ties. Twice the rank sum is an integer, kept exact below 2^53.
 */
export function rocAuc(yTrue: Labels, yScore: ArrayLike<number>): number {
  checkLengths(yTrue, yScore);
  const n = yTrue.length;
  let nPositive = 0;
  for (let i = 0; i < n; i++) nPositive += yTrue[i]! === 1 ? 1 : 0;
  const nNegative = n - nPositive;
  if (nPositive === 0 || nNegative === 0) return NaN;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => yScore[a]! - yScore[b]!);
  // twice the rank sum of the positives: a tie group at 1-based ranks lo..hi has average rank (lo + hi) / 2
  let twiceRankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && yScore[order[j]!]! === yScore[order[i]!]!) j++;
    let groupPositives = 0;
    for (let k = i; k < j; k++) groupPositives += yTrue[order[k]!]! === 1 ? 1 : 0;
    twiceRankSum += groupPositives * (i + 1 + j);
    i = j;
  }
  const twiceU = twiceRankSum - nPositive * (nPositive + 1);
  return twiceU / (2 * nPositive * nNegative);
}

/** Every metric at once (one confusion pass). */
export function classificationMetrics(yTrue: Labels, yPred: Labels, yProb: ArrayLike<number>): ClassificationMetrics {
  const c = confusionCounts(yTrue, yPred);
  const tp = c.true_positives;
  return {
    roc_auc: rocAuc(yTrue, yProb),
    accuracy: ratio(tp + c.true_negatives, yTrue.length),
    precision: ratio(tp, tp + c.false_positives),
    recall: ratio(tp, tp + c.false_negatives),
    f1_score: ratio(2 * tp, 2 * tp + c.false_positives + c.false_negatives),
    ...c,
  };
}
