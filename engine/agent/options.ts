/**
 * The agent's options in piscina's three shapes: `AgentOptions` (all optional, what callers and
 * the CLI pass) -> `resolveAgentOptions()` -> the resolved form, with `AGENT_DEFAULTS` the one
 * place every default lives (the CLI's `--help` shows these values). Validation messages name the
 * option (`minRetrainHours: ...`), never a CLI flag.
 */
import { join, resolve } from 'node:path';
import type { ScanOptions } from '../drift/index.js';
import { REGISTRY_DEFAULTS, TRAIN_DEFAULTS, type RegistryOptions, type TrainOptions } from '../model/index.js';
import { resolveTracking, type TrackingOptions } from '../tracking/index.js';
import { UsageError } from '../util/index.js';
import type { LogEntry } from './log.js';

export type AlertFormat = 'slack' | 'discord' | 'generic';
export const ALERT_FORMATS: readonly AlertFormat[] = ['slack', 'discord', 'generic'];

/** The holdout metrics a promotion can be decided on. */
export type PromoteMetric = 'f1_score' | 'accuracy' | 'roc_auc' | 'precision' | 'recall';
export const PROMOTE_METRICS: readonly PromoteMetric[] = ['f1_score', 'accuracy', 'roc_auc', 'precision', 'recall'];

export const AGENT_DEFAULTS = {
  /** the model registry and registered model (engine/model's) */
  registry: REGISTRY_DEFAULTS.registry,
  registeredModel: REGISTRY_DEFAULTS.registeredModel,
  /** at least this long between retrains */
  minRetrainHours: 24,
  /** at least this long between alerts */
  alertCooldownHours: 6,
  /** share of the new labelled rows held out to compare challenger and champion */
  holdoutShare: 0.3,
  promoteMetric: 'f1_score' as PromoteMetric,
  /** trees and seed of a retrain, training's own (the seed also shuffles the holdout split) */
  nEstimators: TRAIN_DEFAULTS.nEstimators,
  seed: TRAIN_DEFAULTS.seed,
  alertFormat: 'generic' as AlertFormat,
  /** webhook retries after the first attempt */
  alertRetries: 3,
  /** first back-off delay, doubling; the environment's `DRIFTCATCHER_ALERT_BACKOFF_MS` comes before it */
  alertBackoffMs: 500,
  /** longest back-off delay between two webhook attempts */
  alertMaxBackoffMs: 30_000,
  /** each webhook attempt's bound (connect, headers, body) */
  alertTimeoutMs: 10_000,
  /** `agent watch`: time between polls */
  watchIntervalMs: 3_600_000,
} as const;

export interface AgentOptions extends RegistryOptions {
  /** folder of the state file and the daily logs (default `<ledger>/agent`) */
  stateDir?: string;
  minRetrainHours?: number;
  alertCooldownHours?: number;
  /** labelled data the model was trained on (retraining adds the new files to it) */
  baseData?: string;
  /** labelled files `check` retrains with on a `retrain` verdict (none: it alerts instead) */
  labeledData?: readonly string[];
  /** webhook (default `ALERT_WEBHOOK_URL`); none: alerts are only logged */
  webhookUrl?: string;
  alertFormat?: AlertFormat;
  alertRetries?: number;
  alertBackoffMs?: number;
  /** drift check options (method, thresholds, workers) */
  drift?: ScanOptions;
  /** training options for retraining (trees, seed, workers...) */
  train?: Partial<Omit<TrainOptions, 'data' | 'newData' | 'registry' | 'registeredModel'>>;
  /** share of the new labelled rows held out to compare challenger and champion (default 0.3) */
  holdoutShare?: number;
  /** the metric that decides promotion (default f1_score) */
  promoteMetric?: PromoteMetric;
  /** write each check's HTML report into this folder (`<batch>.<time>.html`): its path goes into the alert, the report into the run (drift_report.html) */
  reportDir?: string;
  /** tracking: runs go to the ledger and MLflow; `record: false` records nothing */
  tracking?: TrackingOptions;
  record?: boolean;
  /** every log entry, as it is written (the CLI prints them on stderr) */
  onLog?: (entry: LogEntry) => void;
  now?: () => Date;
  /** the environment `ALERT_WEBHOOK_URL` and `DRIFTCATCHER_ALERT_BACKOFF_MS` are read from (default process.env) */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ResolvedAgentOptions {
  registry: string;
  registeredModel: string;
  /** absolute folder of the state file, the logs and the retrain work folders */
  dir: string;
  minRetrainHours: number;
  alertCooldownHours: number;
  minRetrainMs: number;
  alertCooldownMs: number;
  baseData: string | null;
  labeledData: readonly string[];
  /** a `retrain` verdict can retrain: labelled data and the base data are both configured */
  canRetrain: boolean;
  webhookUrl: string | null;
  alert: { format: AlertFormat; retries: number; backoffMs: number; maxBackoffMs: number; timeoutMs: number };
  holdoutShare: number;
  promoteMetric: PromoteMetric;
  seed: number;
  record: boolean;
  /** absolute folder of the HTML reports, or null (none made) */
  reportDir: string | null;
  now: () => Date;
}

export const HOUR_MS = 3_600_000;

function nonNegative(value: number | undefined, fallback: number, option: string): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new UsageError(`must be a number from 0, got ${String(v)}`, { option });
  return v;
}

