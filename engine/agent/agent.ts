/**
 * The retrain agent: `check` (drift against the champion's baseline, then act under the
 * cooldowns), `retrain` (base data + new labelled data -> challenger -> holdout comparison ->
 * promote when not worse), `status`. State and decisions are taken under the state file's lock;
 * every step goes to the daily log.
 *
 * A retrain holds the retrain slot (the state's `retrain_claim`: pid, host, time) from the
 * decision to its end. A claim whose process is gone (kill -9, OOM killer, power loss on this
 * host) expires: the next `check` or `retrain` gives the slot back (no cooldown), logs
 * RETRAIN_FAILED for it, and removes what dead retrains left (work folders, temp files, reserved
 * but never registered model versions), before doing its own work.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { checkDrift, type ScanOptions } from '../drift/index.js';
import type { DriftReport } from '../drift/index.js';
import { UsageError, ModelError } from '../util/index.js';
import { loadProfile } from '../profile/index.js';
import { CHALLENGER, CHAMPION, DEFAULT_MODEL_NAME, LocalModelRegistry, REGISTRY_FILE, type ModelVersion } from '../model/index.js';
import { readLabelledData, stratifiedSplit, takeRows, type Dataset } from '../model/index.js';
import { trainModel, type TrainOptions, type TrainResult } from '../model/index.js';
import { predictFile } from '../model/index.js';
import type { ClassificationMetrics } from '../model/index.js';
import { writeFileAtomic } from '../util/index.js';
import { ownerGone, ownerRecord, readOwner, removeDeadTemps } from '../util/index.js';
import { EXPERIMENTS, resolveTracking, type TrackingOptions } from '../tracking/index.js';
import { recordDriftCheck } from '../report/index.js';
import { trainingRun } from '../report/index.js';
import { recordRun } from '../tracking/index.js';
import { AgentLog, type LogEntry } from './log.js';
import { alertContent, sendAlert, type AlertFormat, type AlertOutcome } from './alerts.js';
import { deadClaim, readState, releaseClaim, stateFileIn, updateState, type AgentState, type DriftResult, type RetrainClaim } from './state.js';

export interface AgentOptions {
  /** model registry root (default `models`) */
  registry?: string;
  registeredModel?: string;
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
  train?: Partial<Omit<TrainOptions, 'data' | 'newData' | 'out' | 'registeredModel'>>;
  /** share of the new labelled rows held out to compare challenger and champion (default 0.3) */
  holdoutShare?: number;
  /** the metric that decides promotion (default f1_score) */
  promoteMetric?: 'f1_score' | 'accuracy' | 'roc_auc' | 'precision' | 'recall';
  /** tracking: runs go to the ledger and MLflow; `record: false` records nothing */
  tracking?: TrackingOptions;
  record?: boolean;
  /** every log entry, as it is written (the CLI prints them on stderr) */
  onLog?: (entry: LogEntry) => void;
  now?: () => Date;
}

const HOUR = 3_600_000;

export function agentDir(options: AgentOptions): string {
  return resolve(options.stateDir ?? join(resolveTracking(options.tracking ?? {}).ledgerDir, 'agent'));
}

function context(options: AgentOptions) {
  const dir = agentDir(options);
  return {
    dir,
    stateFile: stateFileIn(dir),
    log: new AgentLog(dir, options.onLog),
    registry: new LocalModelRegistry(options.registry ?? 'models', options.registeredModel ?? DEFAULT_MODEL_NAME),
    now: options.now ?? (() => new Date()),
    minRetrainMs: (options.minRetrainHours ?? 24) * HOUR,
    alertCooldownMs: (options.alertCooldownHours ?? 6) * HOUR,
  };
}

