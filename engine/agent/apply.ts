/**
 * Carrying out a decision of decide.ts: `recordDecision` makes the state changes it asks for
 * (under the state lock, on the state decide saw), `applyDecision` does the rest: the log lines,
 * the alert, the retrain.
 */
import { basename } from 'node:path';
import type { DriftReport } from '../drift/index.js';
import { alertContent, overallText, sendAlert, type AlertOutcome, type AlertReport } from './alerts.js';
import type { AgentContext } from './context.js';
import type { AgentDecision, RetrainHold } from './decide.js';
import { runRetrain, type AgentRetrainResult } from './retrain.js';
import { claimRetrain } from './slot.js';
import { releaseClaim, type AgentState, type DriftResult, type RetrainClaim } from './state.js';

export interface CheckedModel {
  name: string;
  version: number;
  alias: string;
}

/** The claims a recorded decision made or gave back. */
export interface RecordedDecision {
  decision: AgentDecision;
  /** the dead retrain's claim given back (to be logged as RETRAIN_FAILED) */
  expired: RetrainClaim | null;
  /** the retrain slot claimed for this check's retrain */
  claim: RetrainClaim | null;
}

/** The drift result a check appends to the state: the method's overall score, never a PSI it did not compute. */
export function driftResult(report: DriftReport, file: string, taken: AgentDecision['taken'], modelVersion: number, now: Date): DriftResult {
  return { timestamp: now.toISOString(), file, method: report.settings.method, overall_score: report.overall_score, n_drifted_features: report.n_drifted_features, action: report.action, taken, model_version: modelVersion, baseline_id: report.baseline.id };
}

/** The state changes of `decision` (call under the state lock, on the state it was decided on). */
export function recordDecision(ctx: Pick<AgentContext, 'dir'>, s: AgentState, decision: AgentDecision, result: DriftResult, now: Date): RecordedDecision {
  const expired = decision.record.expire_claim && s.retrain_claim ? releaseClaim(s, s.retrain_claim) : null;
  if (decision.record.alert) {
    s.last_alert_time = now.toISOString();
    s.total_alerts += 1;
  }
  const claim = decision.record.claim_retrain ? claimRetrain(ctx.dir, s, now) : null;
  s.drift_results.push(result);
  return { decision, expired, claim };
}

export interface AppliedDecision {
  alert?: AlertOutcome;
  retrain?: AgentRetrainResult;
}

/**
 * The log lines, the alert and the retrain of a recorded decision. `state` is the state after
 * it was recorded. A failed alert or retrain is logged and does not fail the check.
 */
export async function applyDecision(ctx: AgentContext, recorded: RecordedDecision, report: DriftReport, model: CheckedModel, state: AgentState, html?: AlertReport): Promise<AppliedDecision> {
  const { decision } = recorded;
  const { resolved } = ctx;
  if (decision.taken === 'cooldown') {
    if (decision.retrain_held) await ctx.log.write('RETRAIN_COOLDOWN', `retrain not started: ${heldText(decision.retrain_held, ctx)}`, { last_retrain_time: state.last_retrain_time, reason: decision.retrain_held.reason }, ctx.now());
    await ctx.log.write('ALERT_COOLDOWN', `alert suppressed: last alert ${state.last_alert_time}, cooldown ${resolved.alertCooldownHours} h`, { last_alert_time: state.last_alert_time, action: report.action }, ctx.now());
    return {};
  }
  if (decision.taken === 'alert') {
    if (decision.retrain_held) await ctx.log.write('RETRAIN_COOLDOWN', `${decision.retrain_held.reason === 'no_labelled_data' ? 'retrain recommended but' : 'retrain not started:'} ${heldText(decision.retrain_held, ctx)}; alerting instead`, { reason: decision.retrain_held.reason }, ctx.now());
    return { alert: await alert(ctx, report, model, html) };
  }
  if (decision.taken === 'retrain' && recorded.claim) {
    try {
      return { retrain: await runRetrain(ctx, resolved.labeledData, recorded.claim) };
    } catch {
      // logged as RETRAIN_FAILED and the slot given back; the check itself succeeded
      return {};
    }
  }
  return {};
}

function heldText(held: RetrainHold, ctx: AgentContext): string {
  if (held.reason === 'no_labelled_data') return 'no labelled data configured (labeledData and baseData)';
  if (held.reason === 'running') return `another retrain is running (pid ${held.pid}, started ${held.since})`;
  return `last retrain ${held.last_retrain_time}, minimum ${ctx.resolved.minRetrainHours} h`;
}

async function alert(ctx: AgentContext, report: DriftReport, model: CheckedModel, html?: AlertReport): Promise<AlertOutcome> {
  const { alert: settings, webhookUrl } = ctx.resolved;
  const content = alertContent(report, model, ctx.now(), 5, html);
  const details = { verdict: content.verdict, method: content.method, overall_score: content.overall_score, ...(content.overall_psi !== undefined ? { overall_psi: content.overall_psi } : {}), threshold: content.threshold, top_drifted_features: content.top_drifted_features.map((f) => f.name), model_version: model.version, ...(html ? { report: html.file } : {}) };
  const overall = overallText(content);
  if (!webhookUrl) {
    await ctx.log.write('ALERT', `${report.action}: ${overall} (no webhook configured: logged only)`, { ...details, delivered: false, webhook: null }, ctx.now());
    return { delivered: false, attempts: 0, format: settings.format, error: 'no webhook configured' };
  }
  const outcome = await sendAlert(content, { url: webhookUrl, format: settings.format, retries: settings.retries, backoffMs: settings.backoffMs, timeoutMs: settings.timeoutMs });
  if (outcome.delivered) await ctx.log.write('ALERT', `${report.action}: ${overall}, alert sent (${outcome.format}, ${outcome.attempts} attempt(s))`, { ...details, delivered: true, attempts: outcome.attempts, webhook: '<redacted>' }, ctx.now());
  else await ctx.log.write('ERROR', `alert not delivered after ${outcome.attempts} attempt(s): ${outcome.error} (webhook <redacted>)`, { ...details, delivered: false, attempts: outcome.attempts, status: outcome.status ?? null, webhook: '<redacted>' }, ctx.now());
  return outcome;
}

/** The CHECK_OK line of a check. */
export function checkLine(file: string, report: DriftReport, taken: AgentDecision['taken']): string {
  return `${basename(file)}: ${report.action} (overall ${report.settings.method} ${report.overall_score.toFixed(4)}, ${report.n_drifted_features}/${report.total_features} drifted) -> ${taken}${report.small_sample ? ` (warning: ${report.small_sample.message})` : ''}`;
}
