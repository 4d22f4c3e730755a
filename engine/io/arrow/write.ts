/**
 * Arrow IPC writing with apache-arrow: batches streamed to a temp file next to the target,
 * renamed into place on close (loaded on first use through engine/io's `loadArrowWriter`).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AsyncByteQueue, RecordBatch, RecordBatchFileWriter, RecordBatchStreamWriter, Schema, Table } from 'apache-arrow';
import { internalError } from '../../util/index.js';
import { fileError } from '../files.js';

export interface ArrowWriteOptions {
  /** `file` (ARROW1 with footer, the default) or `stream`; `.arrows` paths default to `stream` */
  format?: 'file' | 'stream';
}

export interface ArrowFileWriter {
  /** append one batch (written to disk before this returns) */
  write(batch: RecordBatch): void;
  /** write the footer and move the file into place */
  close(): Promise<void>;
  /** drop the temp file */
  abort(): Promise<void>;
}

/**
 * Stream batches into an Arrow IPC file: bytes go to a temp file next to `filePath` as each batch
 * is written (memory does not grow with the row count), renamed into place on close.
 */
export function createArrowFileWriter(filePath: string, schema: Schema, options: ArrowWriteOptions = {}): ArrowFileWriter {
  const format = options.format ?? (filePath.endsWith('.arrows') ? 'stream' : 'file');
  const tempPath = path.join(path.dirname(filePath), `.${path.basename(filePath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tempPath, 'w');
  } catch (err) {
    throw fileError(tempPath, err);
  }
  const writer = format === 'stream' ? new RecordBatchStreamWriter() : new RecordBatchFileWriter();
  let open = true;
  const release = () => {
    if (!open) return;
    open = false;
    fs.closeSync(fd);
  };
  try {
    writer.reset(new FileSink(fd), schema);
  } catch (err) {
    release();
    fs.rmSync(tempPath, { force: true });
    throw err;
  }
  return {
    write(batch: RecordBatch): void {
      if (!open) throw internalError(`Arrow writer of ${filePath} is closed`);
      writer.write(batch);
    },
    async close(): Promise<void> {
      if (!open) return;
      try {
        writer.finish(); // footer (file format) or end-of-stream marker
        fs.fsyncSync(fd);
        release();
        fs.renameSync(tempPath, filePath);
      } catch (err) {
        release();
        fs.rmSync(tempPath, { force: true });
        throw err;
      }
    },
    async abort(): Promise<void> {
      release();
      fs.rmSync(tempPath, { force: true });
    },
  };
}

/** Write a Table or batches to an Arrow IPC file (temp file + rename). */
export async function writeArrowIpc(filePath: string, source: Table | readonly RecordBatch[], options: ArrowWriteOptions = {}): Promise<void> {
  const batches = source instanceof Table ? source.batches : source;
  const schema = source instanceof Table ? source.schema : batches[0]?.schema;
  if (!schema) throw internalError(`nothing to write to ${filePath}: no batches and no schema`);
  const writer = createArrowFileWriter(filePath, schema, options);
  try {
    for (const batch of batches) writer.write(batch);
  } catch (err) {
    await writer.abort();
    throw err;
  }
  await writer.close();
}

/** The writer's byte sink: every chunk goes straight to the file descriptor. */
class FileSink extends AsyncByteQueue {
  readonly #fd: number;

  constructor(fd: number) {
    super();
    this.#fd = fd;
  }

  override write(value: Parameters<AsyncByteQueue['write']>[0]): void {
    const bytes = value instanceof Uint8Array ? value : new Uint8Array((value as ArrayBufferView).buffer, (value as ArrayBufferView).byteOffset, (value as ArrayBufferView).byteLength);
    let written = 0;
    while (written < bytes.byteLength) written += fs.writeSync(this.#fd, bytes, written, bytes.byteLength - written);
  }
}
