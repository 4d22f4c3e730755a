import { describe, expect, it } from 'vitest';
import { COARSE_BUCKETS, COARSE_STATS, CHUNK_VALUES, MAP_BYTES, NLIMBS, NO_HEAVY, RECORD_BYTES, SUM_SCRATCH_BYTES, collectPoolBytes, collectPoolValues, createSharedMemory, limbsToBigInt, loadProfileKernel, writeCollectPool, type KernelName } from '../../../engine/kernels/index.js';
import { rng } from '../../helpers.js';

// The exact sums of the profile kernels (assembly/profile.ts: per-exponent sums of a chunk, then
// the limbs) against the sum written out from the definition: each double as an integer number
// of 2^-1074, added in BigInt.
const N = 5000;
const memory = createSharedMemory(8 << 20);
const at = { values: 65536, mask: 0, stats: 0, hist: 0, inc: 0, acc: 0, map: 0, scratch: 0, flags: 0, index: 0, runs: 0, out: 0, outAll: 0, outComplete: 0 };
at.mask = at.values + N * 8;
at.stats = at.mask + N;
at.hist = at.stats + COARSE_STATS * 8;
at.inc = at.hist + COARSE_BUCKETS * 4;
at.acc = at.inc + COARSE_BUCKETS * 4;
at.map = at.acc + 3 * NLIMBS * 8;
at.scratch = at.map + MAP_BYTES;
at.flags = at.scratch + SUM_SCRATCH_BYTES;
at.index = at.flags + COARSE_BUCKETS;
at.runs = at.index + 2 * COARSE_BUCKETS;
at.out = at.runs + 16;
at.outAll = at.out + RECORD_BYTES;
at.outComplete = at.outAll + N * 8;

/** v in units of 2^-1074: doubled (exactly) until whole, then shifted back in BigInt */
function scaled(v: number): bigint {
  let x = v;
  let doublings = 0;
  while (!Number.isInteger(x)) {
    x *= 2;
    doublings++;
  }
  return BigInt(x) << BigInt(1074 - doublings);
}

function exactSum(values: number[]): bigint {
  let total = 0n;
  for (const v of values) if (Number.isFinite(v)) total += scaled(v);
  return total;
}

const MAX_SIGNIFICAND = 2 - 2 ** -52;
const cases: Record<string, () => number[]> = {
  // every value of one exponent with the largest significand: the most a chunk's i64 holds
  'one exponent, largest significands': () => Array.from({ length: N }, () => MAX_SIGNIFICAND * 2 ** 40),
  'the same, negative': () => Array.from({ length: N }, () => -MAX_SIGNIFICAND * 2 ** -1000),
  'subnormals, zeros and -0': () => {
    const r = rng(3);
    return Array.from({ length: N }, (_, i) => (i % 3 === 0 ? (i % 2 ? -0 : 0) : (r() - 0.5) * 2 ** -1030));
  },
  // chunks of small whole numbers only are summed in registers (assembly/profile.ts smallWholeOnly):
  // the largest below 2^26 in every row, then chunks that end the path (2^26, a fraction, -0, NaN)
  'small whole numbers (the register path), largest first': () => Array.from({ length: N }, (_, i) => (i < 2048 ? (i % 2 ? -1 : 1) * (2 ** 26 - 1) : i % 1024 === 500 ? [2 ** 26, 0.5, NaN][(i >> 10) % 3]! : i % 7 === 0 ? -0 : (i % 5) - 2 + 2 ** 20 * (i % 3))),
  'mixed magnitudes and signs, huge values whose squares overflow, NaN and ±Inf': () => {
    const r = rng(7);
    return Array.from({ length: N }, (_, i) => {
      if (i % 97 === 0) return [NaN, Infinity, -Infinity][i % 3]!;
      if (i % 89 === 0) return (r() - 0.5) * 1.7e308;
      return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    });
  },
};

