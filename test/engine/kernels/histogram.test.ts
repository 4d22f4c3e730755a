import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { createSharedMemory, loadBinKernel, countSlots, type KernelName } from '../../../engine/kernels/index.js';
import { rng } from '../../helpers.js';

const VALUES = 1 << 16;
const memory = createSharedMemory(4 << 20);
const valuesPtr = 65536;
const edgesPtr = valuesPtr + VALUES * 8;
const countsPtr = edgesPtr + 4096 * 8;

/** Count `values` in calls of `chunk` values (the counters carry over from call to call). */
function run(kernel: KernelName, values: ArrayLike<number>, edges: ArrayLike<number>, chunk = 1000): number[] {
  const k = loadBinKernel(memory, kernel);
  const f64 = new Float64Array(memory.buffer);
  f64.set(values as ArrayLike<number>, valuesPtr / 8);
  f64.set(edges as ArrayLike<number>, edgesPtr / 8);
  const slots = countSlots(edges.length);
  const u32 = new Uint32Array(memory.buffer, countsPtr, slots);
  u32.fill(0);
  // in chunks, as the workers call it
  for (let at = 0; at < values.length; at += chunk) k.countBins(valuesPtr + at * 8, Math.min(chunk, values.length - at), edgesPtr, edges.length, countsPtr);
  return Array.from(u32);
}

/** countBinsTails in calls of `chunk` values: the counts and the two tail sums (both carried over from call to call). */
function runTails(kernel: KernelName, values: ArrayLike<number>, edges: ArrayLike<number>, chunk = 1000): { counts: number[]; tails: [number, number] } {
  const k = loadBinKernel(memory, kernel);
  const f64 = new Float64Array(memory.buffer);
  f64.set(values as ArrayLike<number>, valuesPtr / 8);
  f64.set(edges as ArrayLike<number>, edgesPtr / 8);
  const u32 = new Uint32Array(memory.buffer, countsPtr, countSlots(edges.length));
  u32.fill(0);
  const tailsPtr = countsPtr + 8192 * 4;
  f64.fill(0, tailsPtr / 8, tailsPtr / 8 + 2);
  for (let at = 0; at < values.length; at += chunk) k.countBinsTails(valuesPtr + at * 8, Math.min(chunk, values.length - at), edgesPtr, edges.length, countsPtr, tailsPtr);
  return { counts: Array.from(u32), tails: [f64[tailsPtr / 8]!, f64[tailsPtr / 8 + 1]!] };
}

/**
 * The tail sums from their definition: per call of `chunk` values, the sum in value order of
 * (first - v) over finite v < first and of (v - last) over finite v > last, each added to the
 * running total once (the order the scan has always summed in, so its results stay bit-equal).
 */
function expectedTails(values: ArrayLike<number>, edges: ArrayLike<number>, chunk = 1000): [number, number] {
  if (edges.length === 0) return [0, 0];
  const first = edges[0]!;
  const last = edges[edges.length - 1]!;
  let below = 0;
  let above = 0;
  for (let at = 0; at < values.length; at += chunk) {
    let b = 0;
    let a = 0;
    for (let i = at; i < Math.min(values.length, at + chunk); i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < first) b += first - v;
      if (v > last) a += v - last;
    }
    below += b;
    above += a;
  }
  return [below, above];
}

/** The slot semantics written out directly from their definition, one value at a time. */
function expectedSlots(values: ArrayLike<number>, edges: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 3).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      counts[edges.length + 1]!++;
      continue;
    }
    let le = 0;
    for (let e = 0; e < edges.length; e++) if (edges[e]! <= v) le++;
    counts[le]!++;
    if (edges.length > 0 && v === edges[edges.length - 1]) counts[edges.length + 2]!++;
  }
  return counts;
}

const KERNELS: KernelName[] = ['wasm-simd', 'wasm', 'js'];