/** The version whose baseline checks use: the champion, else the challenger, else the latest. */
export async function servingVersion(registry: LocalModelRegistry): Promise<{ version: ModelVersion; alias: 'champion' | 'challenger' | 'latest' }> {
  if (!existsSync(join(registry.root, REGISTRY_FILE))) throw new ModelError('no model registry here (train one with `driftcatcher train --out DIR`)', { file: join(registry.root, REGISTRY_FILE) });
  const { versions, aliases } = await registry.listVersions();
  for (const alias of [CHAMPION, CHALLENGER] as const) {
    const found = versions.find((v) => v.version === aliases[alias]);
    if (found) return { version: found, alias };
  }
  const latest = versions[versions.length - 1];
  if (!latest) throw new ModelError('the registry has no versions yet', { file: registry.file });
  return { version: latest, alias: 'latest' };
}

/** Errors `agentCheck` has already written to the daily log as ERROR (callers need not log them again). */
const loggedErrors = new WeakSet<object>();
export function errorWasLogged(err: unknown): boolean {
  return typeof err === 'object' && err !== null && loggedErrors.has(err);
}

const within = (last: string | null, now: Date, ms: number) => last !== null && now.getTime() - Date.parse(last) < ms;

type Context = ReturnType<typeof context>;

/** In a retrain's work folder: the owner record of the retraining process. */
const WORK_OWNER = '.owner';
/** A work folder without an owner record (from an older driftcatcher, or a kill right after mkdir) is removed after this long. */
const UNOWNED_WORK_MS = 10 * 60_000;

/** Claim the retrain slot for this process (under the state lock): cooldown starts now, given back if the retrain does not finish. */
function claimRetrain(ctx: Context, s: AgentState, now: Date): RetrainClaim {
  const claim: RetrainClaim = { ...ownerRecord(now), previous_retrain_time: s.last_retrain_time, work_dir: join(ctx.dir, 'retrain', `${now.getTime()}-${process.pid}`) };
  s.retrain_claim = claim;
  s.last_retrain_time = claim.since;
  return claim;
}

/** Under the state lock: a claim whose process is gone is given back; returns it (to be logged) or null. */
function expireDeadClaim(s: AgentState): RetrainClaim | null {
  const dead = deadClaim(s);
  return dead ? releaseClaim(s, dead) : null;
}

async function logAbandoned(ctx: Context, claim: RetrainClaim): Promise<void> {
  await ctx.log.write('RETRAIN_FAILED', `the retrain started at ${claim.since} by pid ${claim.pid} did not finish (process gone); retrain slot given back (last retrain ${claim.previous_retrain_time ?? 'never'})`, { reason: 'process gone', pid: claim.pid, started: claim.since, last_retrain_time: claim.previous_retrain_time }, ctx.now());
}

/**
 * Before acting: expire the claim of a dead retrain (logged as RETRAIN_FAILED) and remove what
 * dead retrains left: their work folders under `<state>/retrain/`, temp files of the state
 * folder, reserved model versions never registered.
 */
async function recoverAbandoned(ctx: Context): Promise<void> {
  if (deadClaim(await readState(ctx.stateFile))) {
    const { result: expired } = await updateState(ctx.stateFile, (s) => expireDeadClaim(s));
    if (expired) await logAbandoned(ctx, expired);
  }
  const workRoot = join(ctx.dir, 'retrain');
  for (const name of await readdir(workRoot).catch(() => [] as string[])) {
    const work = join(workRoot, name);
    const owner = await readOwner(join(work, WORK_OWNER));
    if (owner ? !ownerGone(owner) : Date.now() - ((await stat(work).catch(() => null))?.mtimeMs ?? Date.now()) < UNOWNED_WORK_MS) continue;
    await rm(work, { recursive: true, force: true });
  }
  await removeDeadTemps(ctx.dir);
  if (existsSync(ctx.registry.file)) await ctx.registry.reclaimAbandoned();
}

export type TakenAction = 'none' | 'alert' | 'retrain' | 'cooldown';