function setUp(values: number[]): void {
  new Uint8Array(memory.buffer).fill(0);
  new Float64Array(memory.buffer, at.values, N).set(values);
  new Uint8Array(memory.buffer, at.mask, N).fill(1);
  // one bucket per top 16 bits of the key, no heavy values
  const table = new Uint32Array(memory.buffer, at.map + 32, COARSE_BUCKETS);
  for (let i = 0; i < COARSE_BUCKETS; i++) table[i] = i << 5;
  new Float64Array(memory.buffer, at.map, 2).fill(NaN);
  new Int32Array(memory.buffer, at.map + 16, 2).fill(NO_HEAVY);
  new Int32Array(memory.buffer, at.map + 24, 2).set([0, COARSE_BUCKETS - 1]);
}

describe.each(['wasm-simd', 'wasm', 'js'] as KernelName[])('profile kernel %s: exact sums', (name) => {
  const kernel = loadProfileKernel(memory, name);
  const limbs = (k: number) => limbsToBigInt(new BigInt64Array(memory.buffer, at.acc + k * NLIMBS * 8, NLIMBS));
  const scratchIsZero = () => new BigInt64Array(memory.buffer, at.scratch, SUM_SCRATCH_BYTES / 8).every((x) => x === 0n);

  it.each(Object.keys(cases))('%s', (label) => {
    const values = cases[label]!();
    setUp(values);
    // in calls of uneven sizes, as the blocks of a pass
    for (let start = 0, size = 1; start < N; start += size, size = size * 3 + 1) {
      const n = Math.min(size, N - start);
      kernel.coarseColumn(at.values + start * 8, n, 0, at.mask, at.stats, at.hist, at.inc, at.acc, at.acc + NLIMBS * 8, at.map, at.scratch);
    }
    const squares = values.map((v) => v * v);
    expect(limbs(0)).toBe(exactSum(values));
    expect(limbs(1)).toBe(exactSum(squares));
    const stats = new Float64Array(memory.buffer, at.stats, COARSE_STATS);
    expect(stats[3]).toBe(values.filter(Number.isFinite).length);
    expect(stats[4]).toBe(values.filter((v) => Number.isFinite(v) && !Number.isFinite(v * v)).length);
    expect(scratchIsZero()).toBe(true);

    const mean = 0.25;
    const divisor = 3;
    stats[0] = 0; // collect counts its overflowing squares there
    // no bucket flagged (setUp zeroes the flags): nothing is stored, so the record (zero: no chunk) and the pool may share an address
    kernel.collectColumn(at.values, N, at.mask, at.flags, at.index, at.runs, at.index, at.runs, at.out, at.out, 0, mean, divisor, at.acc + 2 * NLIMBS * 8, at.stats, at.map, at.scratch);
    const deviations = values.filter(Number.isFinite).map((v) => {
      const d = (v - mean) / divisor;
      return d * d;
    });
    expect(limbs(2)).toBe(exactSum(deviations.filter(Number.isFinite)));
    expect(stats[0]).toBe(deviations.filter((d) => !Number.isFinite(d)).length);
    expect(scratchIsZero()).toBe(true);
  });
});

