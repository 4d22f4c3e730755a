/**
 * Performance monitoring from labelled predictions: the metrics (engine/model's, equal to
 * scikit-learn's), false-positive and false-negative rates, the rules that call the model
 * `degraded` (recommending `retrain`), and the comparison with the champion's training metrics.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../util/index.js';
import { accuracy, confusionCounts, f1Score, precision, recall, rocAuc } from '../model/index.js';
import { CHAMPION, REGISTRY_DEFAULTS, REGISTRY_FILE, openRegistry } from '../model/index.js';
import { readPredictions, type Predictions } from './predictions.js';

export interface PerformanceThresholds {
  /** degraded when accuracy is below this (0.90) */
  minAccuracy: number;
  minPrecision: number;
  minRecall: number;
  /** degraded when the false-positive rate is above this (0.10) */
  maxFalsePositiveRate: number;
  maxFalseNegativeRate: number;
}

export const DEFAULT_THRESHOLDS: PerformanceThresholds = { minAccuracy: 0.9, minPrecision: 0.85, minRecall: 0.85, maxFalsePositiveRate: 0.1, maxFalseNegativeRate: 0.05 };

export interface PerformanceMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1_score: number;
  /** null when the predictions have no y_prob; NaN when y_true holds one class only */
  roc_auc: number | null;
  false_positive_rate: number;
  false_negative_rate: number;
  confusion_matrix: { true_negatives: number; false_positives: number; false_negatives: number; true_positives: number };
}

export interface Violation {
  metric: 'accuracy' | 'precision' | 'recall' | 'false_positive_rate' | 'false_negative_rate';
  value: number;
  threshold: number;
  /** `below` a minimum or `above` a maximum */
  rule: 'below' | 'above';
}

export interface ChampionComparison {
  registry: string;
  name: string;
  version: number;
  /** `champion`, or `latest` when no version is the champion yet */
  alias: string;
  /**
   * the version's test-split metrics from training, with the false-positive and false-negative
   * rates derived from its confusion counts (training records the counts, not the rates)
   */
  training: Record<string, number>;
  /** production minus training, per metric both have */
  deltas: Record<string, number>;
}

/**
 * Too few labelled rows for the metrics to be judged: below 30 rows, or fewer than 10 of either
 * class. (At 30 rows an accuracy of 0.9 has a standard error of sqrt(0.9 * 0.1 / 30) = 0.055,
 * about the distance between the default thresholds; a recall from fewer than 10 positives moves
 * in steps of more than 0.1.) The verdict is still given, with this warning.
 */
export const MIN_LABELLED_ROWS = 30;
export const MIN_ROWS_PER_CLASS = 10;
export const SMALL_SAMPLE_RULE = `warn below ${MIN_LABELLED_ROWS} labelled rows or when a class (y_true 0 or 1) has fewer than ${MIN_ROWS_PER_CLASS} rows`;

export interface PerformanceSmallSample {
  message: string;
  rows: number;
  positives: number;
  negatives: number;
  min_rows: number;
  min_per_class: number;
  rule: string;
}

/** `small_sample` of a performance report: null when there are enough rows of each class. */
export function performanceSmallSample(rows: number, positives: number): PerformanceSmallSample | null {
  const negatives = rows - positives;
  const problems: string[] = [];
  if (rows < MIN_LABELLED_ROWS) problems.push(`${rows} labelled row(s), fewer than ${MIN_LABELLED_ROWS}`);
  if (positives < MIN_ROWS_PER_CLASS) problems.push(`${positives} positive(s), fewer than ${MIN_ROWS_PER_CLASS}`);
  if (negatives < MIN_ROWS_PER_CLASS) problems.push(`${negatives} negative(s), fewer than ${MIN_ROWS_PER_CLASS}`);
  if (problems.length === 0) return null;
  return { message: `sample too small for the verdict to mean anything: ${problems.join('; ')}`, rows, positives, negatives, min_rows: MIN_LABELLED_ROWS, min_per_class: MIN_ROWS_PER_CLASS, rule: SMALL_SAMPLE_RULE };
}

export interface PerformanceReport {
  file: string;
  format: Predictions['format'];
  rows: number;
  /** labelled positive rows (y_true = 1) */
  positives: number;
  /** rows the model predicted positive (y_pred = 1) */
  predicted_positives: number;
  metrics: PerformanceMetrics;
  /** the thresholds used, as the run record names them */
  thresholds: ThresholdsUsed;
  violations: Violation[];
  status: 'healthy' | 'degraded';
  action: 'retrain' | 'none';
  champion: ChampionComparison | null;
  timestamp: string;
  /** set when there are too few labelled rows (or rows of a class) for the verdict to mean anything */
  small_sample: PerformanceSmallSample | null;
}

export interface MonitorOptions {
  thresholds?: Partial<PerformanceThresholds>;
  /** registry root to compare with; default `models` when it holds a registry */
  registry?: string;
  registeredModel?: string;
  now?: Date;
}

const ratio = (n: number, d: number) => (d === 0 ? 0 : n / d);

export function performanceMetrics(predictions: Pick<Predictions, 'yTrue' | 'yPred' | 'yProb'>): PerformanceMetrics {
  const { yTrue, yPred, yProb } = predictions;
  const c = confusionCounts(yTrue, yPred);
  return {
    accuracy: accuracy(yTrue, yPred),
    precision: precision(yTrue, yPred),
    recall: recall(yTrue, yPred),
    f1_score: f1Score(yTrue, yPred),
    roc_auc: yProb ? rocAuc(yTrue, yProb) : null,
    false_positive_rate: ratio(c.false_positives, c.false_positives + c.true_negatives),
    false_negative_rate: ratio(c.false_negatives, c.false_negatives + c.true_positives),
    confusion_matrix: { true_negatives: c.true_negatives, false_positives: c.false_positives, false_negatives: c.false_negatives, true_positives: c.true_positives },
  };
}

