/**
 * The performance report kind. What a monitoring run records: experiment
 * `production_monitoring`, run `production_monitoring_YYYYMMDD_HHMMSS`, metrics `prod_accuracy`,
 * `prod_precision`, `prod_recall`, `prod_f1_score`, `prod_false_positive_rate`,
 * `prod_false_negative_rate`, `prod_roc_auc` (when y_prob was given) and the confusion counts,
 * tags `performance_status` and `action_recommended`, the report as an artifact. What the CLI
 * prints: production metrics beside the champion's training metrics, the violations, the status.
 * Predictions without labels (no y_true) get their prediction drift instead: the same run name
 * and experiment, metrics `prediction_drift/*` (drift.ts) and `prod_rows`,
 * `prod_predicted_positive_rate`, tags `prediction_status` and `action_recommended`.
 */
import { basename, join } from 'node:path';
import { EXPERIMENTS, resolveTracking, type TrackingOptions } from '../tracking/index.js';
import { compactLocal, predictionDriftMetrics, renderPredictionDrift } from './drift.js';
import type { NewRun } from '../tracking/index.js';
import { recordRun, type RecordOutcome } from '../tracking/index.js';
import type { PerformanceReport, PredictionMonitorReport } from '../monitor/index.js';
import { PLAIN, actionText, fixed, table, type TextStyle } from './text.js';

export const PERFORMANCE_ARTIFACT = 'performance_report.json';

export function performanceRun(report: PerformanceReport, now = new Date()): NewRun {
  const m = report.metrics;
  const time = now.getTime();
  const metrics: Array<{ key: string; value: number }> = [
    { key: 'prod_accuracy', value: m.accuracy },
    { key: 'prod_precision', value: m.precision },
    { key: 'prod_recall', value: m.recall },
    { key: 'prod_f1_score', value: m.f1_score },
    { key: 'prod_false_positive_rate', value: m.false_positive_rate },
    { key: 'prod_false_negative_rate', value: m.false_negative_rate },
    ...(m.roc_auc !== null ? [{ key: 'prod_roc_auc', value: m.roc_auc }] : []),
    { key: 'prod_true_positives', value: m.confusion_matrix.true_positives },
    { key: 'prod_true_negatives', value: m.confusion_matrix.true_negatives },
    { key: 'prod_false_positives', value: m.confusion_matrix.false_positives },
    { key: 'prod_false_negatives', value: m.confusion_matrix.false_negatives },
    { key: 'prod_rows', value: report.rows },
  ];
  const t = report.thresholds;
  return {
    experiment: EXPERIMENTS.performance,
    runName: `production_monitoring_${compactLocal(now)}`,
    startTime: time,
    endTime: time,
    params: {
      predictions_file: basename(report.file),
      ...t,
      ...(report.champion ? { model_name: report.champion.name, model_version: report.champion.version, model_alias: report.champion.alias } : {}),
    },
    metrics: metrics.map((x) => ({ ...x, timestamp: time, step: 0 })),
    tags: { performance_status: report.status, action_recommended: report.action, timestamp: report.timestamp, 'driftcatcher.command': 'monitor' },
    artifacts: [{ path: PERFORMANCE_ARTIFACT, content: JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1) + '\n' }],
  };
}

export async function recordPerformance(report: PerformanceReport, options: TrackingOptions & { now?: Date } = {}): Promise<RecordOutcome> {
  return recordRun(performanceRun(report, options.now), options);
}

