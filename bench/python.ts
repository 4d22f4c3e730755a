/**
 * The Python environment of the benchmark peers: `<repo>/.venv-bench` (git-ignored), created with
 * `python3 -m venv` (or $DRIFTCATCHER_PYTHON) when missing, with the pinned
 * bench/peers/requirements.txt installed by pip. The install is skipped while the stamp file holds
 * the hash of the requirements; a lock directory keeps two bench runs from building it at once.
 * Separate from the tests' `.venv` so that the heavy peers (polars, DuckDB, Evidently) never slow
 * down `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../engine/util/paths.js';

const STALE_LOCK_MS = 20 * 60_000;
const LOCK_WAIT_MS = 15 * 60_000;
/** Distributions whose versions go into the results (what each peer imports, plus Evidently's stack). */
export const PEER_PACKAGES = ['numpy', 'pandas', 'pyarrow', 'polars', 'duckdb', 'evidently', 'scipy', 'scikit-learn'] as const;

function paths() {
  const root = packageRoot();
  const venv = join(root, '.venv-bench');
  return {
    root,
    venv,
    python: process.platform === 'win32' ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python'),
    requirements: join(root, 'bench', 'peers', 'requirements.txt'),
    stamp: join(venv, '.driftcatcher-requirements.sha256'),
    lock: join(root, '.venv-bench.lock'),
  };
}

/** Path of the bench venv's python, the venv made and the peers installed first when needed. */
export function ensureBenchPython(): string {
  const p = paths();
  const wanted = createHash('sha256').update(readFileSync(p.requirements)).digest('hex');
  if (existsSync(p.python) && readStamp(p.stamp) === wanted) return p.python;
  return withLock(p.lock, () => {
    if (!existsSync(p.python)) {
      const base = process.env['DRIFTCATCHER_PYTHON'] ?? 'python3';
      const probe = spawnSync(base, ['--version'], { encoding: 'utf8' });
      if (probe.error || probe.status !== 0) {
        throw new Error(`bench: '${base}' was not found; install Python 3 with venv support (apt-get install python3 python3-venv) or set DRIFTCATCHER_PYTHON`);
      }
      rmSync(p.venv, { recursive: true, force: true });
      run(base, ['-m', 'venv', p.venv], `${base} -m venv .venv-bench`);
    }
    if (readStamp(p.stamp) !== wanted) {
      console.error('bench: installing the Python peers into .venv-bench (pip install -r bench/peers/requirements.txt; a few minutes the first time)');
      run(p.python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', p.requirements], 'pip install -r bench/peers/requirements.txt');
      const temp = `${p.stamp}.${process.pid}.tmp`;
      writeFileSync(temp, `${wanted}\n`);
      renameSync(temp, p.stamp);
    }
    return p.python;
  });
}

/** Versions of python and of the peer packages installed in the bench venv (read without importing them). */
export function peerVersions(python: string): Record<string, string> {
  const script = [
    'import json, sys, importlib.metadata as m',
    `names = ${JSON.stringify(PEER_PACKAGES)}`,
    'out = {"python": sys.version.split()[0]}',
    'for n in names:',
    '    try: out[n] = m.version(n)',
    '    except m.PackageNotFoundError: out[n] = "missing"',
    'print(json.dumps(out))',
  ].join('\n');
  const result = spawnSync(python, ['-c', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bench: cannot read the peer versions: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, string>;
}

function readStamp(stamp: string): string | undefined {
  try {
    return readFileSync(stamp, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { cwd: packageRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error || result.status !== 0) {
    const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-5).join(' | ');
    throw new Error(`bench: ${what} failed (${result.error?.message ?? `exit ${result.status}`})${output ? `: ${output}` : ''}`);
  }
}

function withLock<T>(lock: string, work: () => T): T {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let age: number | undefined;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        age = undefined;
      }
      if (age !== undefined && age > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() - started > LOCK_WAIT_MS) throw new Error(`bench: gave up waiting for ${lock} (remove it if no bench run is setting up .venv-bench)`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
