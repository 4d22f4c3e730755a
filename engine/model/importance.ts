/**
 * The artifacts that explain a trained model: feature importance (trees: mean decrease in
 * impurity) and the confusion matrix of the holdout (test) split, as CSV and JSON.
 *
 * Mean decrease in impurity is scikit-learn's `feature_importances_`: in each tree, every split
 * node adds w(node) gini(node) - w(left) gini(left) - w(right) gini(right) to its feature, with
 * w the weighted row count (bootstrap counts) and gini = 1 - p0^2 - p1^2 of the weighted class
 * counts the tree stores per node (`value`); a tree's sums are divided by their total (a tree
 * that is only a root is left out), the trees are averaged, and the mean is divided by its sum.
 * Networks have no importance here (nothing in their weights is comparable across features).
 */
import type { Forest } from './forest.js';
import type { ConfusionCounts } from './metrics.js';

export const IMPORTANCE_FILE = 'feature_importance.csv';
export const CONFUSION_JSON_FILE = 'confusion_matrix.json';
export const CONFUSION_CSV_FILE = 'confusion_matrix.csv';

/** Mean decrease in impurity per feature (feature order), summing to 1 (all 0 when no tree splits). */
export function forestImportance(forest: Forest): Float64Array {
  const total = new Float64Array(forest.nFeatures);
  let trees = 0;
  for (const tree of forest.trees) {
    if (tree.feature.length <= 1) continue;
    const { feature, left, right, value } = tree;
    const weighted = (node: number) => {
      const n0 = value[2 * node]!;
      const n1 = value[2 * node + 1]!;
      const w = n0 + n1;
      return w > 0 ? w * (1 - (n0 / w) ** 2 - (n1 / w) ** 2) : 0;
    };
    const own = new Float64Array(forest.nFeatures);
    for (let node = 0; node < feature.length; node++) {
      const f = feature[node]!;
      if (f < 0) continue;
      own[f]! += weighted(node) - weighted(left[node]!) - weighted(right[node]!);
    }
    let sum = 0;
    for (let f = 0; f < own.length; f++) sum += own[f]!;
    if (sum > 0) for (let f = 0; f < own.length; f++) total[f]! += own[f]! / sum;
    trees++;
  }
  let sum = 0;
  for (let f = 0; f < total.length; f++) sum += trees > 0 ? (total[f]! /= trees) : 0;
  if (sum > 0) for (let f = 0; f < total.length; f++) total[f]! /= sum;
  return total;
}

/** The importance CSV: `rank,feature,importance`, most important first (ties in feature order), values as shortest round-trip decimals. */
export function importanceCsv(features: readonly string[], importance: Float64Array): string {
  const order = features.map((_, f) => f).sort((a, b) => importance[b]! - importance[a]! || a - b);
  return ['rank,feature,importance', ...order.map((f, i) => `${i + 1},${csvCell(features[f]!)},${importance[f]!}`)].join('\n') + '\n';
}

/** The confusion matrix as scikit-learn's confusion_matrix(labels=[0, 1]) lays it out: rows actual, columns predicted. */
export function confusionMatrix(counts: ConfusionCounts, negative: string) {
  return {
    split: 'test',
    labels: [0, 1],
    label_names: [negative, `not ${negative}`],
    rows: 'actual',
    columns: 'predicted',
    matrix: [
      [counts.true_negatives, counts.false_positives],
      [counts.false_negatives, counts.true_positives],
    ],
  };
}

export function confusionCsv(counts: ConfusionCounts): string {
  return ['actual,predicted_0,predicted_1', `0,${counts.true_negatives},${counts.false_positives}`, `1,${counts.false_negatives},${counts.true_positives}`].join('\n') + '\n';
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
