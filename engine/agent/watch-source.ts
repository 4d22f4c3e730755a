/**
 * `agent watch --from <source> --every 1h`: windows of production data instead of files. Time is
 * cut into windows of `windowMs` aligned on the Unix epoch (UTC: `--every 1h` gives whole hours,
 * `1d` whole UTC days), half-open [from, until). Each poll checks every complete window (until <=
 * now) after the last one the state has for this source, oldest first, at most `maxCatchUp` of them
 * (after a pause the older ones are skipped); with none in the state yet, the latest complete
 * window alone. A window is checked once: the state (`checked_windows`) remembers it with its
 * rows and verdict (or error), across restarts. A window without rows is marked with its error
 * (logged) like a bad file. Rows that arrive after their window was checked are not seen again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../util/index.js';
import type { SourceOptions, TimeWindow } from '../sources/index.js';
import type { AgentCheckResult } from './check.js';
import { AgentLog } from './log.js';
import { AGENT_DEFAULTS, agentDir, resolveAgentOptions } from './options.js';
import { readState, stateFileIn, updateState, windowKey, type AgentState, type CheckedWindow } from './state.js';
import type { WatchOptions } from './watch.js';

export const SOURCE_WATCH_DEFAULTS = {
  /** the most windows one poll checks (catching up after a pause) */
  maxCatchUp: 24,
  /** the checked windows the state keeps per source (the latest) */
  keepWindows: 500,
} as const;

export interface SourceWatchOptions extends WatchOptions {
  /** the window length (default: the poll interval) */
  windowMs?: number;
  /** which columns the source has (time, label, prediction...; engine/sources) */
  source?: SourceOptions;
  maxCatchUp?: number;
}

/** The complete windows due at `now`: after `lastUntil` (ms; null: none checked yet), at most `max`, oldest first. */
export function dueWindows(now: number, windowMs: number, lastUntil: number | null, max: number): TimeWindow[] {
  const end = Math.floor(now / windowMs) * windowMs;
  let first = lastUntil === null ? end - windowMs : Math.max(lastUntil, end - max * windowMs);
  // a last window off the grid (another --every before): continue on this grid
  first = Math.ceil(first / windowMs) * windowMs;
  const out: TimeWindow[] = [];
  for (let t = first; t + windowMs <= end; t += windowMs) out.push({ from: new Date(t), until: new Date(t + windowMs) });
  return out;
}

function lastChecked(state: AgentState, source: string): number | null {
  let last: number | null = null;
  for (const w of Object.values(state.checked_windows ?? {})) if (w.source === source) last = Math.max(last ?? -Infinity, Date.parse(w.until));
  return last;
}

/** Keep the latest `keep` windows of `source` (the state stays as large as that, not as the watch's history). */
function prune(state: AgentState, source: string, keep: number): void {
  const windows = state.checked_windows ?? {};
  const mine = Object.entries(windows).filter(([, w]) => w.source === source).sort(([, a], [, b]) => Date.parse(b.until) - Date.parse(a.until));
  for (const [key] of mine.slice(keep)) delete windows[key];
}

const compact = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');

export async function agentWatchSource(from: string, options: SourceWatchOptions = {}): Promise<{ polls: number; checked: number; failed: number }> {
  const interval = options.intervalMs ?? AGENT_DEFAULTS.watchIntervalMs;
  if (!(interval >= 0 && Number.isFinite(interval))) throw new UsageError(`must be a number of milliseconds from 0, got ${String(interval)}`, { option: 'intervalMs' });
  const windowMs = options.windowMs ?? interval;
  if (!(windowMs >= 60_000 && Number.isSafeInteger(windowMs))) throw new UsageError(`must be a whole number of milliseconds of at least a minute, got ${String(windowMs)}`, { option: 'windowMs' });
  const maxCatchUp = options.maxCatchUp ?? SOURCE_WATCH_DEFAULTS.maxCatchUp;
  if (!(Number.isSafeInteger(maxCatchUp) && maxCatchUp >= 1)) throw new UsageError(`must be a positive integer, got ${String(maxCatchUp)}`, { option: 'maxCatchUp' });
  const now = resolveAgentOptions(options).now;
  // the agent and the sources load when a watch starts (the CLI's start-up stays light)
  const { agentCheck, errorWasLogged } = await import('./check.js');
  const { checkSourceWindow, openSource, windowText } = await import('../sources/index.js');
  const source = await openSource(from, options.source);
  const stateFile = stateFileIn(agentDir(options));
  const log = new AgentLog(agentDir(options), options.onLog);
  let polls = 0;
  let checked = 0;
  let failed = 0;
  try {
    // the source answers (connection, table, time column) before the watch starts
    await source.columns();
    await log.write('WATCH_START', `watching ${source.description} every ${interval / 1000} s, windows of ${windowMs / 1000} s (UTC, [from, until))`, { source: source.description, window_ms: windowMs });
    while (!options.signal?.aborted) {
      polls++;
      const state = await readState(stateFile);
      for (const window of dueWindows(now().getTime(), windowMs, lastChecked(state, source.description), maxCatchUp)) {
        if (options.signal?.aborted) break;
        const label = `${source.description} ${windowText(window)}`;
        const entry: CheckedWindow = { source: source.description, from: window.from.toISOString(), until: window.until.toISOString(), checked_at: '' };
        try {
          const result: AgentCheckResult = await agentCheck(label, options, {
            reportName: `window-${compact(window.from)}`,
            check: async (profile) => (await checkSourceWindow(source, profile, window, { ...options.drift, ...options.source })).report,
          });
          entry.rows = result.report.current.rows;
          entry.action = result.action;
          checked++;
          options.onCheck?.(result);
        } catch (err) {
          failed++;
          entry.error = (err as Error).message;
          if (!errorWasLogged(err)) await log.write('ERROR', `${label}: ${entry.error}`, { source: source.description, window: { from: entry.from, until: entry.until } });
        }
        entry.checked_at = now().toISOString();
        await updateState(stateFile, (s) => {
          s.checked_windows = { ...(s.checked_windows ?? {}), [windowKey(entry.source, entry.from, entry.until)]: entry };
          prune(s, source.description, SOURCE_WATCH_DEFAULTS.keepWindows);
        });
      }
      if (options.maxPolls !== undefined && polls >= options.maxPolls) break;
      try {
        await sleep(interval, undefined, { signal: options.signal });
      } catch {
        break; // aborted
      }
    }
    await log.write('WATCH_STOP', `stopped after ${polls} poll(s): ${checked} checked, ${failed} failed`, { source: source.description, polls, checked, failed });
  } finally {
    await source.close();
  }
  return { polls, checked, failed };
}
