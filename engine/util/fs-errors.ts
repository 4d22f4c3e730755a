/**
 * File-system failures the user can fix (an output path that is a folder, a parent that is a
 * file, no permission, a read-only or full disk) as one InputError naming the path and what is
 * wrong: the one place that turns Node's errno errors into messages. Every write of the tool goes
 * through here (writeFileAtomic, the ledger, lock files, `ensureDir`), and the CLI passes any
 * errno error that still gets out through `fileSystemError` before deciding it is internal.
 */
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from './errors.js';

/** What each user-fixable errno code means, said of the path. */
const WHAT: Record<string, string> = {
  EISDIR: 'is a folder, expected a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many levels of symbolic links in the path',
};

/** The path a Node fs error is about: the destination of a rename, else its path; a temp file is named by the file it stands for. */
export function errorPath(err: NodeJS.ErrnoException & { dest?: string }): string | undefined {
  const path = err.dest ?? err.path;
  return path === undefined ? undefined : unTemp(path);
}

/**
 * An InputError for a user-fixable file-system failure of `target` (default: the path in the
 * error), or undefined when `err` is something else. `role` says what the path is for
 * (`the run ledger`) and goes at the end of the message.
 */
export function fileSystemError(err: unknown, target?: string, role?: string): InputError | undefined {
  const e = err as NodeJS.ErrnoException & { dest?: string };
  if (!(err instanceof Error) || typeof e.code !== 'string' || typeof e.syscall !== 'string') return undefined;
  const path = target ?? errorPath(e);
  if (path === undefined) return undefined;
  let what: string | undefined;
  if (e.code === 'ENOENT' && e.syscall === 'mkdir') {
    // makeDirs made every parent first: the file system itself refuses a folder here (/proc, /sys)
    what = 'a folder cannot be made there';
  } else if (e.code === 'ENOTDIR' || (e.code === 'EEXIST' && e.syscall === 'mkdir')) {
    // a part of the path that should be a folder is a file
    const file = fileAncestor(errorPath(e) ?? path) ?? fileAncestor(path);
    what = file === undefined || file === path ? 'is a file, expected a folder' : `${file} is a file, not a folder`;
  } else {
    what = WHAT[e.code];
  }
  if (what === undefined) return undefined;
  return new InputError(role ? `${what} (${role})` : what, { file: path }, { cause: err });
}

/** `err` as an InputError when the user can fix it (see fileSystemError), else `err` itself: for `throw writeError(err, file)`. */
export function writeError(err: unknown, target: string, role?: string): unknown {
  return fileSystemError(err, target, role) ?? err;
}

/**
 * The folders of `dir` that do not exist yet, outermost first. Node's own `mkdir(dir, {recursive})`
 * never returns where the file system refuses a folder without saying why (`/proc/x`: ENOENT for
 * ever, a CPU spinning); made one level at a time, the refusal is an error.
 */
function missingDirs(dir: string, isDir: (path: string) => boolean): string[] {
  const missing: string[] = [];
  for (let d = dir; !isDir(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  return missing;
}

function isDirSync(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `mkdir -p dir` (see missingDirs); errno errors as they come, for writeError. */
export async function makeDirs(dir: string): Promise<void> {
  // only the first missing folder needs an async stat: the rest are below it
  if (await stat(dir).then((s) => s.isDirectory(), () => false)) return;
  for (const d of missingDirs(dir, isDirSync)) {
    // EEXIST: made meanwhile by another process (fine), or a file (the error)
    await mkdir(d).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST' || !isDirSync(d)) throw err;
    });
  }
}

/** makeDirs, synchronously. */
export function makeDirsSync(dir: string): void {
  for (const d of missingDirs(dir, isDirSync)) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !isDirSync(d)) throw err;
    }
  }
}

/** `mkdir -p dir`, failing with a one-line InputError when a part of it is a file, or it cannot be made. */
export async function ensureDir(dir: string, role?: string): Promise<void> {
  try {
    await makeDirs(dir);
  } catch (err) {
    throw writeError(err, dir, role);
  }
}

/** `mkdir -p` of the folder `file` goes in; a failure names `file` (`out.csv: /x is a file, not a folder`). */
export async function ensureParentDir(file: string, role?: string): Promise<void> {
  try {
    await makeDirs(dirname(file));
  } catch (err) {
    throw writeError(err, file, role);
  }
}

/**
 * Before writing a large file: its folder made (ensureParentDir), and the path not a folder, so
 * that the error comes before the work rather than at the final rename.
 */
export async function ensureOutputFile(file: string, role?: string): Promise<void> {
  await ensureParentDir(file, role);
  let folder = false;
  try {
    folder = statSync(file).isDirectory();
  } catch {
    // not there yet: fine
  }
  if (folder) throw new InputError(role ? `${WHAT['EISDIR']} (${role})` : WHAT['EISDIR']!, { file });
}

/** The path itself or its nearest ancestor that exists and is not a folder, if any. */
function fileAncestor(path: string): string | undefined {
  for (let at = path; ; at = dirname(at)) {
    try {
      return statSync(at).isDirectory() ? undefined : at;
    } catch {
      // missing (or unreadable): look further up
    }
    if (dirname(at) === at) return undefined;
  }
}

/** `dir/.name.<pid>.<hex>.tmp` (util/atomic.ts's temp files) -> `dir/name`. */
function unTemp(path: string): string {
  const match = /^\.(.+)\.\d+\.[0-9a-f]{8}\.tmp$/.exec(basename(path));
  return match ? join(dirname(path), match[1]!) : path;
}
