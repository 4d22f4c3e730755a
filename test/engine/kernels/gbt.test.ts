import { describe, expect, it } from 'vitest';
import { createSharedMemory, loadGbtKernel, GBT_BIN_BYTES, type KernelName } from '../../../engine/kernels/index.js';
import { rng } from '../../helpers.js';

const KERNELS: KernelName[] = ['wasm-simd', 'wasm', 'js'];
const N = 4000;
const FEATURES = 5;
const memory = createSharedMemory(8 << 20);
const binsPtr = 65536;
const gradPtr = binsPtr + N * FEATURES + 256;
const rowsPtr = gradPtr + N * 16;
const featuresPtr = rowsPtr + N * 4;
const histPtr = featuresPtr + 1024;
const childPtr = histPtr + FEATURES * 256 * GBT_BIN_BYTES;
const binsPerFeature = [2, 255, 1, 40, 255];

/** Bins (few and many per feature), gradients and hessians as the log-loss gives them, a shuffled subset of rows. */
function setup(seed: number): number[] {
  const random = rng(seed);
  const u8 = new Uint8Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
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

/** The features table (column address, first bin): each feature as many bins as it uses, in the given order. Returns the total bins. */
function table(features: number[]): { first: number[]; totalBins: number } {
  const u32 = new Uint32Array(memory.buffer);
  const first: number[] = [];
  let total = 0;
  features.forEach((f, k) => {
    first.push(total);
    u32[(featuresPtr >>> 2) + 2 * k] = binsPtr + f * N;
    u32[(featuresPtr >>> 2) + 2 * k + 1] = total;
    total += binsPerFeature[f]!;
  });
  return { first, totalBins: total };
}

/** [gradient, hessian, rows] per bin, summed one row at a time in row order. */
function expected(rows: number[], features: number[]): number[][] {
  const u8 = new Uint8Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  const { first, totalBins } = table(features);
  const hist = Array.from({ length: totalBins }, () => [0, 0, 0]);
  for (const row of rows) {
    features.forEach((f, k) => {
      const bin = hist[first[k]! + u8[binsPtr + f * N + row]!]!;
      bin[0]! += f64[(gradPtr >>> 3) + 2 * row]!;
      bin[1]! += f64[(gradPtr >>> 3) + 2 * row + 1]!;
      bin[2]! += 1;
    });
  }
  return hist;
}

function read(at: number, totalBins: number): number[][] {
  const f64 = new Float64Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  return Array.from({ length: totalBins }, (_, b) => [f64[(at >>> 3) + b * 4]!, f64[(at >>> 3) + b * 4 + 1]!, u32[(at >>> 2) + b * 8 + 4]!]);
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
    const want = expected(rows, features);
    const { totalBins } = table(features);
    for (const name of KERNELS) {
      new Uint8Array(memory.buffer, histPtr, (totalBins + 8) * GBT_BIN_BYTES).fill(0x5a);
      loadGbtKernel(memory, name).gradientHistograms(featuresPtr, features.length, rowsPtr, rows.length, gradPtr, histPtr, totalBins);
      expect(read(histPtr, totalBins), name).toEqual(want);
      // nothing written past the last bin
      expect(new Uint8Array(memory.buffer, histPtr + totalBins * GBT_BIN_BYTES, 8 * GBT_BIN_BYTES).every((v) => v === 0x5a), name).toBe(true);
    }
  });

  it('subtractHistograms: parent minus the counted child is the sibling, in every build', () => {
    const rows = setup(2);
    const features = [0, 1, 2, 3, 4];
    const u32 = new Uint32Array(memory.buffer);
    const { totalBins } = table(features);
    const child = rows.filter((r) => r % 3 === 0);
    const parentWant = expected(rows, features);
    const childWant = expected(child, features);
    for (const name of KERNELS) {
      const kernel = loadGbtKernel(memory, name);
      u32.set(rows, rowsPtr >>> 2);
      kernel.gradientHistograms(featuresPtr, features.length, rowsPtr, rows.length, gradPtr, histPtr, totalBins);
      u32.set(child, rowsPtr >>> 2);
      kernel.gradientHistograms(featuresPtr, features.length, rowsPtr, child.length, gradPtr, childPtr, totalBins);
      kernel.subtractHistograms(histPtr, childPtr, totalBins);
      const got = read(histPtr, totalBins);
      got.forEach((bin, b) => {
        expect(bin[2], `${name} bin ${b} rows`).toBe(parentWant[b]![2]! - childWant[b]![2]!);
        expect(bin[0], `${name} bin ${b} gradient`).toBe(parentWant[b]![0]! - childWant[b]![0]!);
        expect(bin[1], `${name} bin ${b} hessian`).toBe(parentWant[b]![1]! - childWant[b]![1]!);
      });
    }
  });

  it('gradientHistograms: no rows gives empty histograms', () => {
    for (const name of KERNELS) {
      table([1]);
      new Uint8Array(memory.buffer, histPtr, 255 * GBT_BIN_BYTES).fill(7);
      loadGbtKernel(memory, name).gradientHistograms(featuresPtr, 1, rowsPtr, 0, gradPtr, histPtr, 255);
      expect(new Uint8Array(memory.buffer, histPtr, 255 * GBT_BIN_BYTES).every((v) => v === 0), name).toBe(true);
    }
  });
});
