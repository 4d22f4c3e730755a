/**
 * The WASM CSV scanner (assembly/csv.ts) against the JavaScript parser, its oracle: the same
 * bytes through the parser with and without the scanner give the same doubles bit for bit, the
 * same quality counts and the same rows, on random rows that mix the common cells with every
 * unusual one (exponents, words, empty cells, long mantissas, -0, CRLF, quotes, blank lines).
 */
import { describe, expect, it } from 'vitest';
import { CsvBlockParser } from '../../../engine/io/csv.js';
import { createSharedMemory } from '../../../engine/kernels/index.js';
import { loadCsvKernel } from '../../../engine/kernels/csv.js';
import type { CsvLayout } from '../../../engine/io/types.js';
import { rng } from '../../helpers.js';

const COLUMNS = 7; // 5 features, one skipped text column, the label
const UNUSUAL = ['1e5', '-2.5E-3', 'Infinity', '-Infinity', 'NaN', 'inf', '', ' 7 ', '12345678901234567890', '0.1234567890123456789', '-0', '+3', '1.', '.5', '9007199254740993', '123456789012345678', '900719925474099.1', '1234567.8901234567', '0.000000000000000001', '00000000000000000012', '-12345678.12345678'];

/** 1 to 15 digits with the point anywhere (or none), leading zeros kept: the eight-byte reads' edge cases. */
function longNumber(random: () => number): string {
  const length = 1 + Math.floor(random() * 15);
  let digits = '';
  for (let i = 0; i < length; i++) digits += String(Math.floor(random() * 10));
  const point = Math.floor(random() * (length + 1));
  const text = point === length ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return random() < 0.3 ? `-${text}` : text;
}

function cell(random: () => number, unusualShare: number): string {
  if (random() < unusualShare) return UNUSUAL[Math.floor(random() * UNUSUAL.length)]!;
  const kind = random();
  if (kind < 0.4) return String(Math.floor(random() * 100000));
  if (kind < 0.7) return (random() * 1000 - 500).toFixed(Math.floor(random() * 9));
  if (kind < 0.8) return '0';
  if (kind < 0.9) return longNumber(random);
  return String(-Math.floor(random() * 1e6));
}

function makeCsv(seed: number, rows: number, unusualShare: number, crlf: boolean): string {
  const random = rng(seed);
  const eol = crlf ? '\r\n' : '\n';
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    if (random() < 0.01) lines.push(''); // blank line
    const features = Array.from({ length: 5 }, () => cell(random, unusualShare));
    const text = random() < 0.01 ? '"quoted, text"' : `host-${r}`;
    lines.push([...features.slice(0, 2), text, ...features.slice(2), random() < 0.5 ? 'BENIGN' : 'DDoS'].join(','));
  }
  return lines.join(eol) + eol;
}

const layout: CsvLayout = { file: 'mem.csv', rawNames: [], names: ['a', 'b', 'host', 'c', 'd', 'e', 'Label'], dataStart: 0, fileSize: 0, delimiter: 44 };
const columnMap = Int32Array.from([0, 1, -1, 2, 3, 4, -2]);

function parseAll(text: string, withScanner: boolean) {
  const memory = createSharedMemory(64 << 20);
  const buffer = memory.buffer;
  const encoded = Buffer.from(text, 'latin1');
  const bytes = new Uint8Array(buffer, 1 << 20, encoded.length);
  bytes.set(encoded);
  const stride = 4096;
  const out = new Float64Array(buffer, 40 << 20, stride * 5);
  const columnMapPtr = 60 << 20;
  new Int32Array(buffer, columnMapPtr, COLUMNS).set(columnMap);
  const kernel = loadCsvKernel(memory);
  expect(kernel).not.toBeNull();
  const parser = new CsvBlockParser(layout, columnMap, 5, { coerce: true, accelerator: withScanner ? { kernel: kernel!, buffer, columnMapPtr } : undefined });
  const values: number[][] = [[], [], [], [], []];
  const window = { buffer: bytes, pos: 0, length: 0, fileStart: 0, atEof: false };
  // small windows so that rows straddle their ends, and blocks of 37 rows that cut calls short
  while (window.pos < bytes.length) {
    const pos = window.pos;
    window.length = Math.min(bytes.length, pos + 3000);
    window.atEof = window.length === bytes.length;
    const rows = parser.parse(window, { values: out, base: 0, stride, rows: 0, capacity: 37 });
    for (let f = 0; f < 5; f++) for (let k = 0; k < rows; k++) values[f]!.push(out[f * stride + k]!);
    if (window.pos === pos && !window.atEof) throw new Error('no progress');
    if (rows === 0 && window.atEof) break;
  }
  return { values, quality: Array.from(parser.quality), quoteSeen: parser.quoteSeen, scannedRows: parser.scannedRows };
}

