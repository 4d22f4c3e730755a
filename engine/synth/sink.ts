/**
 * Output sinks for generated blocks. Both write to a temp file next to the target and wait for the
 * disk before taking more rows (back-pressure), so memory stays flat however many rows are
 * written; `close` renames the temp file into place, `abort` removes it.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Field, Float64, makeData, RecordBatch, Schema, Struct, Utf8, vectorFromArray, type Data } from 'apache-arrow';
import { loadArrowWriter, type ArrowFileWriter } from '../io/index.js';
import { CICIDS_HEADER, COLUMN_NAMES, LABEL_ATTACK, LABEL_BENIGN, LABEL_NAME, N_FEATURES } from './columns.js';
import type { FlowBlock } from './flows.js';
import { MAX_NUMBER_BYTES, roundSignificant, writeNumber } from './format.js';

export interface BlockSink {
  /** append the block's rows; resolves once the block may be refilled */
  write(block: FlowBlock): Promise<void>;
  /** flush, close and move the file into place */
  close(): Promise<void>;
  /** close and remove the temp file */
  abort(): Promise<void>;
}

/** Bytes of one chunk handed to the file system (two are used in turn). */
const CHUNK_BYTES = 1 << 20;
const MAX_ROW_BYTES = N_FEATURES * (MAX_NUMBER_BYTES + 1) + 16;
const COMMA = 44;
const DIGIT_0 = 48;
const LABEL_BYTES = [Buffer.from(`${LABEL_BENIGN}\n`), Buffer.from(`${LABEL_ATTACK}\n`)] as const;

/**
 * CSV with the original header line and LF line ends. Rows are formatted (10 significant digits)
 * into one of two reused chunks while the other is being written.
 */
export class CsvSink implements BlockSink {
  readonly #path: string;
  readonly #temp: string;
  readonly #file: FileHandle;
  readonly #chunks = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  #current = 0;
  #pos = 0;
  #pending: Promise<unknown> | null = null;

  static async create(path: string): Promise<CsvSink> {
    const temp = tempPathFor(path);
    return new CsvSink(path, temp, await open(temp, 'w'));
  }

  private constructor(path: string, temp: string, file: FileHandle) {
    this.#path = path;
    this.#temp = temp;
    this.#file = file;
    this.#pos = this.#chunks[0]!.write(`${CICIDS_HEADER}\n`, 0, 'latin1');
  }

  async write(block: FlowBlock): Promise<void> {
    const features = block.features;
    let row = 0;
    while (row < block.length) {
      const buf = this.#chunks[this.#current]!;
      let pos = this.#pos;
      const limit = buf.length - MAX_ROW_BYTES;
      for (; row < block.length && pos < limit; row++) {
        for (let c = 0; c < N_FEATURES; c++) {
          const value = features[c]![row]!;
          // single digits (zeros above all) are most cells: skip the call
          if (value >= 0 && value < 10 && (value | 0) === value) buf[pos++] = DIGIT_0 + value;
          else pos = writeNumber(buf, pos, value);
          buf[pos++] = COMMA;
        }
        const label = LABEL_BYTES[block.label[row]!]!;
        buf.set(label, pos);
        pos += label.length;
      }
      this.#pos = pos;
      if (pos >= limit) await this.#flush();
    }
  }

  async close(): Promise<void> {
    await this.#flush();
    await this.#pending;
    this.#pending = null;
    await this.#file.close();
    await rename(this.#temp, this.#path);
  }

  async abort(): Promise<void> {
    await this.#pending?.catch(() => undefined);
    await this.#file.close().catch(() => undefined);
    await rm(this.#temp, { force: true });
  }

  /** Hand the current chunk to the file system and switch to the other one once that is free. */
  async #flush(): Promise<void> {
    if (this.#pending) await this.#pending;
    const chunk = this.#chunks[this.#current]!;
    this.#pending = writeAll(this.#file, chunk, this.#pos);
    this.#current ^= 1;
    this.#pos = 0;
  }
}

/**
 * Arrow IPC file through engine/io's streaming writer (synchronous writes: a block's bytes are on
 * disk when write returns). Float64 feature columns named by the trimmed, de-duplicated names, and
 * `Label` as Dictionary<Int32, Utf8> (the shape every reader emits).
 */
export class ArrowSink implements BlockSink {
  readonly #schema: Schema;
  readonly #writer: ArrowFileWriter;
  readonly #labelDictionary = vectorFromArray([LABEL_BENIGN, LABEL_ATTACK], new Utf8());

  private constructor(schema: Schema, writer: ArrowFileWriter) {
    this.#schema = schema;
    this.#writer = writer;
  }

  static async create(path: string): Promise<ArrowSink> {
    const { createArrowFileWriter, labelField } = await loadArrowWriter();
    const fields: Field[] = COLUMN_NAMES.slice(0, N_FEATURES).map((name) => new Field(name, new Float64(), false));
    fields.push(labelField(LABEL_NAME));
    const schema = new Schema(fields);
    return new ArrowSink(schema, createArrowFileWriter(path, schema, { format: 'file' }));
  }

  async write(block: FlowBlock): Promise<void> {
    const n = block.length;
    // the doubles the CSV text of the same rows reads back as (integers pass unchanged)
    for (const values of block.features) {
      for (let r = 0; r < n; r++) values[r] = roundSignificant(values[r]!);
    }
    const children: Data[] = block.features.map((values) => makeData({ type: new Float64(), length: n, nullCount: 0, data: values.subarray(0, n) }));
    const indices = new Int32Array(n);
    for (let r = 0; r < n; r++) indices[r] = block.label[r]!;
    const labelType = this.#schema.fields[N_FEATURES]!.type;
    children.push(makeData({ type: labelType, length: n, nullCount: 0, data: indices, dictionary: this.#labelDictionary }));
    const struct = makeData({ type: new Struct(this.#schema.fields), length: n, nullCount: 0, children });
    this.#writer.write(new RecordBatch(this.#schema, struct));
  }

  close(): Promise<void> {
    return this.#writer.close();
  }

  abort(): Promise<void> {
    return this.#writer.abort();
  }
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

async function writeAll(file: FileHandle, bytes: Uint8Array, length: number): Promise<void> {
  let offset = 0;
  while (offset < length) {
    const { bytesWritten } = await file.write(bytes, offset, length - offset);
    offset += bytesWritten;
  }
}
