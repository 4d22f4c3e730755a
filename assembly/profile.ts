// Baseline profile kernels: the two passes of the streaming baseline (engine/profile/stream.ts),
// over one column of a parse block at a time. Compiled like histogram.ts (shared memory, no
// allocation, no state): any number of threads may call them on their own regions.
//
// Order-preserving key of a float64 v: its bits with the sign bit flipped (v >= 0) or all bits
// flipped (v < 0), after v + 0.0 (which makes -0 into +0, so that -0 and 0, equal as numbers,
// share a bucket). A value's bucket comes from the feature's bucket map (MAP_BYTES at `map`,
// made by engine/profile/buckets.ts from a pilot sample): table[t] (u32 at map + 32), t = key >> 48
// clamped to [lo, hi] (i32 at map + 24, + 28: the entries outside are those at the ends, and are
// neither written nor read, so the memory they would take is never touched), is
// base << 5 | bits, the bucket base + the next `bits` bits of the key (dense regions of the
// key space get more buckets); then up to two heavy values h0 < h1 (f64 at map, map + 8) whose
// buckets hb0, hb1 (i32 at map + 16, + 20; 0x7fffffff: none) are split in three: values below,
// equal to and above it, so that a value repeated in many rows has a bucket of its own. Buckets
// are in value order.
//
// Exact sums (engine/kernels/exact.ts reads them): NLIMBS signed i64 limbs, limb i holding the
// contributions to bits [32 i, 32 i + 32) of the sum scaled by 2^1074, so that every finite
// double is an integer there; a chunk of values adds each exponent's sum of signed 53-bit
// significands, shifted, to three limbs (flush). With fewer than 2^31 values per accumulator
// between normalisations no limb overflows.

export const NLIMBS: i32 = 68;

// per-feature statistics of the coarse pass, f64: [0] NaN, [1] +Inf, [2] -Inf, [3] finite values,
// [4] squares that overflow float64, [5] the smallest and [6] the largest finite value (by <, so
// -0 or 0 for a zero; valid once [3] > 0)
const NAN: i32 = 0;
const POS_INF: i32 = 1;
const NEG_INF: i32 = 2;
const FINITE: i32 = 3;
const SQUARE_OVERFLOW: i32 = 4;

// @ts-ignore: decorator
@inline
function bump(stats: usize, at: i32): void {
  const p = stats + (<usize>at << 3);
  store<f64>(p, load<f64>(p) + 1);
}

// @ts-ignore: decorator
@inline
function bucketOf(v: f64, table: usize, lo: i32, hi: i32, h0: f64, h1: f64, hb0: i32, hb1: i32): i32 {
  const raw = reinterpret<u64>(v + 0.0);
  const k = (raw >> 63) != 0 ? ~raw : raw | 0x8000000000000000;
  const top = min<i32>(max<i32>(<i32>(k >> 48), lo), hi);
  const entry = load<u32>(table + (<usize>top << 2));
  const bits = <u64>(entry & 31);
  let b = <i32>(entry >> 5) + <i32>((k >> (48 - bits)) & ((<u64>1 << bits) - 1));
  const split0 = select<i32>(select<i32>(1, 2, v == h0), 0, v >= h0);
  const split1 = select<i32>(select<i32>(1, 2, v == h1), 0, v >= h1);
  return b + select<i32>(2, 0, b > hb0) + select<i32>(2, 0, b > hb1) + select<i32>(split0, 0, b == hb0) + select<i32>(split1, 0, b == hb1);
}

// Values go into the limbs a chunk of at most CHUNK values at a time: each value adds its signed
// significand to one i64 of its exponent (scratch: EXPONENTS x i64, all zero between calls), so
// that no i64 holds more than 2^10 significands of 53 bits; at the end of a chunk the exponents
// [lo, hi] it touched move into the limbs (flush), each as one shifted three-limb addition.
export const EXPONENTS: i32 = 2048;
const CHUNK: i32 = 1024;

// Adds v (finite) to its exponent's i64 at scratch; returns the exponent.
// @ts-ignore: decorator
@inline
function expAdd(scratch: usize, v: f64): i32 {
  const bits = reinterpret<u64>(v);
  const exponent = <i32>((bits >> 52) & 0x7ff);
  const significand = <i64>((bits & 0xfffffffffffff) | select<u64>(0x10000000000000, 0, exponent != 0));
  const at = scratch + (<usize>exponent << 3);
  store<i64>(at, load<i64>(at) + select<i64>(-significand, significand, (bits >> 63) != 0));
  return exponent;
}

