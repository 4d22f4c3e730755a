/** Opening input files, with one-line InputErrors for what the user can get wrong. */
import * as fs from 'node:fs';
import { DriftCatcherError, InputError } from '../util/index.js';

/** Open a file for reading (synchronously); InputError for a missing file, a directory or no permission. */
export function openSync(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw fileError(file, err);
  }
  if (fs.fstatSync(fd).isDirectory()) {
    fs.closeSync(fd);
    throw fileError(file, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
  }
  return fd;
}

/** Open a file for reading; InputError for a missing file, a directory or no permission. */
export async function openFileHandle(file: string): Promise<fs.promises.FileHandle> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    throw fileError(file, err);
  }
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw fileError(file, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
  }
  return handle;
}

/** Turn an fs error into a one-line InputError. */
export function fileError(file: string, err: unknown): DriftCatcherError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const detail =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory, expected a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'ESPIPE' || code === 'ENXIO'
            ? 'is a pipe or a socket, not a file: data is read by byte ranges, so save it to a file first'
            : `cannot open (${code ?? String(err)})`;
  return new InputError(detail, { file }, { cause: err });
}

/** The first `length` bytes of a file (fewer when it is shorter). */
export function readHead(file: string, length: number): Uint8Array {
  const fd = openSync(file);
  try {
    const head = new Uint8Array(length);
    return head.subarray(0, fs.readSync(fd, head, 0, length, 0));
  } catch (err) {
    throw fileError(file, err);
  } finally {
    fs.closeSync(fd);
  }
}
