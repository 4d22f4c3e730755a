/**
 * `agent watch <dir>`: every interval, check each data file in the folder the state has not
 * checked yet (new ones and ones already there); a file that fails is logged (ERROR) and marked,
 * and the watch goes on. Stops cleanly when `signal` aborts (the CLI wires SIGINT/SIGTERM).
 * Files whose names start with `.` are skipped: writers should write a temp name and rename.
 * A file that leaves the folder leaves the state too (a file of that name put there later is new).
 * A folder that does not exist, or is not a folder, is an InputError before the watch starts.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError, UsageError } from '../util/index.js';
import type { AgentCheckResult } from './check.js';
import { AgentLog } from './log.js';
import { AGENT_DEFAULTS, agentDir, type AgentOptions } from './options.js';
import { readState, stateFileIn, updateState } from './state.js';

export const WATCHED_EXTENSIONS = ['.csv', '.arrow', '.feather', '.ipc', '.parquet'];

/** `90s`, `15m`, `1h`, `500ms`, or plain seconds. */
export function parseInterval(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`interval must look like 30s, 15m or 1h, got "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h' ?? 's'];
  return Number(match[1]) * unit;
}

export interface WatchOptions extends AgentOptions {
  intervalMs?: number;
  signal?: AbortSignal;
  /** stop after this many polls (tests) */
  maxPolls?: number;
  onCheck?: (result: AgentCheckResult) => void;
}

/**
 * Drop the state's entries for files of `dir` that are gone (rotated or moved away), so the
 * state stays as large as the folder, not as its history. Writes only when there is one to drop.
 */
async function forgetRemovedFiles(stateFile: string, checked: Record<string, unknown>, dir: string, names: string[]): Promise<void> {
  const present = new Set(names.map((n) => join(dir, n)));
  const gone = (files: Record<string, unknown>) => Object.keys(files).filter((file) => dirname(file) === dir && !present.has(file));
  if (gone(checked).length === 0) return;
  await updateState(stateFile, (s) => {
    for (const file of gone(s.checked_files)) delete s.checked_files[file];
  });
}

/** A path for a one-line message: control bytes as \xNN. */
function printable(path: string): string {
  // eslint-disable-next-line no-control-regex
  return path.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The folder to watch must exist and be a folder: polling a missing one would wait forever for nothing. */
async function checkFolder(folder: string): Promise<void> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(folder)).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such folder to watch' : code === 'ENOTDIR' ? 'not a folder (a part of the path is a file)' : `cannot watch (${code ?? 'error'})`, { file: printable(folder) });
  }
  if (!isFolder) throw new InputError('is a file, expected a folder to watch', { file: printable(folder) });
}

export async function agentWatch(folder: string, options: WatchOptions = {}): Promise<{ polls: number; checked: number; failed: number }> {
  await checkFolder(folder);
  // the agent (drift, model, tracking) loads when a watch starts, so parseInterval stays light
  const { agentCheck, errorWasLogged } = await import('./check.js');
  const dir = resolve(folder);
  const stateFile = stateFileIn(agentDir(options));
  const log = new AgentLog(agentDir(options), options.onLog);
  const interval = options.intervalMs ?? AGENT_DEFAULTS.watchIntervalMs;
  if (!(interval >= 0 && Number.isFinite(interval))) throw new UsageError(`must be a number of milliseconds from 0, got ${String(interval)}`, { option: 'intervalMs' });
  let polls = 0;
  let checked = 0;
  let failed = 0;
  await log.write('WATCH_START', `watching ${dir} every ${interval / 1000} s`, { folder: dir });
  while (!options.signal?.aborted) {
    polls++;
    const state = await readState(stateFile);
    let names: string[] = [];
    try {
      names = (await readdir(dir)).filter((n) => !n.startsWith('.') && WATCHED_EXTENSIONS.includes(extname(n).toLowerCase())).sort();
      await forgetRemovedFiles(stateFile, state.checked_files, dir, names);
    } catch (err) {
      await log.write('ERROR', `cannot list ${dir}: ${(err as Error).message}`, { folder: dir });
    }
    for (const name of names) {
      if (options.signal?.aborted) break;
      const file = join(dir, name);
      if (state.checked_files[file]) continue;
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) continue;
      let action: AgentCheckResult['action'] | undefined;
      let error: string | undefined;
      try {
        const result = await agentCheck(file, options);
        action = result.action;
        checked++;
        options.onCheck?.(result);
      } catch (err) {
        failed++;
        error = (err as Error).message;
        // agentCheck logged the failure of the check itself; anything earlier is logged here
        if (!errorWasLogged(err)) await log.write('ERROR', `${name}: ${error}`, { file });
      }
      await updateState(stateFile, (s) => {
        s.checked_files[file] = { checked_at: new Date().toISOString(), size: info.size, mtime_ms: info.mtimeMs, ...(action ? { action } : {}), ...(error ? { error } : {}) };
      });
    }
    if (options.maxPolls !== undefined && polls >= options.maxPolls) break;
    try {
      await sleep(interval, undefined, { signal: options.signal });
    } catch {
      break; // aborted
    }
  }
  await log.write('WATCH_STOP', `stopped after ${polls} poll(s): ${checked} checked, ${failed} failed`, { folder: dir, polls, checked, failed });
  return { polls, checked, failed };
}
