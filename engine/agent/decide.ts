/**
 * What the agent does with a verdict, as a pure function: the state (cooldown times, the retrain
 * claim and whether its process is alive), the verdict, the time and the policy in; the action
 * and the state changes it asks for out. No file, clock or process is touched here: the caller
 * evaluates it under the state lock on the state it just read, and apply.ts carries it out.
 *
 *   verdict `retrain`, labelled data configured, no live retrain, outside the retrain cooldown
 *                                               -> retrain (claims the slot: the cooldown starts)
 *   verdict `retrain` otherwise, or `alert`     -> alert outside the alert cooldown, else cooldown
 *   verdict `wait`                              -> none
 *
 * A claim whose process is gone is given back first (its retrain never finished, so the retrain
 * cooldown is the one before it); a live claim means another retrain runs, whatever the cooldown.
 */
import type { Action } from '../drift/index.js';

export type TakenAction = 'none' | 'alert' | 'retrain' | 'cooldown';

/** What decide sees of the state. */
export interface DecisionState {
  last_alert_time: string | null;
  last_retrain_time: string | null;
  /** the retrain slot's holder, if any, and whether its process still runs */
  retrain_claim: { pid: number; since: string; previous_retrain_time: string | null; alive: boolean } | null;
}

/** What decide sees of the drift report. */
export interface DriftSummary {
  action: Action;
}

export interface AgentPolicy {
  minRetrainMs: number;
  alertCooldownMs: number;
  /** labelled data (and the base data) are configured: a `retrain` verdict can retrain */
  canRetrain: boolean;
}

/** Why a `retrain` verdict does not retrain, in the order they are looked at. */
export type RetrainHold =
  | { reason: 'no_labelled_data' }
  | { reason: 'running'; pid: number; since: string }
  | { reason: 'cooldown'; last_retrain_time: string; until: string };

export interface AgentDecision {
  taken: TakenAction;
  /**
   * `taken: 'cooldown'`: the cooldown that held the verdict back: `retrain` for a retrain verdict
   * that could retrain but not now (a running retrain or the retrain cooldown; its alert was in
   * the alert cooldown too), else `alert`. Null for any other action.
   */
  cooldown: 'alert' | 'retrain' | null;
  /** a `retrain` verdict that does not retrain: why (null for any other verdict, or when it retrains) */
  retrain_held: RetrainHold | null;
  /** `taken: 'cooldown'`: the alert cooldown that suppressed the alert */
  alert_held: { last_alert_time: string; until: string } | null;
  /** the state changes the decision asks for (apply.ts makes them under the same lock) */
  record: {
    /** give the dead retrain's claim back (and log RETRAIN_FAILED for it) */
    expire_claim: boolean;
    /** start the alert cooldown now and count the alert */
    alert: boolean;
    /** claim the retrain slot now, which starts the retrain cooldown */
    claim_retrain: boolean;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The end of a cooldown that started at `last`, when `now` is inside it; else null. */
function inside(last: string | null, now: Date, ms: number): string | null {
  if (last === null) return null;
  const started = Date.parse(last);
  return now.getTime() - started < ms ? iso(started + ms) : null;
}

/** The last retrain once a dead claim is given back: the one before the claim, unless a retrain finished since. */
function lastRetrain(state: DecisionState): string | null {
  const claim = state.retrain_claim;
  if (claim && !claim.alive && state.last_retrain_time === claim.since) return claim.previous_retrain_time;
  return state.last_retrain_time;
}

export function decide(state: DecisionState, report: DriftSummary, now: Date, policy: AgentPolicy): AgentDecision {
  const claim = state.retrain_claim;
  const expire = claim !== null && !claim.alive;
  const running = claim !== null && claim.alive ? claim : null;
  const retrainSince = lastRetrain(state);
  const decision = (taken: TakenAction, extra: Partial<Omit<AgentDecision, 'taken' | 'record'>> = {}, record: Partial<AgentDecision['record']> = {}): AgentDecision => ({
    taken,
    cooldown: null,
    retrain_held: null,
    alert_held: null,
    ...extra,
    record: { expire_claim: expire, alert: false, claim_retrain: false, ...record },
  });

  if (report.action === 'wait') return decision('none');

  let held: RetrainHold | null = null;
  if (report.action === 'retrain') {
    const cooldownEnd = inside(retrainSince, now, policy.minRetrainMs);
    if (!policy.canRetrain) held = { reason: 'no_labelled_data' };
    else if (running) held = { reason: 'running', pid: running.pid, since: running.since };
    else if (cooldownEnd !== null) held = { reason: 'cooldown', last_retrain_time: retrainSince!, until: cooldownEnd };
    else return decision('retrain', {}, { claim_retrain: true });
  }
  const alertEnd = inside(state.last_alert_time, now, policy.alertCooldownMs);
  if (alertEnd === null) return decision('alert', { retrain_held: held }, { alert: true });
  return decision('cooldown', {
    cooldown: held !== null && held.reason !== 'no_labelled_data' ? 'retrain' : 'alert',
    retrain_held: held,
    alert_held: { last_alert_time: state.last_alert_time!, until: alertEnd },
  });
}

export interface RetrainDecision {
  taken: 'retrain' | 'busy' | 'cooldown';
  /** `busy`: the retrain that holds the slot */
  running: { pid: number; since: string } | null;
  /** `cooldown`: the last retrain and when the cooldown ends */
  cooldown: { last_retrain_time: string; until: string } | null;
  record: { expire_claim: boolean; claim_retrain: boolean };
}

/** `agent retrain`: retrain unless another retrain runs, or inside the retrain cooldown (unless `force`). */
export function decideRetrain(state: DecisionState, now: Date, policy: Pick<AgentPolicy, 'minRetrainMs'> & { force: boolean }): RetrainDecision {
  const claim = state.retrain_claim;
  const expire_claim = claim !== null && !claim.alive;
  if (claim !== null && claim.alive) return { taken: 'busy', running: { pid: claim.pid, since: claim.since }, cooldown: null, record: { expire_claim, claim_retrain: false } };
  const since = lastRetrain(state);
  const cooldownEnd = policy.force ? null : inside(since, now, policy.minRetrainMs);
  if (cooldownEnd !== null) return { taken: 'cooldown', running: null, cooldown: { last_retrain_time: since!, until: cooldownEnd }, record: { expire_claim, claim_retrain: false } };
  return { taken: 'retrain', running: null, cooldown: null, record: { expire_claim, claim_retrain: true } };
}