export interface AgentCheckResult {
  file: string;
  action: DriftReport['action'];
  taken: TakenAction;
  overall_psi: number;
  n_drifted_features: number;
  model: { name: string; version: number; alias: string };
  alert?: AlertOutcome;
  retrain?: AgentRetrainResult;
  /** the report's small-sample warning: the batch is too small for the verdict to mean anything */
  small_sample: DriftReport['small_sample'];
  report: DriftReport;
  state: Pick<AgentState, 'total_checks' | 'total_alerts' | 'total_retrains' | 'last_alert_time' | 'last_retrain_time'>;
}

function counts(state: AgentState): AgentCheckResult['state'] {
  return { total_checks: state.total_checks, total_alerts: state.total_alerts, total_retrains: state.total_retrains, last_alert_time: state.last_alert_time, last_retrain_time: state.last_retrain_time };
}

export async function agentCheck(file: string, options: AgentOptions = {}): Promise<AgentCheckResult> {
  const ctx = context(options);
  await recoverAbandoned(ctx);
  const serving = await servingVersion(ctx.registry);
  const profileFile = join(ctx.registry.folderOf(serving.version), 'profile.json');
  const model = { name: ctx.registry.name, version: serving.version.version, alias: serving.alias };
  await ctx.log.write('CHECK_START', `checking ${basename(file)} against ${model.name} v${model.version} (${serving.alias}${serving.alias === 'champion' ? '' : ': no champion yet'})`, { file, model_version: model.version, baseline_alias: serving.alias }, ctx.now());
  let report: DriftReport;
  try {
    report = await checkDrift(await loadProfile(profileFile), file, options.drift);
  } catch (err) {
    await ctx.log.write('ERROR', `check of ${basename(file)} failed: ${(err as Error).message}`, { file }, ctx.now());
    if (typeof err === 'object' && err !== null) loggedErrors.add(err);
    await updateState(ctx.stateFile, (s) => void (s.total_checks += 1));
    throw err;
  }
  const canRetrain = (options.labeledData?.length ?? 0) > 0 && options.baseData !== undefined;
  const now = ctx.now();
  // decide and claim the alert/retrain slot under the lock, so two agents do not both act
  type Decision = { taken: TakenAction; cooldown?: 'alert' | 'retrain'; claim?: RetrainClaim; running?: RetrainClaim; expired: RetrainClaim | null };
  const { state, result: taken } = await updateState(ctx.stateFile, (s): Decision => {
    s.total_checks += 1;
    const expired = expireDeadClaim(s);
    // a live claim: another retrain is running (whatever the cooldown says)
    const running = s.retrain_claim ?? undefined;
    let decision: Decision = { taken: 'none', expired, running };
    const alertOk = !within(s.last_alert_time, now, ctx.alertCooldownMs);
    if (report.action === 'retrain' && canRetrain && !running && !within(s.last_retrain_time, now, ctx.minRetrainMs)) decision = { taken: 'retrain', expired, claim: claimRetrain(ctx, s, now) };
    else if (report.action === 'retrain' || report.action === 'alert') decision = { ...decision, ...(alertOk ? { taken: 'alert' } : { taken: 'cooldown', cooldown: report.action === 'retrain' && canRetrain ? 'retrain' : 'alert' }) };
    if (decision.taken === 'alert') {
      s.last_alert_time = now.toISOString();
      s.total_alerts += 1;
    }
    const entry: DriftResult = { timestamp: now.toISOString(), file, overall_psi: report.overall_score, n_drifted_features: report.n_drifted_features, action: report.action, taken: decision.taken, model_version: model.version, baseline_id: report.baseline.id };
    s.drift_results.push(entry);
    return decision;
  });
  const claim = taken.claim;
  let retrainStarted = false;
  try {
    if (taken.expired) await logAbandoned(ctx, taken.expired);
    await ctx.log.write('CHECK_OK', `${basename(file)}: ${report.action} (overall PSI ${report.overall_score.toFixed(4)}, ${report.n_drifted_features}/${report.total_features} drifted) -> ${taken.taken}${report.small_sample ? ` (warning: ${report.small_sample.message})` : ''}`, { file, action: report.action, taken: taken.taken, overall_psi: report.overall_score, n_drifted_features: report.n_drifted_features, model_version: model.version, small_sample: report.small_sample?.message ?? null }, ctx.now());
    if (options.record !== false) await recordDriftCheck(report, { ...options.tracking, now });
    const result: AgentCheckResult = { file, action: report.action, taken: taken.taken, overall_psi: report.overall_score, n_drifted_features: report.n_drifted_features, model, small_sample: report.small_sample, report, state: counts(state) };
    const busy = taken.running ? `another retrain is running (pid ${taken.running.pid}, started ${taken.running.since})` : null;
    if (taken.taken === 'cooldown') {
      if (taken.cooldown === 'retrain' || report.action === 'retrain') await ctx.log.write('RETRAIN_COOLDOWN', `retrain not started: ${busy ?? `last retrain ${state.last_retrain_time ?? 'never'}, minimum ${options.minRetrainHours ?? 24} h${canRetrain ? '' : ' (or no labelled data configured)'}`}`, { last_retrain_time: state.last_retrain_time }, ctx.now());
      await ctx.log.write('ALERT_COOLDOWN', `alert suppressed: last alert ${state.last_alert_time}, cooldown ${options.alertCooldownHours ?? 6} h`, { last_alert_time: state.last_alert_time, action: report.action }, ctx.now());
    } else if (taken.taken === 'alert') {
      if (report.action === 'retrain') await ctx.log.write('RETRAIN_COOLDOWN', canRetrain ? `retrain not started: ${busy ?? `last retrain ${state.last_retrain_time}, minimum ${options.minRetrainHours ?? 24} h`}; alerting instead` : 'retrain recommended but no labelled data configured (--labeled-data and --base-data); alerting instead', {}, ctx.now());
      result.alert = await alert(ctx, report, model, options);
    } else if (taken.taken === 'retrain') {
      retrainStarted = true;
      try {
        result.retrain = await runRetrain(ctx, options.labeledData ?? [], options, claim!);
      } catch {
        // logged as RETRAIN_FAILED and the slot given back; the check itself succeeded
      }
    }
    return result;
  } catch (err) {
    // the check failed after claiming the slot but before the retrain began: give it back
    if (claim && !retrainStarted) await updateState(ctx.stateFile, (s) => void releaseClaim(s, claim));
    throw err;
  }
}

