import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Data,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int32,
  Int8,
  makeData,
  makeVector,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  tableFromArrays,
  tableToIPC,
  Uint16,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { arrowReader } from '../../../engine/io/arrow.js';
import { createArrowFileWriter, writeArrowIpc } from '../../../engine/io/arrow/write.js';
import { detectFormat, openBatches, readTable } from '../../../engine/io/index.js';
import { HEAD_9998, SAMPLE_10, tempDir, writeTemp } from './fixtures.js';

async function collect(stream: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  for await (const batch of stream) batches.push(batch);
  return batches;
}

/** A table with every kind of column the reader must handle. */
function mixedTable(): Table {
  return new Table({
    ' duration': makeVector(Float64Array.from([1.5, -2, Infinity, NaN])),
    count: makeVector(Int32Array.from([7, -8, 2147483647, 0])),
    small: makeVector(Int8Array.from([-128, 1, 2, 3])),
    ratio: makeVector(Float32Array.from([0.5, 0.25, -1, 3])),
    big: makeVector(BigInt64Array.from([2n ** 53n, -5n, 0n, 1n])),
    Label: vectorFromArray(['BENIGN', 'DDoS', 'BENIGN', 'Web Attack \u2013 XSS'], new Utf8()),
  });
}

function expectMixed(table: Table): void {
  expect(table.schema.fields.map((field) => field.name)).toEqual(['duration', 'count', 'small', 'ratio', 'big', 'Label']);
  expect(table.schema.fields.slice(0, 5).every((field) => field.type instanceof Float64)).toBe(true);
  expect(String(table.schema.fields[5]!.type)).toBe('Dictionary<Int32, Utf8>');
  expect(Array.from(table.getChild('duration')!.toArray())).toEqual([1.5, -2, Infinity, NaN]);
  expect(Array.from(table.getChild('count')!.toArray())).toEqual([7, -8, 2147483647, 0]);
  expect(Array.from(table.getChild('small')!.toArray())).toEqual([-128, 1, 2, 3]);
  expect(Array.from(table.getChild('ratio')!.toArray())).toEqual([0.5, 0.25, -1, 3]);
  expect(Array.from(table.getChild('big')!.toArray())).toEqual([2 ** 53, -5, 0, 1]);
  expect(table.getChild('Label')!.toArray()).toEqual(['BENIGN', 'DDoS', 'BENIGN', 'Web Attack \u2013 XSS']);
}

