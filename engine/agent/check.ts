/**
 * `agent check`: check drift -> decide -> apply. The batch is checked against the serving
 * version's baseline; decide.ts chooses what to do under the state lock, on the state just read
 * (so two agents at once never both alert or both retrain); apply.ts records it, logs it and
 * alerts or retrains.
 */
import { basename, join } from 'node:path';
import { checkDrift, type DriftReport } from '../drift/index.js';
import { loadProfile, type Profile } from '../profile/index.js';
import { compactLocal, recordDriftCheck, renderDriftHtml } from '../report/index.js';
import { writeFileAtomic } from '../util/index.js';
import { loggedModelOf, resolveTracking } from '../tracking/index.js';
import { applyDecision, checkLine, driftResult, recordDecision, type CheckedModel } from './apply.js';
import type { AlertOutcome, AlertReport } from './alerts.js';
import { agentContext, profileFileOf, servingVersion } from './context.js';
import { decide, type TakenAction } from './decide.js';
import type { AgentOptions } from './options.js';
import type { AgentRetrainResult } from './retrain.js';
import { decisionState, logAbandoned, recoverAbandoned } from './slot.js';
import { releaseClaim, updateState, type AgentState } from './state.js';

export interface AgentCheckResult {
  file: string;
  action: DriftReport['action'];
  taken: TakenAction;
  /** the drift method (the report's `settings.method`) and its overall score */
  method: string;
  overall_score: number;
  /** compatibility: the overall PSI, present only when PSI is the method */
  overall_psi?: number;
  n_drifted_features: number;
  model: CheckedModel;
  alert?: AlertOutcome;
  retrain?: AgentRetrainResult;
  /** the report's small-sample warning: the batch is too small for the verdict to mean anything */
  small_sample: DriftReport['small_sample'];
  report: DriftReport;
  /** the HTML report's file (with `reportDir`) */
  report_html?: string;
  state: Pick<AgentState, 'total_checks' | 'total_alerts' | 'total_retrains' | 'last_alert_time' | 'last_retrain_time'>;
}

/** Errors `agentCheck` has already written to the daily log as ERROR (callers need not log them again). */
const loggedErrors = new WeakSet<object>();
export function errorWasLogged(err: unknown): boolean {
  return typeof err === 'object' && err !== null && loggedErrors.has(err);
}

function counts(state: AgentState): AgentCheckResult['state'] {
  return { total_checks: state.total_checks, total_alerts: state.total_alerts, total_retrains: state.total_retrains, last_alert_time: state.last_alert_time, last_retrain_time: state.last_retrain_time };
}

/**
 * A batch that is not a data file (a window of a --from source: watch-source.ts): how to check it
 * against the serving baseline, and the name its HTML report file starts with.
 */
export interface AgentBatch {
  check(profile: Profile): Promise<DriftReport>;
  reportName: string;
}

/** Check `file` (with `batch`: the batch it names, e.g. a source's window) and act on the verdict. */
export async function agentCheck(file: string, options: AgentOptions = {}, batch?: AgentBatch): Promise<AgentCheckResult> {
  const ctx = agentContext(options);
  const { resolved } = ctx;
  await recoverAbandoned(ctx);
  const serving = await servingVersion(ctx.registry);
  const model: CheckedModel = { name: ctx.registry.name, version: serving.version.version, alias: serving.alias };
  await ctx.log.write('CHECK_START', `checking ${basename(file)} against ${model.name} v${model.version} (${serving.alias}${serving.alias === 'champion' ? '' : ': no champion yet'})`, { file, model_version: model.version, baseline_alias: serving.alias }, ctx.now());

  // check drift
  const checkStarted = Date.now();
  let report: DriftReport;
  let profile: Awaited<ReturnType<typeof loadProfile>>;
  try {
    profile = await loadProfile(profileFileOf(ctx.registry, serving.version));
    report = batch ? await batch.check(profile) : await checkDrift(profile, file, options.drift);
  } catch (err) {
    await ctx.log.write('ERROR', `check of ${basename(file)} failed: ${(err as Error).message}`, { file }, ctx.now());
    if (typeof err === 'object' && err !== null) loggedErrors.add(err);
    await updateState(ctx.stateFile, (s) => void (s.total_checks += 1));
    throw err;
  }

  // decide, and record the decision, under the lock
  const now = ctx.now();
  const policy = { minRetrainMs: resolved.minRetrainMs, alertCooldownMs: resolved.alertCooldownMs, canRetrain: resolved.canRetrain };
  const { state, result: recorded } = await updateState(ctx.stateFile, (s) => {
    s.total_checks += 1;
    const decision = decide(decisionState(s), report, now, policy);
    return recordDecision(ctx, s, decision, driftResult(report, file, decision.taken, model.version, now), now);
  });

  // apply it
  let retrainStarted = false;
  try {
    if (recorded.expired) await logAbandoned(ctx, recorded.expired);
    const { taken } = recorded.decision;
    const isPsi = report.settings.method === 'psi';
    await ctx.log.write('CHECK_OK', checkLine(file, report, taken), { file, action: report.action, taken, method: report.settings.method, overall_score: report.overall_score, ...(isPsi ? { overall_psi: report.overall_score } : {}), n_drifted_features: report.n_drifted_features, model_version: model.version, small_sample: report.small_sample?.message ?? null }, ctx.now());
    // the HTML report (with --report-dir): a file beside the others, an artifact of the run, named in the alert
    let html: { text: string; ref: AlertReport } | undefined;
    if (resolved.reportDir) {
      const reportFile = join(resolved.reportDir, `${batch?.reportName ?? basename(file)}.${compactLocal(now)}.html`);
      const text = await renderDriftHtml(report, { profile, now, title: `driftcatcher agent check: ${basename(file)} against ${model.name} v${model.version}` });
      await writeFileAtomic(reportFile, text);
      html = { text, ref: { file: reportFile } };
    }
    if (resolved.record) {
      // the run names the model it checked, and MLflow links it to the logged model when that is known
      const loggedModelId = await loggedModelOf(resolveTracking(options.tracking).ledgerDir, model.name, model.version).catch(() => undefined);
      const outcome = await recordDriftCheck(report, { ...options.tracking, now, seconds: (Date.now() - checkStarted) / 1000, model: { ...model, ...(loggedModelId ? { loggedModelId } : {}) }, html: html?.text });
      const url = outcome.runs[0]?.url;
      if (html && url) html.ref.url = url;
    }
    const result: AgentCheckResult = { file, action: report.action, taken, method: report.settings.method, overall_score: report.overall_score, ...(isPsi ? { overall_psi: report.overall_score } : {}), n_drifted_features: report.n_drifted_features, model, small_sample: report.small_sample, report, state: counts(state) };
    retrainStarted = taken === 'retrain';
    return { ...result, ...(html ? { report_html: html.ref.file } : {}), ...(await applyDecision(ctx, recorded, report, model, state, html?.ref)) };
  } catch (err) {
    // the check failed after claiming the slot but before the retrain began: give it back
    const claim = recorded.claim;
    if (claim && !retrainStarted) await updateState(ctx.stateFile, (s) => void releaseClaim(s, claim));
    throw err;
  }
}