// The smallest exponent a chunk needs to flush: a zero (exponent 0, nothing to add) does not count.
// @ts-ignore: decorator
@inline
function lowExponent(lo: i32, v: f64, exponent: i32): i32 {
  return min<i32>(lo, select<i32>(exponent, EXPONENTS - 1, (reinterpret<u64>(v) << 1) != 0));
}

// Moves the per-exponent sums of exponents [lo, hi] at scratch into the limbs at acc, leaving zeros.
function flush(scratch: usize, lo: i32, hi: i32, acc: usize): void {
  for (let e = lo; e <= hi; e++) {
    const at = scratch + (<usize>e << 3);
    const s = load<i64>(at);
    if (s == 0) continue;
    store<i64>(at, 0);
    addAt(acc, select<i32>(e - 1, 0, e != 0), s);
  }
}

// A sum of whole numbers (|s| < 2^63) kept in a register, into the limbs at acc (1 is 2^1074 units).
const ONE_POSITION: i32 = 1074;

// Adds s * 2^position (in units of 2^-1074) to the limbs at acc.
// @ts-ignore: decorator
@inline
function addAt(acc: usize, position: i32, s: i64): void {
  const m = <u64>select<i64>(-s, s, s < 0);
  const limb = acc + (<usize>(position >> 5) << 3);
  const offset = <u64>(position & 31);
  const low = <i64>((m << offset) & 0xffffffff);
  const mid = <i64>((m >> (32 - offset)) & 0xffffffff);
  const top = <i64>((m >> 1) >> (63 - offset));
  if (s < 0) {
    store<i64>(limb, load<i64>(limb) - low);
    store<i64>(limb, load<i64>(limb, 8) - mid, 8);
    store<i64>(limb, load<i64>(limb, 16) - top, 16);
  } else {
    store<i64>(limb, load<i64>(limb) + low);
    store<i64>(limb, load<i64>(limb, 8) + mid, 8);
    store<i64>(limb, load<i64>(limb, 16) + top, 16);
  }
}

// mask[r] = 1 where every one of the nFeatures columns (column f at columns + f * strideBytes) is
// finite in row r, else 0; returns the complete rows.
export function completeMask(columns: usize, strideBytes: i32, nFeatures: i32, n: i32, mask: usize): i32 {
  memory.fill(mask, 1, <usize>n);
  for (let f = 0; f < nFeatures; f++) {
    const values = columns + <usize>f * <usize>strideBytes;
    for (let r = 0; r < n; r++) {
      const v = load<f64>(values + (<usize>r << 3));
      if (!(v - v == 0)) store<u8>(mask + <usize>r, 0);
    }
  }
  let complete: i32 = 0;
  for (let r = 0; r < n; r++) complete += <i32>load<u8>(mask + <usize>r);
  return complete;
}

// One finite value into its bucket's counter (byte offset b) of the histogram, and of the
// incomplete rows' histogram when its row is incomplete.
// @ts-ignore: decorator
@inline
function countBucket(b: usize, hist: usize, incHist: usize, incomplete: bool): void {
  store<u32>(hist + b, load<u32>(hist + b) + 1);
  if (incomplete) store<u32>(incHist + b, load<u32>(incHist + b) + 1);
}

// Whole numbers below 2^26 in magnitude: their squares (below 2^52) are the float64 squares, and
// the sums of CHUNK of them and of their squares stay below 2^62 in an i64.
const SMALL_WHOLE: f64 = 67108864.0; // 2^26

// Whether values [start, end) are all whole numbers below SMALL_WHOLE in magnitude (so finite;
// -0 counts: its sum and square are those of 0).
// @ts-ignore: decorator
@inline
function smallWholeOnly(values: usize, start: i32, end: i32): bool {
  let ok = true;
  for (let r = start; r < end; r++) {
    const v = load<f64>(values + (<usize>r << 3));
    ok = ok & (abs<f64>(v) < SMALL_WHOLE) & (floor<f64>(v) == v);
  }
  return ok;
}