describe('arrowReader', () => {
  it('reads the IPC file and stream formats, converting other numeric types to Float64', async () => {
    const source = mixedTable();
    const filePath = writeTemp('mixed.arrow', tableToIPC(source, 'file'));
    const streamPath = writeTemp('mixed.arrows', tableToIPC(source, 'stream'));
    expect(fs.readFileSync(filePath).subarray(0, 6).toString()).toBe('ARROW1');
    for (const file of [filePath, streamPath]) {
      const stream = arrowReader.open(file);
      const batches = await collect(stream);
      expectMixed(new Table(batches));
      expect(stream.rows).toBe(4);
      expect(stream.labelName).toBe('Label');
      expect(stream.quality().get('duration')).toEqual({ nan: 1, posInf: 1, negInf: 0, coerced: 0 });
      expect(stream.quality().get('count')).toEqual({ nan: 0, posInf: 0, negInf: 0, coerced: 0 });
    }
  });

  it('passes Float64 columns through without copying them', async () => {
    const source = tableFromArrays({ a: Float64Array.from([1, 2, 3]), b: Float64Array.from([4, 5, 6]), c: Int32Array.from([7, 8, 9]) });
    const file = writeTemp('floats.arrow', tableToIPC(source, 'file'));
    const [batch] = await collect(arrowReader.open(file));
    const [a, b, c] = batch!.data.children as Data<Float64>[];
    // a and b stay views into the one buffer the IPC body was read into; c was converted
    expect(a!.values.buffer).toBe(b!.values.buffer);
    expect(c!.values.buffer).not.toBe(a!.values.buffer);
    expect(Array.from(c!.values)).toEqual([7, 8, 9]);
  });

  it('turns nulls into counted NaN and keeps dictionary labels (int8 indices widened)', async () => {
    const values = makeData({ type: new Int32(), length: 3, nullCount: 1, nullBitmap: Uint8Array.of(0b101), data: Int32Array.from([1, 99, 3]) });
    const labelType = new Dictionary(new Utf8(), new Int8());
    const labels = makeData({ type: labelType, length: 3, nullCount: 0, data: Int8Array.from([1, 0, 1]), dictionary: vectorFromArray(['BENIGN', 'DDoS'], new Utf8()) });
    const schema = new Schema([new Field('x', new Int32(), true), new Field('Label', labelType)]);
    const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 3, nullCount: 0, children: [values, labels] }));
    const file = writeTemp('nulls.arrow', tableToIPC(new Table([batch]), 'file'));
    const stream = arrowReader.open(file);
    const table = new Table(await collect(stream));
    expect(Array.from(table.getChild('x')!.toArray())).toEqual([1, NaN, 3]);
    expect(stream.quality().get('x')).toEqual({ nan: 1, posInf: 0, negInf: 0, coerced: 0 });
    expect(table.getChild('Label')!.toArray()).toEqual(['DDoS', 'BENIGN', 'DDoS']);
  });

  it('fails on a non-numeric feature column, naming file and column', async () => {
    const file = writeTemp('text.arrow', tableToIPC(tableFromArrays({ a: Float64Array.from([1]), 'Source IP': ['10.0.0.1'] }), 'file'));
    // tableFromArrays stores strings dictionary-encoded
    await expect(collect(arrowReader.open(file))).rejects.toMatchObject({
      code: 'DC_ERR_SCHEMA',
      message: `${file}: column "Source IP": column is Dictionary<Int32, Utf8>, expected a number (exclude it if it is not a feature)`,
    });
    const [batch] = await collect(arrowReader.open(file, { exclude: ['Source IP'] }));
    expect(batch!.schema.fields.map((field) => field.name)).toEqual(['a']);
  });

  it('fails on a file that is not Arrow', async () => {
    const file = writeTemp('not.arrow', 'a,b\n1,2\n');
    await expect(collect(arrowReader.open(file))).rejects.toMatchObject({ code: 'DC_ERR_INPUT', file });
    await expect(collect(arrowReader.open(path.join(tempDir(), 'missing.arrow')))).rejects.toThrow('missing.arrow: no such file');
  });
});

describe('writing Arrow IPC', () => {
  it('round-trips the CICIDS head through an IPC file and stream, labels included', async () => {
    const csv = await readTable(HEAD_9998, { batchRows: 4096 });
    for (const name of ['head.arrow', 'head.arrows']) {
      const file = path.join(tempDir(), name);
      await writeArrowIpc(file, csv.table);
      const arrow = await readTable(file);
      expect(arrow.format).toBe('arrow');
      expect(arrow.rows).toBe(9998);
      expect(arrow.featureNames).toEqual(csv.featureNames);
      expect(arrow.quality).toEqual(csv.quality);
      for (const feature of ['Flow Bytes/s', 'Init_Win_bytes_backward', 'Fwd Header Length.1']) {
        expect(arrow.table.getChild(feature)!.toArray()).toEqual(csv.table.getChild(feature)!.toArray());
      }
      expect(arrow.table.getChild('Label')!.toArray()).toEqual(csv.table.getChild('Label')!.toArray());
    }
  });

  it('writes a label dictionary that grows between batches (IPC dictionary deltas)', async () => {
    const csv = await readTable(SAMPLE_10, { batchRows: 1 });
    expect(csv.table.batches).toHaveLength(10);
    for (const name of ['sample.arrow', 'sample.arrows']) {
      const file = path.join(tempDir(), name);
      await writeArrowIpc(file, csv.table);
      const arrow = await readTable(file);
      expect(arrow.table.getChild('Label')!.toArray()).toEqual(csv.table.getChild('Label')!.toArray());
    }
  });

  it('streams batches to a temp file and renames it on close; abort leaves nothing', async () => {
    const schema = new Schema([new Field('x', new Float64(), false), new Field('n', new Uint16(), false)]);
    const file = path.join(tempDir(), 'streamed.arrow');
    const writer = createArrowFileWriter(file, schema);
    let total = 0;
    for (let b = 0; b < 50; b++) {
      const rows = 1000;
      const x = makeData({ type: new Float64(), length: rows, nullCount: 0, data: Float64Array.from({ length: rows }, (_, i) => b * rows + i) });
      const n = makeData({ type: new Uint16(), length: rows, nullCount: 0, data: Uint16Array.from({ length: rows }, (_, i) => i) });
      writer.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children: [x, n] })));
      total += rows;
    }
    expect(fs.existsSync(file)).toBe(false); // only the temp file so far
    const temps = fs.readdirSync(tempDir()).filter((name) => name.startsWith('.streamed.arrow.'));
    expect(temps).toHaveLength(1);
    expect(fs.statSync(path.join(tempDir(), temps[0]!)).size).toBeGreaterThan(total * 10); // bytes already on disk
    await writer.close();
    expect(fs.readdirSync(tempDir()).filter((name) => name.startsWith('.streamed.arrow.'))).toEqual([]);
    const read = await readTable(file);
    expect(read.rows).toBe(total);
    expect(read.table.getChild('x')!.get(49_999)).toBe(49_999);
    expect(read.table.getChild('n')!.get(1999)).toBe(999);

    const aborted = path.join(tempDir(), 'aborted.arrow');
    const second = createArrowFileWriter(aborted, schema);
    await second.abort();
    expect(fs.readdirSync(tempDir()).some((name) => name.includes('aborted.arrow'))).toBe(false);
  });
});

