/**
 * The Python environment of the numpy reference tests: `<repo>/.venv`, created with
 * `python3 -m venv` when missing, with test/reference/requirements.txt installed into it. The
 * install is skipped while the stamp file holds the hash of the requirements (and of the Python
 * that made the venv). A lock directory keeps concurrent test runs from building it twice.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VENV_DIR = join(REPO_ROOT, '.venv');
const REQUIREMENTS = join(REPO_ROOT, 'test', 'reference', 'requirements.txt');
const STAMP = join(VENV_DIR, '.driftcatcher-requirements.sha256');
const LOCK_DIR = join(REPO_ROOT, '.venv.lock');
/** A lock older than this is left over from a killed run. */
const STALE_LOCK_MS = 15 * 60_000;
const LOCK_WAIT_MS = 10 * 60_000;

/** Path of the venv's python interpreter. */
export function venvPython(venvDir = VENV_DIR): string {
  return process.platform === 'win32' ? join(venvDir, 'Scripts', 'python.exe') : join(venvDir, 'bin', 'python');
}

/**
 * Make sure `<repo>/.venv` exists with the reference requirements installed; returns the path of
 * its python. Throws an Error with a one-line explanation when Python 3 is missing or the install
 * fails.
 */
export function ensurePython(): string {
  const python = venvPython();
  const wanted = requirementsHash();
  if (existsSync(python) && readStamp() === wanted) return python;
  return withLock(() => {
    // another run may have finished the job while this one waited for the lock
    if (!existsSync(python)) createVenv();
    if (readStamp() !== wanted) {
      const started = Date.now();
      say(`installing test/reference/requirements.txt (${requirementNames()}) into .venv with pip; the first time this takes a few minutes...`);
      run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS], 'pip install -r test/reference/requirements.txt');
      say(`.venv is ready (${Math.round((Date.now() - started) / 1000)} s); the tests start now`);
      const temp = `${STAMP}.${process.pid}.tmp`;
      writeFileSync(temp, `${wanted}\n`);
      renameSync(temp, STAMP);
    }
    return python;
  });
}

function requirementsHash(): string {
  if (!existsSync(REQUIREMENTS)) throw new Error(`numpy reference: ${REQUIREMENTS} is missing`);
  return createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex');
}

function readStamp(): string | undefined {
  try {
    return readFileSync(STAMP, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function createVenv(): void {
  const base = process.env.DRIFTCATCHER_PYTHON ?? 'python3';
  const probe = spawnSync(base, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `numpy reference: '${base}' was not found (${probe.error?.message ?? `exit ${probe.status}`}); ` +
        'install Python 3 with venv support (e.g. apt-get install python3 python3-venv) or point DRIFTCATCHER_PYTHON at one',
    );
  }
  rmSync(VENV_DIR, { recursive: true, force: true }); // a half-made venv from an interrupted run
  say(`creating the Python environment of the reference tests: ${base} -m venv .venv`);
  run(base, ['-m', 'venv', VENV_DIR], `${base} -m venv .venv (on Debian/Ubuntu install python3-venv)`);
}

/** Progress of the set-up on stderr: without it `npm test` is silent for minutes on a fresh clone. */
function say(line: string): void {
  process.stderr.write(`driftcatcher tests: ${line}\n`);
}

function requirementNames(): string {
  return readFileSync(REQUIREMENTS, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().split(/[=<>~!\[ ]/)[0])
    .filter(Boolean)
    .join(', ');
}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error || result.status !== 0) {
    const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-5).join(' | ');
    throw new Error(`numpy reference: ${what} failed (${result.error?.message ?? `exit ${result.status}`})${output ? `: ${output}` : ''}`);
  }
}

function withLock<T>(work: () => T): T {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = lockAge();
      if (age !== undefined && age > STALE_LOCK_MS) rmSync(LOCK_DIR, { recursive: true, force: true });
      else if (Date.now() - started > LOCK_WAIT_MS) throw new Error(`numpy reference: gave up waiting for ${LOCK_DIR} (remove it if no test run is setting up .venv)`);
      else sleep(250);
    }
  }
  try {
    return work();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

function lockAge(): number | undefined {
  try {
    return Date.now() - statSync(LOCK_DIR).mtimeMs;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