// The coarse pass over one column of n values: the stats above, the coarse histogram of the
// finite values (u32 x 65536 at hist), that of the finite values in incomplete rows (mask 0) at
// incHist, and the exact sums of the values (sumAcc) and of their squares (squareAcc; a square
// that overflows is counted, not summed), by way of the per-exponent sums at scratch (2 x
// EXPONENTS x i64, all zero; left so). The finite values of rows [0, from) go into the stats
// only: the column's value table (countValues) holds them, and the main side adds its counts to
// the histograms and the sums (a column with few distinct values takes no bucket or sum a value).
export function coarseColumn(values: usize, n: i32, from: i32, mask: usize, stats: usize, hist: usize, incHist: usize, sumAcc: usize, squareAcc: usize, map: usize, scratch: usize): void {
  let finite: i32 = 0;
  const seen = load<f64>(stats, 24) > 0;
  let lo: f64 = seen ? load<f64>(stats, 40) : Infinity;
  let hi: f64 = seen ? load<f64>(stats, 48) : -Infinity;
  const table = map + 32;
  const h0 = load<f64>(map);
  const h1 = load<f64>(map, 8);
  const hb0 = load<i32>(map, 16);
  const hb1 = load<i32>(map, 20);
  const lo16 = load<i32>(map, 24);
  const hi16 = load<i32>(map, 28);
  const squares = scratch + (<usize>EXPONENTS << 3);
  let overflow: i32 = 0;
  for (let r = 0; r < from; r++) {
    const v = load<f64>(values + (<usize>r << 3));
    if (v - v == 0) {
      finite++;
      lo = select<f64>(v, lo, v < lo);
      hi = select<f64>(v, hi, v > hi);
    } else if (v == Infinity) bump(stats, POS_INF);
    else if (v == -Infinity) bump(stats, NEG_INF);
    else bump(stats, NAN);
  }
  for (let start = from; start < n; start += CHUNK) {
    const end = min<i32>(n, start + CHUNK);
    let loE: i32 = EXPONENTS - 1;
    let hiE: i32 = 0;
    let loS: i32 = EXPONENTS - 1;
    let hiS: i32 = 0;
    // a chunk of small whole numbers only (most counts, ports and lengths): their sums in registers
    if (smallWholeOnly(values, start, end)) {
      let wholeSum: i64 = 0;
      let wholeSquares: i64 = 0;
      for (let r = start; r < end; r++) {
        const v = load<f64>(values + (<usize>r << 3));
        lo = select<f64>(v, lo, v < lo);
        hi = select<f64>(v, hi, v > hi);
        countBucket(<usize>bucketOf(v, table, lo16, hi16, h0, h1, hb0, hb1) << 2, hist, incHist, load<u8>(mask + <usize>r) == 0);
        const whole = <i64>v;
        wholeSum += whole;
        wholeSquares += whole * whole;
      }
      finite += end - start;
      addAt(sumAcc, ONE_POSITION, wholeSum);
      addAt(squareAcc, ONE_POSITION, wholeSquares);
      continue;
    }
    for (let r = start; r < end; r++) {
      const v = load<f64>(values + (<usize>r << 3));
      if (v - v == 0) {
        finite++;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        countBucket(<usize>bucketOf(v, table, lo16, hi16, h0, h1, hb0, hb1) << 2, hist, incHist, load<u8>(mask + <usize>r) == 0);
        const e = expAdd(scratch, v);
        loE = lowExponent(loE, v, e);
        hiE = max<i32>(hiE, e);
        const square = v * v;
        if (square - square == 0) {
          const es = expAdd(squares, square);
          loS = lowExponent(loS, square, es);
          hiS = max<i32>(hiS, es);
        } else overflow++;
      } else if (v == Infinity) bump(stats, POS_INF);
      else if (v == -Infinity) bump(stats, NEG_INF);
      else bump(stats, NAN);
    }
    flush(scratch, loE, hiE, sumAcc);
    flush(squares, loS, hiS, squareAcc);
  }
  const p = stats + (<usize>FINITE << 3);
  store<f64>(p, load<f64>(p) + <f64>finite);
  const q = stats + (<usize>SQUARE_OVERFLOW << 3);
  store<f64>(q, load<f64>(q) + <f64>overflow);
  if (finite > 0) {
    store<f64>(stats, lo, 40);
    store<f64>(stats, hi, 48);
  }
}

