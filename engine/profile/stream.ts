/**
 * The streaming baseline of a CSV file: the same Profile as buildProfile over the whole table,
 * in memory that does not grow with the rows, on the scan's machinery (byte ranges parsed by the
 * workers into their slot of the shared memory, WASM kernels: assembly/profile.ts,
 * engine/scan/profile-pass.ts). docs/PROFILE.md "How a baseline is built" tells the passes:
 *
 * 1. coarse: per feature the NaN/±Inf/finite counts, min and max, exact sums of the values and
 *    of their squares, the exact counts of up to DISTINCT_COUNT_LIMIT distinct values, and two
 *    histograms on the top 16 bits of each value's order-preserving key (65,536 buckets in value
 *    order): of all finite values and of those in incomplete rows (a row with a non-finite
 *    feature, which the compat baseline leaves out).
 * 2. From the merged histograms, the ranks every quantile reads (numpy `linear`: floor(h) and
 *    floor(h) + 1 for each q of the decile, fine and compat grids) and so the buckets that hold
 *    them. collect: the values of those buckets only (sorted per bucket afterwards), and the exact
 *    sum of the squared deviations from the mean the coarse pass gave.
 * Every order statistic is then a value of a collected bucket, and every count below an edge the
 * histogram's count below its bucket plus the collected values below it in the bucket.
 */
import { stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { readCsvLayout, readerFor, resolveFeatures, type ScanPlan, type ScanRequest } from '../io/index.js';
import { ScanPool, autoWorkers, resolveCountOptions, runPlan, profilePassLayout, clearProfileSlot, type ProfilePass, type ProfilePassLayout, type TaskOk } from '../scan/index.js';
import { COARSE_BUCKETS, NLIMBS, coarseBucket, limbsToBigInt, loadProfileKernel, type KernelName } from '../kernels/index.js';
import { InputError, internalError } from '../util/index.js';
import { quantileGrid, quantileRanks, lowerBound, upperBound } from './quantile.js';
import { DISTINCT_COUNT_LIMIT, NAMED_DISTINCT_LIMIT, assembleFeature, checkBuildOptions, exactMean, momentDivisor, type FeatureData, type OrderStatistics } from './build.js';
import { PROFILE_FORMAT, PROFILE_VERSION, type BaselineOptions, type Profile } from './types.js';

export interface StreamOptions extends BaselineOptions {
  /** worker threads (default: by file size, as a scan) */
  workers?: number | undefined;
  kernel?: KernelName | undefined;
  /** bytes per task (a CSV byte range; default: the scan's) */
  rangeBytes?: number | undefined;
}

/** What the streaming baseline used, for the benchmark and the tests. */
export interface StreamStats {
  /** values collected in the second pass, all features (the memory that depends on the data, 8 bytes each) */
  collected: number;
  passes: number;
  workers: number;
}

/** The streaming baseline of a CSV file (streamBaseline's profile and what it took). */
export async function streamBaseline(file: string, options: StreamOptions = {}): Promise<{ profile: Profile; stats: StreamStats }> {
  const bins = options.bins ?? 10;
  const layout = await readCsvLayout(file, { maxLineBytes: options.maxLineBytes });
  const resolved = resolveFeatures(layout.names, { label: options.label, exclude: options.exclude, file });
  const featureNames = resolved.featureNames;
  const labelName = resolved.labelName ?? null;
  const { resolution, named, maxCategories } = checkBuildOptions({ bins, resolution: options.resolution, categorical: options.categorical, maxCategories: options.maxCategories, featureNames, label: labelName, file });
  const bytes = (await stat(file)).size;
  const nFeatures = featureNames.length;
  const pool = new ScanPool({ workers: options.workers ?? autoWorkers(bytes), kernel: options.kernel });
  const main = loadProfileKernel(pool.memory, pool.inlineKernel.name);
  try {
    // pass 1: coarse
    const tableCapacity = new Int32Array(nFeatures);
    const tableLimit = new Int32Array(nFeatures);
    featureNames.forEach((name, f) => {
      tableLimit[f] = named.has(name) ? NAMED_DISTINCT_LIMIT : DISTINCT_COUNT_LIMIT;
      tableCapacity[f] = 1 << Math.ceil(Math.log2(2 * (tableLimit[f]! + 1)));
    });
    const coarse: ProfilePass = { kind: 'coarse', nFeatures, tableCapacity, tableLimit };
    const coarseLayout = profilePassLayout(coarse, pool.blockRows);
    const sharedBytes = nFeatures * COARSE_BUCKETS * 4 * 2 + nFeatures * 2 * NLIMBS * 8;
    let rows = 0;
    await runPass(pool, file, featureNames, coarse, coarseLayout, { sharedBytes }, options, () => (rows = 0), (result) => (rows += result.rows), (run) => (rows += run));
    // merge the slots: histograms and limbs into the shared region (slot order does not matter: all sums are exact)
    const shared = pool.plan.sharedPtr;
    const histAt = (f: number, inc: number) => shared + (2 * f + inc) * COARSE_BUCKETS * 4;
    const accAt = (f: number) => shared + nFeatures * COARSE_BUCKETS * 8 + f * 2 * NLIMBS * 8;
    const memory = pool.memory;
    new Uint8Array(memory.buffer, shared, sharedBytes).fill(0);
    const features = featureNames.map((name) => ({ name, nan: 0, posInf: 0, negInf: 0, finite: 0, squareOverflow: 0, min: Infinity, max: -Infinity, values: new Map<number, number>(), overflow: false }));
    for (let s = 0; s < pool.slotCount; s++) {
      const base = pool.slotAddress(s).extraPtr;
      const f64 = new Float64Array(memory.buffer);
      featureNames.forEach((_, f) => {
        const at = coarseLayout.features[f]!;
        main.addCounts(histAt(f, 0), base + at.hist, COARSE_BUCKETS);
        main.addCounts(histAt(f, 1), base + at.incHist, COARSE_BUCKETS);
        main.addLimbs(accAt(f), base + at.acc, 1);
        main.addLimbs(accAt(f) + NLIMBS * 8, base + at.acc + NLIMBS * 8, 1);
        const st = (base + at.stats) >>> 3;
        const feature = features[f]!;
        feature.nan += f64[st]!;
        feature.posInf += f64[st + 1]!;
        feature.negInf += f64[st + 2]!;
        if (f64[st + 3]! > 0) {
          feature.min = Math.min(feature.min, f64[st + 5]!);
          feature.max = Math.max(feature.max, f64[st + 6]!);
        }
        feature.finite += f64[st + 3]!;
        feature.squareOverflow += f64[st + 4]!;
        mergeValueTable(memory, base, at, tableCapacity[f]!, tableLimit[f]!, feature);
      });
    }
    if (rows === 0) throw new InputError('no data rows after the header', { file });

    // the ranks each feature's quantiles read, and the buckets that hold them
    const selections = featureNames.map((_, f) => {
      const hist = new Uint32Array(memory.buffer, histAt(f, 0), COARSE_BUCKETS);
      const inc = new Uint32Array(memory.buffer, histAt(f, 1), COARSE_BUCKETS);
      const nAll = features[f]!.finite;
      let nIncomplete = 0;
      for (let b = 0; b < COARSE_BUCKETS; b++) nIncomplete += inc[b]!;
      const all = selectBuckets(hist, null, nAll, neededRanks(nAll, [quantileGrid(bins, 'i/bins'), quantileGrid(resolution, 'i/bins')]));
      const complete = nIncomplete === 0 ? null : selectBuckets(hist, inc, nAll - nIncomplete, neededRanks(nAll - nIncomplete, [quantileGrid(bins, 'linspace')]));
      const sum = limbsToBigInt(new BigInt64Array(memory.buffer, accAt(f), NLIMBS));
      const squares = limbsToBigInt(new BigInt64Array(memory.buffer, accAt(f) + NLIMBS * 8, NLIMBS));
      const mean = exactMean(nAll, sum);
      const divisor = nAll === 0 ? 1 : momentDivisor(features[f]!.min, features[f]!.max, mean);
      return { all, complete, nComplete: nAll - nIncomplete, sum, squares, mean, divisor };
    });

    // pass 2: collect the selected buckets' values
    const mean = Float64Array.from(selections, (s) => s.mean);
    const divisor = Float64Array.from(selections, (s) => s.divisor);
    const collect: ProfilePass = { kind: 'collect', nFeatures, tableCapacity, tableLimit, mean, divisor };
    const collectLayout = profilePassLayout(collect, pool.blockRows);
    const flagsBytes = nFeatures * COARSE_BUCKETS;
    let all: Float64Array[][] = [];
    let complete: Float64Array[][] = [];
    await runPass(
      pool,
      file,
      featureNames,
      collect,
      collectLayout,
      { sharedBytes: flagsBytes },
      options,
      () => {
        collect.flagsPtr = pool.plan.sharedPtr;
        const flags = new Uint8Array(memory.buffer, pool.plan.sharedPtr, flagsBytes);
        flags.fill(0);
        selections.forEach((s, f) => {
          for (const b of s.all.buckets) flags[f * COARSE_BUCKETS + b]! |= 1;
          for (const b of s.complete?.buckets ?? []) flags[f * COARSE_BUCKETS + b]! |= 2;
        });
        all = featureNames.map(() => []);
        complete = featureNames.map(() => []);
      },
      (result) => {
        result.profile!.all.forEach((values, f) => values.length > 0 && all[f]!.push(values));
        result.profile!.complete.forEach((values, f) => values.length > 0 && complete[f]!.push(values));
      },
      () => {},
    );
    const deviations = featureNames.map(() => 0n);
    for (let s = 0; s < pool.slotCount; s++) {
      const base = pool.slotAddress(s).extraPtr;
      featureNames.forEach((_, f) => {
        deviations[f] = deviations[f]! + limbsToBigInt(new BigInt64Array(memory.buffer, base + collectLayout.features[f]!.acc, NLIMBS));
      });
    }

    let collected = 0;
    const profiled = featureNames.map((name, f) => {
      const s = selections[f]!;
      const feature = features[f]!;
      const allStats = orderStatistics(s.all, all[f]!);
      collected += allStats.collected;
      let completeStats: OrderStatistics = allStats;
      if (s.complete) {
        const c = orderStatistics(s.complete, complete[f]!);
        collected += c.collected;
        completeStats = c;
      }
      const data: FeatureData = {
        name,
        total: rows,
        nan: feature.nan,
        posInf: feature.posInf,
        negInf: feature.negInf,
        all: allStats,
        complete: completeStats,
        sum: s.sum,
        squares: s.squares,
        squareOverflow: feature.squareOverflow,
        mean: s.mean,
        divisor: s.divisor,
        deviations: deviations[f]!,
        distinct: feature.overflow ? DISTINCT_COUNT_LIMIT + 1 : Math.min(feature.values.size, DISTINCT_COUNT_LIMIT + 1),
        valueCounts: () => (feature.overflow ? null : feature.values),
      };
      return assembleFeature(data, bins, resolution, file, named, maxCategories);
    });
    // a complete row has a finite value in every feature: any feature's finite values in complete rows count them
    const completeRows = selections[0]!.nComplete;
    const id = createHash('sha256').update(JSON.stringify({ bins, resolution, features: profiled })).digest('hex');
    const profile: Profile = {
      format: PROFILE_FORMAT,
      version: PROFILE_VERSION,
      id,
      created: new Date().toISOString(),
      source: { file: basename(file), bytes, format: 'csv' },
      bins,
      resolution,
      quantile_grids: { default: 'i/bins', compat: 'linspace' },
      label: labelName,
      rows,
      complete_rows: completeRows,
      features: profiled,
    };
    return { profile, stats: { collected, passes: 2, workers: pool.threadsStarted } };
  } finally {
    await pool.close();
  }
}

/** One pass of the baseline over the file, through its reader's scan plan (and the plan's fallback). */
async function runPass(
  pool: ScanPool,
  file: string,
  featureNames: string[],
  pass: ProfilePass,
  layout: ProfilePassLayout,
  regions: { sharedBytes: number },
  options: StreamOptions,
  start: () => void,
  onResult: (result: TaskOk) => void,
  onPlanRows: (rows: number) => void,
): Promise<void> {
  pool.prepare(
    featureNames.map(() => new Float64Array(0)),
    { profile: pass, slotBytes: layout.bytes, sharedBytes: regions.sharedBytes },
  );
  const count = resolveCountOptions({ coerce: options.coerce, maxLineBytes: options.maxLineBytes, rangeBytes: options.rangeBytes });
  const reader = readerFor(file);
  const request: ScanRequest = { featureNames, missingFeatures: 'error', coerce: count.coerce, maxLineBytes: count.maxLineBytes, unitBytes: count.rangeBytes, blockRows: pool.blockRows };
  let plan: ScanPlan = await reader.planScan(file, request);
  for (;;) {
    for (let s = 0; s < pool.slotCount; s++) clearProfileSlot(pool.memory, pass, layout, pool.slotAddress(s));
    start();
    const ran = await runPlan(pool, reader.format, plan, (_slot, result) => onResult(result));
    if (ran !== 'fallback') {
      onPlanRows(ran.rows);
      return;
    }
    plan = await plan.fallback!();
  }
}

/** Add a slot's value table to a feature's counts (bounded by its limit: past it, only `overflow`). */
function mergeValueTable(memory: WebAssembly.Memory, base: number, at: ProfilePassLayout['features'][number], capacity: number, limit: number, feature: { values: Map<number, number>; overflow: boolean }): void {
  if (feature.overflow) return;
  const state = new Int32Array(memory.buffer, base + at.state, 2);
  if (state[1] !== 0) {
    feature.overflow = true;
    feature.values.clear();
    return;
  }
  const keys = new Float64Array(memory.buffer, base + at.keys, capacity);
  const words = new Uint32Array(memory.buffer, base + at.keys, 2 * capacity);
  const counts = new Uint32Array(memory.buffer, base + at.counts, capacity);
  for (let i = 0; i < capacity; i++) {
    if (words[2 * i] === 0xffffffff && words[2 * i + 1] === 0xffffffff) continue;
    const v = keys[i]!;
    feature.values.set(v, (feature.values.get(v) ?? 0) + counts[i]!);
    if (feature.values.size > limit) {
      feature.overflow = true;
      feature.values.clear();
      return;
    }
  }
}

/** The ranks (0-based, ascending, distinct) the quantiles on these grids read among n values. */
function neededRanks(n: number, grids: Float64Array[]): number[] {
  if (n === 0) return [];
  const ranks = new Set<number>();
  for (const grid of grids) {
    for (const q of grid) for (const r of quantileRanks(n, q)) ranks.add(r);
  }
  return [...ranks].sort((a, b) => a - b);
}

/** The buckets that hold the needed ranks: per bucket (ascending) the values before it and in it. */
interface Selection {
  /** values in this subset */
  n: number;
  buckets: number[];
  before: number[];
  count: number[];
}

/** hist (minus `minus`, the incomplete rows', for the complete subset) -> the selected buckets. */
function selectBuckets(hist: Uint32Array, minus: Uint32Array | null, n: number, ranks: number[]): Selection {
  const selection: Selection = { n, buckets: [], before: [], count: [] };
  let r = 0;
  let cumulative = 0;
  for (let b = 0; b < COARSE_BUCKETS && r < ranks.length; b++) {
    const c = hist[b]! - (minus ? minus[b]! : 0);
    if (c === 0) continue;
    if (ranks[r]! < cumulative + c) {
      selection.buckets.push(b);
      selection.before.push(cumulative);
      selection.count.push(c);
      while (r < ranks.length && ranks[r]! < cumulative + c) r++;
    }
    cumulative += c;
  }
  if (r < ranks.length) throw internalError(`rank ${ranks[r]} beyond the ${n} values of the coarse histogram`);
  return selection;
}

/** OrderStatistics from the selected buckets and their collected values. */
function orderStatistics(selection: Selection, parts: Float64Array[]): OrderStatistics & { collected: number } {
  let total = 0;
  for (const p of parts) total += p.length;
  const values = new Float64Array(total);
  total = 0;
  for (const p of parts) {
    values.set(p, total);
    total += p.length;
  }
  parts.length = 0;
  // sort by bucket, then by value within a bucket: the collected values in value order (-0 before 0, as a sorted column)
  values.sort();
  let expected = 0;
  const offset: number[] = [];
  for (const c of selection.count) {
    offset.push(expected);
    expected += c;
  }
  if (expected !== values.length) throw internalError(`the collect pass found ${values.length} values in the selected buckets, the coarse pass ${expected}`);
  const { buckets, before, count, n } = selection;
  const indexOfBucket = (b: number) => {
    let lo = 0;
    let hi = buckets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (buckets[mid]! < b) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const rankIn = (x: number, bound: typeof lowerBound) => {
    const b = coarseBucket(x);
    const i = indexOfBucket(b);
    if (i < buckets.length && buckets[i] === b) {
      const slice = values.subarray(offset[i]!, offset[i]! + count[i]!);
      return before[i]! + bound(slice, x);
    }
    // a number in a bucket not selected: that bucket holds no value (x lies between two order statistics that are neighbours)
    const after = i < buckets.length ? before[i]! : n;
    const upTo = i > 0 ? before[i - 1]! + count[i - 1]! : 0;
    if (after !== upTo) throw internalError(`a count below ${x}, a number in a bucket that was not collected`);
    return after;
  };
  return {
    n,
    collected: values.length,
    at(rank) {
      let lo = 0;
      let hi = buckets.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (before[mid]! <= rank) lo = mid;
        else hi = mid - 1;
      }
      const within = rank - before[lo]!;
      if (within < 0 || within >= count[lo]!) throw internalError(`rank ${rank} is not in a collected bucket`);
      return values[offset[lo]! + within]!;
    },
    below: (x) => rankIn(x, lowerBound),
    atOrBelow: (x) => rankIn(x, upperBound),
  };
}
