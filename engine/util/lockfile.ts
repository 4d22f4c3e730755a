/**
 * Lock files: `<path>` created with O_EXCL and holding its owner (pid, host, time). A lock whose
 * owner process is gone (same host) or that is older than `staleMs` is broken. Used for the agent's
 * state file, the model registry and each ledger run's sync.
 *
 * The same owner record marks longer claims that must end with their process (the agent's retrain
 * slot, a reserved registry version, a retrain's work folder): `ownerRecord()` makes one,
 * `ownerGone()` says whether its process has died.
 */
import { open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriftCatcherError } from './errors.js';
import { ensureDir, writeError } from './fs-errors.js';

export interface LockOptions {
  /** give up waiting after this long (default 60 s) */
  timeoutMs?: number;
  /** a lock older than this is broken (default 120 s) */
  staleMs?: number;
}

export type LockState = 'gone' | 'stale' | 'live';

/** Who holds a lock or a claim. */
export interface Owner {
  pid: number;
  host: string;
  /** ISO time the claim was made */
  since: string;
}

/** The calling process as an owner. */
export function ownerRecord(now = new Date()): Owner {
  return { pid: process.pid, host: hostname(), since: now.toISOString() };
}

/**
 * True when the owner's process is known to be dead: same host and no process with its pid.
 * An owner on another host, or one that cannot be probed (EPERM), counts as alive.
 */
export function ownerGone(owner: Partial<Owner> | null | undefined): boolean {
  if (!owner || owner.host !== hostname() || typeof owner.pid !== 'number') return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Read an owner record from a file; null when the file is missing or not an owner record. */
export async function readOwner(file: string): Promise<Owner | null> {
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as Owner) : null;
  } catch {
    return null;
  }
}

/**
 * Remove the temp files (`.<name>.<pid>.<hex>.tmp`, as util/atomic.ts names them) in `dir` whose
 * writer process is gone: a writer killed between write and rename leaves one behind. Returns
 * the names removed.
 */
export async function removeDeadTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name);
    if (!match || !ownerGone({ pid: Number(match[1]), host: hostname() })) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** Whether a lock file is held by a live owner, was left by a dead one (or is too old), or is gone. */
export async function lockState(lock: string, staleMs: number): Promise<LockState> {
  let text: string;
  let age: number;
  try {
    [text, age] = await Promise.all([readFile(lock, 'utf8'), stat(lock).then((info) => Date.now() - info.mtimeMs)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  if (age > staleMs) return 'stale';
  let owner: { pid?: number; host?: string };
  try {
    owner = JSON.parse(text) as { pid?: number; host?: string };
  } catch {
    return age > 10_000 ? 'stale' : 'live'; // being written now, or half-written by a killed process
  }
  return ownerGone(owner) ? 'stale' : 'live';
}

/** Take the lock if free (breaking a stale one); returns its release, or null while a live owner holds it. */
export async function tryLock(lock: string, staleMs = 120_000): Promise<(() => Promise<void>) | null> {
  await ensureDir(dirname(lock));
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      try {
        await handle.writeFile(JSON.stringify(ownerRecord()));
      } finally {
        await handle.close();
      }
      return () => rm(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError(err, lock);
      const state = await lockState(lock, staleMs);
      if (state === 'live') return null;
      if (state === 'stale') {
        // rename it away first, so that only one waiter removes it
        const broken = `${lock}.stale.${process.pid}`;
        await rename(lock, broken).then(() => rm(broken, { force: true }), () => undefined);
      }
    }
  }
  return null;
}

/** Run `work` holding `<file>.lock`, waiting (with back-off) while another process holds it. */
export async function withLock<T>(file: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = `${file}.lock`;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = Date.now();
  let delay = 5;
  let release: (() => Promise<void>) | null;
  while (!(release = await tryLock(lock, options.staleMs ?? 120_000))) {
    if (Date.now() - started > timeoutMs) throw new DriftCatcherError('DC_ERR_INTERNAL', 'timed out waiting for the lock (held by another process; remove it if none runs)', { file: lock });
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 200);
  }
  try {
    return await work();
  } finally {
    await release();
  }
}
