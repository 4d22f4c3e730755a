/**
 * Test helper: the same synthetic columns written as an Arrow IPC file (any batch sizes, types,
 * nulls, compression, file or stream format) and as a CSV file, so that scans of both can be
 * compared. Values have at most three decimals, so CSV text parses back to the same doubles.
 */
import * as fs from 'node:fs';
import { deflateSync, inflateSync } from 'node:zlib';
import {
  compressionRegistry,
  CompressionType,
  Field,
  Float16,
  Float32,
  Float64,
  Int32,
  Int64,
  Int8,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Uint32,
  Utf8,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import { seededRandom } from './fixtures.js';

export type ColumnKind = 'f64' | 'f32' | 'f16' | 'i8' | 'i32' | 'u32' | 'i64';

export interface TestColumn {
  name: string;
  kind: ColumnKind;
  /** values as numbers (NaN / ±Infinity allowed in float columns) */
  values: Float64Array;
  /** rows that are null (written as empty CSV cells) */
  nulls?: Uint8Array;
}

export interface TestData {
  columns: TestColumn[];
  labels: string[];
  rows: number;
}

/** Seeded columns: a few distributions, with NaN, ±Infinity and outliers in the float columns. */
export function makeTestData(rows: number, seed: number, kinds: Record<string, ColumnKind>, nullEvery: Record<string, number> = {}): TestData {
  const random = seededRandom(seed);
  const columns = Object.entries(kinds).map(([name, kind], c): TestColumn => {
    const values = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const u = random();
      let value: number;
      if (kind === 'i8') value = Math.floor(u * 256) - 128;
      else if (kind === 'i32' || kind === 'u32') value = Math.floor(u * u * 100_000) - (kind === 'i32' ? 5000 : 0);
      else if (kind === 'i64') value = Math.floor(u * 1e6) - 2000;
      else if (kind === 'f16') value = Math.round(u * 64) / 4; // exact in half precision
      else if (kind === 'f32') value = Math.round((u * 1000 + c) * 8) / 8; // exact in single precision
      else value = Math.round(Math.exp(u * 12) * 1000 + c) / 1000;
      if (kind === 'f64' && i % 97 === 5) value = [NaN, Infinity, -Infinity, 1e300, -7.5][i % 5]!;
      values[i] = value;
    }
    const column: TestColumn = { name, kind, values };
    const every = nullEvery[name];
    if (every) {
      column.nulls = new Uint8Array(rows);
      for (let i = 3; i < rows; i += every) column.nulls[i] = 1;
    }
    return column;
  });
  const labels = Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 'DDoS' : 'BENIGN'));
  return { columns, labels, rows };
}

function typeOf(kind: ColumnKind): DataType {
  switch (kind) {
    case 'f64':
      return new Float64();
    case 'f32':
      return new Float32();
    case 'f16':
      return new Float16();
    case 'i8':
      return new Int8();
    case 'i32':
      return new Int32();
    case 'u32':
      return new Uint32();
    case 'i64':
      return new Int64();
  }
}

function slice(column: TestColumn, start: number, end: number): Data {
  const length = end - start;
  const source = column.values.subarray(start, end);
  let data: ArrayLike<number | bigint>;
  switch (column.kind) {
    case 'f64':
      data = Float64Array.from(source);
      break;
    case 'f32':
      data = Float32Array.from(source);
      break;
    case 'f16':
      data = Uint16Array.from(source, toHalf);
      break;
    case 'i8':
      data = Int8Array.from(source);
      break;
    case 'i32':
      data = Int32Array.from(source);
      break;
    case 'u32':
      data = Uint32Array.from(source);
      break;
    case 'i64':
      data = BigInt64Array.from(source, (v) => BigInt(v));
      break;
  }
  let nullCount = 0;
  let nullBitmap: Uint8Array | undefined;
  if (column.nulls) {
    nullBitmap = new Uint8Array(Math.ceil(length / 8));
    for (let i = 0; i < length; i++) {
      if (column.nulls[start + i]) nullCount++;
      else nullBitmap[i >> 3]! |= 1 << (i & 7);
    }
  }
  return makeData({ type: typeOf(column.kind), length, nullCount, nullBitmap: nullCount > 0 ? nullBitmap : undefined, data } as never);
}