// Exact counts of the finite values of a column, up to `limit` distinct ones, in an open-addressing
// table of `capacity` (a power of two, above limit) u64 keys (the bits of v, so -0 and 0 apart;
// empty: all ones, a NaN) at `keys` and u32 counts at `counts`. state (i32 x 2): [0] distinct values in the
// table, [1] 1 once a value did not fit (the table then stops counting). Returns the rows the
// table counted: n, or the row of the value that did not fit, or 0 when the table was full before.
export function countValues(values: usize, n: i32, keys: usize, counts: usize, capacity: i32, limit: i32, state: usize): i32 {
  if (load<i32>(state, 4) != 0) return 0;
  let size = load<i32>(state);
  const mask = <u64>(capacity - 1);
  const shift = <u64>(64 - ctz<i32>(capacity));
  for (let r = 0; r < n; r++) {
    const v = load<f64>(values + (<usize>r << 3));
    if (!(v - v == 0)) continue;
    size = tally(reinterpret<u64>(v), keys, counts, mask, shift, size, limit);
    if (size < 0) {
      settle(state, size);
      return r;
    }
  }
  settle(state, size);
  return n;
}

// countValues over the rows of an incomplete row (rowMask 0, completeMask) only: the value counts
// of the incomplete rows, which the complete rows' counts are the feature's less.
export function countIncompleteValues(values: usize, n: i32, rowMask: usize, keys: usize, counts: usize, capacity: i32, limit: i32, state: usize): void {
  if (load<i32>(state, 4) != 0) return;
  let size = load<i32>(state);
  const mask = <u64>(capacity - 1);
  const shift = <u64>(64 - ctz<i32>(capacity));
  for (let r = 0; r < n; r++) {
    if (load<u8>(rowMask + <usize>r) != 0) continue;
    const v = load<f64>(values + (<usize>r << 3));
    if (!(v - v == 0)) continue;
    size = tally(reinterpret<u64>(v), keys, counts, mask, shift, size, limit);
    if (size < 0) break;
  }
  settle(state, size);
}

// One value (its bits) into the table: returns the distinct values now in it, or -1 - size when
// it did not fit.
// @ts-ignore: decorator
@inline
function tally(key: u64, keys: usize, counts: usize, mask: u64, shift: u64, size: i32, limit: i32): i32 {
  let slot = ((key * 0x9e3779b97f4a7c15) >> shift) & mask;
  while (true) {
    const at = keys + (<usize>slot << 3);
    const k = load<u64>(at);
    if (k == key) {
      const c = counts + (<usize>slot << 2);
      store<u32>(c, load<u32>(c) + 1);
      return size;
    }
    if (k == 0xffffffffffffffff) {
      if (size >= limit) return -1 - size;
      store<u64>(at, key);
      store<u32>(counts + (<usize>slot << 2), 1);
      return size + 1;
    }
    slot = (slot + 1) & mask;
  }
}

// The table's state after a call (size < 0: -1 - size values, and one that did not fit).
// @ts-ignore: decorator
@inline
function settle(state: usize, size: i32): void {
  if (size < 0) {
    store<i32>(state, -1 - size);
    store<i32>(state, 1, 4);
  } else store<i32>(state, size);
}

// Where the collected values go: chunks of CHUNK_VALUES f64 from a pool every thread shares, at
// `pool` (i32 x 2, then u32 x 3): chunks taken, chunks in the pool, then the byte addresses of
// the chunks' values, of their owners (i32 a chunk: the tag of the feature and subset it holds)
// and of their fills (i32 a chunk: the values in it, written when the chunk is full and at the end
// of each call, not a value: chunks taken together by two threads have their fills on one cache
// line). A thread takes a chunk by an atomic add on the count; it fills it alone, through its
// own record of the feature and subset (i32 x 3 at `record`: chunk + 1, 0 for none; values in
// it; values lost). A value that finds the pool
// empty is lost: counted, not stored (the main side collects that feature again).
export const CHUNK_VALUES: i32 = 1024;