describe('openBatches and readTable', () => {
  it('picks the reader by extension, else by magic bytes', async () => {
    const ipc = tableToIPC(tableFromArrays({ a: Float32Array.from([1, 2]) }), 'file');
    const disguised = writeTemp('data.bin', ipc);
    expect(detectFormat(disguised)).toBe('arrow');
    const streamed = writeTemp('stream.bin', RecordBatchStreamWriter.writeAll(tableFromArrays({ a: BigInt64Array.from([5n]) })).toUint8Array(true));
    expect(detectFormat(streamed)).toBe('arrow');
    expect(detectFormat(writeTemp('data.txt', 'a\n1\n'))).toBe('csv');
    expect(detectFormat(SAMPLE_10)).toBe('csv');
    // the Arrow reader loads on first iteration (a CSV-only process never loads apache-arrow)
    const opened = openBatches(disguised);
    expect(opened.format).toBe('arrow');
    let batches = 0;
    for await (const batch of opened) batches += batch.numCols > 0 ? 1 : 0;
    expect({ batches, rows: opened.rows, featureNames: opened.featureNames, quality: opened.quality().get('a') }).toEqual({ batches: 1, rows: 2, featureNames: ['a'], quality: { nan: 0, posInf: 0, negInf: 0, coerced: 0 } });
    expect((await readTable(disguised)).table.getChild('a')!.toArray()).toEqual(Float64Array.from([1, 2]));
    expect((await readTable(streamed)).table.getChild('a')!.toArray()).toEqual(Float64Array.from([5]));
  });

  it('reads a CSV with its quality counts and label name', async () => {
    const read = await readTable(SAMPLE_10, { exclude: ['Destination Port'] });
    expect(read).toMatchObject({ format: 'csv', rows: 10, labelName: 'Label' });
    expect(read.featureNames).toHaveLength(77);
    expect(read.quality.size).toBe(77);
  });

  it('takes a file for Parquet by extension or magic, never for CSV (its reader: test/engine/io/parquet.test.ts)', async () => {
    expect(openBatches('/data/prod.parquet').format).toBe('parquet');
    await expect(readTable('/data/prod.parquet')).rejects.toThrow('/data/prod.parquet: no such file');
    const file = writeTemp('prod.data', Buffer.from('PAR1\0\0\0\0'));
    await expect(readTable(file)).rejects.toThrow(`${file}: not a readable Parquet file (8 bytes, shorter than the smallest Parquet file)`);
  });

  it('says an empty Arrow file has no data rows', async () => {
    const schema = new Schema([new Field('a', new Float32(), false)]);
    const file = path.join(tempDir(), 'empty.arrow');
    await createArrowFileWriter(file, schema).close();
    await expect(readTable(file)).rejects.toThrow(`${file}: no data rows after the header`);
  });
});