async function alert(ctx: Context, report: DriftReport, model: { name: string; version: number }, options: AgentOptions): Promise<AlertOutcome> {
  const url = options.webhookUrl ?? process.env['ALERT_WEBHOOK_URL'];
  const content = alertContent(report, model, ctx.now());
  const details = { verdict: content.verdict, overall_psi: content.overall_psi, threshold: content.threshold, top_drifted_features: content.top_drifted_features.map((f) => f.name), model_version: model.version };
  if (!url) {
    await ctx.log.write('ALERT', `${report.action}: overall PSI ${report.overall_score.toFixed(4)} (no webhook configured: logged only)`, { ...details, delivered: false, webhook: null }, ctx.now());
    return { delivered: false, attempts: 0, format: options.alertFormat ?? 'generic', error: 'no webhook configured' };
  }
  const outcome = await sendAlert(content, { url, format: options.alertFormat, retries: options.alertRetries, backoffMs: options.alertBackoffMs });
  if (outcome.delivered) await ctx.log.write('ALERT', `${report.action}: overall PSI ${report.overall_score.toFixed(4)}, alert sent (${outcome.format}, ${outcome.attempts} attempt(s))`, { ...details, delivered: true, attempts: outcome.attempts, webhook: '<redacted>' }, ctx.now());
  else await ctx.log.write('ERROR', `alert not delivered after ${outcome.attempts} attempt(s): ${outcome.error} (webhook <redacted>)`, { ...details, delivered: false, attempts: outcome.attempts, status: outcome.status ?? null, webhook: '<redacted>' }, ctx.now());
  return outcome;
}