// One value into the chunk of `record` (a new chunk when it has none or it is full).
// @ts-ignore: decorator
@inline
function storeValue(record: usize, pool: usize, tag: i32, v: f64): void {
  let chunk = load<i32>(record) - 1;
  let fill = load<i32>(record, 4);
  if (chunk < 0 || fill == CHUNK_VALUES) {
    if (chunk >= 0) store<i32>(<usize>load<u32>(pool, 16) + (<usize>chunk << 2), fill);
    const chunks = load<i32>(pool, 4);
    chunk = load<i32>(pool) < chunks ? atomic.add<i32>(pool, 1) : chunks;
    if (chunk >= chunks) {
      store<i32>(record, 0);
      store<i32>(record, load<i32>(record, 8) + 1, 8);
      return;
    }
    store<i32>(<usize>load<u32>(pool, 12) + (<usize>chunk << 2), tag);
    store<i32>(record, chunk + 1);
    fill = 0;
  }
  store<f64>(<usize>load<u32>(pool, 8) + ((<usize>chunk * <usize>CHUNK_VALUES + <usize>fill) << 3), v);
  store<i32>(record, fill + 1, 4);
}

// The fill of the record's chunk into the pool's fills (at the end of a call).
// @ts-ignore: decorator
@inline
function settleFill(record: usize, pool: usize): void {
  const chunk = load<i32>(record) - 1;
  if (chunk >= 0) store<i32>(<usize>load<u32>(pool, 16) + (<usize>chunk << 2), load<i32>(record, 4));
}

// A value of a selected bucket: counted in the bucket's run (its first value, and how many values
// had exactly its bits), or stored (storeValue).
// @ts-ignore: decorator
@inline
function keep(run: usize, v: f64, record: usize, pool: usize, tag: i32): void {
  const count = load<f64>(run, 8);
  if (count == 0) {
    store<f64>(run, v);
    store<f64>(run, 1, 8);
    return;
  }
  if (reinterpret<u64>(load<f64>(run)) == reinterpret<u64>(v)) {
    store<f64>(run, count + 1, 8);
    return;
  }
  storeValue(record, pool, tag, v);
}

// The selection pass over one column. A finite value whose bucket has flag bit 1 (flags: u8 per
// bucket) is one of the selected buckets' values: bucket index[b] (u16 per bucket) keeps, in its
// run (f64 value, f64 count at runs + 16 * index[b]), the first value it saw and how many values
// had exactly its bits; every other value is stored in the pool's chunks through the record at
// `records`, with tag `tag` (values repeated in a bucket cost no memory). A finite value of a
// complete row (mask 1) whose bucket has bit 2 is one of the complete subset's selected values,
// kept the same way (completeIndex, completeRuns, the record at records + 12, tag + 1). Also adds the exact sum of the
// squared deviations ((v - mean) / divisor)^2 to devAcc (one that overflows is counted in
// stats[0] instead), by way of the per-exponent sums at scratch (EXPONENTS x i64, all zero; left so);
// devAcc 0: no deviations (the main side has them from the feature's exact value counts).
export function collectColumn(values: usize, n: i32, mask: usize, flags: usize, index: usize, runs: usize, completeIndex: usize, completeRuns: usize, records: usize, pool: usize, tag: i32, mean: f64, divisor: f64, devAcc: usize, stats: usize, map: usize, scratch: usize): void {
  const table = map + 32;
  const h0 = load<f64>(map);
  const h1 = load<f64>(map, 8);
  const hb0 = load<i32>(map, 16);
  const hb1 = load<i32>(map, 20);
  const lo16 = load<i32>(map, 24);
  const hi16 = load<i32>(map, 28);
  let overflow: i32 = 0;
  const withDeviations = devAcc != 0;
  const scaled = divisor != 1;
  for (let start = 0; start < n; start += CHUNK) {
    const end = min<i32>(n, start + CHUNK);
    let loE: i32 = EXPONENTS - 1;
    let hiE: i32 = 0;
    for (let r = start; r < end; r++) {
      const v = load<f64>(values + (<usize>r << 3));
      if (!(v - v == 0)) continue;
      if (withDeviations) {
        // (v - mean) / 1 is v - mean: the division only where the deviations are scaled
        let d = v - mean;
        if (scaled) d /= divisor;
        const square = d * d;
        if (square - square == 0) {
          const e = expAdd(scratch, square);
          loE = lowExponent(loE, square, e);
          hiE = max<i32>(hiE, e);
        } else overflow++;
      }
      const b = <usize>bucketOf(v, table, lo16, hi16, h0, h1, hb0, hb1);
      const flag = load<u8>(flags + b);
      if (flag == 0) continue;
      if ((flag & 1) != 0) keep(runs + (<usize>load<u16>(index + (b << 1)) << 4), v, records, pool, tag);
      if ((flag & 2) != 0 && load<u8>(mask + <usize>r) != 0) {
        keep(completeRuns + (<usize>load<u16>(completeIndex + (b << 1)) << 4), v, records + 12, pool, tag + 1);
      }
    }
    flush(scratch, loE, hiE, devAcc);
  }
  store<f64>(stats, load<f64>(stats) + <f64>overflow);
  settleFill(records, pool);
  settleFill(records + 12, pool);
}

