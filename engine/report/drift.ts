/**
 * The drift report kind (a check and a scan): what tracking records and what the CLI prints.
 *
 * The record, as the original tool logged it: experiment `drift_monitoring`, run
 * `drift_check_YYYYMMDD_HHMMSS`, metrics `overall_psi`, `n_drifted_features`, `total_features`,
 * `psi_rank_<i>_<feature[:30]>` for the top 10 drifted features, tags `action_recommended` and
 * `timestamp`, artifact `drift_feature_psi.json` (every feature's PSI); plus `overall_score`, and
 * params stating the semantics, method, binning, epsilon, thresholds, policy and the baseline's
 * identity. With another method the same shapes are named after it (`overall_hellinger`,
 * `hellinger_rank_<i>_*`, `drift_feature_hellinger.json`): nothing says PSI. A scan records a
 * parent run (the combined result) with one child run per file.
 *
 * The renderings: the ranked feature table and the verdict of a check, the per-file table of a
 * scan, and the notes for stderr (skipped features, a sample too small); the JSON is the report
 * itself. Colour comes from the caller's TextStyle; what to do next is the caller's (`next`).
 */
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beyond as pastLimit, type DriftReport, type PredictionDrift, type ScanReport, type ScoreKind, type SmallSample } from '../drift/index.js';
import { EXPERIMENTS, experimentName, resolveTracking, type TrackingOptions } from '../tracking/index.js';
import { nonFiniteText } from '../tracking/index.js';
import type { DatasetInput, NewRun } from '../tracking/index.js';
import { recordRuns, type RecordOutcome } from '../tracking/index.js';
import { PLAIN, actionText, fixed, jsonText, quoted, table, type TextStyle } from './text.js';

/** The artifact of a PSI check (the original tool's name); another method's is driftArtifact(method). */
export const DRIFT_ARTIFACT = 'drift_feature_psi.json';
/** How many drifted features get a `<method>_rank_<i>_<name>` metric. */
export const RANKED_METRICS = 10;
/** The whole report as JSON, an artifact of every drift run (`driftcatcher report <run-id>` renders it again). */
export const DRIFT_REPORT_JSON = 'drift_report.json';
/** The HTML report, an artifact of the run when one was made (`--html`). */
export const DRIFT_REPORT_HTML = 'drift_report.html';

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
  /** when the work began, ms since the epoch (wins over `seconds`) */
  startTime?: number;
  command?: 'check' | 'scan';
  /** the model whose baseline this was (agent checks): a tag, and a model input when its MLflow logged model is known */
  model?: CheckedModelRef;
  /** the HTML report (`--html`): artifact DRIFT_REPORT_HTML */
  html?: string;
  /** what DRIFT_REPORT_JSON holds (default: the report; a scan's parent run: the whole scan) */
  json?: DriftReport | ScanReport;
}

/** The model a drift check was about. */
export interface CheckedModelRef {
  name: string;
  version: number;
  alias?: string;
  /** its MLflow logged model id, when its training run was sent */
  loggedModelId?: string;
}

