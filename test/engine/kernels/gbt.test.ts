import { describe, expect, it } from 'vitest';
import { createSharedMemory, loadGbtKernel, GBT_HIST_BYTES, type KernelName } from '../../../engine/kernels/index.js';
import { rng } from '../../helpers.js';

const KERNELS: KernelName[] = ['wasm-simd', 'wasm', 'js'];
const N = 4000;
const FEATURES = 5;
const memory = createSharedMemory(8 << 20);
const binsPtr = 65536;
const gradPtr = binsPtr + N * FEATURES + 256;
const rowsPtr = gradPtr + N * 16;
const columnsPtr = rowsPtr + N * 4;
const histPtr = columnsPtr + 1024;
const childPtr = histPtr + FEATURES * GBT_HIST_BYTES;

/** Bins (few and many per feature), gradients and hessians as the log-loss gives them, a shuffled subset of rows. */
function setup(seed: number): number[] {
  const random = rng(seed);
  const u8 = new Uint8Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  const binsPerFeature = [2, 255, 1, 40, 255];
  for (let f = 0; f < FEATURES; f++) for (let r = 0; r < N; r++) u8[binsPtr + f * N + r] = Math.floor(random() * binsPerFeature[f]!);
  for (let r = 0; r < N; r++) {
    const p = random();
    const y = random() < 0.4 ? 1 : 0;
    f64[(gradPtr >>> 3) + 2 * r] = p - y;
    f64[(gradPtr >>> 3) + 2 * r + 1] = p * (1 - p);
  }
  const rows = Array.from({ length: N }, (_, r) => r).filter(() => random() < 0.7);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return rows;
}

/** [gradient, hessian, rows] per feature and bin, summed one row at a time in row order. */
function expected(rows: number[], features: number[]): number[][] {
  const u8 = new Uint8Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  const hist = Array.from({ length: features.length * 256 }, () => [0, 0, 0]);
  for (const row of rows) {
    features.forEach((f, k) => {
      const bin = hist[k * 256 + u8[binsPtr + f * N + row]!]!;
      bin[0]! += f64[(gradPtr >>> 3) + 2 * row]!;
      bin[1]! += f64[(gradPtr >>> 3) + 2 * row + 1]!;
      bin[2]! += 1;
    });
  }
  return hist;
}

function read(at: number, nFeatures: number): number[][] {
  const f64 = new Float64Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  return Array.from({ length: nFeatures * 256 }, (_, b) => [f64[(at >>> 3) + b * 4]!, f64[(at >>> 3) + b * 4 + 1]!, u32[(at >>> 2) + b * 8 + 4]!]);
}

describe('gradient-boosting kernels', () => {
  it('load the SIMD build by default', () => {
    expect(loadGbtKernel(memory).name).toBe('wasm-simd');
  });

  it('gradientHistograms: every build equals the definition, bit for bit (and clears what was there)', () => {
    const rows = setup(1);
    const features = [1, 0, 4, 2];
    const u32 = new Uint32Array(memory.buffer);
    u32.set(rows, rowsPtr >>> 2);
    features.forEach((f, k) => (u32[(columnsPtr >>> 2) + k] = binsPtr + f * N));
    const want = expected(rows, features);
    for (const name of KERNELS) {
      new Uint8Array(memory.buffer, histPtr, features.length * GBT_HIST_BYTES).fill(0x5a);
      loadGbtKernel(memory, name).gradientHistograms(columnsPtr, features.length, rowsPtr, rows.length, gradPtr, histPtr);
      expect(read(histPtr, features.length), name).toEqual(want);
    }
  });

  it('subtractHistograms: parent minus the counted child is the sibling, in every build', () => {
    const rows = setup(2);
    const features = [0, 1, 2, 3, 4];
    const u32 = new Uint32Array(memory.buffer);
    features.forEach((f, k) => (u32[(columnsPtr >>> 2) + k] = binsPtr + f * N));
    const child = rows.filter((r) => r % 3 === 0);
    const parentWant = expected(rows, features);
    const childWant = expected(child, features);
    for (const name of KERNELS) {
      const kernel = loadGbtKernel(memory, name);
      u32.set(rows, rowsPtr >>> 2);
      kernel.gradientHistograms(columnsPtr, features.length, rowsPtr, rows.length, gradPtr, histPtr);
      u32.set(child, rowsPtr >>> 2);
      kernel.gradientHistograms(columnsPtr, features.length, rowsPtr, child.length, gradPtr, childPtr);
      kernel.subtractHistograms(histPtr, childPtr, features.length);
      const got = read(histPtr, features.length);
      got.forEach((bin, b) => {
        expect(bin[2], `${name} bin ${b} rows`).toBe(parentWant[b]![2]! - childWant[b]![2]!);
        expect(bin[0], `${name} bin ${b} gradient`).toBe(parentWant[b]![0]! - childWant[b]![0]!);
        expect(bin[1], `${name} bin ${b} hessian`).toBe(parentWant[b]![1]! - childWant[b]![1]!);
      });
    }
  });

  it('gradientHistograms: no rows gives empty histograms', () => {
    for (const name of KERNELS) {
      new Uint8Array(memory.buffer, histPtr, GBT_HIST_BYTES).fill(7);
      loadGbtKernel(memory, name).gradientHistograms(columnsPtr, 1, rowsPtr, 0, gradPtr, histPtr);
      expect(new Uint8Array(memory.buffer, histPtr, GBT_HIST_BYTES).every((v) => v === 0), name).toBe(true);
    }
  });
});