// A coarse pass that leaves the rows its value table counts to the table (coarseColumn from the
// rows countValues counted, then addTable) against the same column all through coarseColumn:
// the same histogram, sums, square overflows and stats, whether the table fills in a call's
// first row, partway or never.
describe.each(['wasm-simd', 'wasm', 'js'] as KernelName[])('profile kernel %s: rows left to the value table', (name) => {
  const kernel = loadProfileKernel(memory, name);
  const CAPACITY = 2048;
  const table = { keys: at.outAll, counts: at.outAll + CAPACITY * 8, state: at.outAll + CAPACITY * 12 };
  const snapshot = () => ({
    hist: Array.from(new Uint32Array(memory.buffer, at.hist, COARSE_BUCKETS)),
    sums: [0, 1].map((k) => limbsToBigInt(new BigInt64Array(memory.buffer, at.acc + k * NLIMBS * 8, NLIMBS))),
    stats: Array.from(new Float64Array(memory.buffer, at.stats, COARSE_STATS)),
  });
  const r = rng(5);
  // few distinct values (huge ones among them, whose squares overflow; -0 and 0), then, from row
  // `many` on, a new value a row; NaN and ±Inf throughout
  const column = (many: number) =>
    Array.from({ length: N }, (_, i) => (i % 61 === 0 ? [NaN, Infinity, -Infinity][i % 3]! : i < many ? [0, -0, 3, 2.5, -7, 1.5e300, -1e-310][i % 7]! : (r() - 0.5) * 10 ** Math.floor(r() * 30 - 15)));

  it.each([['never fills', N], ['fills partway', 2345], ['fills in the first row', 0]] as const)('%s', (_, many) => {
    const values = column(many);
    setUp(values);
    for (let start = 0, size = 1; start < N; start += size, size = size * 3 + 1) {
      kernel.coarseColumn(at.values + start * 8, Math.min(size, N - start), 0, at.mask, at.stats, at.hist, at.inc, at.acc, at.acc + NLIMBS * 8, at.map, at.scratch);
    }
    const whole = snapshot();
    expect(whole.sums[0]).toBe(exactSum(values));

    setUp(values);
    new Uint8Array(memory.buffer, table.keys, CAPACITY * 8).fill(0xff);
    const counted: number[] = [];
    for (let start = 0, size = 1; start < N; start += size, size = size * 3 + 1) {
      const n = Math.min(size, N - start);
      const from = kernel.countValues(at.values + start * 8, n, table.keys, table.counts, CAPACITY, 1000, table.state);
      counted.push(from);
      kernel.coarseColumn(at.values + start * 8, n, from, at.mask, at.stats, at.hist, at.inc, at.acc, at.acc + NLIMBS * 8, at.map, at.scratch);
    }
    kernel.addTable(table.keys, table.counts, CAPACITY, at.hist, at.acc, at.acc + NLIMBS * 8, at.stats, at.map);
    expect(snapshot()).toEqual(whole);
    // the rows the calls left to the table: all of them until the row of its 1,001st distinct value (by bits), then none
    const seen = new Set<bigint>();
    const full = values.findIndex((v) => Number.isFinite(v) && seen.add(new BigUint64Array(Float64Array.of(v).buffer)[0]!).size > 1000);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(full < 0 ? N : full);
    expect(full < 0).toBe(many === N);
  });
});

// The value tables (countValues, and countIncompleteValues over the rows with mask 0) against the
// counts by bits written from the definition, and their bound: past `limit` distinct values a
// table says so and stops.
describe.each(['wasm-simd', 'wasm', 'js'] as KernelName[])('profile kernel %s: value tables', (name) => {
  const kernel = loadProfileKernel(memory, name);
  const CAPACITY = 512;
  const table = { keys: at.outAll, counts: at.outAll + CAPACITY * 8, state: at.outAll + CAPACITY * 12 };
  const bitsOf = (v: number) => new BigUint64Array(Float64Array.of(v).buffer)[0]!;
  const read = () => {
    const keys = new BigUint64Array(memory.buffer, table.keys, CAPACITY);
    const counts = new Uint32Array(memory.buffer, table.counts, CAPACITY);
    const got = new Map<bigint, number>();
    keys.forEach((k, i) => k !== 0xffffffffffffffffn && got.set(k, counts[i]!));
    return got;
  };
  const expected = (values: number[], keep: (r: number) => boolean) => {
    const want = new Map<bigint, number>();
    values.forEach((v, r) => Number.isFinite(v) && keep(r) && want.set(bitsOf(v), (want.get(bitsOf(v)) ?? 0) + 1));
    return want;
  };
  const clear = () => {
    new Uint8Array(memory.buffer, table.keys, CAPACITY * 8).fill(0xff);
    new Uint8Array(memory.buffer, table.counts, CAPACITY * 4 + 8).fill(0);
  };
  const r = rng(11);
  // 200 distinct values (-0 and 0 apart), NaN and ±Inf; every 7th row incomplete
  const values = Array.from({ length: N }, (_, i) => (i % 101 === 0 ? [NaN, Infinity, -Infinity][i % 3]! : i % 50 === 0 ? -0 : Math.floor(r() * 199) / 4));
  const mask = Array.from({ length: N }, (_, i) => (i % 7 === 0 ? 0 : 1));

  it('counts every finite value by its bits, in calls of any size', () => {
    setUp(values);
    clear();
    for (let start = 0, size = 1; start < N; start += size, size = size * 3 + 1) kernel.countValues(at.values + start * 8, Math.min(size, N - start), table.keys, table.counts, CAPACITY, 250, table.state);
    expect(read()).toEqual(expected(values, () => true));
    expect(Array.from(new Int32Array(memory.buffer, table.state, 2))).toEqual([expected(values, () => true).size, 0]);
  });

  it('countIncompleteValues counts the rows with mask 0 only', () => {
    setUp(values);
    new Uint8Array(memory.buffer, at.mask, N).set(mask);
    clear();
    for (let start = 0, size = 1; start < N; start += size, size = size * 3 + 1) {
      kernel.countIncompleteValues(at.values + start * 8, Math.min(size, N - start), at.mask + start, table.keys, table.counts, CAPACITY, 250, table.state);
    }
    const want = expected(values, (row) => mask[row] === 0);
    expect(read()).toEqual(want);
    expect(new Int32Array(memory.buffer, table.state, 2)[1]).toBe(0);
  });

  it('stops at the limit and says so', () => {
    setUp(values);
    new Uint8Array(memory.buffer, at.mask, N).fill(0);
    clear();
    kernel.countIncompleteValues(at.values, N, at.mask, table.keys, table.counts, CAPACITY, 50, table.state);
    expect(Array.from(new Int32Array(memory.buffer, table.state, 2))).toEqual([50, 1]);
  });
});

