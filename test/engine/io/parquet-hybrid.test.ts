/**
 * readHybrid (engine/io/parquet/decode.ts), the reader's own RLE / bit-packed hybrid decoder,
 * against hyparquet's readRleBitPackedHybrid (the decoder it replaced; up to 24 bits, past which it
 * loses bits) and the values encoded: random
 * runs of repeats and of bit-packed groups at every width from 1 to 32 bits, with and without the
 * 4-byte length first, and a last group cut short as some writers do.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { readHybrid } from '../../../engine/io/parquet/decode.js';
import { rng } from '../../helpers.js';

const require = createRequire(import.meta.url);
const { readRleBitPackedHybrid } = require('hyparquet/src/encoding.js') as { readRleBitPackedHybrid(reader: { view: DataView; offset: number }, width: number, out: Int32Array, length?: number): void };

const where = { file: 'x.parquet', column: 'c', group: 0 };

/** Encode `values` per the Parquet spec: runs chosen at random, repeats or groups of 8 bit-packed values. */
function encode(values: number[], width: number, random: () => number, cutLast: boolean): Uint8Array {
  const bytes: number[] = [];
  const varint = (n: number) => {
    while (n >= 0x80) {
      bytes.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    bytes.push(n);
  };
  let i = 0;
  while (i < values.length) {
    let run = 1;
    while (i + run < values.length && values[i + run] === values[i]) run++;
    if (run >= 8 && random() < 0.8) {
      varint(run * 2);
      for (let b = 0; b < (width + 7) >> 3; b++) bytes.push(Math.floor(values[i]! / 2 ** (8 * b)) & 0xff);
      i += run;
      continue;
    }
    const groups = 1 + Math.floor(random() * 4);
    varint(groups * 2 + 1);
    const packed = new Uint8Array(groups * width);
    for (let k = 0; k < groups * 8; k++) {
      const v = values[i + k] ?? 0;
      for (let bit = 0; bit < width; bit++) if (Math.floor(v / 2 ** bit) % 2 === 1) packed[(k * width + bit) >> 3]! |= 1 << ((k * width + bit) & 7);
    }
    const last = i + groups * 8 >= values.length;
    // a writer may leave out the bytes of a last group's padding values
    const keep = last && cutLast ? Math.ceil(((values.length - i) * width) / 8) : packed.length;
    bytes.push(...packed.subarray(0, keep));
    i += groups * 8;
  }
  return Uint8Array.from(bytes);
}

describe('readHybrid', () => {
  const random = rng(11);
  for (const width of [1, 2, 3, 5, 7, 8, 9, 12, 16, 17, 20, 24, 25, 26, 31, 32]) {
    it(`decodes runs of ${width}-bit values as hyparquet does, and as encoded`, () => {
      for (let trial = 0; trial < 20; trial++) {
        const n = 1 + Math.floor(random() * 3000);
        const top = 2 ** width;
        const distinct = Array.from({ length: 1 + Math.floor(random() * 6) }, () => Math.floor(random() * top));
        const values = Array.from({ length: n }, () => (random() < 0.5 ? distinct[Math.floor(random() * distinct.length)]! : Math.floor(random() * top)));
        const cutLast = trial % 2 === 1;
        const body = encode(values, width, random, cutLast);
        // with the 4-byte length first (definition levels), and without (dictionary indexes), after 3 bytes of something else
        for (const prefixed of [true, false]) {
          const page = new Uint8Array(3 + (prefixed ? 4 : 0) + body.length + (cutLast ? 0 : 5));
          if (prefixed) new DataView(page.buffer).setUint32(3, body.length, true);
          page.set(body, prefixed ? 7 : 3);
          const ours = new Int32Array(n);
          const reader = { offset: 3 };
          readHybrid(page, reader, width, ours, prefixed ? undefined : body.length, where);
          expect(reader.offset).toBe((prefixed ? 7 : 3) + body.length);
          const want = Int32Array.from(values, (v) => v | 0);
          expect(Array.from(ours).findIndex((v, k) => v !== want[k]), `width ${width}, n ${n}`).toBe(-1);
          // hyparquet's reader holds the bits in one 32-bit number: past 24 bits a value it loses
          // the high bits (at 32, its mask is 0); the encoded values are the reference there
          if (!cutLast && width <= 24) {
            const theirs = new Int32Array(n);
            readRleBitPackedHybrid({ view: new DataView(page.buffer), offset: 3 }, width, theirs, prefixed ? undefined : body.length);
            expect(Array.from(theirs)).toEqual(Array.from(ours));
          }
        }
      }
    });
  }
  it('a page that ends before its values is an error naming the file and column', () => {
    const body = encode(Array.from({ length: 100 }, (_, k) => k % 7), 3, rng(3), false);
    expect(() => readHybrid(body.subarray(0, 5), { offset: 0 }, 3, new Int32Array(100), 5, where)).toThrow(/x\.parquet.*column "c".*not a readable Parquet file/);
  });
});
