/**
 * The retrain slot: the state's `retrain_claim` (pid, host, time), held from the decision to
 * retrain to the retrain's end. A claim whose process is gone (kill -9, OOM killer, power loss on
 * this host) expires: the next `check` or `retrain` gives the slot back (no cooldown), logs
 * RETRAIN_FAILED for it, and removes what dead retrains left (work folders, temp files, reserved
 * but never registered model versions) before doing its own work.
 */
import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ownerGone, ownerRecord, readOwner, removeDeadTemps } from '../util/index.js';
import type { AgentContext } from './context.js';
import type { DecisionState } from './decide.js';
import { deadClaim, readState, releaseClaim, updateState, type AgentState, type RetrainClaim } from './state.js';

/** In a retrain's work folder: the owner record of the retraining process. */
export const WORK_OWNER = '.owner';
/** A work folder without an owner record (from an older driftcatcher, or a kill right after mkdir) is removed after this long. */
const UNOWNED_WORK_MS = 10 * 60_000;

/** What decide() sees of a state: its process liveness probed here, so that decide stays pure. */
export function decisionState(s: AgentState): DecisionState {
  const claim = s.retrain_claim ?? null;
  return {
    last_alert_time: s.last_alert_time,
    last_retrain_time: s.last_retrain_time,
    retrain_claim: claim ? { pid: claim.pid, since: claim.since, previous_retrain_time: claim.previous_retrain_time, alive: !ownerGone(claim) } : null,
  };
}

/** Claim the retrain slot for this process (under the state lock): the cooldown starts now, given back if the retrain does not finish. */
export function claimRetrain(dir: string, s: AgentState, now: Date): RetrainClaim {
  const claim: RetrainClaim = { ...ownerRecord(now), previous_retrain_time: s.last_retrain_time, work_dir: join(dir, 'retrain', `${now.getTime()}-${process.pid}`) };
  s.retrain_claim = claim;
  s.last_retrain_time = claim.since;
  return claim;
}

/** Under the state lock: a claim whose process is gone is given back; returns it (to be logged) or null. */
export function expireDeadClaim(s: AgentState): RetrainClaim | null {
  const dead = deadClaim(s);
  return dead ? releaseClaim(s, dead) : null;
}

export async function logAbandoned(ctx: AgentContext, claim: RetrainClaim): Promise<void> {
  await ctx.log.write('RETRAIN_FAILED', `the retrain started at ${claim.since} by pid ${claim.pid} did not finish (process gone); retrain slot given back (last retrain ${claim.previous_retrain_time ?? 'never'})`, { reason: 'process gone', pid: claim.pid, started: claim.since, last_retrain_time: claim.previous_retrain_time }, ctx.now());
}

/**
 * Before acting: expire the claim of a dead retrain (logged as RETRAIN_FAILED) and remove what
 * dead retrains left: their work folders under `<state>/retrain/`, temp files of the state
 * folder, reserved model versions never registered.
 */
export async function recoverAbandoned(ctx: AgentContext): Promise<void> {
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
