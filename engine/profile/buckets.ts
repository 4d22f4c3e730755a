/**
 * The streaming baseline's bucket maps (assembly/profile.ts bucketOf reads them): per feature,
 * which bucket each finite value falls in, in value order, made from a pilot sample of the
 * feature's values (the file's first byte range) so that buckets are about equally full. A
 * region of the key space dense in the pilot gets more buckets (more bits of the key past its
 * top 16); runs of top-16 regions the pilot never saw share one bucket; up to two values that
 * repeat in many pilot rows (0 in a count column) get a bucket of their own. The map only decides
 * how many values the collect pass keeps (the memory): counts and results are exact whatever it is.
 */
import { COARSE_BUCKETS, MAP_BYTES, NO_HEAVY, orderKeyParts } from '../kernels/index.js';
import { sortFloat64 } from '../util/index.js';

/** Buckets per feature at most (the histograms: 4 bytes each, per slot). */
export const BUCKET_BUDGET = 24576;

export interface BucketMap {
  /** per top-16 key region: base << 5 | bits (filled from lo to hi only) */
  table: Uint32Array;
  /** the regions with entries of their own: a region below lo has lo's entry, one above hi has hi's (bucketOf clamps) */
  lo: number;
  hi: number;
  heavy: number[];
  /** the unsplit bucket of each heavy value */
  heavyBucket: number[];
  /** buckets in all */
  buckets: number;
  /** buckets that hold one value only (a heavy value's own, but 0's): bucket -> value */
  single: Map<number, number>;
  /** the bucket of a finite value (assembly/profile.ts bucketOf) */
  bucketOf(v: number): number;
}

const keyScratch = new Float64Array(1);
const keyWords = new Uint32Array(keyScratch.buffer);
/** per top-16 key region: the pilot's non-heavy values there, and whether any value is there (reused: the main thread builds one map at a time; all zero between calls) */
const weight = new Float64Array(COARSE_BUCKETS);
const seen = new Uint8Array(COARSE_BUCKETS);