describe('histogram kernel', () => {
  it('loads the SIMD build by default', () => {
    expect(loadBinKernel(memory).name).toBe('wasm-simd');
  });

  it('counts hand-computed slots: edges, below, above, last edge, non-finite, ±0', () => {
    const edges = [0, 1, 1, 2];
    const values = [-5, -0, 0, 0.5, 1, 1, 1.5, 2, 2, 3, NaN, Infinity, -Infinity];
    // slot 0: -5 ; slot 1: -0, 0, 0.5 ; slot 2: (none, 1 <= v < 1) ; slot 3: 1, 1, 1.5 ; slot 4: 2, 2, 3
    // non-finite: 3 ; equal to the last edge (2): 2
    const want = [1, 3, 0, 3, 3, 3, 2];
    for (const kernel of KERNELS) expect(run(kernel, values, edges), kernel).toEqual(want);
  });

  it('handles no edges (a feature without finite training values)', () => {
    for (const kernel of KERNELS) expect(run(kernel, [1, NaN, 2], []), kernel).toEqual([2, 1, 0]);
  });

  it('agrees across builds and with the definition on random and adversarial input', () => {
    const random = rng(7);
    for (const nEdges of [1, 2, 9, 11, 17, 32, 33, 100, 255]) {
      const edges = Array.from({ length: nEdges }, () => Math.round(random() * 20) / 2 - 5).sort((a, b) => a - b);
      const specials = [NaN, Infinity, -Infinity, 0, -0, ...edges, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE];
      const values = Float64Array.from({ length: 5003 }, (_, i) => (i % 7 === 0 ? specials[i % specials.length]! : Math.round(random() * 40) / 4 - 6));
      const want = expectedSlots(values, edges);
      for (const kernel of KERNELS) {
        expect(run(kernel, values, edges), `${kernel}, ${nEdges} edges`).toEqual(want);
        // one call over several of the SIMD kernel's 1,024-value chunks, and calls of 8 (no scalar tail)
        expect(run(kernel, values, edges, values.length), `${kernel}, ${nEdges} edges, one call`).toEqual(want);
        expect(run(kernel, values.subarray(0, 5000), edges, 8), `${kernel}, ${nEdges} edges, calls of 8`).toEqual(expectedSlots(values.subarray(0, 5000), edges));
      }
    }
  });

  it('counts and sums the tails in one call, bit-equal to the definition, with few and many edges (the fine grid)', () => {
    const random = rng(11);
    for (const nEdges of [1, 2, 9, 32, 33, 100, 1001, 2002]) {
      // irrational-looking values and edges, so that a change of summation order shows in the last bits
      const edges = Array.from({ length: nEdges }, () => random() * 7 - 3.3).sort((a, b) => a - b);
      const specials = [NaN, Infinity, -Infinity, 0, -0, ...edges.slice(0, 50), edges[nEdges - 1]!, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE];
      const values = Float64Array.from({ length: 5003 }, (_, i) => (i % 7 === 0 ? specials[i % specials.length]! : random() * 12 - 6.1));
      const counts = expectedSlots(values, edges);
      for (const kernel of KERNELS) {
        for (const chunk of [1000, values.length, 7, 8]) {
          const got = runTails(kernel, values, edges, chunk);
          expect(got.counts, `${kernel}, ${nEdges} edges, calls of ${chunk}`).toEqual(counts);
          const want = expectedTails(values, edges, chunk);
          // toBe: Object.is, every bit
          expect(got.tails[0], `${kernel}, ${nEdges} edges, calls of ${chunk}, below`).toBe(want[0]);
          expect(got.tails[1], `${kernel}, ${nEdges} edges, calls of ${chunk}, above`).toBe(want[1]);
        }
      }
    }
    // no edges: counts as countBins, no tails
    for (const kernel of KERNELS) expect(runTails(kernel, [1, NaN, 2], []), kernel).toEqual({ counts: [2, 1, 0], tails: [0, 0] });
  });

  it('every AssemblyScript source is built, with and without SIMD', () => {
    const sources = readdirSync(new URL('../../../assembly/', import.meta.url)).filter((f) => f.endsWith('.ts'));
    const built = readdirSync(new URL('../../../build/', import.meta.url));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      const name = source.replace(/\.ts$/, '');
      expect(built, source).toEqual(expect.arrayContaining([`${name}.wasm`, `${name}.simd.wasm`]));
    }
  });
});