function count(value: number | undefined, fallback: number, option: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0) throw new UsageError(`must be an integer from 0, got ${String(v)}`, { option });
  return v;
}

/** The environment's back-off (`DRIFTCATCHER_ALERT_BACKOFF_MS`), when it is a number from 0. */
export function envBackoffMs(env: Readonly<Record<string, string | undefined>> = process.env): number | undefined {
  const text = env['DRIFTCATCHER_ALERT_BACKOFF_MS'];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The state folder without resolving the rest (the watch and the status need only it). */
export function agentDir(options: Pick<AgentOptions, 'stateDir' | 'tracking'>): string {
  return resolve(options.stateDir ?? join(resolveTracking(options.tracking ?? {}).ledgerDir, 'agent'));
}

export function resolveAgentOptions(options: AgentOptions = {}): ResolvedAgentOptions {
  const env = options.env ?? process.env;
  const minRetrainHours = nonNegative(options.minRetrainHours, AGENT_DEFAULTS.minRetrainHours, 'minRetrainHours');
  const alertCooldownHours = nonNegative(options.alertCooldownHours, AGENT_DEFAULTS.alertCooldownHours, 'alertCooldownHours');
  const holdoutShare = options.holdoutShare ?? AGENT_DEFAULTS.holdoutShare;
  if (!(holdoutShare > 0 && holdoutShare < 1)) throw new UsageError(`must be between 0 and 1, got ${String(holdoutShare)}`, { option: 'holdoutShare' });
  const promoteMetric = options.promoteMetric ?? AGENT_DEFAULTS.promoteMetric;
  if (!PROMOTE_METRICS.includes(promoteMetric)) throw new UsageError(`must be one of ${PROMOTE_METRICS.join(', ')}, got ${String(promoteMetric)}`, { option: 'promoteMetric' });
  const format = options.alertFormat ?? AGENT_DEFAULTS.alertFormat;
  if (!ALERT_FORMATS.includes(format)) throw new UsageError(`must be one of ${ALERT_FORMATS.join(', ')}, got ${String(format)}`, { option: 'alertFormat' });
  const labeledData = options.labeledData ?? [];
  const baseData = options.baseData ? options.baseData : null;
  const webhook = options.webhookUrl ?? env['ALERT_WEBHOOK_URL'];
  return {
    registry: options.registry ?? AGENT_DEFAULTS.registry,
    registeredModel: options.registeredModel ?? AGENT_DEFAULTS.registeredModel,
    dir: agentDir(options),
    minRetrainHours,
    alertCooldownHours,
    minRetrainMs: minRetrainHours * HOUR_MS,
    alertCooldownMs: alertCooldownHours * HOUR_MS,
    baseData,
    labeledData,
    canRetrain: labeledData.length > 0 && baseData !== null,
    webhookUrl: webhook === undefined || webhook.trim() === '' ? null : webhook,
    alert: {
      format,
      retries: count(options.alertRetries, AGENT_DEFAULTS.alertRetries, 'alertRetries'),
      backoffMs: nonNegative(options.alertBackoffMs ?? envBackoffMs(env), AGENT_DEFAULTS.alertBackoffMs, 'alertBackoffMs'),
      maxBackoffMs: AGENT_DEFAULTS.alertMaxBackoffMs,
      timeoutMs: AGENT_DEFAULTS.alertTimeoutMs,
    },
    holdoutShare,
    promoteMetric,
    seed: options.train?.seed ?? AGENT_DEFAULTS.seed,
    record: options.record !== false,
    reportDir: options.reportDir ? resolve(options.reportDir) : null,
    now: options.now ?? (() => new Date()),
  };
}
