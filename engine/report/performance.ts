/**
 * What a monitoring run records: experiment `production_monitoring`, run
 * `production_monitoring_YYYYMMDD_HHMMSS`, metrics `prod_accuracy`, `prod_precision`,
 * `prod_recall`, `prod_f1_score`, `prod_false_positive_rate`, `prod_false_negative_rate`,
 * `prod_roc_auc` (when y_prob was given) and the confusion counts, tags `performance_status` and
 * `action_recommended`, the report as an artifact.
 */
import { basename, join } from 'node:path';
import { EXPERIMENTS, resolveTracking, type TrackingOptions } from '../tracking/index.js';
import { compactLocal } from './drift.js';
import type { NewRun } from '../tracking/index.js';
import { recordRun, type RecordOutcome } from '../tracking/index.js';
import { HISTORY_FILE, type PerformanceReport } from '../monitor/index.js';

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

/** Where `monitor` appends its history by default: beside the run ledger (`$DRIFTCATCHER_HOME` or `./.driftcatcher`). */
export function defaultHistoryFile(options: Pick<TrackingOptions, 'ledgerDir' | 'env'> = {}): string {
  return join(resolveTracking(options).ledgerDir, HISTORY_FILE);
}
