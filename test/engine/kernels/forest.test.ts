import { describe, expect, it } from 'vitest';
import { createSharedMemory, loadForestKernel, FOREST_HIST_BYTES, type KernelName } from '../../../engine/kernels/index.js';
import { rng } from '../../helpers.js';

const KERNELS: KernelName[] = ['wasm-simd', 'wasm', 'js'];
const N = 5000;
const FEATURES = 6;
const memory = createSharedMemory(8 << 20);
const binsPtr = 65536;
const statsPtr = binsPtr + N * FEATURES;
const rowsPtr = statsPtr + N * 16;
const scratchPtr = rowsPtr + N * 4;
const columnsPtr = scratchPtr + N * 4;
const histPtr = columnsPtr + 1024;
const valuesPtr = histPtr + FEATURES * FOREST_HIST_BYTES;
const edgesPtr = valuesPtr + N * 8;
const outPtr = edgesPtr + 4096;

/** Fill bins (some features with few bins, one with all 255), row stats and a shuffled subset of rows. */
function setup(seed: number): { rows: number[] } {
  const random = rng(seed);
  const u8 = new Uint8Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  const binsPerFeature = [2, 7, 255, 1, 40, 255];
  for (let f = 0; f < FEATURES; f++) for (let r = 0; r < N; r++) u8[binsPtr + f * N + r] = Math.floor(random() * binsPerFeature[f]!);
  for (let r = 0; r < N; r++) {
    const w = Math.floor(random() * 4);
    const y = random() < 0.4 ? 1 : 0;
    u32.set([w, w * y, 1, 0], (statsPtr >>> 2) + r * 4);
  }
  const rows = Array.from({ length: N }, (_, r) => r).filter(() => random() < 0.7);
  return { rows };
}

/** The histograms from their definition, one row at a time. */
function expectedHistograms(rows: number[], features: number[]): number[] {
  const u8 = new Uint8Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  const hist = new Array<number>(features.length * 1024).fill(0);
  for (const row of rows) {
    features.forEach((f, k) => {
      const bin = u8[binsPtr + f * N + row]!;
      for (let lane = 0; lane < 4; lane++) hist[k * 1024 + bin * 4 + lane]! += u32[(statsPtr >>> 2) + row * 4 + lane]!;
    });
  }
  return hist;
}

describe('forest kernels', () => {
  it('load the SIMD build by default', () => {
    expect(loadForestKernel(memory).name).toBe('wasm-simd');
  });

  it('nodeHistograms: every build equals the definition (and clears what was there)', () => {
    const { rows } = setup(1);
    const features = [2, 0, 5, 3, 1];
    const u32 = new Uint32Array(memory.buffer);
    u32.set(rows, rowsPtr >>> 2);
    features.forEach((f, k) => (u32[(columnsPtr >>> 2) + k] = binsPtr + f * N));
    const want = expectedHistograms(rows, features);
    for (const name of KERNELS) {
      u32.fill(0xdeadbeef, histPtr >>> 2, (histPtr >>> 2) + features.length * 1024);
      loadForestKernel(memory, name).nodeHistograms(columnsPtr, features.length, rowsPtr, rows.length, statsPtr, histPtr);
      expect(Array.from(u32.subarray(histPtr >>> 2, (histPtr >>> 2) + features.length * 1024)), name).toEqual(want);
    }
  });

  it('nodeHistograms: no rows gives empty histograms', () => {
    const u32 = new Uint32Array(memory.buffer);
    for (const name of KERNELS) {
      u32.fill(7, histPtr >>> 2, (histPtr >>> 2) + 1024);
      loadForestKernel(memory, name).nodeHistograms(columnsPtr, 1, rowsPtr, 0, statsPtr, histPtr);
      expect(u32.subarray(histPtr >>> 2, (histPtr >>> 2) + 1024).every((v) => v === 0), name).toBe(true);
    }
  });

  it('partitionRows: stable, left = bin <= split, same in every build', () => {
    const { rows } = setup(2);
    const u8 = new Uint8Array(memory.buffer);
    const u32 = new Uint32Array(memory.buffer);
    for (const [feature, split] of [[2, 100], [0, 0], [1, 6], [4, -1], [5, 254]] as const) {
      const column = binsPtr + feature * N;
      const left = rows.filter((r) => u8[column + r]! <= split);
      const right = rows.filter((r) => u8[column + r]! > split);
      for (const name of KERNELS) {
        u32.set(rows, rowsPtr >>> 2);
        const nLeft = loadForestKernel(memory, name).partitionRows(column, rowsPtr, rows.length, split, scratchPtr);
        expect(nLeft, `${name} feature ${feature}`).toBe(left.length);
        expect(Array.from(u32.subarray(rowsPtr >>> 2, (rowsPtr >>> 2) + rows.length)), name).toEqual([...left, ...right]);
      }
    }
  });

  it('binColumn: the number of edges <= v, like a binary search, in every build', () => {
    const random = rng(3);
    const f64 = new Float64Array(memory.buffer);
    const u8 = new Uint8Array(memory.buffer);
    for (const nEdges of [0, 1, 2, 3, 16, 254]) {
      const edges = Array.from({ length: nEdges }, () => Math.round(random() * 400) / 4 - 50).sort((a, b) => a - b);
      const values = Array.from({ length: 3001 }, (_, i) => (i % 11 === 0 && nEdges ? edges[i % nEdges]! : Math.round(random() * 480) / 4 - 60));
      values.push(-0, 0, -Number.MAX_VALUE, Number.MAX_VALUE);
      f64.set(values, valuesPtr >>> 3);
      f64.set(edges, edgesPtr >>> 3);
      const want = values.map((v) => edges.filter((e) => e <= v).length);
      for (const name of KERNELS) {
        u8.fill(0xff, outPtr, outPtr + values.length);
        loadForestKernel(memory, name).binColumn(valuesPtr, values.length, edgesPtr, nEdges, outPtr);
        expect(Array.from(u8.subarray(outPtr, outPtr + values.length)), `${name}, ${nEdges} edges`).toEqual(want);
      }
    }
  });
});
