import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Field, Float64, List, makeVector, Null, RecordBatchReader, Struct, Table, tableToIPC, Utf8, vectorFromArray, type Data } from 'apache-arrow';
import { ArrowIpcFile, IpcType, IpcValueKind, readSegments, SEGMENT_FIELDS, valueKindOf } from '../../../engine/io/arrow/ipc.js';
import { DriftCatcherError } from '../../../engine/util/errors.js';
import { makeTestData, writeTestArrow } from './arrow-build.js';
import { seededRandom, tempDir, writeTemp } from './fixtures.js';

async function arrowBatches(file: string) {
  const reader = await RecordBatchReader.from(fs.readFileSync(file));
  return [...reader];
}

function bytesAt(file: string, offset: number, length: number): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const bytes = new Uint8Array(length);
    fs.readSync(fd, bytes, 0, length, offset);
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}

function viewBytes(data: Data): Uint8Array {
  const values = data.values as ArrayBufferView;
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Every column's value and validity buffers, at the offsets decoded here, hold what apache-arrow reads. */
async function expectLayoutsMatch(file: string): Promise<void> {
  const ipc = ArrowIpcFile.open(file)!;
  try {
    const batches = await arrowBatches(file);
    expect(ipc.batchCount).toBe(batches.length);
    const layouts = ipc.columnLayouts()!;
    const counts = ipc.expectedCounts()!;
    batches.forEach((batch, b) => {
      const layout = ipc.readBatch(b);
      expect(layout.length).toBe(batch.numRows);
      expect(layout.compressed).toBe(false);
      expect(layout.nodes.length / 2).toBe(counts.nodes);
      expect(layout.buffers.length / 2).toBe(counts.buffers);
      ipc.fields.forEach((field, c) => {
        const data = batch.data.children[c]!;
        const { node, buffer } = layouts[c]!;
        expect(layout.nodes[2 * node]).toBe(data.length);
        expect(layout.nodes[2 * node + 1]).toBe(data.nullCount);
        if (valueKindOf(field) < 0) return;
        const expected = viewBytes(data);
        const valuesAt = layout.buffers[2 * (buffer + 1)]!;
        expect(layout.buffers[2 * (buffer + 1) + 1]).toBeGreaterThanOrEqual(expected.byteLength);
        expect(bytesAt(file, valuesAt, expected.byteLength)).toEqual(expected);
        if (data.nullCount > 0) {
          const bitmap = data.nullBitmap!;
          expect(bytesAt(file, layout.buffers[2 * buffer]!, Math.ceil(data.length / 8))).toEqual(bitmap.subarray(0, Math.ceil(data.length / 8)));
        }
      });
    });
  } finally {
    ipc.close();
  }
}

describe('ArrowIpcFile: footer and record batch metadata without apache-arrow', () => {
  const kinds = { a: 'f64', ' b': 'f32', c: 'i8', d: 'i32', e: 'u32', f: 'i64', g: 'f16' } as const;

  it('decodes the schema and each batch as apache-arrow reads them (several batches, nulls)', async () => {
    const data = makeTestData(5000, 1, kinds, { a: 7, d: 2 });
    const file = writeTestArrow(path.join(tempDir(), 'kinds.arrow'), data, { batchSizes: [1, 7, 4093, 333] });
    const ipc = ArrowIpcFile.open(file)!;
    expect(ipc.supported).toBe(true);
    expect(ipc.bigEndian).toBe(false);
    expect(ipc.version).toBe(4); // V5
    expect(ipc.fields.map((field) => field.name)).toEqual(['a', ' b', 'c', 'd', 'e', 'f', 'g', 'Label']);
    expect(ipc.fields.map(valueKindOf)).toEqual([IpcValueKind.Float64, IpcValueKind.Float32, IpcValueKind.Int8, IpcValueKind.Int32, IpcValueKind.Uint32, IpcValueKind.Int64, -1, -1]);
    expect(ipc.fields[7]!.typeId).toBe(IpcType.Utf8);
    ipc.close();
    await expectLayoutsMatch(file);
  });

  it('reads the pre-0.15 framing (no continuation marker) the same way', async () => {
    const data = makeTestData(3000, 2, kinds, { c: 5 });
    const file = writeTestArrow(path.join(tempDir(), 'legacy.arrow'), data, { batchSizes: [1000, 999], legacy: true });
    expect(bytesAt(file, 8, 4)).not.toEqual(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    await expectLayoutsMatch(file);
  });

  it('finds columns after nested and string columns; knows when it does not know a layout', async () => {
    const listType = new List(new Field('item', new Float64(), true));
    const structType = new Struct([new Field('x', new Float64(), true), new Field('s', new Utf8(), true)]);
    const table = new Table({
      list: vectorFromArray([[1, 2], [], [3]], listType),
      text: vectorFromArray(['p', 'qq', 'rrr'], new Utf8()),
      nested: vectorFromArray([{ x: 1, s: 'a' }, { x: 2, s: 'b' }, { x: null, s: null }], structType),
      value: makeVector(Float64Array.of(0.5, -1, 42)),
    });
    const file = writeTemp('nested.arrow', tableToIPC(table, 'file'));
    const ipc = ArrowIpcFile.open(file)!;
    expect(ipc.fields.map((field) => field.typeId)).toEqual([IpcType.List, IpcType.Utf8, IpcType.Struct, IpcType.FloatingPoint]);
    expect(ipc.fields[2]!.children.map((child) => child.name)).toEqual(['x', 's']);
    expect(ipc.columnLayouts()).toEqual([
      { node: 0, buffer: 0 },
      { node: 2, buffer: 4 },
      { node: 3, buffer: 7 },
      { node: 6, buffer: 13 },
    ]);
    ipc.close();
    await expectLayoutsMatch(file);

    const withNull = writeTemp('null-type.arrow', tableToIPC(new Table({ nothing: vectorFromArray([null, null], new Null()), value: makeVector(Float64Array.of(1, 2)) }), 'file'));
    const unknown = ArrowIpcFile.open(withNull)!;
    expect(unknown.columnLayouts()).toBeUndefined();
    expect(unknown.supported).toBe(false);
    unknown.close();
  });

  it('is not for the stream format or other files', () => {
    const data = makeTestData(10, 3, { a: 'f64' });
    expect(ArrowIpcFile.open(writeTestArrow(path.join(tempDir(), 's.arrows'), data, { format: 'stream' }))).toBeUndefined();
    expect(ArrowIpcFile.open(writeTemp('x.csv', 'a,b\n1,2\n'))).toBeUndefined();
    expect(ArrowIpcFile.open(writeTemp('empty.arrow', ''))).toBeUndefined();
    expect(() => ArrowIpcFile.open(path.join(tempDir(), 'missing.arrow'))).toThrow('missing.arrow: no such file');
  });

  it('a truncated or corrupt file is a one-line InputError naming it, never a crash', () => {
    const data = makeTestData(2000, 4, { a: 'f64', b: 'i32' }, { b: 3 });
    const file = writeTestArrow(path.join(tempDir(), 'whole.arrow'), data, { batchSizes: [700] });
    const whole = fs.readFileSync(file);
    for (const keep of [8, 9, 100, whole.length / 2, whole.length - 11, whole.length - 3, whole.length - 1]) {
      const cut = writeTemp(`cut-${keep}.arrow`, whole.subarray(0, Math.floor(keep)));
      expect(() => ArrowIpcFile.open(cut)).toThrowError(DriftCatcherError);
      try {
        ArrowIpcFile.open(cut);
      } catch (err) {
        expect(err).toMatchObject({ code: 'DC_ERR_INPUT', file: cut });
        expect((err as Error).message).toMatch(new RegExp(`^${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a readable Arrow IPC file \\(`));
        expect((err as Error).message).not.toContain('\n');
      }
    }
    // bytes flipped anywhere in the metadata: either still readable, or an InputError
    const random = seededRandom(7);
    const footerLength = whole.readInt32LE(whole.length - 10);
    const metadataStart = whole.length - 10 - footerLength;
    let refused = 0;
    for (let trial = 0; trial < 400; trial++) {
      const bytes = Buffer.from(whole);
      const inFooter = trial % 2 === 0;
      for (let k = 0; k < 3; k++) {
        const at = inFooter ? metadataStart + Math.floor(random() * (footerLength + 4)) : 8 + Math.floor(random() * 600);
        bytes[at] = Math.floor(random() * 256);
      }
      const corrupt = writeTemp('corrupt.arrow', bytes);
      try {
        const ipc = ArrowIpcFile.open(corrupt);
        if (ipc) {
          for (let b = 0; b < ipc.batchCount; b++) ipc.readBatch(b);
          ipc.columnLayouts();
          ipc.close();
        }
      } catch (err) {
        refused++;
        expect(err, String((err as Error).stack)).toBeInstanceOf(DriftCatcherError);
        expect(err).toMatchObject({ code: 'DC_ERR_INPUT', file: corrupt });
        expect((err as Error).message).not.toContain('\n');
      }
    }
    expect(refused).toBeGreaterThan(50);
  });
});

describe('readSegments: column buffers into the shared memory, as f64', () => {
  /** What readSegments hands to `bin`, per feature, concatenated. */
  function readAll(file: string, segments: number[], regionBytes: number): Float64Array[] {
    const memory = new WebAssembly.Memory({ initial: 1 + Math.ceil((regionBytes + 64) / 65536), maximum: 256, shared: true });
    const region = { buffer: memory.buffer, ptr: 64, bytes: regionBytes };
    const out: number[][] = [];
    readSegments(file, Float64Array.from(segments), region, (feature, valuesPtr, rows) => {
      expect(valuesPtr % 8).toBe(0);
      expect(valuesPtr + rows * 8).toBeLessThanOrEqual(region.ptr + region.bytes);
      (out[feature] ??= []).push(...new Float64Array(memory.buffer, valuesPtr, rows));
    });
    return out.map((values) => Float64Array.from(values));
  }

  it('widens every integer and float kind, turns nulls into NaN, in pieces of any size', async () => {
    const kindsByName = { a: 'f64', b: 'f32', c: 'i8', d: 'i32', e: 'u32', f: 'i64', g: 'f64' } as const;
    const data = makeTestData(3001, 5, kindsByName, { a: 11, c: 2, f: 5 });
    // extreme 64-bit values: rounded like Number(bigint)
    const f = data.columns[5]!;
    f.values[0] = 2 ** 53 + 2;
    f.values[1] = -(2 ** 62);
    f.values[2] = 2 ** 63 - 1024;
    const file = writeTestArrow(path.join(tempDir(), 'segments.arrow'), data, { batchSizes: [1500, 1501] });
    const batches = await arrowBatches(file);
    const ipc = ArrowIpcFile.open(file)!;
    const layouts = ipc.columnLayouts()!;
    const segments: number[] = [];
    for (let b = 0; b < ipc.batchCount; b++) {
      const layout = ipc.readBatch(b);
      data.columns.forEach((column, c) => {
        const { node, buffer } = layouts[c]!;
        const nulls = layout.nodes[2 * node + 1]! > 0;
        segments.push(c, valueKindOf(ipc.fields[c]!), layout.length, layout.buffers[2 * (buffer + 1)]!, nulls ? layout.buffers[2 * buffer]! : -1);
      });
    }
    ipc.close();
    expect(segments.length).toBe(2 * 7 * SEGMENT_FIELDS);
    const expected = data.columns.map((_, c) =>
      Float64Array.from(batches.flatMap((batch) => Array.from({ length: batch.numRows }, (_, i) => {
        const value = batch.getChildAt(c)!.get(i) as number | bigint | null;
        return value === null ? NaN : Number(value);
      }))),
    );
    expect(expected[5]!.subarray(0, 3)).toEqual(Float64Array.of(2 ** 53 + 2, -(2 ** 62), 2 ** 63 - 1024));
    for (const regionBytes of [4 * 1024 * 1024, 100_000, 4096, 1000]) {
      expect(readAll(file, segments, regionBytes)).toEqual(expected);
    }
  });

  it('a segment beyond the end of the file is an InputError naming it', () => {
    const data = makeTestData(100, 6, { a: 'f64' });
    const file = writeTestArrow(path.join(tempDir(), 'short.arrow'), data);
    const size = fs.statSync(file).size;
    expect(() => readAll(file, [0, IpcValueKind.Float64, 100, size - 400, -1], 4096)).toThrowError(expect.objectContaining({ code: 'DC_ERR_INPUT', file }));
    expect(() => readAll(file, [0, IpcValueKind.Float64, 100, size - 400, -1], 4096)).toThrow(/not a readable Arrow IPC file \(truncated/);
  });
});
