/**
 * The streaming baseline's kernels (assembly/profile.ts) over a shared memory, and their
 * plain-TypeScript versions (the fallback where WASM cannot load, and the oracle of the kernel
 * tests). Byte addresses throughout; see assembly/profile.ts for what each one does.
 */
import { loadModuleKernel, type KernelName } from './load.js';
import { ExactSum, NLIMBS, addLimbsTo } from './exact.js';

/** Coarse buckets: the top 16 bits of a value's order-preserving key. */
export const COARSE_BUCKETS = 65536;
/** f64 statistics per feature of the coarse pass: NaN, +Inf, -Inf, finite, squares that overflow, min, max. */
export const COARSE_STATS = 7;
/** Bytes of the per-exponent sums a coarse or collect call works in (assembly/profile.ts EXPONENTS: 2 x 2048 i64), all zero before and after. */
export const SUM_SCRATCH_BYTES = 2 * 2048 * 8;

export interface ProfileKernel {
  readonly name: KernelName;
  readonly memory: WebAssembly.Memory;
  completeMask(columns: number, strideBytes: number, nFeatures: number, n: number, mask: number): number;
  coarseColumn(values: number, n: number, mask: number, stats: number, hist: number, incHist: number, sumAcc: number, squareAcc: number, map: number, scratch: number): void;
  countValues(values: number, n: number, keys: number, counts: number, capacity: number, limit: number, state: number): void;
  /** countValues over the incomplete rows (rowMask 0) only */
  countIncompleteValues(values: number, n: number, rowMask: number, keys: number, counts: number, capacity: number, limit: number, state: number): void;
  collectColumn(values: number, n: number, mask: number, flags: number, index: number, runs: number, completeIndex: number, completeRuns: number, outAll: number, outComplete: number, out: number, mean: number, divisor: number, devAcc: number, stats: number, map: number, scratch: number): void;
  addCounts(dst: number, src: number, n: number): void;
  addLimbs(dst: number, src: number, nAcc: number): void;
}

/** The best profile kernel available over `memory`, or the one named. */
export function loadProfileKernel(memory: WebAssembly.Memory, only?: KernelName): ProfileKernel {
  return loadModuleKernel('profile', memory, only, profileKernelJs, ['completeMask', 'coarseColumn', 'countValues', 'countIncompleteValues', 'collectColumn', 'addCounts', 'addLimbs']);
}

const keyScratch = new Float64Array(1);
const keyBits = new Uint32Array(keyScratch.buffer);

/** Bytes of a feature's bucket map (assembly/profile.ts bucketOf): heavy values, their buckets, the table's range, then the table. */
export const MAP_BYTES = 32 + COARSE_BUCKETS * 4;
/** No heavy value (a bucket index no value has). */
export const NO_HEAVY = 0x7fffffff;

/** The top 16 bits of a finite value's order-preserving key (-0 as 0), and the next 32. */
export function keyParts(v: number): { top: number; next: number } {
  const parts = new Uint32Array(2);
  orderKeyParts(v, parts);
  return { top: parts[0]!, next: parts[1]! };
}

/** keyParts into out[0] (top) and out[1] (next), without an object a call. */
export function orderKeyParts(v: number, out: Uint32Array): void {
  keyScratch[0] = v + 0;
  let high = keyBits[1]!;
  let low = keyBits[0]!;
  if (high >>> 31) {
    high = ~high >>> 0;
    low = ~low >>> 0;
  } else high = (high | 0x80000000) >>> 0;
  out[0] = high >>> 16;
  out[1] = (((high & 0xffff) << 16) | (low >>> 16)) >>> 0;
}