export function resolveThresholds(given: Partial<PerformanceThresholds> = {}): PerformanceThresholds {
  const thresholds = { ...DEFAULT_THRESHOLDS };
  for (const [key, value] of Object.entries(given) as Array<[keyof PerformanceThresholds, number | undefined]>) {
    if (value === undefined) continue;
    if (!(value >= 0 && value <= 1)) throw new UsageError(`must be from 0 to 1, got ${value}`, { option: `thresholds.${key}` });
    thresholds[key] = value;
  }
  return thresholds;
}

export function violations(metrics: PerformanceMetrics, t: PerformanceThresholds): Violation[] {
  const found: Violation[] = [];
  const below = (metric: Violation['metric'], value: number, threshold: number) => value < threshold && found.push({ metric, value, threshold, rule: 'below' });
  const above = (metric: Violation['metric'], value: number, threshold: number) => value > threshold && found.push({ metric, value, threshold, rule: 'above' });
  below('accuracy', metrics.accuracy, t.minAccuracy);
  below('precision', metrics.precision, t.minPrecision);
  below('recall', metrics.recall, t.minRecall);
  above('false_positive_rate', metrics.false_positive_rate, t.maxFalsePositiveRate);
  above('false_negative_rate', metrics.false_negative_rate, t.maxFalseNegativeRate);
  return found;
}

async function championComparison(metrics: PerformanceMetrics, options: MonitorOptions): Promise<ChampionComparison | null> {
  const root = options.registry ?? REGISTRY_DEFAULTS.registry;
  if (!existsSync(join(root, REGISTRY_FILE))) {
    if (options.registry !== undefined) throw new UsageError(`${options.registry}: no ${REGISTRY_FILE} there (not a model registry)`, { option: 'registry' });
    return null;
  }
  const registry = openRegistry({ ...options, registry: root });
  const { versions, aliases } = await registry.listVersions();
  const championVersion = aliases[CHAMPION];
  const chosen = championVersion !== undefined ? versions.find((v) => v.version === championVersion) : versions[versions.length - 1];
  if (!chosen) return null;
  const training = withErrorRates(chosen.metrics);
  const deltas: Record<string, number> = {};
  const production: Record<string, number | null> = {
    accuracy: metrics.accuracy,
    precision: metrics.precision,
    recall: metrics.recall,
    f1_score: metrics.f1_score,
    roc_auc: metrics.roc_auc,
    false_positive_rate: metrics.false_positive_rate,
    false_negative_rate: metrics.false_negative_rate,
  };
  for (const [key, value] of Object.entries(production)) {
    const trained = training[key];
    if (value !== null && typeof trained === 'number') deltas[key] = value - trained;
  }
  return { registry: registry.root, name: registry.name, version: chosen.version, alias: championVersion !== undefined ? CHAMPION : 'latest', training, deltas };
}

/** Training metrics plus the false-positive/negative rates of its confusion counts, when it has them. */
function withErrorRates(trained: Record<string, number>): Record<string, number> {
  const { true_negatives: tn, false_positives: fp, false_negatives: fn, true_positives: tp } = trained;
  const out = { ...trained };
  if (tn !== undefined && fp !== undefined && out['false_positive_rate'] === undefined) out['false_positive_rate'] = ratio(fp, fp + tn);
  if (fn !== undefined && tp !== undefined && out['false_negative_rate'] === undefined) out['false_negative_rate'] = ratio(fn, fn + tp);
  return out;
}

/** The thresholds a report states it used (snake_case, as every report document and MLflow param). */
export interface ThresholdsUsed {
  min_accuracy: number;
  min_precision: number;
  min_recall: number;
  max_false_positive_rate: number;
  max_false_negative_rate: number;
}

function thresholdsUsed(t: PerformanceThresholds): ThresholdsUsed {
  return { min_accuracy: t.minAccuracy, min_precision: t.minPrecision, min_recall: t.minRecall, max_false_positive_rate: t.maxFalsePositiveRate, max_false_negative_rate: t.maxFalseNegativeRate };
}

/** Evaluate labelled predictions already in memory. */
export async function evaluatePerformance(predictions: Predictions, options: MonitorOptions = {}): Promise<PerformanceReport> {
  const thresholds = resolveThresholds(options.thresholds);
  const metrics = performanceMetrics(predictions);
  const found = violations(metrics, thresholds);
  let positives = 0;
  for (const y of predictions.yTrue) positives += y;
  let predictedPositives = 0;
  for (const y of predictions.yPred) predictedPositives += y;
  return {
    file: predictions.file,
    format: predictions.format,
    rows: predictions.rows,
    positives,
    predicted_positives: predictedPositives,
    metrics,
    thresholds: thresholdsUsed(thresholds),
    violations: found,
    status: found.length ? 'degraded' : 'healthy',
    action: found.length ? 'retrain' : 'none',
    champion: await championComparison(metrics, options),
    timestamp: (options.now ?? new Date()).toISOString(),
    small_sample: performanceSmallSample(predictions.rows, positives),
  };
}

/** Read a predictions file (CSV or JSON lines) and evaluate it. */
export async function monitorPredictions(file: string, options: MonitorOptions = {}): Promise<PerformanceReport> {
  return evaluatePerformance(await readPredictions(file), options);
}