/** Metric key prefix of every feature's score (`drift/<feature>`), one chart per feature in MLflow's UI. */
export const FEATURE_METRIC_PREFIX = 'drift/';

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
  metrics.push(...qualityMetrics(report));
  // every feature under a name of its own: MLflow's chart view follows it from run to run
  const featureKeys = featureMetricKeys(report.features.map((f) => f.name));
  report.features.forEach((f, i) => metrics.push({ key: featureKeys[i]!, value: f.score }));
  if (report.prediction_drift) metrics.push(...predictionDriftMetrics(report.prediction_drift));
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
    policy_retrain_overall: s.policy.retrain_overall,
    policy_retrain_drifted_features: s.policy.retrain_drifted_features,
    policy_alert_overall: s.policy.alert_overall,
    quality_missing_threshold: s.quality.missing_threshold,
    quality_out_of_range_threshold: s.quality.out_of_range_threshold,
    quality_constant_threshold: s.quality.constant_threshold,
    quality_new_category_threshold: s.quality.new_category_threshold,
    quality_action: s.quality.action,
    baseline_id: report.baseline.id,
    baseline_file: report.baseline.file,
    baseline_rows: report.baseline.rows,
    current_rows: report.current.rows,
  };
  if (report.current.files.length === 1) params['current_file'] = report.current.files[0]!;
  else params['current_files'] = report.current.files.length;
  const predictions = report.prediction_drift;
  if (predictions) {
    params['prediction_drift_method'] = predictions.method;
    params['prediction_drift_threshold'] = predictions.threshold;
    params['prediction_drift_source'] = predictions.source ?? 'model';
    params['prediction_drift_reference_rows'] = predictions.reference.rows;
    if (predictions.model) {
      params['prediction_drift_model'] = predictions.model.file;
      if (predictions.model.version !== null) params['prediction_drift_model_version'] = predictions.model.version;
    }
  }

  const scoreByFeature: Record<string, number | string> = {};
  for (const f of report.features) scoreByFeature[f.name] = Number.isFinite(f.score) ? f.score : nonFiniteText(f.score);

  const artifact = driftArtifact(method);
  const model = options.model;
  return {
    experiment: options.experiment,
    runName: options.runName ?? `drift_check_${compactLocal(now)}`,
    startTime: Math.min(endTime, options.startTime ?? endTime - Math.round((options.seconds ?? 0) * 1000)),
    endTime,
    params,
    metrics,
    tags: {
      action_recommended: report.action,
      timestamp: localIso(now),
      'driftcatcher.command': options.command ?? 'check',
      'mlflow.user': currentUser(),
      'mlflow.note.content': driftNote(report, artifact, model, options.html !== undefined),
      ...(model ? { 'driftcatcher.model': model.name, 'driftcatcher.model_version': String(model.version), ...(model.alias ? { 'driftcatcher.model_alias': model.alias } : {}) } : {}),
    },
    artifacts: [
      { path: artifact, content: JSON.stringify(scoreByFeature, null, 2) + '\n' },
      { path: DRIFT_REPORT_JSON, content: jsonText(options.json ?? report) },
      ...(options.html !== undefined ? [{ path: DRIFT_REPORT_HTML, content: options.html }] : []),
    ],
    inputs: driftInputs(report),
    ...(model?.loggedModelId ? { modelInputs: [model.loggedModelId] } : {}),
  };
}

/**
 * `drift/<feature>` for each feature, as MLflow takes them: MLflow's UI groups metrics by what
 * comes before a `/`, so a `/` inside a feature's name (`Flow Bytes/s`) becomes `_` (and any other
 * character MLflow refuses in a key, see metricKey); names that then coincide get `_2`, `_3`, ... in
 * feature order.
 */
