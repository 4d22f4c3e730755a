/**
 * The streaming baseline of a data file: the same Profile as buildProfile over the whole table,
 * in memory bounded whatever the rows (StreamOptions.collectBudget), on the scan's machinery (units of whole rows read
 * by the workers into their slot's column block: CSV byte ranges, Arrow IPC record batch slices,
 * Parquet row group windows, `ScanRequest.wholeRows`; WASM kernels: assembly/profile.ts,
 * engine/scan/profile-pass.ts). docs/PROFILE.md "How a baseline is built" tells the passes:
 *
 * 1. coarse: per feature the NaN/±Inf/finite counts, min and max, exact sums of the values and
 *    of their squares, the exact counts of up to DISTINCT_COUNT_LIMIT distinct values (and those
 *    of the incomplete rows' values: a feature within the limit needs no collecting), and two
 *    histograms on the top 16 bits of each value's order-preserving key (65,536 buckets in value
 *    order): of all finite values and of those in incomplete rows (a row with a non-finite
 *    feature, which the compat baseline leaves out).
 * 2. From the merged histograms, the ranks every quantile reads (numpy `linear`: floor(h) and
 *    floor(h) + 1 for each q of the decile, fine and compat grids) and so the buckets that hold
 *    them. collect: the values of those buckets only, stored by the workers in chunks of a pool in
 *    the shared memory (at most collectBudget values a pass: features that did not fit are
 *    collected again, in more passes) and sorted per feature afterwards, and the exact sum of the
 *    squared deviations from the mean the coarse pass gave.
 * Every order statistic is then a value of a collected bucket, and every count below an edge the
 * histogram's count below its bucket plus the collected values below it in the bucket.
 */
import { stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { readerFor, resolveFeatures, type Reader, type ScanPlan, type ScanRequest } from '../io/index.js';
import { ScanPool, autoWorkers, resolveCountOptions, runPlan, profilePassLayout, clearProfileSlot, type ProfilePass, type ProfilePassLayout, type TaskOk } from '../scan/index.js';
import { CHUNK_VALUES, MAP_BYTES, NLIMBS, RECORD_BYTES, collectPoolBytes, collectPoolValues, exactUnits, limbsToBigInt, loadProfileKernel, writeCollectPool, type KernelName } from '../kernels/index.js';
import { InputError, UsageError, internalError, sortFloat64 } from '../util/index.js';
import { quantileGrid, quantileRanks, lowerBound, upperBound } from './quantile.js';
import { buildBucketMap, writeBucketMap } from './buckets.js';
import { DISTINCT_COUNT_LIMIT, NAMED_DISTINCT_LIMIT, assembleFeature, checkBuildOptions, exactMean, momentDivisor, type FeatureData, type OrderStatistics } from './build.js';
import { PROFILE_FORMAT, PROFILE_VERSION, type BaselineOptions, type Profile } from './types.js';

export interface StreamOptions extends BaselineOptions {
  /** worker threads (default: by file size, as a scan) */
  workers?: number | undefined;
  kernel?: KernelName | undefined;
  /** bytes per task (a CSV byte range, an Arrow or Parquet unit's values; default: the scan's) */
  rangeBytes?: number | undefined;
  /** rows per parse block (default: the reader's baselineBlockRows, else BASELINE_BLOCK_ROWS) */
  blockRows?: number | undefined;
  /** values the collect pass holds at once (default COLLECT_BUDGET; 8 bytes each): more, and features are collected in groups, a pass each */
  collectBudget?: number | undefined;
}

/**
 * Values the collect pass stores at once (96 MB, in chunks of a pool the workers share, whose
 * pages are touched only as it fills; besides, room for the chunks each slot has partly filled,
 * two a feature and slot): the values of the buckets that hold the ranks the quantiles read, less
 * the repeats the runs count, about one value a row on the synthetic CICIDS file (2.94M at 2.83M
 * rows), so one collect pass up to about 11M such rows by extrapolation. When the pool runs out, the features
 * whose values did not fit are collected again in groups that fit, one more pass over the file
 * each; a feature whose values alone are more than the budget is held whole, in a pass of its own.
 */
export const COLLECT_BUDGET = 12 * 1024 * 1024;

/**
 * Rows per parse block of a baseline pass, 8 times the scan's, unless the reader asks for another
 * (Reader.baselineBlockRows: Parquet's 8,192). A block goes through the kernels a column at a
 * time, and each column's histogram (up to BUCKET_BUDGET counters, 96 KiB) is loaded into the
 * cache once a block: with the scan's 2,048 rows nearly every histogram increment missed it (a
 * CPU profile of the coarse kernel), and 16,384 rows took 6 to 9% less time than 8,192 on CSV
 * (docs/PROFILE.md "How a baseline is built"); each slot's block takes blockRows x features x 8
 * bytes (10 MB at 78 features).
 */
export const BASELINE_BLOCK_ROWS = 16384;

/** What the streaming baseline used, for the benchmark and the tests. */
export interface StreamStats {
  /** distinct values collected in the collect passes, all features */
  collected: number;
  /** values the collect passes stored (8 bytes each), all passes: at most about collectBudget a pass, but for one feature above it alone */
  stored: number;
  /** per feature: distinct values collected, buckets of its map, buckets selected, values stored (in the pass that kept them) */
  features: Array<{ name: string; collected: number; buckets: number; selected: number; stored: number }>;
  /** passes over the whole file: the coarse pass and the collect passes (the pilot reads one range) */
  passes: number;
  workers: number;
}

/**
 * Whether a file can stream (streamBaseline): its reader knows its column names without reading
 * rows and plans units of whole rows (CSV, Arrow IPC, Parquet).
 */
export function canStreamBaseline(file: string): boolean {
  return readerFor(file).columnNames !== undefined;
}

/** The streaming baseline of a data file (streamBaseline's profile and what it took); canStreamBaseline says which. */
export async function streamBaseline(file: string, options: StreamOptions = {}): Promise<{ profile: Profile; stats: StreamStats }> {
  const bins = options.bins ?? 10;
  const reader = readerFor(file);
  if (!reader.columnNames) throw internalError(`the ${reader.format} reader cannot stream a baseline (no columnNames)`);
  const names = await reader.columnNames(file, { maxLineBytes: options.maxLineBytes });
  const resolved = resolveFeatures(names, { label: options.label, exclude: options.exclude, file });
  const featureNames = resolved.featureNames;
  const labelName = resolved.labelName ?? null;
  const { resolution, named, maxCategories } = checkBuildOptions({ bins, resolution: options.resolution, categorical: options.categorical, maxCategories: options.maxCategories, featureNames, label: labelName, file });
  if (options.collectBudget !== undefined && !(Number.isSafeInteger(options.collectBudget) && options.collectBudget >= 1)) {
    throw new UsageError(`collectBudget must be a whole number of values, at least 1 (got ${options.collectBudget})`);
  }
  const bytes = (await stat(file)).size;
  const nFeatures = featureNames.length;
  const workers = options.workers ?? autoWorkers(bytes);
  // one slot per worker: a slot holds each feature's two histograms and value tables (15 MB at 78 features)
  const pool = new ScanPool({ workers, kernel: options.kernel, blockRows: options.blockRows ?? reader.baselineBlockRows ?? BASELINE_BLOCK_ROWS, slots: Math.max(1, workers) });
  const main = loadProfileKernel(pool.memory, pool.inlineKernel.name);
  try {
    const tableCapacity = new Int32Array(nFeatures);
    const tableLimit = new Int32Array(nFeatures);
    featureNames.forEach((name, f) => {
      // one more than the limit: the tables keep -0 and 0 apart, a count of distinct values does not
      tableLimit[f] = (named.has(name) ? NAMED_DISTINCT_LIMIT : DISTINCT_COUNT_LIMIT) + 1;
      tableCapacity[f] = 1 << Math.ceil(Math.log2(2 * (tableLimit[f]! + 1)));
    });
    const memory = pool.memory;
    const mapsBytes = nFeatures * MAP_BYTES;

    // pilot: the first byte range's values (about pilotCapacity a feature: those past the pool's
    // room are dropped, which changes the buckets only, not the results) make each feature's bucket map
    const identity = buildBucketMap(new Float64Array(0), 0);
    const pilotFlags = align8(nFeatures * identity.buckets);
    const pilotIndex = mapsBytes + pilotFlags;
    // a value takes at least 2 bytes of a CSV row (a digit and a comma); the chunks partly filled at the end, one a feature and slot
    const pilotCapacity = Math.max(1024, Math.min(65536, Math.floor(PILOT_BYTES / 2 / nFeatures)));
    const pilotChunks = Math.ceil((nFeatures * pilotCapacity) / CHUNK_VALUES) + nFeatures * pool.slotCount;
    const pilotPass: ProfilePass = {
      kind: 'collect',
      nFeatures,
      tableCapacity,
      tableLimit,
      buckets: new Int32Array(nFeatures).fill(identity.buckets),
      mapsPtr: 0,
      flagsOffset: Int32Array.from(featureNames, (_, f) => mapsBytes + f * identity.buckets),
      indexOffset: Int32Array.from(featureNames, (_, f) => pilotIndex + 2 * f * identity.buckets),
      runs: new Int32Array(nFeatures).fill(1),
      mean: new Float64Array(nFeatures),
      divisor: new Float64Array(nFeatures).fill(1),
      // the pilot's deviations are not used
      deviations: new Uint8Array(nFeatures),
    };
    const pilotLayout = profilePassLayout(pilotPass, pool.blockRows);
    await runPass(pool, reader, file, featureNames, pilotPass, pilotLayout, { sharedBytes: pilotIndex + 2 * nFeatures * identity.buckets, tailBytes: collectPoolBytes(pilotChunks), firstUnitOnly: true }, options, () => {
      const shared = pool.plan.sharedPtr;
      pilotPass.mapsPtr = shared;
      pilotPass.flagsPtr = shared;
      pilotPass.poolPtr = pool.plan.tailPtr;
      writeCollectPool(memory, pool.plan.tailPtr, pilotChunks);
      for (let f = 0; f < nFeatures; f++) writeBucketMap(memory, shared + f * MAP_BYTES, identity);
      new Uint8Array(memory.buffer, shared + mapsBytes, nFeatures * identity.buckets).fill(1);
      new Uint16Array(memory.buffer, shared + pilotIndex, nFeatures * identity.buckets).fill(0);
    }, () => {}, () => {});
    const pilotValues = collectPoolValues(memory, pool.plan.tailPtr, 2 * nFeatures);
    const maps = featureNames.map((_, f) => {
      // the values stored, then each slot's run: a value and its repeats
      const runs: number[] = [];
      for (let s = 0; s < pool.slotCount; s++) runsIn(memory, pool.slotAddress(s).extraPtr + pilotLayout.features[f]!.counts, 1, runs);
      let repeats = 0;
      for (let i = 1; i < runs.length; i += 2) repeats += runs[i]!;
      const sample = pilotValues.take(2 * f, repeats);
      let at = sample.length - repeats;
      for (let i = 0; i < runs.length; i += 2) {
        sample.fill(runs[i]!, at, at + runs[i + 1]!);
        at += runs[i + 1]!;
      }
      return buildBucketMap(sample);
    });
    const buckets = Int32Array.from(maps, (m) => m.buckets);
    const histOffset = new Int32Array(nFeatures);
    let histBytes = 0;
    for (let f = 0; f < nFeatures; f++) {
      histOffset[f] = histBytes;
      histBytes += Math.ceil((buckets[f]! * 4) / 8) * 8;
    }
    const writeMaps = () => maps.forEach((map, f) => writeBucketMap(memory, pool.plan.sharedPtr + f * MAP_BYTES, map));

    // pass 1: coarse
    const coarse: ProfilePass = { kind: 'coarse', nFeatures, tableCapacity, tableLimit, buckets, mapsPtr: 0 };
    const coarseLayout = profilePassLayout(coarse, pool.blockRows);
    const totalsAt = mapsBytes;
    const accsAt = totalsAt + 2 * histBytes;
    const sharedBytes = accsAt + nFeatures * 2 * NLIMBS * 8;
    let rows = 0;
    await runPass(pool, reader, file, featureNames, coarse, coarseLayout, { sharedBytes }, options, () => {
      coarse.mapsPtr = pool.plan.sharedPtr;
      writeMaps();
      rows = 0;
    }, (result) => (rows += result.rows), (run) => (rows += run));
    // merge the slots: histograms and limbs into the shared region (slot order does not matter: all sums are exact)
    const shared = pool.plan.sharedPtr;
    const histAt = (f: number, inc: number) => shared + totalsAt + inc * histBytes + histOffset[f]!;
    const accAt = (f: number) => shared + accsAt + f * 2 * NLIMBS * 8;
    new Uint8Array(memory.buffer, shared + totalsAt, sharedBytes - totalsAt).fill(0);
    const features = featureNames.map((name) => ({ name, nan: 0, posInf: 0, negInf: 0, finite: 0, squareOverflow: 0, min: Infinity, max: -Infinity, values: new Map<number, number>(), negativeZeros: 0, overflow: false }));
    // the value counts of the incomplete rows (the complete rows' are the feature's less these)
    const incomplete = featureNames.map(() => ({ values: new Map<number, number>(), negativeZeros: 0, overflow: false }));
    for (let s = 0; s < pool.slotCount; s++) {
      const base = pool.slotAddress(s).extraPtr;
      const f64 = new Float64Array(memory.buffer);
      featureNames.forEach((_, f) => {
        const at = coarseLayout.features[f]!;
        main.addCounts(histAt(f, 0), base + at.hist, buckets[f]!);
        main.addCounts(histAt(f, 1), base + at.incHist, buckets[f]!);
        main.addLimbs(accAt(f), base + at.acc, 1);
        main.addLimbs(accAt(f) + NLIMBS * 8, base + at.acc + NLIMBS * 8, 1);
        // the rows the value tables counted (all of a column with few distinct values, else those
        // before its table filled): their buckets and sums from the counts
        main.addTable(base + at.keys, base + at.counts, tableCapacity[f]!, histAt(f, 0), accAt(f), accAt(f) + NLIMBS * 8, base + at.stats, shared + f * MAP_BYTES);
        main.addTable(base + at.incKeys, base + at.incCounts, tableCapacity[f]!, histAt(f, 1), 0, 0, base + at.stats, shared + f * MAP_BYTES);
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
        mergeValueTable(memory, base, at, tableCapacity[f]!, tableLimit[f]! - 1, feature);
        mergeValueTable(memory, base, { keys: at.incKeys, counts: at.incCounts, state: at.incState }, tableCapacity[f]!, tableLimit[f]! - 1, incomplete[f]!);
      });
    }
    if (rows === 0) throw new InputError('no data rows after the header', { file });

    // the ranks each feature's quantiles read, and the buckets that hold them
    const selections = featureNames.map((_, f) => {
      const hist = new Uint32Array(memory.buffer, histAt(f, 0), buckets[f]!);
      const inc = new Uint32Array(memory.buffer, histAt(f, 1), buckets[f]!);
      const nAll = features[f]!.finite;
      let nIncomplete = 0;
      for (let b = 0; b < buckets[f]!; b++) nIncomplete += inc[b]!;
      const single = maps[f]!.single;
      // a feature with few distinct values has its exact value counts: nothing to collect for all its values
      const all = features[f]!.overflow ? selectBuckets(hist, null, nAll, neededRanks(nAll, [quantileGrid(bins, 'i/bins'), quantileGrid(resolution, 'i/bins')]), single) : null;
      // the complete rows' order statistics from value counts when the feature's and its incomplete rows' are exact
      const countedComplete = nIncomplete > 0 && !features[f]!.overflow && !incomplete[f]!.overflow;
      const complete = nIncomplete === 0 || countedComplete ? null : selectBuckets(hist, inc, nAll - nIncomplete, neededRanks(nAll - nIncomplete, [quantileGrid(bins, 'linspace')]), single);
      const sum = limbsToBigInt(new BigInt64Array(memory.buffer, accAt(f), NLIMBS));
      const squares = limbsToBigInt(new BigInt64Array(memory.buffer, accAt(f) + NLIMBS * 8, NLIMBS));
      const mean = exactMean(nAll, sum);
      const divisor = nAll === 0 ? 1 : momentDivisor(features[f]!.min, features[f]!.max, mean);
      return { all, complete, countedComplete, nComplete: nAll - nIncomplete, sum, squares, mean, divisor };
    });

    // pass 2: collect the selected buckets' values into the chunks of a pool after the slots
    // (options.collectBudget values); the features whose values did not fit, again in groups
    // that fit, one pass a group (PROFILE.md "Memory")
    const mean = Float64Array.from(selections, (s) => s.mean);
    const divisor = Float64Array.from(selections, (s) => s.divisor);
    const flagsOffset = new Int32Array(nFeatures);
    const indexOffset = new Int32Array(nFeatures);
    let flagsBytes = 0;
    for (let f = 0; f < nFeatures; f++) {
      flagsOffset[f] = mapsBytes + flagsBytes;
      flagsBytes += buckets[f]!;
    }
    flagsBytes = align8(flagsBytes);
    const completeIndexOffset = new Int32Array(nFeatures);
    let indexBytes = 0;
    for (let f = 0; f < nFeatures; f++) {
      indexOffset[f] = mapsBytes + flagsBytes + indexBytes;
      indexBytes += 2 * buckets[f]!;
      completeIndexOffset[f] = mapsBytes + flagsBytes + indexBytes;
      indexBytes += 2 * buckets[f]!;
    }
    // the deviations of a feature with exact value counts come from its counts, not from the pass
    const kernelDeviations = Uint8Array.from(features, (feature) => (feature.overflow ? 1 : 0));
    const deviations = featureNames.map((_, f) => (kernelDeviations[f] ? 0n : countedDeviations(features[f]!.values, mean[f]!, divisor[f]!)));
    const budgetChunks = Math.ceil((options.collectBudget ?? COLLECT_BUDGET) / CHUNK_VALUES);
    // every feature with buckets to collect in the first pass (which also sums the deviations); one
    // whose values did not fit the pool again, in groups by what it needed
    const toCollect = featureNames.map((_, f) => f).filter((f) => (selections[f]!.all?.collect.length ?? 0) + (selections[f]!.complete?.collect.length ?? 0) > 0);
    const groups: number[][] = toCollect.length > 0 || kernelDeviations.some((d) => d !== 0) ? [toCollect] : [];
    // a feature's chunks when collected again: the values it stored and lost with a margin (what
    // its runs count depends on which slot saw which value first), after a second loss the
    // values of its collected buckets (none of which can then be lost); and the chunks partly
    // filled at the end, two a slot
    const bound = selections.map((s) => collectedValues(s.all) + collectedValues(s.complete));
    const need = new Float64Array(nFeatures);
    const tries = new Uint8Array(nFeatures);
    const chunksFor = (f: number) => Math.ceil(Math.min(tries[f]! >= 2 ? Infinity : 1.25 * need[f]!, bound[f]!) / CHUNK_VALUES) + 2 * pool.slotCount;
    let passes = 1;
    let stored = 0;
    let collected = 0;
    const perFeature: StreamStats['features'] = [];
    const profiled: Array<ReturnType<typeof assembleFeature>> = [];
    const finish = (f: number, values: { all: Float64Array; complete: Float64Array; runs: number[]; completeRuns: number[] }) => {
      const name = featureNames[f]!;
      const s = selections[f]!;
      const feature = features[f]!;
      const bucketOf = (v: number) => maps[f]!.bucketOf(v);
      const allStats = s.all ? orderStatistics(s.all, values.all, bucketOf, values.runs, scratch.all) : countedValues(feature.values, feature.negativeZeros);
      collected += allStats.collected;
      perFeature[f] = { name, collected: allStats.collected, buckets: buckets[f]!, selected: s.all?.buckets.length ?? 0, stored: values.all.length + values.complete.length };
      let completeStats: OrderStatistics = allStats;
      if (s.complete) {
        const c = orderStatistics(s.complete, values.complete, bucketOf, values.completeRuns, scratch.complete);
        collected += c.collected;
        completeStats = c;
      } else if (s.countedComplete) {
        completeStats = countedValues(lessCounts(feature.values, incomplete[f]!.values), feature.negativeZeros - incomplete[f]!.negativeZeros);
        if (completeStats.n !== s.nComplete) throw internalError(`the value counts of ${name} give ${completeStats.n} values in complete rows, the histograms ${s.nComplete}`);
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
      profiled[f] = assembleFeature(data, bins, resolution, file, named, maxCategories);
    };
    const none = { all: new Float64Array(0), complete: new Float64Array(0), runs: [], completeRuns: [] };
    // memory the features' collected values are sorted in, one feature after the other (a feature's
    // order statistics are done with once it is assembled): without it, each feature's arrays would
    // stay behind as garbage until the end, 30 MB of it at 2.83M rows
    const scratch = { all: new OrderScratch(), complete: new OrderScratch() };
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      const inGroup = new Uint8Array(nFeatures);
      for (const f of group) inGroup[f] = 1;
      const runs = Int32Array.from(selections, (s, f) => (inGroup[f] ? (s.all?.collect.length ?? 0) : 0));
      const completeRuns = Int32Array.from(selections, (s, f) => (inGroup[f] ? (s.complete?.collect.length ?? 0) : 0));
      const chunks = g === 0 ? budgetChunks + 2 * pool.slotCount * group.length : Math.max(budgetChunks, group.reduce((t, f) => t + chunksFor(f), 0));
      const collect: ProfilePass = { kind: 'collect', nFeatures, tableCapacity, tableLimit, buckets, mapsPtr: 0, mean, divisor, deviations: g === 0 ? kernelDeviations : new Uint8Array(nFeatures), flagsOffset, indexOffset, runs, completeIndexOffset, completeRuns };
      const collectLayout = profilePassLayout(collect, pool.blockRows);
      passes++;
      await runPass(pool, reader, file, featureNames, collect, collectLayout, { sharedBytes: mapsBytes + flagsBytes + indexBytes, tailBytes: collectPoolBytes(chunks) }, options, () => {
        const shared = pool.plan.sharedPtr;
        collect.flagsPtr = shared;
        collect.mapsPtr = shared;
        collect.poolPtr = pool.plan.tailPtr;
        writeMaps();
        writeCollectPool(memory, pool.plan.tailPtr, chunks);
        const flags = new Uint8Array(memory.buffer, shared, mapsBytes + flagsBytes);
        flags.fill(0, mapsBytes);
        for (const f of group) {
          const s = selections[f]!;
          const index = new Uint16Array(memory.buffer, shared + indexOffset[f]!, buckets[f]!);
          s.all?.collect.forEach((b, i) => {
            flags[flagsOffset[f]! + b]! |= 1;
            index[b] = i;
          });
          const completeIndex = new Uint16Array(memory.buffer, shared + completeIndexOffset[f]!, buckets[f]!);
          s.complete?.collect.forEach((b, i) => {
            flags[flagsOffset[f]! + b]! |= 2;
            completeIndex[b] = i;
          });
        }
      }, () => {}, () => {});
      if (g === 0) {
        for (let s = 0; s < pool.slotCount; s++) {
          const base = pool.slotAddress(s).extraPtr;
          featureNames.forEach((_, f) => (deviations[f] = deviations[f]! + limbsToBigInt(new BigInt64Array(memory.buffer, base + collectLayout.features[f]!.acc, NLIMBS))));
        }
      }
      const values = collectPoolValues(memory, pool.plan.tailPtr, 2 * nFeatures);
      stored += values.stored;
      // the group's features: those whose values did not all fit, again later; the others are
      // assembled one at a time, after the last pass once the workers are gone (their memory:
      // decoded windows, a Parquet row group's dictionaries, their heaps)
      const again: number[] = [];
      const done: { f: number; runsOf: number[]; completeRunsOf: number[] }[] = [];
      for (const f of group) {
        const runsOf: number[] = [];
        const completeRunsOf: number[] = [];
        let lost = 0;
        for (let s = 0; s < pool.slotCount; s++) {
          const at = collectLayout.features[f]!;
          const base = pool.slotAddress(s).extraPtr;
          runsIn(memory, base + at.counts, runs[f]!, runsOf);
          runsIn(memory, base + at.keys, completeRuns[f]!, completeRunsOf);
          const records = new Int32Array(memory.buffer, base + at.records, RECORD_BYTES / 4);
          lost += records[2]! + records[5]!;
        }
        if (lost > 0) {
          need[f] = values.count(2 * f) + values.count(2 * f + 1) + lost;
          tries[f]!++;
          again.push(f);
        } else done.push({ f, runsOf, completeRunsOf });
      }
      if (g === groups.length - 1 && again.length === 0) await pool.close();
      for (const { f, runsOf, completeRunsOf } of done) {
        finish(f, { all: values.take(2 * f, 0, scratch.all.taken(values.count(2 * f))), complete: values.take(2 * f + 1, 0, scratch.complete.taken(values.count(2 * f + 1))), runs: runsOf, completeRuns: completeRunsOf });
      }
      // in order, as many as the budget holds a pass (one above it alone)
      let next: number[] = [];
      let held = 0;
      for (const f of again) {
        if (next.length > 0 && held + chunksFor(f) > budgetChunks) {
          groups.push(next);
          next = [];
          held = 0;
        }
        next.push(f);
        held += chunksFor(f);
      }
      if (next.length > 0) groups.push(next);
    }
    for (let f = 0; f < nFeatures; f++) if (!profiled[f]) finish(f, none);
    // a complete row has a finite value in every feature: any feature's finite values in complete rows count them
    const completeRows = selections[0]!.nComplete;
    const id = createHash('sha256').update(JSON.stringify({ bins, resolution, features: profiled })).digest('hex');
    const profile: Profile = {
      format: PROFILE_FORMAT,
      version: PROFILE_VERSION,
      id,
      created: new Date().toISOString(),
      source: { file: basename(file), bytes, format: reader.format },
      bins,
      resolution,
      quantile_grids: { default: 'i/bins', compat: 'linspace' },
      label: labelName,
      rows,
      complete_rows: completeRows,
      features: profiled,
    };
    return { profile, stats: { collected, stored, features: perFeature, passes, workers: pool.threadsStarted } };
  } finally {
    await pool.close();
  }
}

/** Bytes of the pilot's byte range (the first of the file): about 11,000 rows of a CICIDS file. */
const PILOT_BYTES = 4 * 1024 * 1024;

/** One pass of the baseline over the file, through its reader's scan plan (and the plan's fallback). */
async function runPass(
  pool: ScanPool,
  reader: Reader,
  file: string,
  featureNames: string[],
  pass: ProfilePass,
  layout: ProfilePassLayout,
  regions: { sharedBytes: number; tailBytes?: number; firstUnitOnly?: boolean },
  options: StreamOptions,
  start: () => void,
  onResult: (result: TaskOk) => void,
  onPlanRows: (rows: number) => void,
): Promise<void> {
  pool.prepare(
    featureNames.map(() => new Float64Array(0)),
    { profile: pass, slotBytes: layout.bytes, sharedBytes: regions.sharedBytes, tailBytes: regions.tailBytes },
  );
  const count = resolveCountOptions({ coerce: options.coerce, maxLineBytes: options.maxLineBytes, rangeBytes: options.rangeBytes });
  // the pilot reads one range of at most PILOT_BYTES
  const unitBytes = regions.firstUnitOnly ? Math.min(count.rangeBytes ?? PILOT_BYTES, PILOT_BYTES) : count.rangeBytes;
  const request: ScanRequest = { featureNames, missingFeatures: 'error', coerce: count.coerce, maxLineBytes: count.maxLineBytes, unitBytes, blockRows: pool.blockRows, wholeRows: true };
  let plan: ScanPlan = await reader.planScan(file, request);
  if (regions.firstUnitOnly) plan = firstUnit(plan);
  for (;;) {
    for (let s = 0; s < pool.slotCount; s++) clearProfileSlot(pool.memory, pass, layout, pool.slotAddress(s));
    start();
    const ran = await runPlan(pool, reader.format, plan, (_slot, result) => onResult(result));
    // a pilot takes what it read, even when a quote makes the plan start again (it only decides the buckets)
    if (ran !== 'fallback' || regions.firstUnitOnly) {
      if (ran !== 'fallback') onPlanRows(ran.rows);
      return;
    }
    plan = await plan.fallback!();
  }
}

/** The first step of a plan only (the pilot), with no fallback. */
function firstUnit(plan: ScanPlan): ScanPlan {
  return {
    ...plan,
    async *steps() {
      const steps = plan.steps();
      try {
        const first = await steps.next();
        if (!first.done) yield first.value;
      } finally {
        await steps.return(undefined);
      }
    },
    fallback: undefined,
  };
}

/** Add a slot's value table to a feature's counts (bounded by its limit: past it, only `overflow`). */
function mergeValueTable(memory: WebAssembly.Memory, base: number, at: { keys: number; counts: number; state: number }, capacity: number, limit: number, feature: { values: Map<number, number>; negativeZeros: number; overflow: boolean }): void {
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
    // a Map keeps -0 as 0: the count of -0 is kept too, for the order statistics (a sorted column has -0 before 0)
    if (Object.is(v, -0)) feature.negativeZeros += counts[i]!;
    feature.values.set(v, (feature.values.get(v) ?? 0) + counts[i]!);
    if (feature.values.size > limit) {
      feature.overflow = true;
      feature.values.clear();
      return;
    }
  }
}