export interface AgentRetrainResult {
  /** `busy`: another retrain holds the slot (its pid and start in `running`) */
  status: 'promoted' | 'kept_champion' | 'cooldown' | 'busy';
  running?: { pid: number; since: string };
  version?: number;
  metric: string;
  champion_version: number | null;
  champion_score: number | null;
  challenger_score: number | null;
  holdout_rows: number;
  train?: Pick<TrainResult, 'version' | 'metrics' | 'data'>;
}

export async function agentRetrain(newLabeledData: readonly string[], options: AgentOptions & { force?: boolean } = {}): Promise<AgentRetrainResult> {
  const ctx = context(options);
  const metric = options.promoteMetric ?? 'f1_score';
  if (newLabeledData.length === 0) throw new UsageError('retrain needs new labelled data (--new-labeled-data FILE...)');
  if (!options.baseData) throw new UsageError('retrain needs the base training data (--base-data FILE)');
  await recoverAbandoned(ctx);
  const now = ctx.now();
  const { result: decision } = await updateState(ctx.stateFile, (s): { expired: RetrainClaim | null; claim?: RetrainClaim; running?: RetrainClaim; cooldown?: string | null } => {
    const expired = expireDeadClaim(s);
    if (s.retrain_claim) return { expired, running: s.retrain_claim };
    if (!options.force && within(s.last_retrain_time, now, ctx.minRetrainMs)) return { expired, cooldown: s.last_retrain_time };
    return { expired, claim: claimRetrain(ctx, s, now) };
  });
  if (decision.expired) await logAbandoned(ctx, decision.expired);
  const skipped = { metric, champion_version: null, champion_score: null, challenger_score: null, holdout_rows: 0 };
  if (decision.running) {
    const { pid, since } = decision.running;
    await ctx.log.write('RETRAIN_COOLDOWN', `retrain not started: another retrain is running (pid ${pid}, started ${since})`, { running_pid: pid, running_since: since }, ctx.now());
    return { status: 'busy', running: { pid, since }, ...skipped };
  }
  if (!decision.claim) {
    await ctx.log.write('RETRAIN_COOLDOWN', `retrain skipped: last retrain ${decision.cooldown}, minimum ${options.minRetrainHours ?? 24} h (--force ignores it)`, { last_retrain_time: decision.cooldown }, ctx.now());
    return { status: 'cooldown', ...skipped };
  }
  return runRetrain(ctx, newLabeledData, options, decision.claim);
}

