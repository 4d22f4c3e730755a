/**
 * The agent's state file (`agent_state.json`): cooldown times, counts, the last 100 drift results
 * and the files `agent watch` has checked. Every change is a read-modify-write under a lock file
 * (`agent_state.json.lock`, created with O_EXCL), written to a temp file and renamed, so two agents
 * at once (overlapping cron runs) never lose a count and readers never see half a file. A lock
 * whose owner died (its pid is gone on this host, or it is older than `staleMs`) is broken.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DriftCatcherError } from '../util/index.js';
import { ownerGone, withLock, type LockOptions, type Owner } from '../util/index.js';
import { writeFileAtomic } from '../util/index.js';
import type { Action } from '../drift/index.js';

export const STATE_FILE = 'agent_state.json';
export const MAX_DRIFT_RESULTS = 100;

export interface DriftResult {
  timestamp: string;
  file: string;
  /** the drift method's id (`settings.method` of the report) */
  method: string;
  /** the method's overall score */
  overall_score: number;
  /**
   * Written by earlier versions, which recorded only the overall PSI: such a result reads as
   * `method: 'psi'` with `overall_score` = `overall_psi` (see readState). Not written any more.
   */
  overall_psi?: number;
  n_drifted_features: number;
  action: Action;
  /** what the agent did: none, alert, retrain, cooldown */
  taken: string;
  model_version: number | null;
  /** id of the baseline profile the batch was compared with (trends compare only like with like) */
  baseline_id?: string;
}

/**
 * The retrain slot, held while a retrain runs: who holds it (pid, host, since = the claim's time,
 * which is also written to `last_retrain_time`) and the `last_retrain_time` to give back when
 * the retrain does not finish. A claim whose process is gone (kill -9) expires: the next run
 * gives the slot back, logs RETRAIN_FAILED and removes what the dead retrain left.
 */
export interface RetrainClaim extends Owner {
  previous_retrain_time: string | null;
  /** the retrain's work folder */
  work_dir: string;
}

export interface CheckedFile {
  checked_at: string;
  size: number;
  mtime_ms: number;
  action?: Action;
  error?: string;
}

/** A window of a source that `agent watch --from` has checked (the key: source and window, windowKey). */
export interface CheckedWindow {
  source: string;
  from: string;
  until: string;
  checked_at: string;
  /** the window's rows (absent when the check failed) */
  rows?: number;
  action?: Action;
  error?: string;
}

/** The key of a window in `checked_windows`. */
export function windowKey(source: string, from: string, until: string): string {
  return `${source} [${from}, ${until})`;
}

export interface AgentState {
  last_retrain_time: string | null;
  last_alert_time: string | null;
  total_checks: number;
  total_alerts: number;
  total_retrains: number;
  drift_results: DriftResult[];
  checked_files: Record<string, CheckedFile>;
  /** the source windows `agent watch --from` has checked (each once), by windowKey */
  checked_windows?: Record<string, CheckedWindow>;
  last_retrain?: Record<string, unknown>;
  /** the retrain running now, if any (see RetrainClaim) */
  retrain_claim?: RetrainClaim | null;
}

/** The claim if its process is gone (the retrain will never finish), else null. */
export function deadClaim(state: AgentState): RetrainClaim | null {
  const claim = state.retrain_claim;
  return claim && ownerGone(claim) ? claim : null;
}

/**
 * Give the slot of a claim back: `last_retrain_time` returns to its value before the claim
 * (unless a retrain has finished since) and the claim goes. Returns the claim released, or null
 * when `claim` is no longer the state's claim.
 */
export function releaseClaim(state: AgentState, claim: Pick<RetrainClaim, 'pid' | 'since' | 'work_dir'>, finished = false): RetrainClaim | null {
  const held = state.retrain_claim;
  if (!held || held.pid !== claim.pid || held.since !== claim.since || held.work_dir !== claim.work_dir) return null;
  if (!finished && state.last_retrain_time === held.since) state.last_retrain_time = held.previous_retrain_time;
  state.retrain_claim = null;
  return held;
}

export function emptyState(): AgentState {
  return { last_retrain_time: null, last_alert_time: null, total_checks: 0, total_alerts: 0, total_retrains: 0, drift_results: [], checked_files: {} };
}

export async function readState(file: string): Promise<AgentState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
  let parsed: Partial<AgentState>;
  try {
    parsed = JSON.parse(text) as Partial<AgentState>;
  } catch {
    throw new DriftCatcherError('DC_ERR_INPUT', 'agent state file is not valid JSON (move it away to start afresh)', { file });
  }
  const state = { ...emptyState(), ...parsed };
  if (Array.isArray(state.drift_results)) state.drift_results = state.drift_results.map(withScore);
  return state;
}

/** A result as this version writes it: one from an earlier version (only `overall_psi`) gains `method` and `overall_score`. */
function withScore(result: DriftResult): DriftResult {
  if (typeof result.method === 'string' && typeof result.overall_score === 'number') return result;
  return { ...result, method: result.method ?? 'psi', overall_score: result.overall_score ?? result.overall_psi ?? Number.NaN };
}

export { withLock, type LockOptions } from '../util/index.js';

/** Read, change and write the state under its lock; returns what `change` returns. */
export async function updateState<T>(file: string, change: (state: AgentState) => T | Promise<T>, options: LockOptions = {}): Promise<{ state: AgentState; result: T }> {
  return withLock(file, async () => {
    const state = await readState(file);
    const result = await change(state);
    if (state.drift_results.length > MAX_DRIFT_RESULTS) state.drift_results = state.drift_results.slice(-MAX_DRIFT_RESULTS);
    await writeFileAtomic(file, JSON.stringify(state, null, 1) + '\n');
    return { state, result };
  }, options);
}

export function stateFileIn(dir: string): string {
  return join(dir, STATE_FILE);
}
