/**
 * The agent's decision as a table: every verdict x the alert cooldown (open / held) x the retrain
 * cooldown (open / held) x labelled data configured or not x the retrain claim (none / live /
 * dead), each row with the action, the cooldown that held it back, why a retrain verdict did not
 * retrain, and the state changes asked for. Then the edges (exact cooldown ends, never alerted,
 * a dead claim after a finished retrain), `agent retrain`'s own table, and purity.
 */
import { describe, expect, it } from 'vitest';
import { decide, decideRetrain, type AgentDecision, type DecisionState } from '../../../engine/agent/index.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const HOUR = 3_600_000;
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR).toISOString();
const POLICY = { minRetrainMs: 24 * HOUR, alertCooldownMs: 6 * HOUR };

type Verdict = 'wait' | 'alert' | 'retrain';
type Window = 'open' | 'held';
type Claim = 'none' | 'live' | 'dead';
type Held = '-' | 'data' | 'running' | 'cooldown';

/** open: the last one is outside the cooldown (7 h ago for alerts, 30 h for retrains); held: inside it (2 h, 3 h). */
const LAST_ALERT: Record<Window, string> = { open: ago(7), held: ago(2) };
const LAST_RETRAIN: Record<Window, string> = { open: ago(30), held: ago(3) };
const CLAIM_SINCE = ago(1);

/**
 * The state of a row: with a claim, `last_retrain_time` is the claim's start (the claim started
 * the cooldown) and the row's retrain window is the retrain before it.
 */
function stateOf(alert: Window, retrain: Window, claim: Claim): DecisionState {
  if (claim === 'none') return { last_alert_time: LAST_ALERT[alert], last_retrain_time: LAST_RETRAIN[retrain], retrain_claim: null };
  return { last_alert_time: LAST_ALERT[alert], last_retrain_time: CLAIM_SINCE, retrain_claim: { pid: 4242, since: CLAIM_SINCE, previous_retrain_time: LAST_RETRAIN[retrain], alive: claim === 'live' } };
}

