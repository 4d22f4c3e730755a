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
  /** rows [0, from) into the stats only (their values are in the column's value table) */
  coarseColumn(values: number, n: number, from: number, mask: number, stats: number, hist: number, incHist: number, sumAcc: number, squareAcc: number, map: number, scratch: number): void;
  /** returns the rows the table counted (n; the row of the value that did not fit; 0 when full before) */
  countValues(values: number, n: number, keys: number, counts: number, capacity: number, limit: number, state: number): number;
  /** countValues over the incomplete rows (rowMask 0) only */
  countIncompleteValues(values: number, n: number, rowMask: number, keys: number, counts: number, capacity: number, limit: number, state: number): void;
  /** the values kept go to the pool at `pool` (writeCollectPool) through the slot's records of the feature (RECORD_BYTES), tagged tag (all rows) and tag + 1 (complete rows) */
  collectColumn(values: number, n: number, mask: number, flags: number, index: number, runs: number, completeIndex: number, completeRuns: number, records: number, pool: number, tag: number, mean: number, divisor: number, devAcc: number, stats: number, map: number, scratch: number): void;
  /** a value table's counts into a histogram and, sumAcc not 0, count x value and count x square into the limbs (an overflowing square: count into stats[4]) */
  addTable(keys: number, counts: number, capacity: number, hist: number, sumAcc: number, squareAcc: number, stats: number, map: number): void;
  addCounts(dst: number, src: number, n: number): void;
  addLimbs(dst: number, src: number, nAcc: number): void;
}

/** Values a chunk of the collect pool holds (assembly/profile.ts CHUNK_VALUES). */
export const CHUNK_VALUES = 1024;
/** Bytes of the collect pool's header (assembly/profile.ts storeValue): i32 chunks taken and in the pool, u32 addresses of the values, owners and fills. */
const POOL_BYTES = 24;
/** Bytes of a feature's two records in a slot (all rows, complete rows: i32 chunk + 1, fill, values lost). */
export const RECORD_BYTES = 24;

/** Bytes of a pool of `chunks` chunks: its header, owners and fills (i32 each), then the values (8-aligned when `at` is). */
export function collectPoolBytes(chunks: number): number {
  return POOL_BYTES + 8 * chunks + chunks * CHUNK_VALUES * 8;
}

/** Lay out and write an empty pool of `chunks` chunks at `at` (collectPoolBytes(chunks) bytes). */
export function writeCollectPool(memory: WebAssembly.Memory, at: number, chunks: number): void {
  const owners = at + POOL_BYTES;
  const fills = owners + 4 * chunks;
  const data = owners + 8 * chunks;
  new Int32Array(memory.buffer, at, 2).set([0, chunks]);
  new Uint32Array(memory.buffer, at + 8, 3).set([data, owners, fills]);
}

/**
 * The values each tag's chunks hold after a pass (tags 0 to nTags - 1; a tag's chunks in the
 * order taken), one tag at a time: `take(tag, spare)` copies them into one array (with `spare`
 * more places after them, zero), the start of `into` when it is long enough; `count(tag)`, how
 * many; `stored`, the values of every tag.
 */
export function collectPoolValues(memory: WebAssembly.Memory, at: number, nTags: number): { stored: number; count(tag: number): number; take(tag: number, spare?: number, into?: Float64Array): Float64Array } {
  const header = new Int32Array(memory.buffer, at, 2);
  const addresses = new Uint32Array(memory.buffer, at + 8, 3);
  const data = addresses[0]!;
  const taken = Math.min(Atomics.load(header, 0), header[1]!);
  const owners = new Int32Array(memory.buffer, addresses[1]!, taken);
  const fills = new Int32Array(memory.buffer, addresses[2]!, taken);
  const byTag: number[][] = Array.from({ length: nTags }, () => []);
  const counts = new Float64Array(nTags);
  for (let c = 0; c < taken; c++) {
    byTag[owners[c]!]!.push(c);
    counts[owners[c]!]! += fills[c]!;
  }
  return {
    stored: counts.reduce((t, n) => t + n, 0),
    count: (tag) => counts[tag]!,
    take(tag, spare = 0, into) {
      const length = counts[tag]! + spare;
      const out = into && into.length >= length ? into.subarray(0, length).fill(0, counts[tag]!) : new Float64Array(length);
      let n = 0;
      for (const c of byTag[tag]!) {
        out.set(new Float64Array(memory.buffer, data + c * CHUNK_VALUES * 8, fills[c]!), n);
        n += fills[c]!;
      }
      return out;
    },
  };
}

