/**
 * recordDecision: the state changes a decision asks for, made on the state it was decided on
 * (the alert cooldown and count, the retrain claim that starts the retrain cooldown, a dead
 * claim given back with the cooldown before it, the drift result appended).
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decide, emptyState, type AgentState, type DriftResult } from '../../../engine/agent/index.js';
import { recordDecision } from '../../../engine/agent/apply.js';
import { decisionState } from '../../../engine/agent/slot.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const HOUR = 3_600_000;
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR).toISOString();
const policy = { minRetrainMs: 24 * HOUR, alertCooldownMs: 6 * HOUR, canRetrain: true };
const dir = '/srv/agent';
const result = (taken: DriftResult['taken']): DriftResult => ({ timestamp: NOW.toISOString(), file: 'b.csv', method: 'psi', overall_score: 0.4, n_drifted_features: 9, action: 'retrain', taken, model_version: 1, baseline_id: 'x' });

/** decide on the state, then record: what a check does under the lock. */
function step(s: AgentState, action: 'wait' | 'alert' | 'retrain') {
  const decision = decide(decisionState(s), { action }, NOW, policy);
  return recordDecision({ dir }, s, decision, result(decision.taken), NOW);
}

describe('recordDecision', () => {
  it('an alert starts the alert cooldown and counts; the result is appended with what was taken', () => {
    const s = { ...emptyState(), last_alert_time: ago(8), last_retrain_time: ago(2) };
    const recorded = step(s, 'retrain');
    expect(recorded.decision.taken).toBe('alert');
    expect(recorded).toMatchObject({ expired: null, claim: null });
    expect(s).toMatchObject({ last_alert_time: NOW.toISOString(), total_alerts: 1, last_retrain_time: ago(2) });
    expect(s.retrain_claim ?? null).toBeNull();
    expect(s.drift_results.map((r) => r.taken)).toEqual(['alert']);
  });

  it('a retrain claims the slot for this process: the retrain cooldown starts now, the one before is kept to give back', () => {
    const s = { ...emptyState(), last_retrain_time: ago(30) };
    const recorded = step(s, 'retrain');
    expect(recorded.decision.taken).toBe('retrain');
    expect(recorded.claim).toMatchObject({ pid: process.pid, since: NOW.toISOString(), previous_retrain_time: ago(30), work_dir: join(dir, 'retrain', `${NOW.getTime()}-${process.pid}`) });
    expect(s.retrain_claim).toEqual(recorded.claim);
    expect(s.last_retrain_time).toBe(NOW.toISOString());
    expect(s.total_alerts).toBe(0);
    // a second check now sees the live claim: another retrain is running
    expect(step(s, 'retrain').decision).toMatchObject({ taken: 'alert', retrain_held: { reason: 'running', pid: process.pid } });
  });

  it('a dead claim is given back: no claim, and the retrain cooldown is the one before it, so this check retrains', () => {
    // a pid above Linux's largest pid_max (2^22): no such process on this host
    const dead = { pid: 4_206_649, host: hostname(), since: ago(1), previous_retrain_time: ago(30), work_dir: join(dir, 'retrain', 'dead') };
    const s: AgentState = { ...emptyState(), last_retrain_time: dead.since, retrain_claim: dead };
    const recorded = step(s, 'retrain');
    expect(recorded.decision).toMatchObject({ taken: 'retrain', record: { expire_claim: true, claim_retrain: true } });
    expect(recorded.expired).toEqual(dead);
    expect(recorded.claim).toMatchObject({ pid: process.pid, previous_retrain_time: ago(30) });
    expect(s.retrain_claim).toEqual(recorded.claim);
  });
});