// verdict   alert   retrain data   claim  -> taken       cooldown   retrain held  record: expire alert claim
type Row = [Verdict, Window, Window, boolean, Claim, AgentDecision['taken'], '-' | 'alert' | 'retrain', Held, boolean, boolean, boolean];
const TABLE: Row[] = [
  // wait: nothing, whatever the state; a dead claim is given back all the same
  ['wait', 'open', 'open', true, 'none', 'none', '-', '-', false, false, false],
  ['wait', 'open', 'open', true, 'live', 'none', '-', '-', false, false, false],
  ['wait', 'open', 'open', true, 'dead', 'none', '-', '-', true, false, false],
  ['wait', 'open', 'open', false, 'none', 'none', '-', '-', false, false, false],
  ['wait', 'open', 'open', false, 'live', 'none', '-', '-', false, false, false],
  ['wait', 'open', 'open', false, 'dead', 'none', '-', '-', true, false, false],
  ['wait', 'open', 'held', true, 'none', 'none', '-', '-', false, false, false],
  ['wait', 'open', 'held', true, 'live', 'none', '-', '-', false, false, false],
  ['wait', 'open', 'held', true, 'dead', 'none', '-', '-', true, false, false],
  ['wait', 'open', 'held', false, 'none', 'none', '-', '-', false, false, false],
  ['wait', 'open', 'held', false, 'live', 'none', '-', '-', false, false, false],
  ['wait', 'open', 'held', false, 'dead', 'none', '-', '-', true, false, false],
  ['wait', 'held', 'open', true, 'none', 'none', '-', '-', false, false, false],
  ['wait', 'held', 'open', true, 'live', 'none', '-', '-', false, false, false],
  ['wait', 'held', 'open', true, 'dead', 'none', '-', '-', true, false, false],
  ['wait', 'held', 'open', false, 'none', 'none', '-', '-', false, false, false],
  ['wait', 'held', 'open', false, 'live', 'none', '-', '-', false, false, false],
  ['wait', 'held', 'open', false, 'dead', 'none', '-', '-', true, false, false],
  ['wait', 'held', 'held', true, 'none', 'none', '-', '-', false, false, false],
  ['wait', 'held', 'held', true, 'live', 'none', '-', '-', false, false, false],
  ['wait', 'held', 'held', true, 'dead', 'none', '-', '-', true, false, false],
  ['wait', 'held', 'held', false, 'none', 'none', '-', '-', false, false, false],
  ['wait', 'held', 'held', false, 'live', 'none', '-', '-', false, false, false],
  ['wait', 'held', 'held', false, 'dead', 'none', '-', '-', true, false, false],
  // alert: alert outside the alert cooldown, else cooldown; the retrain side plays no part
  ['alert', 'open', 'open', true, 'none', 'alert', '-', '-', false, true, false],
  ['alert', 'open', 'open', true, 'live', 'alert', '-', '-', false, true, false],
  ['alert', 'open', 'open', true, 'dead', 'alert', '-', '-', true, true, false],
  ['alert', 'open', 'open', false, 'none', 'alert', '-', '-', false, true, false],
  ['alert', 'open', 'open', false, 'live', 'alert', '-', '-', false, true, false],
  ['alert', 'open', 'open', false, 'dead', 'alert', '-', '-', true, true, false],
  ['alert', 'open', 'held', true, 'none', 'alert', '-', '-', false, true, false],
  ['alert', 'open', 'held', true, 'live', 'alert', '-', '-', false, true, false],
  ['alert', 'open', 'held', true, 'dead', 'alert', '-', '-', true, true, false],
  ['alert', 'open', 'held', false, 'none', 'alert', '-', '-', false, true, false],
  ['alert', 'open', 'held', false, 'live', 'alert', '-', '-', false, true, false],
  ['alert', 'open', 'held', false, 'dead', 'alert', '-', '-', true, true, false],
  ['alert', 'held', 'open', true, 'none', 'cooldown', 'alert', '-', false, false, false],
  ['alert', 'held', 'open', true, 'live', 'cooldown', 'alert', '-', false, false, false],
  ['alert', 'held', 'open', true, 'dead', 'cooldown', 'alert', '-', true, false, false],
  ['alert', 'held', 'open', false, 'none', 'cooldown', 'alert', '-', false, false, false],
  ['alert', 'held', 'open', false, 'live', 'cooldown', 'alert', '-', false, false, false],
  ['alert', 'held', 'open', false, 'dead', 'cooldown', 'alert', '-', true, false, false],
  ['alert', 'held', 'held', true, 'none', 'cooldown', 'alert', '-', false, false, false],
  ['alert', 'held', 'held', true, 'live', 'cooldown', 'alert', '-', false, false, false],
  ['alert', 'held', 'held', true, 'dead', 'cooldown', 'alert', '-', true, false, false],
  ['alert', 'held', 'held', false, 'none', 'cooldown', 'alert', '-', false, false, false],
  ['alert', 'held', 'held', false, 'live', 'cooldown', 'alert', '-', false, false, false],
  ['alert', 'held', 'held', false, 'dead', 'cooldown', 'alert', '-', true, false, false],
  // retrain: retrains with labelled data, no live retrain and outside the retrain cooldown (a dead
  // claim's cooldown is the retrain before it); otherwise it alerts (or cools down) instead
  ['retrain', 'open', 'open', true, 'none', 'retrain', '-', '-', false, false, true],
  ['retrain', 'open', 'open', true, 'live', 'alert', '-', 'running', false, true, false],
  ['retrain', 'open', 'open', true, 'dead', 'retrain', '-', '-', true, false, true],
  ['retrain', 'open', 'open', false, 'none', 'alert', '-', 'data', false, true, false],
  ['retrain', 'open', 'open', false, 'live', 'alert', '-', 'data', false, true, false],
  ['retrain', 'open', 'open', false, 'dead', 'alert', '-', 'data', true, true, false],
  ['retrain', 'open', 'held', true, 'none', 'alert', '-', 'cooldown', false, true, false],
  ['retrain', 'open', 'held', true, 'live', 'alert', '-', 'running', false, true, false],
  ['retrain', 'open', 'held', true, 'dead', 'alert', '-', 'cooldown', true, true, false],
  ['retrain', 'open', 'held', false, 'none', 'alert', '-', 'data', false, true, false],
  ['retrain', 'open', 'held', false, 'live', 'alert', '-', 'data', false, true, false],
  ['retrain', 'open', 'held', false, 'dead', 'alert', '-', 'data', true, true, false],
  ['retrain', 'held', 'open', true, 'none', 'retrain', '-', '-', false, false, true],
  ['retrain', 'held', 'open', true, 'live', 'cooldown', 'retrain', 'running', false, false, false],
  ['retrain', 'held', 'open', true, 'dead', 'retrain', '-', '-', true, false, true],
  ['retrain', 'held', 'open', false, 'none', 'cooldown', 'alert', 'data', false, false, false],
  ['retrain', 'held', 'open', false, 'live', 'cooldown', 'alert', 'data', false, false, false],
  ['retrain', 'held', 'open', false, 'dead', 'cooldown', 'alert', 'data', true, false, false],
  ['retrain', 'held', 'held', true, 'none', 'cooldown', 'retrain', 'cooldown', false, false, false],
  ['retrain', 'held', 'held', true, 'live', 'cooldown', 'retrain', 'running', false, false, false],
  ['retrain', 'held', 'held', true, 'dead', 'cooldown', 'retrain', 'cooldown', true, false, false],
  ['retrain', 'held', 'held', false, 'none', 'cooldown', 'alert', 'data', false, false, false],
  ['retrain', 'held', 'held', false, 'live', 'cooldown', 'alert', 'data', false, false, false],
  ['retrain', 'held', 'held', false, 'dead', 'cooldown', 'alert', 'data', true, false, false],
];