/** A bucket map from a sample of the feature's finite values (any order; may be empty). */
export function buildBucketMap(sample: Float64Array, budget = BUCKET_BUDGET): BucketMap {
  const sorted = sortFloat64(new Float64Array(sample));
  const m = sorted.length;
  // runs of equal values: value (-0 as 0) and count
  const runValues = new Float64Array(m);
  const runCounts = new Float64Array(m);
  let nRuns = 0;
  for (let i = 0; i < m; ) {
    let j = i + 1;
    while (j < m && sorted[j] === sorted[i]) j++;
    runValues[nRuns] = sorted[i]! + 0;
    runCounts[nRuns++] = j - i;
    i = j;
  }
  // heavy values: the two most repeated, when each is at least 1% of the pilot
  const least = Math.max(2, m / 100);
  const candidates: Array<[number, number]> = [];
  for (let r = 0; r < nRuns; r++) if (runCounts[r]! >= least) candidates.push([runValues[r]!, runCounts[r]!]);
  const heavy = candidates
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([v]) => v)
    .sort((a, b) => a - b);
  // the top 16 bits of v's order-preserving key (keyParts)
  const topOf = (v: number) => {
    keyScratch[0] = v;
    const high = keyWords[1]!;
    return high >>> 31 ? (~high >>> 16) & 0xffff : (high >>> 16) | 0x8000;
  };
  // the regions the sample has values in lie between its smallest and its largest value's: every
  // region before the first shares region 0's bucket, every one after the last the bucket of the
  // region after it, so that only the regions lo to hi need entries (bucketOf clamps to them)
  const first = nRuns > 0 ? topOf(runValues[0]!) : -1;
  const last = nRuns > 0 ? topOf(runValues[nRuns - 1]!) : -1;
  const lo = first > 0 ? first - 1 : 0;
  const hi = last < 0 ? 0 : Math.min(COARSE_BUCKETS - 1, last + 1);
  let weighted = 0;
  for (let r = 0; r < nRuns; r++) {
    const v = runValues[r]!;
    const top = topOf(v);
    seen[top] = 1;
    if (v === heavy[0] || v === heavy[1]) continue;
    weight[top]! += runCounts[r]!;
    weighted += runCounts[r]!;
  }
  // a region of its own for each seen one, for region 0 and for each unseen one after a seen one
  let regions = lo > 0 ? 1 : 0;
  for (let t = lo; t <= hi; t++) if (seen[t] || t === 0 || seen[t - 1]) regions++;
  const perValue = weighted > 0 ? Math.max(0, budget - regions - 8) / weighted : 0;
  const table = new Uint32Array(COARSE_BUCKETS);
  let next = 0;
  for (let t = lo; t <= hi; t++) {
    if (seen[t]) {
      let bits = Math.min(16, Math.floor(Math.log2(1 + weight[t]! * perValue)));
      if (bits < 0) bits = 0;
      table[t] = (next << 5) | bits;
      next += 2 ** bits;
    } else if (t > lo && !seen[t - 1]) {
      table[t] = table[t - 1]!; // a run of unseen regions: one bucket
    } else {
      table[t] = next << 5;
      next += 1;
    }
  }
  if (first >= 0) {
    seen.fill(0, first, last + 1);
    weight.fill(0, first, last + 1);
  }
  // the key's parts without an object a call (the main side asks for the bucket of every collected value)
  const parts = new Uint32Array(2);
  const unsplit = (v: number) => {
    orderKeyParts(v, parts);
    const entry = table[Math.min(Math.max(parts[0]!, lo), hi)]!;
    const bits = entry & 31;
    return (entry >>> 5) + (bits === 0 ? 0 : Math.floor(parts[1]! / 2 ** (32 - bits)));
  };
  const heavyBucket = heavy.map(unsplit);
  if (heavyBucket.length === 2 && heavyBucket[0] === heavyBucket[1]) {
    heavy.pop();
    heavyBucket.pop();
  }
  const single = new Map<number, number>();
  // the bucket of a heavy value holds values equal to it: one value, unless it is 0 (-0 and 0 are
  // equal but not the same double; that bucket is collected, in runs)
  heavyBucket.forEach((b, i) => heavy[i] !== 0 && single.set(b + 2 * i + 1, heavy[i]!));
  const bucketOf = (v: number) => {
    const b = unsplit(v);
    let out = b;
    for (let i = 0; i < heavyBucket.length; i++) {
      const hb = heavyBucket[i]!;
      if (b > hb) out += 2;
      else if (b === hb) out += v < heavy[i]! ? 0 : v === heavy[i]! ? 1 : 2;
    }
    return out;
  };
  return { table, lo, hi, heavy, heavyBucket, buckets: next + 2 * heavy.length, single, bucketOf };
}

/**
 * Write a map where bucketOf reads it (MAP_BYTES at ptr): the header and the table's entries lo
 * to hi only, so that the pages of the rest of its MAP_BYTES are not touched (not resident).
 */
export function writeBucketMap(memory: WebAssembly.Memory, ptr: number, map: BucketMap): void {
  const f64 = new Float64Array(memory.buffer, ptr, 2);
  const i32 = new Int32Array(memory.buffer, ptr + 16, 4);
  f64[0] = map.heavy[0] ?? NaN;
  f64[1] = map.heavy[1] ?? NaN;
  i32[0] = map.heavyBucket[0] ?? NO_HEAVY;
  i32[1] = map.heavyBucket[1] ?? NO_HEAVY;
  i32[2] = map.lo;
  i32[3] = map.hi;
  new Uint32Array(memory.buffer, ptr + 32 + map.lo * 4, map.hi - map.lo + 1).set(map.table.subarray(map.lo, map.hi + 1));
}

export { MAP_BYTES };