// The collect kernel's values against the definition written out here: per flagged bucket, its
// first value (by row) is its run, which counts every value with that value's bits; each other
// value of the bucket is stored, in row order (one thread), in chunks of a shared pool tagged by
// feature and subset, the complete subset's only from rows with mask 1; once the pool has no
// chunk left, a value is lost: counted in the record, not stored.
describe.each(['wasm-simd', 'wasm', 'js'] as KernelName[])('profile kernel %s: collect', (name) => {
  const kernel = loadProfileKernel(memory, name);
  const base = 4 << 20;
  const room = { runs: base, completeRuns: base + 4096, completeIndex: base + 8192, records: base + 8192 + 2 * COARSE_BUCKETS, pool: base + (1 << 20) };
  const TAG = 6; // feature 3: tags 6 (all rows) and 7 (complete rows)
  const view = new DataView(new ArrayBuffer(8));
  /** the top 16 bits of v's order-preserving key, v + 0 (one bucket each under the identity map of setUp) */
  const bucket = (v: number) => {
    view.setFloat64(0, v + 0);
    const high = view.getUint32(0);
    return high >>> 31 ? (~high >>> 16) & 0xffff : (high >>> 16) | 0x8000;
  };
  const bits = (v: number) => {
    view.setFloat64(0, v);
    return view.getBigUint64(0);
  };
  const r = rng(5);
  // a few buckets' worth of values (1 to 1 + 1/16 is one bucket) with many repeats, -0 and 0, NaN and ±Inf
  const pool = [1, 1.01, 1.02, -0, 0, 3, 3.01, 3.02, 1000, 1001, -2, -2.01];
  const values = Array.from({ length: N }, (_, i) => (i % 97 === 0 ? [NaN, Infinity, -Infinity][i % 3]! : i % 5 === 0 ? 1 + r() / 16 : pool[Math.floor(r() * pool.length)]!));
  const rowMask = Array.from({ length: N }, (_, i) => (i % 6 === 0 ? 0 : 1));
  const flagOf = new Map<number, number>([
    [bucket(1), 1],
    [bucket(3), 3],
    [bucket(0), 2],
    [bucket(-2), 3],
  ]);

  /** What the kernel should leave: per subset, the stored values (row order) and each bucket's run. */
  const expected = (flag: number, useMask: boolean) => {
    const stored: number[] = [];
    const runs = new Map<number, { value: number; count: number }>();
    values.forEach((v, row) => {
      if (!Number.isFinite(v) || ((flagOf.get(bucket(v)) ?? 0) & flag) === 0 || (useMask && rowMask[row] === 0)) return;
      const run = runs.get(bucket(v));
      if (!run) runs.set(bucket(v), { value: v, count: 1 });
      else if (bits(run.value) === bits(v)) run.count++;
      else stored.push(v);
    });
    return { stored, runs };
  };

  const collect = (chunks: number) => {
    setUp(values);
    new Uint8Array(memory.buffer, at.mask, N).set(rowMask);
    new Uint8Array(memory.buffer, base, 3 << 20).fill(0);
    const flags = new Uint8Array(memory.buffer, at.flags, COARSE_BUCKETS);
    const index = new Uint16Array(memory.buffer, at.index, COARSE_BUCKETS);
    const completeIndex = new Uint16Array(memory.buffer, room.completeIndex, COARSE_BUCKETS);
    let i = 0;
    for (const [b, flag] of flagOf) {
      flags[b] = flag;
      index[b] = i;
      completeIndex[b] = flagOf.size - 1 - i++;
    }
    expect(collectPoolBytes(chunks)).toBeLessThan(2 << 20);
    writeCollectPool(memory, room.pool, chunks);
    for (let start = 0, size = 1; start < N; start += size, size = size * 3 + 1) {
      const n = Math.min(size, N - start);
      kernel.collectColumn(at.values + start * 8, n, at.mask + start, at.flags, at.index, room.runs, room.completeIndex, room.completeRuns, room.records, room.pool, TAG, 0, 1, 0, at.stats, at.map, at.scratch);
    }
    const stored = collectPoolValues(memory, room.pool, 8);
    const records = new Int32Array(memory.buffer, room.records, 6);
    const runsAt = (ptr: number, indexOf: Uint16Array) => {
      const got = new Map<number, { value: number; count: number }>();
      for (const b of flagOf.keys()) {
        const run = new Float64Array(memory.buffer, ptr + 16 * indexOf[b]!, 2);
        if (run[1]! > 0) got.set(b, { value: run[0]!, count: run[1]! });
      }
      return got;
    };
    return {
      stored: stored.stored,
      other: [0, 1, 2, 3, 4, 5].map((t) => stored.count(t)),
      all: Array.from(stored.take(TAG)),
      complete: Array.from(stored.take(TAG + 1)),
      lost: { all: records[2]!, complete: records[5]! },
      runs: runsAt(room.runs, index),
      completeRuns: runsAt(room.completeRuns, completeIndex),
    };
  };
  const same = (a: number[], b: number[]) => expect(a.map(bits)).toEqual(b.map(bits));
  const sameRuns = (a: Map<number, { value: number; count: number }>, b: Map<number, { value: number; count: number }>) => {
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [k, run] of b) {
      expect(bits(a.get(k)!.value)).toBe(bits(run.value));
      expect(a.get(k)!.count).toBe(run.count);
    }
  };

  it('keeps each flagged bucket\'s values: a run of its first value, the others in row order', () => {
    const all = expected(1, false);
    const complete = expected(2, true);
    expect(all.stored.length).toBeGreaterThan(2 * CHUNK_VALUES);
    expect(complete.stored.length).toBeGreaterThan(CHUNK_VALUES);
    const got = collect(16);
    same(got.all, all.stored);
    same(got.complete, complete.stored);
    expect(got.stored).toBe(all.stored.length + complete.stored.length);
    expect(got.other).toEqual([0, 0, 0, 0, 0, 0]);
    expect(got.lost).toEqual({ all: 0, complete: 0 });
    sameRuns(got.runs, all.runs);
    sameRuns(got.completeRuns, complete.runs);
  });

  it('once the pool has no chunk left, counts the values it could not store', () => {
    const all = expected(1, false);
    const complete = expected(2, true);
    // two chunks: the first value of each subset takes one, and no more are left
    const got = collect(2);
    same(got.all, all.stored.slice(0, CHUNK_VALUES));
    same(got.complete, complete.stored.slice(0, CHUNK_VALUES));
    expect(got.lost).toEqual({ all: all.stored.length - CHUNK_VALUES, complete: complete.stored.length - CHUNK_VALUES });
    sameRuns(got.runs, all.runs);
    const none = collect(0);
    expect(none.stored).toBe(0);
    expect(none.lost).toEqual({ all: all.stored.length, complete: complete.stored.length });
  });
});