const HELD_REASON = { data: 'no_labelled_data', running: 'running', cooldown: 'cooldown' } as const;

describe('decide: the table', () => {
  it('has one row for every verdict x alert cooldown x retrain cooldown x labelled data x claim', () => {
    const keys = TABLE.map((r) => r.slice(0, 5).join(' '));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(3 * 2 * 2 * 2 * 3);
  });

  it.each(TABLE)('%s, alert %s, retrain %s, data %s, claim %s -> %s (cooldown %s, retrain held: %s)', (verdict, alert, retrain, data, claim, taken, cooldown, held, expire, alertRecord, claimRecord) => {
    const decision = decide(stateOf(alert, retrain, claim), { action: verdict }, NOW, { ...POLICY, canRetrain: data });
    expect(decision.taken).toBe(taken);
    expect(decision.cooldown).toBe(cooldown === '-' ? null : cooldown);
    expect(decision.retrain_held?.reason ?? '-').toBe(held === '-' ? '-' : HELD_REASON[held]);
    expect(decision.record).toEqual({ expire_claim: expire, alert: alertRecord, claim_retrain: claimRecord });
    // the alert cooldown is named exactly when it suppressed the alert
    expect(decision.alert_held).toEqual(taken === 'cooldown' ? { last_alert_time: LAST_ALERT[alert], until: new Date(Date.parse(LAST_ALERT[alert]) + 6 * HOUR).toISOString() } : null);
  });
});