// Adds c * v (v finite, c < 2^32) to the limbs at acc: the significand in two parts of 26 and 27
// bits, each times c below 2^59.
// @ts-ignore: decorator
@inline
function addTimes(acc: usize, v: f64, c: u64): void {
  const bits = reinterpret<u64>(v);
  const exponent = <i32>((bits >> 52) & 0x7ff);
  const significand = (bits & 0xfffffffffffff) | select<u64>(0x10000000000000, 0, exponent != 0);
  const position = select<i32>(exponent - 1, 0, exponent != 0);
  const negative = (bits >> 63) != 0;
  const low = <i64>((significand & 0x3ffffff) * c);
  const high = <i64>((significand >> 26) * c);
  addAt(acc, position, negative ? -low : low);
  addAt(acc, position + 26, negative ? -high : high);
}

// A value table's counts (countValues: the values of the rows coarseColumn left to it) into the
// coarse pass's totals: each value's count into its bucket's counter (u32 at hist), and, when
// sumAcc is not 0, count x value into the limbs at sumAcc, count x its square into squareAcc (a
// square that overflows: the count into stats[4]).
export function addTable(keys: usize, counts: usize, capacity: i32, hist: usize, sumAcc: usize, squareAcc: usize, stats: usize, map: usize): void {
  for (let i = 0; i < capacity; i++) {
    const key = load<u64>(keys + (<usize>i << 3));
    if (key == 0xffffffffffffffff) continue;
    const c = load<u32>(counts + (<usize>i << 2));
    const v = reinterpret<f64>(key);
    // the map's header read a value: a table holds at most `capacity` values (the column kernels read it once a call)
    const at = hist + (<usize>bucketOf(v, map + 32, load<i32>(map, 24), load<i32>(map, 28), load<f64>(map), load<f64>(map, 8), load<i32>(map, 16), load<i32>(map, 20)) << 2);
    store<u32>(at, load<u32>(at) + c);
    if (sumAcc == 0) continue;
    addTimes(sumAcc, v, <u64>c);
    const square = v * v;
    if (square - square == 0) addTimes(squareAcc, square, <u64>c);
    else {
      const q = stats + (<usize>SQUARE_OVERFLOW << 3);
      store<f64>(q, load<f64>(q) + <f64>c);
    }
  }
}

// dst[i] += src[i] for n u32 counters.
export function addCounts(dst: usize, src: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const at = dst + (<usize>i << 2);
    store<u32>(at, load<u32>(at) + load<u32>(src + (<usize>i << 2)));
  }
}

// dst += src for nAcc accumulators of NLIMBS limbs each, then carries moved up so that every limb
// but the top one of dst is in [0, 2^32): dst then takes another 2^31 values' worth.
export function addLimbs(dst: usize, src: usize, nAcc: i32): void {
  for (let a = 0; a < nAcc; a++) {
    const d = dst + <usize>a * <usize>NLIMBS * 8;
    const s = src + <usize>a * <usize>NLIMBS * 8;
    let carry: i64 = 0;
    for (let i = 0; i < NLIMBS; i++) {
      const at = d + (<usize>i << 3);
      let x = load<i64>(at) + load<i64>(s + (<usize>i << 3)) + carry;
      if (i < NLIMBS - 1) {
        carry = x >> 32;
        x -= carry << 32;
      }
      store<i64>(at, x);
    }
  }
}