/** The best profile kernel available over `memory`, or the one named. */
export function loadProfileKernel(memory: WebAssembly.Memory, only?: KernelName): ProfileKernel {
  return loadModuleKernel('profile', memory, only, profileKernelJs, ['completeMask', 'coarseColumn', 'countValues', 'countIncompleteValues', 'collectColumn', 'addTable', 'addCounts', 'addLimbs']);
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
  const countValuesJs = (values: number, n: number, rowMask: number, keys: number, counts: number, capacity: number, limit: number, state: number): number => {
    const st = i32();
    if (st[(state >>> 2) + 1] !== 0) return 0;
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
        return r;
      }
      while (!(keyWords[2 * free] === 0xffffffff && keyWords[2 * free + 1] === 0xffffffff)) free++;
      keyTable[free] = v;
      countTable[free] = 1;
      where.set(keyOf(v), free);
      size++;
    }
    st[state >>> 2] = size;
    return n;
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
    coarseColumn(values, n, from, mask, stats, hist, incHist, sumAcc, squareAcc, map) {
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
          if (r < from) continue;
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
      return countValuesJs(values, n, -1, keys, counts, capacity, limit, state);
    },
    countIncompleteValues(values, n, rowMask, keys, counts, capacity, limit, state) {
      countValuesJs(values, n, rowMask, keys, counts, capacity, limit, state);
    },
    collectColumn(values, n, mask, flags, index, runs, completeIndex, completeRuns, records, pool, tag, mean, divisor, devAcc, stats, map) {
      const v64 = f64();
      const u16 = new Uint16Array(memory.buffer);
      const bitsOf = new BigUint64Array(memory.buffer);
      const scratchBits = new BigUint64Array(keyScratch.buffer);
      const header = new Int32Array(memory.buffer, pool, 2);
      const [data, owners, fills] = new Uint32Array(memory.buffer, pool + 8, 3);
      const w = i32();
      // v into the chunk of the record at `record` (a new chunk from the pool when it has none or it is full; counted as lost when the pool has none left)
      const store = (record: number, t: number, v: number) => {
        const r = record >>> 2;
        let chunk = w[r]! - 1;
        let fill = w[r + 1]!;
        if (chunk < 0 || fill === CHUNK_VALUES) {
          if (chunk >= 0) w[(fills! >>> 2) + chunk] = fill;
          const chunks = header[1]!;
          chunk = Atomics.load(header, 0) < chunks ? Atomics.add(header, 0, 1) : chunks;
          if (chunk >= chunks) {
            w[r] = 0;
            w[r + 2]!++;
            return;
          }
          w[(owners! >>> 2) + chunk] = t;
          w[r] = chunk + 1;
          fill = 0;
        }
        v64[(data! >>> 3) + chunk * CHUNK_VALUES + fill] = v;
        w[r + 1] = fill + 1;
      };
      // the fill of a record's chunk into the pool's fills, at the end of the call
      const settleFill = (record: number) => {
        const chunk = w[record >>> 2]! - 1;
        if (chunk >= 0) w[(fills! >>> 2) + chunk] = w[(record >>> 2) + 1]!;
      };
      // the bucket's run (f64 index `run`) counts v when it has v's bits (or is empty); else v is stored
      const keep = (run: number, v: number, record: number, t: number): void => {
        keyScratch[0] = v;
        if (v64[run + 1] === 0) {
          v64[run] = v;
          v64[run + 1] = 1;
        } else if (bitsOf[run] === scratchBits[0]) v64[run + 1]!++;
        else store(record, t, v);
      };
      const bucketOf = bucketFunction(memory, map);
      const m = u8();
      const deviations = new ExactSum();
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
        if (flag & 1) keep((runs >>> 3) + 2 * u16[(index >>> 1) + b]!, v, records, tag);
        if (flag & 2 && m[mask + r] !== 0) keep((completeRuns >>> 3) + 2 * u16[(completeIndex >>> 1) + b]!, v, records + 12, tag + 1);
      }
      if (devAcc !== 0) sumInto(devAcc, deviations);
      settleFill(records);
      settleFill(records + 12);
    },
    addTable(keys, counts, capacity, hist, sumAcc, squareAcc, stats, map) {
      const bucketOf = bucketFunction(memory, map);
      const keyTable = new Float64Array(memory.buffer, keys, capacity);
      const keyWords = new Uint32Array(memory.buffer, keys, 2 * capacity);
      const countTable = new Uint32Array(memory.buffer, counts, capacity);
      const c32 = u32();
      // each value added as many times as it was counted (the WASM kernel multiplies instead)
      const sum = new ExactSum();
      const squares = new ExactSum();
      for (let i = 0; i < capacity; i++) {
        if (keyWords[2 * i] === 0xffffffff && keyWords[2 * i + 1] === 0xffffffff) continue;
        const v = keyTable[i]!;
        const c = countTable[i]!;
        c32[(hist >>> 2) + bucketOf(v)]! += c;
        if (sumAcc === 0) continue;
        for (let k = 0; k < c; k++) sum.add(v);
        if (Number.isFinite(v * v)) for (let k = 0; k < c; k++) squares.add(v * v);
        else f64()[(stats >>> 3) + 4]! += c;
      }
      if (sumAcc === 0) return;
      sumInto(sumAcc, sum);
      sumInto(squareAcc, squares);
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