/** The retrain itself, holding `claim`: released when it ends (finished, or given back when it fails). */
async function runRetrain(ctx: Context, newLabeledData: readonly string[], options: AgentOptions, claim: RetrainClaim): Promise<AgentRetrainResult> {
  const metric = options.promoteMetric ?? 'f1_score';
  const baseData = options.baseData!;
  const work = claim.work_dir;
  try {
    await ctx.log.write('RETRAIN_START', `retraining on ${basename(baseData)} + ${newLabeledData.map((f) => basename(f)).join(', ')}`, { base_data: baseData, new_data: newLabeledData, pid: process.pid }, ctx.now());
    // the work folder carries its owner, so that a later run removes it if this process dies
    await mkdir(work, { recursive: true });
    await writeFile(join(work, WORK_OWNER), JSON.stringify(ownerRecord()));
    // hold out part of the new labelled rows: the challenger never sees them
    const seed = options.train?.seed ?? 42;
    const read = await readLabelledData(newLabeledData, { label: options.train?.label, negative: options.train?.negative, coerce: options.train?.coerce });
    const split = stratifiedSplit(read.labels, options.holdoutShare ?? 0.3, seed + 7);
    const trainPart = join(work, 'new-train.csv');
    const holdout = join(work, 'holdout.csv');
    await writeDatasetCsv(takeRows(read, split.train), read.labelName, read.negative, trainPart);
    await writeDatasetCsv(takeRows(read, split.test), read.labelName, read.negative, holdout);
    const previous = await servingVersion(ctx.registry).catch(() => null);
    const champion = previous?.alias === 'champion' ? previous.version : null;
    const trained = await trainModel({ ...options.train, data: baseData, newData: [trainPart], baselineFrom: 'new', registry: ctx.registry.root, registeredModel: ctx.registry.name });
    const challengerMetrics = await evaluate(`${ctx.registry.root}@${trained.version}`, holdout, work);
    const championMetrics = champion ? await evaluate(`${ctx.registry.root}@${champion.version}`, holdout, work) : null;
    const challengerScore = challengerMetrics[metric];
    const championScore = championMetrics ? championMetrics[metric] : null;
    const promote = championScore === null || !(challengerScore < championScore);
    if (promote) await ctx.registry.setAlias(CHAMPION, trained.version);
    const result: AgentRetrainResult = {
      status: promote ? 'promoted' : 'kept_champion',
      version: trained.version,
      metric,
      champion_version: champion?.version ?? null,
      champion_score: championScore,
      challenger_score: challengerScore,
      holdout_rows: split.test.length,
      train: { version: trained.version, metrics: trained.metrics, data: trained.data },
    };
    const now = ctx.now();
    await updateState(ctx.stateFile, (s) => {
      releaseClaim(s, claim, true);
      s.last_retrain_time = now.toISOString();
      s.total_retrains += 1;
      s.last_retrain = { ...result, train: undefined, timestamp: now.toISOString() };
    });
    await ctx.log.write('RETRAIN_SUCCESS', `v${trained.version} ${metric} ${challengerScore.toFixed(4)} vs champion ${championScore === null ? 'none' : `v${champion!.version} ${championScore.toFixed(4)}`} on ${split.test.length} holdout rows: ${promote ? 'promoted to champion' : 'champion kept'}`, { version: trained.version, metric, challenger_score: challengerScore, champion_score: championScore, champion_version: champion?.version ?? null, promoted: promote }, now);
    if (options.record !== false) {
      const run = await trainingRun(trained, EXPERIMENTS.retraining, now);
      run.metrics!.push({ key: `holdout_challenger_${metric}`, value: challengerScore, timestamp: now.getTime(), step: 0 });
      if (championScore !== null) run.metrics!.push({ key: `holdout_champion_${metric}`, value: championScore, timestamp: now.getTime(), step: 0 });
      run.tags = { ...run.tags, 'driftcatcher.command': 'agent retrain', promoted: String(promote), champion_version: String(champion?.version ?? '') };
      if (promote && run.models?.[0]) run.models[0].aliases = [...(run.models[0].aliases ?? []), CHAMPION];
      await recordRun(run, { ...options.tracking, experiment: options.tracking?.experiment });
    }
    return result;
  } catch (err) {
    await ctx.log.write('RETRAIN_FAILED', `retrain failed: ${(err as Error).message}`, {}, ctx.now());
    // a failed retrain does not start the cooldown (unless another retrain has finished since)
    await updateState(ctx.stateFile, (s) => void releaseClaim(s, claim));
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function evaluate(model: string, holdout: string, work: string): Promise<ClassificationMetrics> {
  const predicted = await predictFile({ model, data: holdout, out: join(work, `pred-${basename(model).replace(/[^\w.-]/g, '_')}.csv`) });
  if (!predicted.metrics) throw new ModelError('the holdout has no labels', { file: holdout });
  return predicted.metrics;
}

async function writeDatasetCsv(data: Dataset, labelName: string, negative: string, file: string): Promise<void> {
  const lines = [[...data.featureNames, labelName].join(',')];
  for (let r = 0; r < data.rows; r++) {
    const cells = data.columns.map((c) => String(c[r]));
    cells.push(data.labels[r] === 1 ? 'ATTACK' : negative);
    lines.push(cells.join(','));
  }
  await writeFileAtomic(file, lines.join('\n') + '\n');
}

export interface AgentStatus {
  state_file: string;
  log_dir: string;
  total_checks: number;
  total_alerts: number;
  total_retrains: number;
  last_alert_time: string | null;
  /** the last retrain (a running one's start; a dead one's claim does not count) */
  last_retrain_time: string | null;
  /** hours until an alert / a retrain may happen again (0: now) */
  alert_cooldown_left_hours: number;
  retrain_cooldown_left_hours: number;
  /** the retrain running now; `alive: false` when its process is gone (the next check gives its slot back) */
  retrain_running: { pid: number; since: string; alive: boolean } | null;
  champion: { name: string; version: number; alias: string } | null;
  /**
   * The last overall PSIs against the current baseline (the serving version's profile), oldest
   * first, and their direction; results measured against other baselines (before a retrain) are
   * left out, because PSIs against different baselines do not compare.
   */
  trend: { recent: number[]; direction: 'rising' | 'falling' | 'flat' | 'unknown'; model_version: number | null; baseline_id: string | null; other_baselines: number };
  recent_results: DriftResult[];
}

/** Up or down by at least this much (mean of the newer half minus mean of the older half) is a direction. */
const TREND_FLAT = 0.01;

export async function agentStatus(options: AgentOptions = {}): Promise<AgentStatus> {
  const ctx = context(options);
  const state = await readState(ctx.stateFile);
  const now = ctx.now().getTime();
  const left = (last: string | null, ms: number) => (last === null ? 0 : Math.max(0, (Date.parse(last) + ms - now) / HOUR));
  const serving = await servingVersion(ctx.registry).catch(() => null);
  const claim = state.retrain_claim ?? null;
  const dead = deadClaim(state);
  const lastRetrain = dead && state.last_retrain_time === dead.since ? dead.previous_retrain_time : state.last_retrain_time;
  // compare like with like: only the results against the current baseline
  const last = state.drift_results[state.drift_results.length - 1];
  const version = serving?.version.version ?? last?.model_version ?? null;
  const baselineId = serving ? await loadProfile(join(ctx.registry.folderOf(serving.version), 'profile.json')).then((p) => p.id, () => null) : (last?.baseline_id ?? null);
  const sameBaseline = (r: DriftResult) => r.model_version === version && (baselineId === null || r.baseline_id === undefined || r.baseline_id === baselineId);
  const current = state.drift_results.filter(sameBaseline);
  const recent = current.slice(-10).map((r) => r.overall_psi);
  let direction: AgentStatus['trend']['direction'] = 'unknown';
  if (recent.length >= 2) {
    const half = Math.floor(recent.length / 2);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const change = mean(recent.slice(half)) - mean(recent.slice(0, half));
    direction = Math.abs(change) < TREND_FLAT ? 'flat' : change > 0 ? 'rising' : 'falling';
  }
  return {
    state_file: ctx.stateFile,
    log_dir: ctx.dir,
    total_checks: state.total_checks,
    total_alerts: state.total_alerts,
    total_retrains: state.total_retrains,
    last_alert_time: state.last_alert_time,
    last_retrain_time: lastRetrain,
    alert_cooldown_left_hours: left(state.last_alert_time, ctx.alertCooldownMs),
    retrain_cooldown_left_hours: left(lastRetrain, ctx.minRetrainMs),
    retrain_running: claim ? { pid: claim.pid, since: claim.since, alive: !dead } : null,
    champion: serving ? { name: ctx.registry.name, version: serving.version.version, alias: serving.alias } : null,
    trend: { recent, direction, model_version: version, baseline_id: baselineId, other_baselines: state.drift_results.length - current.length },
    recent_results: state.drift_results.slice(-10),
  };
}
