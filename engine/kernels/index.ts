/**
 * The only place that loads the assembly/ builds. Modules are compiled lazily, once per thread;
 * the SIMD build is tried first and the plain build, then the TypeScript kernel, are fallbacks.
 * `DRIFTCATCHER_KERNEL=simd|wasm|js` forces one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { countBinsJs } from './js.js';
import { binColumnJs, nodeHistogramsJs, partitionRowsJs } from './forest-js.js';

export { countBinsJs } from './js.js';
export { binColumnJs, nodeHistogramsJs, partitionRowsJs } from './forest-js.js';

export type KernelName = 'wasm-simd' | 'wasm' | 'js';

/** Count slots a call needs for `nEdges` edges (see assembly/histogram.ts). */
export function countSlots(nEdges: number): number {
  return nEdges + 3;
}

export interface BinKernel {
  readonly name: KernelName;
  readonly memory: WebAssembly.Memory;
  /** Add the bin counts of n f64 values at valuesPtr to the u32 counters at countsPtr (byte addresses). */
  countBins(valuesPtr: number, n: number, edgesPtr: number, nEdges: number, countsPtr: number): void;
}

/** 64 KiB pages; the kernels declare at most 65,536 pages (4 GiB). */
export const PAGE_BYTES = 65536;
const MAX_PAGES = 65536;

/** A shared memory for the kernels and the workers, with room for at least `bytes`. */
export function createSharedMemory(bytes: number, maximumBytes = 4 * 1024 ** 3 - PAGE_BYTES): WebAssembly.Memory {
  const initial = Math.max(1, Math.ceil(bytes / PAGE_BYTES));
  const maximum = Math.min(MAX_PAGES, Math.max(initial, Math.ceil(maximumBytes / PAGE_BYTES)));
  return new WebAssembly.Memory({ initial, maximum, shared: true });
}

/** Grow a memory so that it holds at least `bytes`. */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
}

const compiled = new Map<string, WebAssembly.Module | null>();

function compile(file: string): WebAssembly.Module | null {
  if (!compiled.has(file)) {
    let module: WebAssembly.Module | null = null;
    try {
      module = new WebAssembly.Module(readFileSync(join(packageRoot(), 'build', file)));
    } catch {
      module = null; // not built, or this engine lacks the feature (e.g. SIMD)
    }
    compiled.set(file, module);
  }
  return compiled.get(file)!;
}

export function instantiate(file: string, memory: WebAssembly.Memory): WebAssembly.Instance | null {
  const module = compile(file);
  if (module === null) return null;
  try {
    return new WebAssembly.Instance(module, { env: { memory, abort: wasmAbort } });
  } catch {
    return null;
  }
}

function wasmAbort(): never {
  throw new Error('driftcatcher: WASM kernel aborted');
}

export function preferred(): KernelName[] {
  const forced = process.env['DRIFTCATCHER_KERNEL'];
  if (forced === 'js') return ['js'];
  if (forced === 'wasm') return ['wasm', 'js'];
  if (forced === 'simd' || forced === 'wasm-simd') return ['wasm-simd', 'wasm', 'js'];
  return ['wasm-simd', 'wasm', 'js'];
}

/** The best histogram kernel available over `memory`, or the one named. */
export function loadBinKernel(memory: WebAssembly.Memory, only?: KernelName): BinKernel {
  for (const name of only ? [only] : preferred()) {
    if (name === 'js') {
      return { name, memory, countBins: (v, n, e, ne, c) => countBinsJs(memory, v, n, e, ne, c) };
    }
    const instance = instantiate(name === 'wasm-simd' ? 'histogram.simd.wasm' : 'histogram.wasm', memory);
    if (instance) {
      const countBins = instance.exports['countBins'] as BinKernel['countBins'];
      return { name, memory, countBins };
    }
  }
  throw new Error(`driftcatcher: histogram kernel ${only} is not available (run npm run build)`);
}

/** Bytes of one feature's node histogram: 256 bins of four u32 (see assembly/forest.ts). */
export const FOREST_HIST_BYTES = 256 * 16;
/** Bytes of one row's statistics: bootstrap weight, weight x label, 1, 0 as u32. */
export const FOREST_ROW_STATS_BYTES = 16;

/** The tree-growing kernels of assembly/forest.ts over one memory (byte addresses throughout). */
export interface ForestKernel {
  readonly name: KernelName;
  readonly memory: WebAssembly.Memory;
  /** Clear nFeatures histograms at `hist` and add the node's rows into them; `columns` holds the features' u32 column addresses. */
  nodeHistograms(columns: number, nFeatures: number, rows: number, nRows: number, rowStats: number, hist: number): void;
  /** Stable partition of a node's rows by `bin <= splitBin`; returns the number on the left. */
  partitionRows(column: number, rows: number, nRows: number, splitBin: number, scratch: number): number;
  /** u8 bins of n f64 values: the number of the nEdges sorted edges <= v. */
  binColumn(values: number, n: number, edges: number, nEdges: number, out: number): void;
}

/** The best forest kernel available over `memory`, or the one named. */
export function loadForestKernel(memory: WebAssembly.Memory, only?: KernelName): ForestKernel {
  for (const name of only ? [only] : preferred()) {
    if (name === 'js') {
      return {
        name,
        memory,
        nodeHistograms: (c, nf, r, nr, s, h) => nodeHistogramsJs(memory, c, nf, r, nr, s, h),
        partitionRows: (c, r, nr, b, s) => partitionRowsJs(memory, c, r, nr, b, s),
        binColumn: (v, n, e, ne, o) => binColumnJs(memory, v, n, e, ne, o),
      };
    }
    const instance = instantiate(name === 'wasm-simd' ? 'forest.simd.wasm' : 'forest.wasm', memory);
    if (instance) {
      const exports = instance.exports;
      return {
        name,
        memory,
        nodeHistograms: exports['nodeHistograms'] as ForestKernel['nodeHistograms'],
        partitionRows: exports['partitionRows'] as ForestKernel['partitionRows'],
        binColumn: exports['binColumn'] as ForestKernel['binColumn'],
      };
    }
  }
  throw new Error(`driftcatcher: forest kernel ${only} is not available (run npm run build)`);
}
