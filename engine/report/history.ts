/**
 * Score history: one metric of recorded runs over time, per feature (`drift/<feature>`, the
 * per-feature score every drift check logs) or per named metric, with the threshold the checks
 * used, read from the MLflow server when configured or the ledger (engine/tracking listRuns).
 * `scoreHistory` gives the data (ScoreHistory, which an HTML renderer plots); `renderScoreHistory`
 * one text sparkline per series.
 */
import { InputError, UsageError } from '../util/index.js';
import { EXPERIMENTS, experimentName, listRuns, resolveTracking, type RunSourceKind, type TrackedRun, type TrackingOptions } from '../tracking/index.js';
import { FEATURE_METRIC_PREFIX, metricKey } from './drift.js';
import { PLAIN, fixed, type TextStyle } from './text.js';

export interface ScoreHistory {
  title: string;
  metric: string;
  threshold?: number;
  /** `distance` (default): a value above the threshold is beyond it; `p_value`: below */
  scoreKind?: 'distance' | 'p_value';
  series: { name: string; points: { time: number /* epoch ms */; runId: string; value: number }[] }[];
}

export interface HistoryOptions extends TrackingOptions {
  /** features whose drift score (`drift/<feature>`) to follow */
  features?: string[];
  /** metric keys to follow (e.g. overall_score) */
  metrics?: string[];
  /** default: the drift checks' experiment (drift_monitoring after the prefix) */
  experiment?: string;
  since?: number | string;
  /** the newest runs read (default: all) */
  limit?: number;
  onProgress?: (fetched: number) => void;
}

export interface HistoryResult {
  source: RunSourceKind;
  where: string;
  experiment: string;
  history: ScoreHistory;
}