/** The bucket of finite values under the map at `mapPtr` (assembly/profile.ts bucketOf, in TypeScript). */
export function bucketFunction(memory: WebAssembly.Memory, mapPtr: number): (v: number) => number {
  const f64 = new Float64Array(memory.buffer, mapPtr, 2);
  const i32 = new Int32Array(memory.buffer, mapPtr + 16, 4);
  const table = new Uint32Array(memory.buffer, mapPtr + 32, COARSE_BUCKETS);
  const h0 = f64[0]!;
  const h1 = f64[1]!;
  const hb0 = i32[0]!;
  const hb1 = i32[1]!;
  const lo = i32[2]!;
  const hi = i32[3]!;
  return (v) => {
    const { top, next } = keyParts(v);
    const entry = table[Math.min(Math.max(top, lo), hi)]!;
    const bits = entry & 31;
    let b = (entry >>> 5) + (bits === 0 ? 0 : Math.floor(next / 2 ** (32 - bits)));
    const split = (h: number) => (v < h ? 0 : v === h ? 1 : 2);
    let out = b + (b > hb0 ? 2 : 0) + (b > hb1 ? 2 : 0);
    if (b === hb0) out += split(h0);
    if (b === hb1) out += split(h1);
    b = out;
    return b;
  };
}

/** The plain-TypeScript kernels, over the same memory layout. */
export function profileKernelJs(memory: WebAssembly.Memory): ProfileKernel {
  const f64 = () => new Float64Array(memory.buffer);
  const u32 = () => new Uint32Array(memory.buffer);
  const u8 = () => new Uint8Array(memory.buffer);
  const i32 = () => new Int32Array(memory.buffer);
  const i64 = () => new BigInt64Array(memory.buffer);
  const sumInto = (accPtr: number, sum: ExactSum) => {
    sum.normalise();
    addLimbsTo(i64(), accPtr >>> 3, sum.limbs);
  };
  /** countValues (rowMask -1: every row) or countIncompleteValues (the rows with rowMask 0) */
  const countValuesJs = (values: number, n: number, rowMask: number, keys: number, counts: number, capacity: number, limit: number, state: number): void => {
    const st = i32();
    if (st[(state >>> 2) + 1] !== 0) return;
    const v64 = f64();
    const keyTable = new Float64Array(memory.buffer, keys, capacity);
    const keyWords = new Uint32Array(memory.buffer, keys, 2 * capacity);
    const countTable = new Uint32Array(memory.buffer, counts, capacity);
    // a JS Map finds the slot; the table is kept in the kernel's layout for the main side to read
    // -0 and 0 apart, as the WASM table keys on the bits
    const keyOf = (v: number) => (Object.is(v, -0) ? '-0' : v);
    const where = new Map<number | string, number>();
    for (let slot = 0; slot < capacity; slot++) if (!(keyWords[2 * slot] === 0xffffffff && keyWords[2 * slot + 1] === 0xffffffff)) where.set(keyOf(keyTable[slot]!), slot);
    let size = st[state >>> 2]!;
    let free = 0;
    for (let r = 0; r < n; r++) {
      const v = v64[(values >>> 3) + r]!;
      if (!Number.isFinite(v) || (rowMask >= 0 && u8()[rowMask + r] !== 0)) continue;
      const slot = where.get(keyOf(v));
      if (slot !== undefined) {
        countTable[slot]!++;
        continue;
      }
      if (size >= limit) {
        st[state >>> 2] = size;
        st[(state >>> 2) + 1] = 1;
        return;
      }
      while (!(keyWords[2 * free] === 0xffffffff && keyWords[2 * free + 1] === 0xffffffff)) free++;
      keyTable[free] = v;
      countTable[free] = 1;
      where.set(keyOf(v), free);
      size++;
    }
    st[state >>> 2] = size;
  };
  return {
    name: 'js',
    memory,
    completeMask(columns, strideBytes, nFeatures, n, mask) {
      const values = f64();
      const m = u8();
      m.fill(1, mask, mask + n);
      for (let f = 0; f < nFeatures; f++) {
        const base = (columns + f * strideBytes) >>> 3;
        for (let r = 0; r < n; r++) if (!Number.isFinite(values[base + r]!)) m[mask + r] = 0;
      }
      let complete = 0;
      for (let r = 0; r < n; r++) complete += m[mask + r]!;
      return complete;
    },
    coarseColumn(values, n, mask, stats, hist, incHist, sumAcc, squareAcc, map) {
      const v64 = f64();
      const bucketOf = bucketFunction(memory, map);
      const counts = u32();
      const m = u8();
      const s = stats >>> 3;
      const sum = new ExactSum();
      const squares = new ExactSum();
      const seen = v64[s + 3]! > 0;
      let lo = seen ? v64[s + 5]! : Infinity;
      let hi = seen ? v64[s + 6]! : -Infinity;
      for (let r = 0; r < n; r++) {
        const v = v64[(values >>> 3) + r]!;
        if (Number.isFinite(v)) {
          v64[s + 3]!++;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
          const b = bucketOf(v);
          counts[(hist >>> 2) + b]!++;
          if (m[mask + r] === 0) counts[(incHist >>> 2) + b]!++;
          sum.add(v);
          const square = v * v;
          if (Number.isFinite(square)) squares.add(square);
          else v64[s + 4]!++;
        } else if (v === Infinity) v64[s + 1]!++;
        else if (v === -Infinity) v64[s + 2]!++;
        else v64[s]!++;
      }
      if (v64[s + 3]! > 0) {
        v64[s + 5] = lo;
        v64[s + 6] = hi;
      }
      sumInto(sumAcc, sum);
      sumInto(squareAcc, squares);
    },
    countValues(values, n, keys, counts, capacity, limit, state) {
      countValuesJs(values, n, -1, keys, counts, capacity, limit, state);
    },
    countIncompleteValues(values, n, rowMask, keys, counts, capacity, limit, state) {
      countValuesJs(values, n, rowMask, keys, counts, capacity, limit, state);
    },
    collectColumn(values, n, mask, flags, index, runs, completeIndex, completeRuns, outAll, outComplete, out, mean, divisor, devAcc, stats, map) {
      const v64 = f64();
      const u16 = new Uint16Array(memory.buffer);
      const bitsOf = new BigUint64Array(memory.buffer);
      const scratchBits = new BigUint64Array(keyScratch.buffer);
      // the bucket's run (f64 index `run`) counts v when it has v's bits (or is empty); else true: keep v
      const keep = (run: number, v: number): boolean => {
        keyScratch[0] = v;
        if (v64[run + 1] === 0) {
          v64[run] = v;
          v64[run + 1] = 1;
        } else if (bitsOf[run] === scratchBits[0]) v64[run + 1]!++;
        else return true;
        return false;
      };
      const bucketOf = bucketFunction(memory, map);
      const m = u8();
      const deviations = new ExactSum();
      let nAll = 0;
      let nComplete = 0;
      for (let r = 0; r < n; r++) {
        const v = v64[(values >>> 3) + r]!;
        if (!Number.isFinite(v)) continue;
        if (devAcc !== 0) {
          const d = (v - mean) / divisor;
          const square = d * d;
          if (Number.isFinite(square)) deviations.add(square);
          else v64[stats >>> 3]!++;
        }
        const b = bucketOf(v);
        const flag = m[flags + b]!;
        if (flag === 0) continue;
        if (flag & 1) {
          if (keep((runs >>> 3) + 2 * u16[(index >>> 1) + b]!, v)) v64[(outAll >>> 3) + nAll++] = v;
        }
        if (flag & 2 && m[mask + r] !== 0) {
          if (keep((completeRuns >>> 3) + 2 * u16[(completeIndex >>> 1) + b]!, v)) v64[(outComplete >>> 3) + nComplete++] = v;
        }
      }
      const o = i32();
      o[out >>> 2] = nAll;
      o[(out >>> 2) + 1] = nComplete;
      if (devAcc !== 0) sumInto(devAcc, deviations);
    },
    addCounts(dst, src, n) {
      const c = u32();
      for (let i = 0; i < n; i++) c[(dst >>> 2) + i]! += c[(src >>> 2) + i]!;
    },
    addLimbs(dst, src, nAcc) {
      const l = i64();
      for (let a = 0; a < nAcc; a++) {
        const d = (dst >>> 3) + a * NLIMBS;
        const s = (src >>> 3) + a * NLIMBS;
        let carry = 0n;
        for (let i = 0; i < NLIMBS; i++) {
          let x = l[d + i]! + l[s + i]! + carry;
          if (i < NLIMBS - 1) {
            carry = x >> 32n;
            x -= carry << 32n;
          }
          l[d + i] = x;
        }
      }
    },
  };
}