describe('decide: the edges', () => {
  const policy = { ...POLICY, canRetrain: true };
  const quiet: DecisionState = { last_alert_time: null, last_retrain_time: null, retrain_claim: null };

  it('never alerted and never retrained: both cooldowns are open', () => {
    expect(decide(quiet, { action: 'alert' }, NOW, policy).taken).toBe('alert');
    expect(decide(quiet, { action: 'retrain' }, NOW, policy).taken).toBe('retrain');
  });

  it('a cooldown ends exactly its length after it started; a millisecond before, it still holds', () => {
    const at = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
    expect(decide({ ...quiet, last_alert_time: at(6 * HOUR) }, { action: 'alert' }, NOW, policy).taken).toBe('alert');
    expect(decide({ ...quiet, last_alert_time: at(6 * HOUR - 1) }, { action: 'alert' }, NOW, policy).taken).toBe('cooldown');
    expect(decide({ ...quiet, last_retrain_time: at(24 * HOUR) }, { action: 'retrain' }, NOW, policy).taken).toBe('retrain');
    const held = decide({ ...quiet, last_retrain_time: at(24 * HOUR - 1) }, { action: 'retrain' }, NOW, policy);
    expect(held.taken).toBe('alert');
    expect(held.retrain_held).toEqual({ reason: 'cooldown', last_retrain_time: at(24 * HOUR - 1), until: new Date(NOW.getTime() + 1).toISOString() });
  });

  it('zero-hour cooldowns never hold', () => {
    const zero = { minRetrainMs: 0, alertCooldownMs: 0, canRetrain: true };
    const state: DecisionState = { last_alert_time: NOW.toISOString(), last_retrain_time: NOW.toISOString(), retrain_claim: null };
    expect(decide(state, { action: 'retrain' }, NOW, zero).taken).toBe('retrain');
    expect(decide(state, { action: 'alert' }, NOW, zero).taken).toBe('alert');
  });

  it('a live claim holds the retrain whatever the cooldown says, and names the running retrain', () => {
    const state: DecisionState = { last_alert_time: null, last_retrain_time: ago(40), retrain_claim: { pid: 77, since: ago(40), previous_retrain_time: null, alive: true } };
    const decision = decide(state, { action: 'retrain' }, NOW, policy);
    expect(decision).toMatchObject({ taken: 'alert', retrain_held: { reason: 'running', pid: 77, since: ago(40) }, record: { expire_claim: false, alert: true, claim_retrain: false } });
  });

  it('a dead claim after which a retrain finished: the finished retrain\'s cooldown holds', () => {
    // the claim started 10 h ago and died; another retrain finished 2 h ago
    const state: DecisionState = { last_alert_time: null, last_retrain_time: ago(2), retrain_claim: { pid: 9, since: ago(10), previous_retrain_time: ago(50), alive: false } };
    const decision = decide(state, { action: 'retrain' }, NOW, policy);
    expect(decision).toMatchObject({ taken: 'alert', retrain_held: { reason: 'cooldown', last_retrain_time: ago(2) }, record: { expire_claim: true, alert: true, claim_retrain: false } });
  });

  it('is pure: the same input gives the same decision and the input is not changed', () => {
    const state = stateOf('held', 'open', 'dead');
    const frozen = JSON.parse(JSON.stringify(state)) as DecisionState;
    const deepFreeze = <T extends object>(o: T): T => {
      for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v as object);
      return Object.freeze(o);
    };
    const first = decide(deepFreeze(state), { action: 'retrain' }, NOW, policy);
    expect(decide(state, { action: 'retrain' }, new Date(NOW), policy)).toEqual(first);
    expect(state).toEqual(frozen);
  });
});

describe('decideRetrain (agent retrain): the table', () => {
  // claim  retrain  force -> taken      record: expire claim
  const ROWS: Array<[Claim, Window, boolean, 'retrain' | 'busy' | 'cooldown', boolean, boolean]> = [
    ['none', 'open', false, 'retrain', false, true],
    ['none', 'open', true, 'retrain', false, true],
    ['none', 'held', false, 'cooldown', false, false],
    ['none', 'held', true, 'retrain', false, true],
    ['live', 'open', false, 'busy', false, false],
    ['live', 'open', true, 'busy', false, false],
    ['live', 'held', false, 'busy', false, false],
    ['live', 'held', true, 'busy', false, false],
    ['dead', 'open', false, 'retrain', true, true],
    ['dead', 'open', true, 'retrain', true, true],
    ['dead', 'held', false, 'cooldown', true, false],
    ['dead', 'held', true, 'retrain', true, true],
  ];
  it.each(ROWS)('claim %s, retrain %s, force %s -> %s', (claim, retrain, force, taken, expire, claimRecord) => {
    const decision = decideRetrain(stateOf('open', retrain, claim), NOW, { minRetrainMs: POLICY.minRetrainMs, force });
    expect(decision.taken).toBe(taken);
    expect(decision.record).toEqual({ expire_claim: expire, claim_retrain: claimRecord });
    expect(decision.running).toEqual(taken === 'busy' ? { pid: 4242, since: CLAIM_SINCE } : null);
    expect(decision.cooldown).toEqual(taken === 'cooldown' ? { last_retrain_time: LAST_RETRAIN[retrain], until: new Date(Date.parse(LAST_RETRAIN[retrain]) + 24 * HOUR).toISOString() } : null);
  });
});
