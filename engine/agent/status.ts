/**
 * `agent status`: counts, cooldowns left, the retrain running now, the serving version and the
 * drift trend, which compares like with like: only results against the current baseline and with
 * the same drift method (scores of different baselines or methods do not compare).
 */
import { loadProfile } from '../profile/index.js';
import { agentContext, profileFileOf, servingVersion } from './context.js';
import { HOUR_MS, type AgentOptions } from './options.js';
import { deadClaim, readState, type DriftResult } from './state.js';

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
   * The last overall scores against the current baseline (the serving version's profile) with
   * the method of the latest of them, oldest first, and their direction; results against other
   * baselines (before a retrain) or with another method are left out and counted.
   */
  trend: { method: string | null; recent: number[]; direction: 'rising' | 'falling' | 'flat' | 'unknown'; model_version: number | null; baseline_id: string | null; other_baselines: number; other_methods: number };
  recent_results: DriftResult[];
}

/** Up or down by at least this much (mean of the newer half minus mean of the older half) is a direction. */
const TREND_FLAT = 0.01;

export async function agentStatus(options: AgentOptions = {}): Promise<AgentStatus> {
  const ctx = agentContext(options);
  const { resolved } = ctx;
  const state = await readState(ctx.stateFile);
  const now = ctx.now().getTime();
  const left = (last: string | null, ms: number) => (last === null ? 0 : Math.max(0, (Date.parse(last) + ms - now) / HOUR_MS));
  const serving = await servingVersion(ctx.registry).catch(() => null);
  const claim = state.retrain_claim ?? null;
  const dead = deadClaim(state);
  const lastRetrain = dead && state.last_retrain_time === dead.since ? dead.previous_retrain_time : state.last_retrain_time;
  // compare like with like: only the results against the current baseline, with one method
  const last = state.drift_results[state.drift_results.length - 1];
  const version = serving?.version.version ?? last?.model_version ?? null;
  const baselineId = serving ? await loadProfile(profileFileOf(ctx.registry, serving.version)).then((p) => p.id, () => null) : (last?.baseline_id ?? null);
  const sameBaseline = (r: DriftResult) => r.model_version === version && (baselineId === null || r.baseline_id === undefined || r.baseline_id === baselineId);
  const current = state.drift_results.filter(sameBaseline);
  const method = current[current.length - 1]?.method ?? null;
  const comparable = current.filter((r) => r.method === method);
  const recent = comparable.slice(-10).map((r) => r.overall_score);
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
    alert_cooldown_left_hours: left(state.last_alert_time, resolved.alertCooldownMs),
    retrain_cooldown_left_hours: left(lastRetrain, resolved.minRetrainMs),
    retrain_running: claim ? { pid: claim.pid, since: claim.since, alive: !dead } : null,
    champion: serving ? { name: ctx.registry.name, version: serving.version.version, alias: serving.alias } : null,
    trend: { method, recent, direction, model_version: version, baseline_id: baselineId, other_baselines: state.drift_results.length - current.length, other_methods: current.length - comparable.length },
    recent_results: state.drift_results.slice(-10),
  };
}