/** Value counts less those of a subset of the values (the values left, with a count above 0). */
function lessCounts(counts: ReadonlyMap<number, number>, subset: ReadonlyMap<number, number>): Map<number, number> {
  const left = new Map<number, number>();
  for (const [v, c] of counts) {
    const rest = c - (subset.get(v) ?? 0);
    if (rest > 0) left.set(v, rest);
  }
  return left;
}

/**
 * The exact sum of ((v - mean) / divisor)^2 over a feature's values from their exact counts (in
 * units of 2^-1074, as the collect kernel's limbs; squares that overflow are left out as there).
 */
function countedDeviations(values: Map<number, number>, mean: number, divisor: number): bigint {
  let total = 0n;
  for (const [v, count] of values) {
    const d = (v - mean) / divisor;
    const square = d * d;
    if (Number.isFinite(square)) total += exactUnits(square) * BigInt(count);
  }
  return total;
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
  /** per selected bucket, its one value when the map says it holds one value only (not collected) */
  single: Array<number | undefined>;
  /** the selected buckets whose values the collect pass keeps */
  collect: number[];
}

/** hist (minus `minus`, the incomplete rows', for the complete subset) -> the selected buckets. */
function selectBuckets(hist: Uint32Array, minus: Uint32Array | null, n: number, ranks: number[], single: ReadonlyMap<number, number>): Selection {
  const selection: Selection = { n, buckets: [], before: [], count: [], single: [], collect: [] };
  let r = 0;
  let cumulative = 0;
  for (let b = 0; b < hist.length && r < ranks.length; b++) {
    const c = hist[b]! - (minus ? minus[b]! : 0);
    if (c === 0) continue;
    if (ranks[r]! < cumulative + c) {
      selection.buckets.push(b);
      selection.before.push(cumulative);
      selection.count.push(c);
      const one = single.get(b);
      selection.single.push(one);
      if (one === undefined) selection.collect.push(b);
      while (r < ranks.length && ranks[r]! < cumulative + c) r++;
    }
    cumulative += c;
  }
  if (r < ranks.length) throw internalError(`rank ${ranks[r]} beyond the ${n} values of the coarse histogram`);
  return selection;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** The values a selection's collected buckets hold (a bound on what the collect pass stores of them). */
function collectedValues(selection: Selection | null): number {
  let values = 0;
  selection?.count.forEach((c, k) => selection.single[k] === undefined && (values += c));
  return values;
}

/** The `n` runs (f64 value, f64 count) at `ptr` that counted a value, onto `out` as value, count. */
function runsIn(memory: WebAssembly.Memory, ptr: number, n: number, out: number[]): void {
  const runs = new Float64Array(memory.buffer, ptr, 2 * n);
  for (let i = 0; i < n; i++) if (runs[2 * i + 1]! > 0) out.push(runs[2 * i]!, runs[2 * i + 1]!);
}

/**
 * OrderStatistics from the selected buckets, their collected values (sorted in place) and their
 * runs (a value and how many values had its bits, per slot and bucket): as distinct values (by bits, so -0 and 0
 * apart, -0 first, as in a sorted column) with cumulative counts.
 */
function orderStatistics(selection: Selection, appended: Float64Array, bucketOf: (v: number) => number, runs: number[], scratch: OrderScratch): OrderStatistics & { collected: number } {
  const runCount = runs.length / 2;
  const { values, cumulative } = scratch.merged(appended.length + runCount);
  // `values` is the sort's scratch until the merge below writes it
  sortFloat64(appended, values);
  const runOrder = Array.from({ length: runCount }, (_, i) => i).sort((a, b) => runs[2 * a]! - runs[2 * b]! || (Object.is(runs[2 * a], -0) ? -1 : 0) - (Object.is(runs[2 * b], -0) ? -1 : 0));
  // merge the sorted appended values and the sorted runs into distinct values and their
  // cumulative counts (cumulative[k]: the values before the k-th distinct one)
  cumulative[0] = 0;
  let distinct = 0;
  const push = (v: number, c: number) => {
    const last = distinct - 1;
    if (last >= 0 && values[last] === v && Object.is(values[last], v)) cumulative[distinct]! += c;
    else {
      values[distinct] = v;
      cumulative[distinct + 1] = cumulative[distinct]! + c;
      distinct++;
    }
  };
  const before = (a: number, b: number) => a < b || (a === b && Object.is(a, -0) && !Object.is(b, -0));
  let i = 0;
  let j = 0;
  while (i < appended.length || j < runCount) {
    if (j >= runCount || (i < appended.length && !before(runs[2 * runOrder[j]!]!, appended[i]!))) push(appended[i++]!, 1);
    else {
      const r = runOrder[j++]!;
      push(runs[2 * r]!, runs[2 * r + 1]!);
    }
  }
  const sortedValues = values.subarray(0, distinct);
  const countAt = (k: number) => cumulative[k + 1]! - cumulative[k]!;
  const { buckets, before: prior, count, single, n } = selection;
  // each selected bucket's range of distinct values: buckets are in value order, so the sorted
  // values are the collected buckets' one after the other, as many as the coarse pass counted in
  // each (its first and last value are checked to be in it)
  const start: number[] = [];
  let at = 0;
  for (let k = 0; k < buckets.length; k++) {
    start.push(at);
    if (single[k] !== undefined) continue;
    let taken = 0;
    while (at < sortedValues.length && taken < count[k]!) taken += countAt(at++);
    if (taken !== count[k] || bucketOf(sortedValues[start[k]!]!) !== buckets[k] || bucketOf(sortedValues[at - 1]!) !== buckets[k]) {
      throw internalError(`the collect pass found ${taken} values for bucket ${buckets[k]}, the coarse pass ${count[k]}`);
    }
  }
  if (at !== sortedValues.length) throw internalError('the collect pass found values outside the selected buckets');
  start.push(at);
  const rankIn = (x: number, orEqual: boolean) => {
    const b = bucketOf(x);
    const k = lowerBound(buckets, b);
    if (k < buckets.length && buckets[k] === b) {
      const one = single[k];
      if (one !== undefined) return prior[k]! + (x > one || (orEqual && x === one) ? count[k]! : 0);
      const slice = sortedValues.subarray(start[k]!, start[k + 1]!);
      const index = start[k]! + (orEqual ? upperBound(slice, x) : lowerBound(slice, x));
      return prior[k]! + cumulative[index]! - cumulative[start[k]!]!;
    }
    // a number in a bucket not selected: that bucket holds no value (x lies between two order statistics that are neighbours)
    const after = k < buckets.length ? prior[k]! : n;
    const upTo = k > 0 ? prior[k - 1]! + count[k - 1]! : 0;
    if (after !== upTo) throw internalError(`a count below ${x}, a number in a bucket that was not collected`);
    return after;
  };
  return {
    n,
    collected: distinct,
    at(rank) {
      let lo = 0;
      let hi = buckets.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (prior[mid]! <= rank) lo = mid;
        else hi = mid - 1;
      }
      const within = rank - prior[lo]!;
      if (within < 0 || within >= count[lo]!) throw internalError(`rank ${rank} is not in a selected bucket`);
      const one = single[lo];
      if (one !== undefined) return one;
      // the distinct value whose cumulative count passes the rank
      const target = cumulative[start[lo]!]! + within;
      let a = start[lo]!;
      let z = start[lo + 1]! - 1;
      while (a < z) {
        const mid = (a + z) >>> 1;
        if (cumulative[mid + 1]! > target) z = mid;
        else a = mid + 1;
      }
      return sortedValues[a]!;
    },
    below: (x) => rankIn(x, false),
    atOrBelow: (x) => rankIn(x, true),
  };
}

