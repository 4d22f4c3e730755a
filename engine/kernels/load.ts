/**
 * The only place that loads the assembly/ builds. Modules are compiled lazily, once per thread;
 * the SIMD build is tried first and the plain build, then the TypeScript kernel, are fallbacks.
 * `DRIFTCATCHER_KERNEL=simd|wasm|js` forces one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/index.js';
import { DriftCatcherError, UsageError, internalError } from '../util/index.js';
import { countBinsJs, countBinsTailsJs } from './js.js';
import { binColumnJs, nodeHistogramsJs, partitionRowsJs } from './forest-js.js';
import { gradientHistogramsJs, subtractHistogramsJs } from './gbt-js.js';


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
  /** countBins, and add the values' tails beyond the first and last edge to the two f64 at tailsPtr (assembly/histogram.ts) */
  countBinsTails(valuesPtr: number, n: number, edgesPtr: number, nEdges: number, countsPtr: number, tailsPtr: number): void;
}

/** 64 KiB pages; the kernels declare at most 65,536 pages (4 GiB). */
export const PAGE_BYTES = 65536;
const MAX_PAGES = 65536;

/** The most a shared memory may hold (the kernels' 32-bit addresses, less a page). */
export const MAX_MEMORY_BYTES = 4 * 1024 ** 3 - PAGE_BYTES;

/**
 * A plan needs more shared memory than a WebAssembly memory can hold (or than its maximum):
 * a usage error, which the pools turn into advice (fewer workers, fewer rows).
 */
export class SharedMemoryLimitError extends DriftCatcherError {
  readonly neededBytes: number;
  readonly limitBytes: number;
  constructor(neededBytes: number, limitBytes: number) {
    super('DC_ERR_USAGE', `needs ${(neededBytes / 1024 ** 3).toFixed(2)} GiB of shared memory, more than the ${(limitBytes / 1024 ** 3).toFixed(2)} GiB a WebAssembly memory can hold`);
    this.neededBytes = neededBytes;
    this.limitBytes = limitBytes;
  }
}

/** A shared memory for the kernels and the workers, with room for at least `bytes` (a SharedMemoryLimitError above the maximum). */
export function createSharedMemory(bytes: number, maximumBytes = MAX_MEMORY_BYTES): WebAssembly.Memory {
  const initial = Math.max(1, Math.ceil(bytes / PAGE_BYTES));
  const maximum = Math.min(MAX_PAGES, Math.max(1, Math.floor(maximumBytes / PAGE_BYTES)));
  if (initial > maximum) throw new SharedMemoryLimitError(bytes, maximum * PAGE_BYTES);
  return new WebAssembly.Memory({ initial, maximum, shared: true });
}

/** Grow a memory so that it holds at least `bytes` (a SharedMemoryLimitError beyond its maximum). */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return;
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
  } catch (err) {
    if (err instanceof RangeError) throw new SharedMemoryLimitError(bytes, MAX_MEMORY_BYTES);
    throw err;
  }
}

/** A compiled module, or why there is none: its build file is missing, or this Node.js cannot compile it (e.g. no SIMD). */
const compiled = new Map<string, WebAssembly.Module | { missing: boolean; why: string }>();

function compile(file: string): WebAssembly.Module | { missing: boolean; why: string } {
  let module = compiled.get(file);
  if (module === undefined) {
    const path = join(packageRoot(), 'build', file);
    let bytes: Buffer | undefined;
    try {
      bytes = readFileSync(path);
      module = new WebAssembly.Module(bytes);
    } catch (err) {
      module = bytes === undefined ? { missing: true, why: `${path} is missing` } : { missing: false, why: `this Node.js cannot compile ${path} (${(err as Error).message})` };
    }
    compiled.set(file, module);
  }
  return module;
}

export function instantiate(file: string, memory: WebAssembly.Memory): WebAssembly.Instance | null {
  const module = compile(file);
  if (!(module instanceof WebAssembly.Module)) return null;
  try {
    return new WebAssembly.Instance(module, { env: { memory, abort: wasmAbort } });
  } catch {
    return null;
  }
}

/** Why a forced kernel cannot be used: a UsageError with the fix (build it, or choose another). */
export function unavailableKernel(what: string, name: KernelName, file: string): UsageError {
  const module = compile(file);
  const why = module instanceof WebAssembly.Module ? 'it could not be instantiated' : module.why;
  const fix = !(module instanceof WebAssembly.Module) && module.missing ? 'run `npm run build` to build the kernels' : 'choose another kernel (js always works)';
  return new UsageError(`${what} kernel ${name} is not available: ${why}; ${fix}`, { option: 'kernel' });
}