/** The metric key a feature's drift score is logged under (drift.ts featureMetricKeys, for one name). */
export function featureMetricKey(feature: string): string {
  return FEATURE_METRIC_PREFIX + metricKey(feature.replace(/\//g, '_'));
}

/** The overall scores, whose threshold is the policy's alert level. */
const OVERALL = /^overall_/;

/** Each series' points, oldest first (the time of a point is the run's end, when the check was done). */
export async function scoreHistory(options: HistoryOptions): Promise<HistoryResult> {
  const features = options.features ?? [];
  const metrics = options.metrics ?? [];
  if ((features.length === 0) === (metrics.length === 0)) throw new UsageError('give features or metrics to follow, not both', { option: features.length ? 'metric' : 'feature' });
  const experiment = options.experiment ?? experimentName(resolveTracking(options), EXPERIMENTS.drift);
  const listing = await listRuns({ ...options, experiment, filter: undefined });
  const runs = [...listing.runs].reverse();
  const wanted = features.length ? features.map((f) => ({ name: f, key: featureMetricKey(f) })) : metrics.map((m) => ({ name: m, key: m }));
  const series = wanted.map(({ name, key }) => ({
    name,
    points: runs
      .filter((r) => Object.hasOwn(r.metrics, key) && Number.isFinite(r.metrics[key]))
      .map((r) => ({ time: r.end_time ?? r.start_time, runId: r.run_id, value: r.metrics[key]! })),
  }));
  const empty = wanted.filter((_, i) => series[i]!.points.length === 0);
  if (empty.length === wanted.length) throw new InputError(`no run of experiment "${experiment}" in ${listing.where} logged ${empty.map((w) => w.key).join(', ')}${hint(runs, features.length > 0)}`);
  const keys = wanted.map((w) => w.key);
  const threshold = thresholdOf(runs, keys);
  const metric = features.length ? (keys.length === 1 ? keys[0]! : `${FEATURE_METRIC_PREFIX}<feature>`) : keys.join(', ');
  const title = features.length ? `drift of ${features.join(', ')} in ${experiment}` : `${metrics.join(', ')} in ${experiment}`;
  return { source: listing.source, where: listing.where, experiment, history: { title, metric, ...(threshold !== undefined ? { threshold } : {}), series } };
}

/** The threshold the newest run that logged one of the keys used: a feature score's `threshold` param, an overall score's alert level. */
function thresholdOf(runsOldestFirst: TrackedRun[], keys: string[]): number | undefined {
  const param = keys.every((k) => k.startsWith(FEATURE_METRIC_PREFIX)) ? 'threshold' : keys.every((k) => OVERALL.test(k)) ? 'policy_alert_overall' : undefined;
  if (!param) return undefined;
  for (let i = runsOldestFirst.length - 1; i >= 0; i--) {
    const run = runsOldestFirst[i]!;
    if (!keys.some((k) => Object.hasOwn(run.metrics, k))) continue;
    const value = Number(run.params[param]);
    return Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}

function hint(runs: TrackedRun[], features: boolean): string {
  const seen = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.metrics)) if (!features || k.startsWith(FEATURE_METRIC_PREFIX)) seen.add(features ? k.slice(FEATURE_METRIC_PREFIX.length) : k);
  if (seen.size === 0) return runs.length ? '' : ' (it has no runs)';
  const names = [...seen].sort();
  return `; ${features ? 'features' : 'metrics'} it has: ${names.slice(0, 8).join(', ')}${names.length > 8 ? `, ... (${names.length})` : ''}`;
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** The bar of a value on a scale from `low` to `high` (all bars the lowest when they are equal). */
function barOf(value: number, low: number, high: number): string {
  if (!(high > low)) return BARS[0]!;
  const level = Math.round(((value - low) / (high - low)) * (BARS.length - 1));
  return BARS[Math.min(BARS.length - 1, Math.max(0, level))]!;
}

export interface HistoryTextOptions {
  /** most points a sparkline shows (the newest); default 60 */
  width?: number;
  style?: TextStyle;
}

/**
 * One line per series: the name, a sparkline of its newest points (bars above the threshold in
 * red), the number of runs, the last value, min and max, and how many points are above the
 * threshold. All series share one scale, which includes the threshold.
 */
export function renderScoreHistory(history: ScoreHistory, options: HistoryTextOptions = {}): string {
  const width = options.width ?? 60;
  const style = options.style ?? PLAIN;
  const all = history.series.flatMap((s) => s.points.map((p) => p.value));
  const t = history.threshold;
  const low = Math.min(...all, ...(t !== undefined ? [t] : []));
  const high = Math.max(...all, ...(t !== undefined ? [t] : []));
  const lines = [`${history.title} (${history.metric})${t !== undefined ? `, threshold ${fixed(t)} (${barOf(t, low, high)})` : ''}, scale ${fixed(low)} to ${fixed(high)}`];
  const nameWidth = Math.max(...history.series.map((s) => s.name.length));
  for (const s of history.series) {
    const shown = s.points.slice(-width);
    if (shown.length === 0) {
      lines.push(`${s.name.padEnd(nameWidth)}  (no run logged it)`);
      continue;
    }
    const spark = shown.map((p) => (t !== undefined && p.value > t ? style.red(barOf(p.value, low, high)) : barOf(p.value, low, high))).join('');
    const values = s.points.map((p) => p.value);
    const above = t !== undefined ? `, ${values.filter((v) => v > t).length} above threshold` : '';
    const range = `${iso(s.points[0]!.time)} .. ${iso(s.points.at(-1)!.time)}`;
    const count = shown.length < s.points.length ? `last ${shown.length} of ${s.points.length} runs` : `${s.points.length} run(s)`;
    lines.push(`${s.name.padEnd(nameWidth)}  ${spark}  ${count}, last ${fixed(values.at(-1)!)}, min ${fixed(Math.min(...values))}, max ${fixed(Math.max(...values))}${above}; ${range}`);
  }
  return lines.join('\n');
}

function iso(time: number): string {
  return new Date(time).toISOString().slice(0, 16).replace('T', ' ');
}