/** The run of a `monitor` on predictions without labels: their prediction drift. */
export function predictionMonitorRun(report: PredictionMonitorReport, now = new Date()): NewRun {
  const time = now.getTime();
  const drift = report.prediction_drift;
  const metrics = [...predictionDriftMetrics(drift), { key: 'prod_rows', value: report.rows }, { key: 'prod_predicted_positive_rate', value: report.rows > 0 ? report.predicted_positives / report.rows : 0 }];
  return {
    experiment: EXPERIMENTS.performance,
    runName: `production_monitoring_${compactLocal(now)}`,
    startTime: time,
    endTime: time,
    params: {
      predictions_file: basename(report.file),
      labelled: 'false',
      prediction_drift_method: drift.method,
      prediction_drift_threshold: drift.threshold,
      ...(drift.model ? { model_file: drift.model.file, ...(drift.model.version !== null ? { model_version: drift.model.version } : {}) } : {}),
    },
    metrics: metrics.map((x) => ({ ...x, timestamp: time, step: 0 })),
    tags: { prediction_status: report.status, action_recommended: report.action, timestamp: report.timestamp, 'driftcatcher.command': 'monitor' },
    artifacts: [{ path: PERFORMANCE_ARTIFACT, content: JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1) + '\n' }],
  };
}

export async function recordPredictionMonitor(report: PredictionMonitorReport, options: TrackingOptions & { now?: Date } = {}): Promise<RecordOutcome> {
  return recordRun(predictionMonitorRun(report, options.now), options);
}

/** The text of a `monitor` on predictions without labels: the counts, the prediction drift, the status. */
export function renderPredictionMonitor(report: PredictionMonitorReport, style: TextStyle = PLAIN): string {
  return [
    `${report.file}: ${report.rows} predictions without labels (no y_true: no metrics yet), ${report.predicted_positives} predicted positive (y_pred = 1)`,
    '',
    renderPredictionDrift(report.prediction_drift, style),
    `status: ${report.status}; recommended action: ${report.action === 'wait' ? 'none' : actionText(report.action, style)}`,
  ].join('\n');
}

/**
 * Where `monitor` appends its history by default: beside the run ledger (`$DRIFTCATCHER_HOME` or
 * `./.driftcatcher`). engine/monitor (and the model code it uses) loads here, on first use, so
 * that importing the reports stays cheap.
 */
export async function defaultHistoryFile(options: Pick<TrackingOptions, 'ledgerDir' | 'env'> = {}): Promise<string> {
  const { HISTORY_FILE } = await import('../monitor/index.js');
  return join(resolveTracking(options).ledgerDir, HISTORY_FILE);
}

/** The text of a performance report: counts, the metrics table (production and training), the confusion matrix, violations, status. */
export function renderPerformance(report: PerformanceReport, style: TextStyle = PLAIN): string {
  const m = report.metrics;
  const c = report.champion;
  const row = (name: string, value: number | null, key?: string): string[] => {
    const trained = key && c ? c.training[key] : undefined;
    return [name, value === null ? '-' : fixed(value, 4), typeof trained === 'number' ? fixed(trained, 4) : '-'];
  };
  const lines = [
    `${report.file}: ${report.rows} predictions, ${report.positives} labelled positive (y_true = 1), ${report.predicted_positives} predicted positive (y_pred = 1)`,
    '',
    table(
      ['metric', 'production', c ? `training (v${c.version}, ${c.alias})` : 'training'],
      [
        row('accuracy', m.accuracy, 'accuracy'),
        row('precision', m.precision, 'precision'),
        row('recall', m.recall, 'recall'),
        row('f1_score', m.f1_score, 'f1_score'),
        row('roc_auc', m.roc_auc, 'roc_auc'),
        row('false_positive_rate', m.false_positive_rate, 'false_positive_rate'),
        row('false_negative_rate', m.false_negative_rate, 'false_negative_rate'),
      ],
      [false, true, true],
    ),
    '',
    `confusion matrix (rows: true 0/1, columns: predicted 0/1): [[${m.confusion_matrix.true_negatives}, ${m.confusion_matrix.false_positives}], [${m.confusion_matrix.false_negatives}, ${m.confusion_matrix.true_positives}]]`,
  ];
  for (const v of report.violations) lines.push(`${v.metric} ${fixed(v.value, 4)} is ${v.rule} ${v.threshold}`);
  lines.push(`status: ${report.status}; recommended action: ${report.action === 'retrain' ? actionText('retrain', style) : 'none'}`);
  return lines.join('\n');
}