/**
 * Memory for one feature's order statistics at a time (orderStatistics), grown as features need
 * more: the collected values (`taken`), then their distinct values and cumulative counts.
 */
class OrderScratch {
  #taken = new Float64Array(0);
  #values = new Float64Array(0);
  #cumulative = new Float64Array(0);

  /** room for `n` collected values */
  taken(n: number): Float64Array {
    if (this.#taken.length < n) this.#taken = new Float64Array(grown(this.#taken.length, n));
    return this.#taken;
  }

  /** room for `n` distinct values and n + 1 cumulative counts */
  merged(n: number): { values: Float64Array; cumulative: Float64Array } {
    if (this.#values.length < n) this.#values = new Float64Array(grown(this.#values.length, n));
    if (this.#cumulative.length < n + 1) this.#cumulative = new Float64Array(grown(this.#cumulative.length, n + 1));
    return { values: this.#values, cumulative: this.#cumulative };
  }
}

/** A scratch array's new length: what is needed, and at least half as much again as before (so that it grows a few times, not once a feature). */
function grown(length: number, needed: number): number {
  return Math.max(needed, Math.ceil(1.5 * length));
}

/** OrderStatistics from exact value counts (a feature with few distinct values; `negativeZeros` of the count of 0 are -0). */
function countedValues(counts: ReadonlyMap<number, number>, negativeZeros: number): OrderStatistics & { collected: number } {
  const distinct = Array.from(counts.keys()).sort((a, b) => a - b);
  const values: number[] = [];
  const amounts: number[] = [];
  for (const v of distinct) {
    const c = counts.get(v)!;
    if (v === 0 && negativeZeros > 0) {
      values.push(-0);
      amounts.push(negativeZeros);
      if (c > negativeZeros) {
        values.push(0);
        amounts.push(c - negativeZeros);
      }
    } else {
      values.push(v);
      amounts.push(c);
    }
  }
  const sorted = Float64Array.from(values);
  const cumulative = new Float64Array(values.length + 1);
  amounts.forEach((c, i) => (cumulative[i + 1] = cumulative[i]! + c));
  const n = cumulative[values.length]!;
  return {
    n,
    collected: 0,
    at(rank) {
      // the first value whose cumulative count passes rank
      let lo = 0;
      let hi = values.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid + 1]! > rank) hi = mid;
        else lo = mid + 1;
      }
      return sorted[lo]!;
    },
    below: (x) => cumulative[lowerBound(sorted, x)]!,
    atOrBelow: (x) => cumulative[upperBound(sorted, x)]!,
  };
}
