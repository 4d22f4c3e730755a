/**
 * JSON-lines files: one value per line, appended with one `write` on a file opened with O_APPEND
 * (concurrent writers never interleave or overwrite each other's lines), read back skipping a torn
 * last line. The performance history and the agent's daily logs are such files.
 */
import { open, readFile } from 'node:fs/promises';
import { ensureParentDir, writeError } from './fs-errors.js';

/** Append one line in one write (O_APPEND). */
export async function appendJsonLine(file: string, value: unknown): Promise<void> {
  await ensureParentDir(file);
  const line = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) + '\n';
  try {
    const handle = await open(file, 'a');
    try {
      await handle.write(line);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw writeError(err, file);
  }
}

/** Every whole line of a JSON-lines file (missing file: none). */
export async function readJsonLines<T>(file: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // a torn line from a crash: skipped
    }
  }
  return out;
}