function wasmAbort(): never {
  throw internalError('WASM kernel aborted');
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
      return { name, memory, countBins: (v, n, e, ne, c) => countBinsJs(memory, v, n, e, ne, c), countBinsTails: (v, n, e, ne, c, t) => countBinsTailsJs(memory, v, n, e, ne, c, t) };
    }
    const instance = instantiate(name === 'wasm-simd' ? 'histogram.simd.wasm' : 'histogram.wasm', memory);
    if (instance) {
      const countBins = instance.exports['countBins'] as BinKernel['countBins'];
      const countBinsTails = instance.exports['countBinsTails'] as BinKernel['countBinsTails'];
      return { name, memory, countBins, countBinsTails };
    }
  }
  const name = only ?? 'wasm';
  throw unavailableKernel('histogram', name, name === 'wasm-simd' ? 'histogram.simd.wasm' : 'histogram.wasm');
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

/**
 * The best kernel of one assembly/ module over `memory`, or the one named: `js` builds the
 * TypeScript stand-in, the WASM ones take `exports` from `<base>[.simd].wasm`. Throws the
 * one-line UsageError of unavailableKernel when the one asked for cannot be had.
 */
export function loadModuleKernel<K extends { readonly name: KernelName; readonly memory: WebAssembly.Memory }>(
  base: string,
  memory: WebAssembly.Memory,
  only: KernelName | undefined,
  js: (memory: WebAssembly.Memory) => K,
  exports: ReadonlyArray<Exclude<keyof K, 'name' | 'memory'>>,
): K {
  const file = (name: KernelName) => (name === 'wasm-simd' ? `${base}.simd.wasm` : `${base}.wasm`);
  for (const name of only ? [only] : preferred()) {
    if (name === 'js') return js(memory);
    const instance = instantiate(file(name), memory);
    if (instance) return Object.fromEntries([['name', name], ['memory', memory], ...exports.map((key) => [key, instance.exports[key as string]])]) as K;
  }
  const name = only ?? 'wasm';
  throw unavailableKernel(base, name, file(name));
}

/** The best forest kernel available over `memory`, or the one named. */
export function loadForestKernel(memory: WebAssembly.Memory, only?: KernelName): ForestKernel {
  const js = (m: WebAssembly.Memory): ForestKernel => ({
    name: 'js',
    memory: m,
    nodeHistograms: (c, nf, r, nr, s, h) => nodeHistogramsJs(m, c, nf, r, nr, s, h),
    partitionRows: (c, r, nr, b, s) => partitionRowsJs(m, c, r, nr, b, s),
    binColumn: (v, n, e, ne, o) => binColumnJs(m, v, n, e, ne, o),
  });
  return loadModuleKernel('forest', memory, only, js, ['nodeHistograms', 'partitionRows', 'binColumn']);
}

/** Bytes of one bin of a gradient histogram (see assembly/gbt.ts); a feature has as many bins as it uses, 256 at most. */
export const GBT_BIN_BYTES = 32;
/** Bytes of one row's gradient statistics: gradient and hessian as f64. */
export const GBT_ROW_GRAD_BYTES = 16;

/** The gradient-boosting kernels of assembly/gbt.ts over one memory (byte addresses throughout). */
export interface GbtKernel {
  readonly name: KernelName;
  readonly memory: WebAssembly.Memory;
  /** Clear the totalBins bins at `hist` and add the node's rows into them; `features` holds per feature two u32: its column address and its first bin. */
  gradientHistograms(features: number, nFeatures: number, rows: number, nRows: number, rowGrad: number, hist: number, totalBins: number): void;
  /** parent -= child over totalBins bins (the sibling of a counted child). */
  subtractHistograms(parent: number, child: number, totalBins: number): void;
}

/** The best gradient-boosting kernel available over `memory`, or the one named. */
export function loadGbtKernel(memory: WebAssembly.Memory, only?: KernelName): GbtKernel {
  const js = (m: WebAssembly.Memory): GbtKernel => ({
    name: 'js',
    memory: m,
    gradientHistograms: (c, nf, r, nr, g, h, b) => gradientHistogramsJs(m, c, nf, r, nr, g, h, b),
    subtractHistograms: (p, c, b) => subtractHistogramsJs(m, p, c, b),
  });
  return loadModuleKernel('gbt', memory, only, js, ['gradientHistograms', 'subtractHistograms']);
}