/** Half-float bits of a value that half precision holds exactly (small multiples of 1/4). */
function toHalf(value: number): number {
  if (value === 0) return 0;
  const sign = value < 0 ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  const exponent = Math.floor(Math.log2(magnitude));
  const mantissa = Math.round((magnitude / 2 ** exponent - 1) * 1024);
  return sign | ((exponent + 15) << 10) | mantissa;
}

export interface ArrowBuildOptions {
  /** rows per batch, in order; the last size repeats until the rows run out */
  batchSizes?: number[];
  format?: 'file' | 'stream';
  /** compress the bodies (with a test-only codec registered as ZSTD in this process) */
  compressed?: boolean;
  /** with `compressed`: the first batch that is compressed (the ones before are not) */
  compressFrom?: number;
  /** pre-0.15 framing: no continuation marker before the messages */
  legacy?: boolean;
}

let codecRegistered = false;
const ZSTD_LOOKALIKE = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0, 0);

/** Write `data` as Arrow IPC at `file` (features, then a Utf8 Label column). */
export function writeTestArrow(file: string, data: TestData, options: ArrowBuildOptions = {}): string {
  const fields = data.columns.map((column) => new Field(column.name, typeOf(column.kind), true));
  fields.push(new Field('Label', new Utf8(), true));
  const schema = new Schema(fields);
  const sizes = options.batchSizes ?? [data.rows];
  const batches: RecordBatch[] = [];
  for (let start = 0, b = 0; start < data.rows || b < sizes.length; b++) {
    const size = sizes[Math.min(b, sizes.length - 1)]!;
    if (size <= 0 && b >= sizes.length) throw new Error('the last batch size must be positive');
    const end = Math.min(data.rows, start + size);
    const children = data.columns.map((column) => slice(column, start, end));
    children.push(vectorFromArray(data.labels.slice(start, end), new Utf8()).data[0]!);
    batches.push(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: end - start, nullCount: 0, children })));
    start = end;
  }
  if (options.compressed && !codecRegistered) {
    // Node 20 has no zstd: deflate behind zstd's frame magic (apache-arrow checks the magic) stands in
    compressionRegistry.set(CompressionType.ZSTD, {
      encode: (bytes) => Buffer.concat([ZSTD_LOOKALIKE, deflateSync(bytes)]),
      decode: (bytes) => new Uint8Array(inflateSync(bytes.subarray(ZSTD_LOOKALIKE.length))),
    });
    codecRegistered = true;
  }
  const writerOptions = { compressionType: options.compressed ? CompressionType.ZSTD : null, writeLegacyIpcFormat: options.legacy ?? false };
  const writer = options.format === 'stream' ? new RecordBatchStreamWriter(writerOptions) : new RecordBatchFileWriter(writerOptions);
  // apache-arrow's file writer always writes today's framing; the old one is still read by readers
  if (options.legacy) (writer as unknown as { _writeLegacyIpcFormat: boolean })._writeLegacyIpcFormat = true;
  writer.reset(undefined, schema);
  // apache-arrow compresses every batch of a writer or none: switch it on part way for compressFrom
  const internals = writer as unknown as { _compression: unknown };
  const compression = internals._compression;
  batches.forEach((batch, b) => {
    if (options.compressFrom !== undefined) internals._compression = b >= options.compressFrom ? compression : null;
    writer.write(batch);
  });
  writer.finish();
  fs.writeFileSync(file, writer.toUint8Array(true));
  return file;
}

/** Write `data` as CSV at `file` (nulls as empty cells, NaN and infinities spelled out). */
export function writeTestCsv(file: string, data: TestData): string {
  const lines = [[...data.columns.map((column) => column.name), 'Label'].join(',')];
  for (let i = 0; i < data.rows; i++) {
    const cells = data.columns.map((column) => (column.nulls?.[i] ? '' : String(column.values[i])));
    cells.push(data.labels[i]!);
    lines.push(cells.join(','));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}