export function featureMetricKeys(features: readonly string[]): string[] {
  const used = new Set<string>();
  return features.map((name) => {
    const base = FEATURE_METRIC_PREFIX + metricKey(name.replace(/\//g, '_'));
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}_${n}`;
    used.add(key);
    return key;
  });
}

/** The note MLflow shows on the run's page (`mlflow.note.content`, markdown): verdict, why, the top features, the artifact. */
export function driftNote(report: DriftReport, artifact: string, model?: CheckedModelRef, html = false): string {
  const s = report.settings;
  const gt = past(s.score_kind);
  const top = report.features.slice(0, 5);
  const cell = (text: string) => text.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);
  return [
    `**Verdict: ${report.action}**. ${verdictReason(report)}`,
    '',
    `Overall ${report.method} ${fixed(report.overall_score)} over ${report.total_features} features (${s.aggregation}); ${report.n_drifted_features} drifted (${s.method} ${gt} threshold). ` +
      `${report.current.rows} rows checked against baseline \`${cell(report.baseline.file)}\` (${report.baseline.rows} rows, id ${report.baseline.id.slice(0, 12)})${model ? ` of model ${cell(model.name)} v${model.version}${model.alias ? ` (${cell(model.alias)})` : ''}` : ''}.`,
    '',
    '| # | feature | method | score | drifted |',
    '|---|---|---|---|---|',
    ...top.map((f, i) => `| ${i + 1} | ${cell(f.name)} | ${f.method} | ${fixed(f.score)} | ${f.drifted ? 'yes' : 'no'} |`),
    '',
    `Every feature's score: artifact \`${artifact}\`; over time: the \`drift/<feature>\` metrics.`,
    ...(html ? ['', `The report with a plot per feature: artifact \`${DRIFT_REPORT_HTML}\`.`] : []),
  ].join('\n');
}

/** Which rule of the policy gave the verdict, in words. */
export function verdictReason(report: DriftReport): string {
  const s = report.settings;
  const p = s.policy;
  const gt = past(s.score_kind);
  const beyond = (x: number, limit: number) => pastLimit(s.score_kind, x, limit);
  const overall = fixed(report.overall_score);
  if (report.action === 'retrain') {
    if (report.dataset_drift) return `The drifted share ${fixed(report.drifted_share, 2)} reached the dataset drift share ${s.drift_share}.`;
    if (beyond(report.overall_score, p.retrain_overall)) return `Overall ${report.method} ${overall} ${gt} ${p.retrain_overall} (the retrain threshold).`;
    if (report.n_drifted_features > p.retrain_drifted_features) return `${report.n_drifted_features} drifted features > ${p.retrain_drifted_features} (the retrain count).`;
    return `${qualityReason(report)} (quality action retrain).`;
  }
  if (report.action === 'alert') {
    if (beyond(report.overall_score, p.alert_overall)) return `Overall ${report.method} ${overall} ${gt} ${p.alert_overall} (the alert threshold).`;
    if (report.n_drifted_features > 0) return `${report.n_drifted_features} feature(s) drifted, at most ${p.retrain_drifted_features} (alert, not retrain).`;
    const predictions = report.prediction_drift;
    if (predictions?.drifted && !(report.quality?.breaches.length)) return `The model's predictions drifted (${predictions.method} ${fixed(predictions.score)}), the features did not.`;
    return `${qualityReason(report)}: no drift, but the data changed.`;
  }
  return `No rule fired: overall ${report.method} ${overall} within ${p.alert_overall} and no feature drifted.`;
}

/** The data-quality breaches, in words (the first three named). */
function qualityReason(report: DriftReport): string {
  const breaches = report.quality?.breaches ?? [];
  const named = breaches.slice(0, 3).map((b) => `${b.signal.replace(/_/g, ' ')} of ${b.feature}`).join(', ');
  return `${breaches.length} data-quality breach(es)${named ? ` (${named}${breaches.length > 3 ? ', ...' : ''})` : ''}`;
}

/**
 * The run's datasets: the baseline (`reference`, digest from its profile id) and the batch
 * (`production`, digest of what was counted of it: rows and every feature's shares; a scan's
 * combined run: its files as one dataset), with the features as their schema.
 */
export function driftInputs(report: DriftReport): DatasetInput[] {
  const schema = JSON.stringify({ mlflow_colspec: report.features.map((f) => ({ type: 'double', name: f.name, required: false })) });
  const baseline: DatasetInput = {
    name: report.baseline.file,
    digest: report.baseline.id.slice(0, 16),
    source_type: 'local',
    source: JSON.stringify({ uri: report.baseline.file }),
    schema,
    profile: JSON.stringify({ num_rows: report.baseline.rows, num_features: report.total_features, profile_id: report.baseline.id }),
    context: 'reference',
  };
  const digest = createHash('sha256')
    .update(JSON.stringify({ rows: report.current.rows, features: report.features.map((f) => [f.name, f.count, f.non_finite, f.actual]) }))
    .digest('hex')
    .slice(0, 16);
  // one batch: the file; several (a scan's combined run): one dataset of them all, as counted together
  const files = report.current.files;
  const uris = files.map((file) => pathToFileURL(resolve(file)).href);
  const batch: DatasetInput = {
    name: files.length === 1 ? basename(files[0]!) : `${files.length} files`,
    digest,
    source_type: 'local',
    source: JSON.stringify(files.length === 1 ? { uri: uris[0] } : { uris }),
    schema,
    profile: JSON.stringify({ num_rows: report.current.rows, num_features: report.total_features, ...(files.length > 1 ? { files: files.length } : {}) }),
    context: 'production',
  };
  return [baseline, batch];
}

/** The metric of each quality signal of a feature in breach, by signal: `quality/<name>/<feature>` (QUALITY_METRICS). */
export const QUALITY_METRICS = {
  missing_rate: 'missing_rate_change',
  out_of_range: 'out_of_range_share',
  constant: 'top_share',
  new_categories: 'new_category_share',
  missing_column: 'missing_column',
} as const;

/**
 * The data-quality metrics of a check: always `quality_breaches`, `quality_missing_rate`,
 * `quality_missing_rate_change` and `quality_out_of_range_share` (the batch's, over every
 * feature); then for each breach `quality/<signal metric>/<feature>`: the missing rate's change,
 * the out-of-range share, the batch's top-bin share, the new-category share, or 1 for a baseline
 * feature the batch lacks (`quality/missing_column/<feature>`). Only breaches get a per-feature
 * metric, so that a run of 80 healthy features logs four numbers, not 320.
 */
export function qualityMetrics(report: Pick<DriftReport, 'quality' | 'features'>): Array<{ key: string; value: number }> {
  const q = report.quality;
  const out = [
    { key: 'quality_breaches', value: q.n_breaches },
    { key: 'quality_missing_rate', value: q.missing_rate.current },
    { key: 'quality_missing_rate_change', value: q.missing_rate.change },
    { key: 'quality_out_of_range_share', value: q.out_of_range.share },
  ];
  const byName = new Map(report.features.map((f) => [f.name, f]));
  for (const breach of q.breaches) {
    const fq = byName.get(breach.feature)?.quality;
    const value =
      breach.signal === 'missing_rate' ? fq?.missing_rate.change
      : breach.signal === 'out_of_range' ? fq?.out_of_range?.share
      : breach.signal === 'constant' ? fq?.constant.current_top_share
      : breach.signal === 'new_categories' ? fq?.new_categories?.share
      : 1;
    if (value === undefined || value === null) continue;
    out.push({ key: qualityMetricKey(breach.signal, breach.feature), value });
  }
  return out;
}

/** `quality/<signal metric>/<feature>`, with characters MLflow refuses replaced by `_`. */
export function qualityMetricKey(signal: keyof typeof QUALITY_METRICS, feature: string): string {
  return metricKey(`quality/${QUALITY_METRICS[signal]}/${feature.replace(/\//g, '_')}`);
}

/**
 * The metrics of a check's prediction drift: `prediction_drift/score` (the method's), `/drifted`
 * (1 or 0), `/positive_rate` (current), `/reference_positive_rate`, `/positive_rate_change`.
 */
export function predictionDriftMetrics(drift: PredictionDrift): Array<{ key: string; value: number }> {
  return [
    { key: 'prediction_drift/score', value: drift.score },
    { key: 'prediction_drift/drifted', value: drift.drifted ? 1 : 0 },
    { key: 'prediction_drift/positive_rate', value: drift.current.positive_rate },
    { key: 'prediction_drift/reference_positive_rate', value: drift.reference.positive_rate },
    { key: 'prediction_drift/positive_rate_change', value: drift.positive_rate_change },
    ...(drift.p_value !== undefined ? [{ key: 'prediction_drift/p_value', value: drift.p_value }] : []),
  ];
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
export async function recordDriftCheck(report: DriftReport, options: TrackingOptions & Pick<DriftRunOptions, 'now' | 'seconds' | 'startTime' | 'model' | 'html'> = {}): Promise<RecordOutcome> {
  const tracking = resolveTracking(options);
  const run = driftCheckRun(report, { experiment: experimentName(tracking, EXPERIMENTS.drift), now: options.now, seconds: options.seconds, startTime: options.startTime, model: options.model, html: options.html, command: 'check' });
  return recordRuns(tracking, run, []);
}

/** Record a scan: a parent run `drift_scan_<time>` (all files combined) and one child run per file. */
export async function recordDriftScan(scan: ScanReport, options: TrackingOptions & { now?: Date; html?: string } = {}): Promise<RecordOutcome> {
  const tracking = resolveTracking(options);
  const now = options.now ?? new Date();
  const experiment = experimentName(tracking, EXPERIMENTS.drift);
  const stamp = compactLocal(now);
  const parent = driftCheckRun(scan.combined, { experiment, now, seconds: scan.seconds, runName: `drift_scan_${stamp}`, command: 'scan', html: options.html, json: scan });
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

// ---- renderings ----------------------------------------------------------------------------

export interface DriftTextOptions {
  /** rows of the feature table (default 10) */
  top?: number;
  style?: TextStyle;
  /** a line saying what to do after this verdict (the CLI's, naming its commands), if any */
  next?: (action: DriftReport['action']) => string | undefined;
}

/** `>` for a distance, `<` for a p-value: the direction of drift, for the settings line. */
const past = (kind: ScoreKind) => (kind === 'distance' ? '>' : '<');

/** The `top` features, most drifted first: rank, name, the method's score (and p-value, when given), verdict. */
export function renderFeatureTable(report: DriftReport, top = 10, style: TextStyle = PLAIN): string {
  const shown = report.features.slice(0, top);
  const pValues = shown.some((f) => f.p_value !== undefined);
  // auto: a method per feature, named in its own column
  const auto = report.settings.method === 'auto';
  const rows = shown.map((f, i) => [String(i + 1), f.name, ...(auto ? [f.method] : []), fixed(f.score), ...(pValues ? [f.p_value === undefined ? '-' : fixed(f.p_value)] : []), f.drifted ? style.red('drifted') : 'stable']);
  const header = ['#', 'feature', ...(auto ? ['method'] : []), auto ? 'score' : report.settings.method, ...(pValues ? ['p-value'] : []), 'verdict'];
  return table(header, rows, [true, false, ...(auto ? [false] : []), true, ...(pValues ? [true] : []), false]);
}

/**
 * The categorical features among the `top` shown (counted on their categories): per feature its
 * method, the share of new categories and the largest share changes; undefined when none.
 */
export function renderCategoryChanges(report: DriftReport, top = 10): string | undefined {
  const shown = report.features.slice(0, top).filter((f) => f.categories);
  if (shown.length === 0) return undefined;
  const lines = shown.map((f) => {
    const c = f.categories!;
    const other = c.reference_other_share > 0 ? ` (the baseline's other: ${percent(c.reference_other_share)})` : '';
    const changes = c.top_changes.map((t) => `${t.category} ${percent(t.expected)} -> ${percent(t.actual)}`).join(', ');
    return `  ${f.name} (${f.method}, ${c.categories} categories): new categories ${percent(c.new_category_share)}${other}${changes ? `; top changes: ${changes}` : ''}`;
  });
  return ['categorical features (shares of the baseline -> of this data):', ...lines].join('\n');
}

/** A check: the feature table, the verdict line and the settings line (and the caller's next step). */
export function renderDriftReport(report: DriftReport, options: DriftTextOptions = {}): string {
  const style = options.style ?? PLAIN;
  const s = report.settings;
  const gt = past(s.score_kind);
  const overall = s.method === 'auto' ? 'auto (drifted share)' : `${s.method} (${s.aggregation})`;
  const threshold = s.method === 'auto' ? `thresholds ${Object.entries(s.thresholds).map(([id, t]) => `${id} ${t}`).join(', ')}` : `threshold ${s.threshold}`;
  const categories = renderCategoryChanges(report, options.top ?? 10);
  const lines = [
    renderFeatureTable(report, options.top ?? 10, style),
    ...(categories ? ['', categories] : []),
    '',
    `${style.bold('verdict')}: ${actionText(report.action, style)}   overall ${overall} ${fixed(report.overall_score)}   drifted features ${report.n_drifted_features}/${report.total_features}   rows ${report.current.rows}`,
    `settings: ${s.semantics}, ${s.bins} bins, ${threshold}, epsilon ${s.epsilon}${s.correction !== 'none' ? `, correction ${s.correction}` : ''}${s.drift_share !== null ? `, dataset drift at a drifted share >= ${s.drift_share}` : ''}; retrain if overall ${gt} ${s.policy.retrain_overall} or drifted > ${s.policy.retrain_drifted_features}, alert if overall ${gt} ${s.policy.alert_overall} or any drifted`,
  ];
  lines.push(...renderQuality(report, style));
  if (report.prediction_drift) lines.push(renderPredictionDrift(report.prediction_drift, style));
  const next = options.next?.(report.action);
  if (next) lines.push(next);
  return lines.join('\n');
}

const percent = (share: number) => `${(100 * share).toFixed(share > 0 && share < 0.001 ? 3 : 1)}%`;

/** One line per quality breach: signal, feature (quoted), what was seen. */
export function breachLine(report: DriftReport, breach: DriftReport['quality']['breaches'][number]): string[] {
  const q = report.features.find((f) => f.name === breach.feature)?.quality;
  const name = quoted(breach.feature);
  switch (breach.signal) {
    case 'missing_rate': {
      const m = q!.missing_rate;
      return ['missing rate', name, `${percent(m.reference_rate)} of rows in the baseline -> ${percent(m.current_rate)} in the batch (${m.change >= 0 ? '+' : ''}${fixed(m.change)})`];
    }
    case 'out_of_range': {
      const o = q!.out_of_range!;
      return ['out of range', name, `${o.count} values (${percent(o.share)} of the finite ones): ${o.below} below the training minimum, ${o.above} above its maximum`];
    }
    case 'constant': {
      const c = q!.constant;
      const where = c.current_top_value !== null ? `equal to ${c.current_top_value}` : `in [${c.current_top_bin![0] ?? '-inf'}, ${c.current_top_bin![1] ?? '+inf'})`;
      return ['constant', name, `${percent(c.current_top_share!)} of the batch's finite values ${where} (baseline: ${percent(c.reference_share_in_bin!)} there)`];
    }
    case 'new_categories':
      return ['new categories', name, `${percent(q!.new_categories!.share)} of the batch's values in categories the baseline has not seen`];
    case 'missing_column':
      return ['missing column', name, 'a baseline feature the batch lacks'];
  }
}

/**
 * The data-quality section: a line saying what the breaches do to the verdict (or that there is
 * none, with the batch's missing and out-of-range shares), then one line per breach, and the batch
 * columns the baseline lacks.
 */
export function renderQuality(report: DriftReport, style: TextStyle = PLAIN): string[] {
  const q = report.quality;
  const s = report.settings.quality;
  const limits = `missing rate change > ${s.missing_threshold}, out of range > ${s.out_of_range_threshold}, one value >= ${s.constant_threshold}${q.breaches.some((b) => b.signal === 'new_categories') ? `, new categories > ${s.new_category_threshold}` : ''}`;
  const totals = `missing ${percent(q.missing_rate.current)} of values (baseline ${percent(q.missing_rate.reference)}), ${percent(q.out_of_range.share)} of finite values outside the training range`;
  const lines: string[] = [];
  if (q.n_breaches === 0) lines.push(`${style.bold('data quality')}: no breach (${limits}); ${totals}`);
  else {
    const effect = q.action ? `verdict at least ${q.action}` : s.action === 'none' && report.settings.semantics !== 'default' ? 'reported only (compat keeps the original verdict)' : 'reported only';
    lines.push(`${style.bold('data quality')}: ${style.yellow(`${q.n_breaches} breach${q.n_breaches === 1 ? '' : 'es'}`)}, ${effect} (${limits}); ${totals}`);
    const rows = q.breaches.slice(0, 20).map((b) => breachLine(report, b));
    lines.push(...table(['signal', 'feature', 'seen'], rows).split('\n').map((l) => `  ${l}`));
    if (q.breaches.length > rows.length) lines.push(`  ... and ${q.breaches.length - rows.length} more (the JSON report lists every one)`);
  }
  if (q.columns.only_in_batch.length > 0) lines.push(`columns in the batch that the baseline lacks (not checked): ${q.columns.only_in_batch.map(quoted).join(', ')}`);
  return lines;
}

/** The prediction drift lines: the y_prob score and verdict, the positive rates and their change, what was compared. */
export function renderPredictionDrift(drift: PredictionDrift, style: TextStyle = PLAIN): string {
  const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
  const change = drift.positive_rate_change;
  const model = drift.model ? `model ${drift.model.file}${drift.model.version !== null ? ` (v${drift.model.version})` : ''}` : 'the model';
  const what = drift.source === 'column' ? `the y_prob column of ${drift.current.file}` : `${model}'s predictions on the batch`;
  return [
    `${style.bold('prediction drift')}: ${drift.drifted ? style.red('drifted') : 'stable'}   ${drift.column} ${drift.method} ${fixed(drift.score)} (${past(drift.score_kind)} ${drift.threshold} drifts)${drift.p_value !== undefined ? `   p-value ${fixed(drift.p_value)}` : ''}`,
    `  predicted positive rate ${percent(drift.current.positive_rate)} (${drift.current.rows} rows) vs ${percent(drift.reference.positive_rate)} on the ${drift.reference.split ?? 'reference'} split (${drift.reference.rows} rows): ${change >= 0 ? '+' : ''}${(100 * change).toFixed(2)} points at y_prob > ${drift.decision_threshold}`,
    `  compared ${what} with the prediction profile of ${drift.source === 'column' ? model : 'it'}; drifted predictions make the verdict at least alert`,
  ].join('\n');
}

/** A scan: one row per file and the combined row, then the `top` features of all files combined. */
export function renderScanReport(scan: ScanReport, options: DriftTextOptions = {}): string {
  const style = options.style ?? PLAIN;
  const top = options.top ?? 10;
  const s = scan.combined.settings;
  const row = (name: string, r: DriftReport) => [name, String(r.current.rows), fixed(r.overall_score), `${r.n_drifted_features}/${r.total_features}`, actionText(r.action, style), r.features.filter((f) => f.drifted).slice(0, 3).map((f) => f.name).join(', ')];
  const rows = scan.files.map((r) => row(r.current.files[0]!, r));
  rows.push(row(style.bold('combined'), scan.combined));
  const next = options.next?.(scan.combined.action);
  return [
    table(['file', 'rows', `overall ${s.method}`, 'drifted', 'verdict', 'top drifted'], rows, [false, true, true, true, false, false]),
    '',
    `${style.bold('combined')}, top ${Math.min(top, scan.combined.features.length)} features:`,
    renderFeatureTable(scan.combined, top, style),
    '',
    ...renderQuality(scan.combined, style),
    '',
    `${scan.files.length} file(s), ${scan.combined.current.rows} rows in ${scan.seconds.toFixed(2)} s ${scan.workers === 0 ? 'on the main thread' : `on ${scan.workers} worker thread${scan.workers === 1 ? '' : 's'}`}, kernel ${scan.kernel}; settings: ${s.semantics}, threshold ${s.threshold}, epsilon ${s.epsilon}`,
    ...(next ? [next] : []),
  ].join('\n');
}

/** A one-line summary of a check: verdict, overall score, drifted features and the top `top` of them with their scores. */
export function renderDriftSummary(report: DriftReport, top = 5, style: TextStyle = PLAIN): string {
  const drifted = report.features.filter((f) => f.drifted).slice(0, top).map((f) => `${f.name} (${fixed(f.score, 2)})`);
  return `${actionText(report.action, style).padEnd(7)}  overall ${report.method} ${fixed(report.overall_score)}, ${report.n_drifted_features}/${report.total_features} features drifted${drifted.length ? `: ${drifted.join(', ')}` : ''}`;
}

const SKIP_REASONS = { not_in_batch: 'not in the data', no_finite_values: 'no finite value' } as const;

/** The note naming the baseline features a compat report skipped (for stderr), or undefined when none. */
export function skippedFeaturesNote(report: DriftReport, label?: string): string | undefined {
  const skipped = report.skipped_features;
  if (skipped.length === 0) return undefined;
  const list = skipped.map((s) => `${quoted(s.name)} (${SKIP_REASONS[s.reason]})`).join(', ');
  return `${label ? `${quoted(label)}: ` : ''}skipped ${skipped.length} of the baseline's features, as the original tool does (not counted in total_features or the overall score): ${list}`;
}

/** The warning for a sample too small for its verdict (for stderr), naming what it is about; undefined when it is not. */
export function smallSampleNote(what: string | null, sample: Pick<SmallSample, 'message'> | null | undefined): string | undefined {
  return sample ? `${what ? `${what}: ` : ''}${sample.message}` : undefined;
}