const bits = (values: number[][]) => values.map((column) => Array.from(new Uint32Array(Float64Array.from(column).buffer)));

describe('WASM CSV scanner', () => {
  for (const [seed, share, crlf] of [
    [1, 0, false],
    [2, 0.05, false],
    [3, 0.05, true],
    [4, 0.5, true],
  ] as const) {
    it(`matches the JavaScript parser bit for bit (seed ${seed}, ${share * 100}% unusual cells, ${crlf ? 'CRLF' : 'LF'})`, () => {
      const text = makeCsv(seed, 3000, share, crlf);
      const js = parseAll(text, false);
      const wasm = parseAll(text, true);
      expect(wasm.values[0]!.length).toBe(3000);
      expect(bits(wasm.values)).toEqual(bits(js.values));
      expect(wasm.quality).toEqual(js.quality);
      expect(wasm.quoteSeen).toBe(js.quoteSeen);
      expect(js.scannedRows).toBe(0);
      // the scanner takes the common rows; a row with an unusual cell or a quote goes to JS
      if (share === 0) expect(wasm.scannedRows).toBeGreaterThan(2900);
      else expect(wasm.scannedRows).toBeGreaterThan(0);
    });
  }

  it('skips a run of blank lines at once, not with one scanner call per line', () => {
    // 200 MB of line feeds took 13 s through the scanner path (one WASM call per blank line)
    const memory = createSharedMemory(64 << 20);
    const buffer = memory.buffer;
    const blank = 24 << 20;
    const head = Buffer.from('1,2,x,3,4,5,L\n', 'latin1');
    const tail = Buffer.from('\r\n\r\n6,7,y,8,9,10,L\r\n', 'latin1');
    const bytes = new Uint8Array(buffer, 1 << 20, head.length + blank + tail.length);
    bytes.set(head);
    bytes.fill(0x0a, head.length, head.length + blank);
    bytes.set(tail, head.length + blank);
    const columnMapPtr = 60 << 20;
    new Int32Array(buffer, columnMapPtr, COLUMNS).set(columnMap);
    const kernel = loadCsvKernel(memory)!;
    const parser = new CsvBlockParser(layout, columnMap, 5, { accelerator: { kernel, buffer, columnMapPtr } });
    const out = new Float64Array(buffer, 40 << 20, 5 * 4);
    const started = performance.now();
    const window = { buffer: bytes, pos: 0, length: bytes.length, fileStart: 0, atEof: true };
    const rows = parser.parse(window, { values: out, base: 0, stride: 4, rows: 0, capacity: 4 });
    const seconds = (performance.now() - started) / 1000;
    expect([rows, window.pos]).toEqual([2, bytes.length]);
    expect(Array.from(out)).toEqual([1, 6, 0, 0, 2, 7, 0, 0, 3, 8, 0, 0, 4, 9, 0, 0, 5, 10, 0, 0]);
    expect(parser.scannedRows).toBe(2);
    expect(seconds).toBeLessThan(1);
  });

  it('parses the common cells itself (decimal and negative values, -0)', () => {
    const memory = createSharedMemory(1 << 20);
    const buffer = memory.buffer;
    const text = Buffer.from('1.5,-2,x,0.125,-0,7\r\n3,4,y,5,6,7\r\n', 'latin1');
    new Uint8Array(buffer, 65536, text.length).set(text);
    new Int32Array(buffer, 131072, 6).set([0, 1, -1, 2, 3, 4]);
    const kernel = loadCsvKernel(memory)!;
    const rows = kernel.parseRows(65536, 65536 + text.length, 65536 + text.length, 131072, 6, 196608, 2 * 8, 10);
    expect(rows).toBe(2);
    expect(kernel.consumed()).toBe(text.length);
    const out = new Float64Array(buffer, 196608, 10);
    expect(Array.from(out)).toEqual([1.5, 3, -2, 4, 0.125, 5, -0, 6, 7, 7]);
    expect(Object.is(out[6], -0)).toBe(true);
  });
});
