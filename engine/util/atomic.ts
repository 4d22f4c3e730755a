import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { link, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureParentDir, makeDirsSync, writeError } from './fs-errors.js';
import { InputError } from './errors.js';

/** A temp path beside `file`, so that the final rename stays on one file system. */
export function tempPathFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Write a file so that readers see the old content or the whole new one, never a part. A path
 * that is a folder, a parent that is a file, no permission, a full or read-only disk: an
 * InputError naming `file` (util/fs-errors.ts), and no temp file left behind.
 * `exists`: never over an existing file; the temp file is linked to `file` (which fails when
 * `file` exists, even when another process made it a moment ago) instead of renamed, and an
 * existing file is an InputError naming it with `exists` as its detail.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: { exists?: string } = {}): Promise<void> {
  await ensureParentDir(file);
  const temp = tempPathFor(file);
  const keep = options.exists !== undefined;
  try {
    await writeFile(temp, data, { flush: true });
    await (keep ? link(temp, file) : rename(temp, file));
  } catch (err) {
    if (keep && (err as NodeJS.ErrnoException).code === 'EEXIST') throw new InputError(options.exists!, { file });
    throw writeError(err, file);
  } finally {
    // gone after a rename; the link's source, or what a failure left
    await rm(temp, { force: true });
  }
}

export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const temp = tempPathFor(file);
  try {
    makeDirsSync(dirname(file));
    writeFileSync(temp, data, { flush: true });
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw writeError(err, file);
  }
}
