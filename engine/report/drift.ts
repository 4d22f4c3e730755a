/**
 * What a drift check records, as the original tool logged it: experiment `drift_monitoring`, run
 * `drift_check_YYYYMMDD_HHMMSS`, metrics `overall_psi`, `n_drifted_features`, `total_features`,
 * `psi_rank_<i>_<feature[:30]>` for the top 10 drifted features, tags `action_recommended` and
 * `timestamp`, artifact `drift_feature_psi.json` (every feature's PSI); plus `overall_score`, and
 * params stating the semantics, method, binning, epsilon, thresholds, policy and the baseline's
 * identity. With another method the same shapes are named after it (`overall_hellinger`,
 * `hellinger_rank_<i>_*`, `drift_feature_hellinger.json`): nothing says PSI. A scan records a
 * parent run (the combined result) with one child run per file.
 */
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import type { DriftReport, ScanReport } from '../drift/index.js';
import { EXPERIMENTS, experimentName, resolveTracking, type TrackingOptions } from '../tracking/index.js';
import { nonFiniteText } from '../tracking/index.js';
import type { NewRun } from '../tracking/index.js';
import { recordRuns, type RecordOutcome } from '../tracking/index.js';

/** The artifact of a PSI check (the original tool's name); another method's is driftArtifact(method). */
export const DRIFT_ARTIFACT = 'drift_feature_psi.json';
/** How many drifted features get a `<method>_rank_<i>_<name>` metric. */
export const RANKED_METRICS = 10;

/** `drift_feature_<method>.json`: every feature's score. */
export function driftArtifact(method: string): string {
  return metricKey(`drift_feature_${method}.json`);
}

export interface DriftRunOptions {
  experiment: string;
  /** when the check ran (default: now) */
  now?: Date;
  /** default `drift_check_<YYYYMMDD_HHMMSS>` */
  runName?: string;
  /** seconds the check took (start time = now - seconds) */
  seconds?: number;
  command?: 'check' | 'scan';
}

/** The ledger run of one drift report. */
export function driftCheckRun(report: DriftReport, options: DriftRunOptions): NewRun {
  const now = options.now ?? new Date();
  const endTime = now.getTime();
  const s = report.settings;
  const method = s.method;
  const metrics: NonNullable<NewRun['metrics']> = [
    { key: metricKey(`overall_${method}`), value: report.overall_score },
    { key: 'n_drifted_features', value: report.n_drifted_features },
    { key: 'total_features', value: report.total_features },
    { key: 'overall_score', value: report.overall_score },
  ];
  // the report ranks its features, most drifted first: the top drifted ones, in that order
  const drifted = report.features.filter((f) => f.drifted).slice(0, RANKED_METRICS);
  drifted.forEach((f, i) => metrics.push({ key: rankMetricKey(i + 1, f.name, method), value: f.score }));
  // (timestamps and steps are fixed, once: sending a run again must add no metric point)
  for (const m of metrics) Object.assign(m, { timestamp: endTime, step: 0 });

  const params: Record<string, string | number> = {
    semantics: s.semantics,
    method: s.method,
    score_kind: s.score_kind,
    binning: s.binning,
    bins: s.bins,
    epsilon: s.epsilon,
    threshold: s.threshold,
    aggregation: s.aggregation,
    policy_retrain_overall: s.policy.retrainOverall,
    policy_retrain_drifted_features: s.policy.retrainDriftedFeatures,
    policy_alert_overall: s.policy.alertOverall,
    baseline_id: report.baseline.id,
    baseline_file: report.baseline.file,
    baseline_rows: report.baseline.rows,
    current_rows: report.current.rows,
  };
  if (report.current.files.length === 1) params['current_file'] = report.current.files[0]!;
  else params['current_files'] = report.current.files.length;

  const scoreByFeature: Record<string, number | string> = {};
  for (const f of report.features) scoreByFeature[f.name] = Number.isFinite(f.score) ? f.score : nonFiniteText(f.score);

  return {
    experiment: options.experiment,
    runName: options.runName ?? `drift_check_${compactLocal(now)}`,
    startTime: endTime - Math.round((options.seconds ?? 0) * 1000),
    endTime,
    params,
    metrics,
    tags: {
      action_recommended: report.action,
      timestamp: localIso(now),
      'driftcatcher.command': options.command ?? 'check',
      'mlflow.user': currentUser(),
    },
    artifacts: [{ path: driftArtifact(method), content: JSON.stringify(scoreByFeature, null, 2) + '\n' }],
  };
}

/** `<method>_rank_<i>_<name cut at 30 characters>` (`psi_rank_...`), with characters MLflow refuses in a key replaced by `_`. */
export function rankMetricKey(rank: number, feature: string, method = 'psi'): string {
  return metricKey(`${method}_rank_${rank}_${Array.from(feature).slice(0, 30).join('')}`);
}

/** A metric/param/tag key MLflow accepts: letters, digits, `_ - . / :` and spaces, not a path that normalises to another. */
export function metricKey(key: string): string {
  let out = key.replace(/[^\p{L}\p{N}_\-. /:]/gu, '_');
  const segments = out.split('/');
  if (out.startsWith('/') || out.endsWith('/') || segments.some((p) => p === '' || p === '.' || p === '..')) out = out.replace(/\//g, '_');
  return out;
}

/** Record one drift check: ledger first, then the server when one is configured. */
export async function recordDriftCheck(report: DriftReport, options: TrackingOptions & { now?: Date } = {}): Promise<RecordOutcome> {
  const tracking = resolveTracking(options);
  const run = driftCheckRun(report, { experiment: experimentName(tracking, EXPERIMENTS.drift), now: options.now, command: 'check' });
  return recordRuns(tracking, run, []);
}

/** Record a scan: a parent run `drift_scan_<time>` (all files combined) and one child run per file. */
export async function recordDriftScan(scan: ScanReport, options: TrackingOptions & { now?: Date } = {}): Promise<RecordOutcome> {
  const tracking = resolveTracking(options);
  const now = options.now ?? new Date();
  const experiment = experimentName(tracking, EXPERIMENTS.drift);
  const stamp = compactLocal(now);
  const parent = driftCheckRun(scan.combined, { experiment, now, seconds: scan.seconds, runName: `drift_scan_${stamp}`, command: 'scan' });
  parent.params = { ...parent.params, workers: scan.workers, kernel: scan.kernel };
  const children = scan.files.map((report, i) => {
    const child = driftCheckRun(report, { experiment, now, seconds: scan.seconds, runName: `drift_check_${stamp}_${i + 1}_${basename(report.current.files[0] ?? '')}`, command: 'scan' });
    child.tags = { ...child.tags, file: report.current.files[0] ?? '' };
    return child;
  });
  return recordRuns(tracking, parent, children);
}

/** `YYYYMMDD_HHMMSS` in local time (the original tool's run names). */
export function compactLocal(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}_${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

/** Local time like Python's `datetime.now().isoformat()`: `YYYY-MM-DDTHH:MM:SS.ffffff`. */
export function localIso(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}.${p(date.getMilliseconds() * 1000, 6)}`;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? 'unknown';
  }
}

