/**
 * engine/drift: drift detection over files: prepare the pool with the baseline's edges, count
 * every file (byte ranges and blocks spread over the workers), merge, score each feature with the
 * chosen method (methods/, one file each, from the counts: counts.ts names the kernel's slots),
 * decide (decide.ts), judge the data-quality signals (quality.ts) and warn on samples too small
 * (sample-size.ts). Options and their defaults:
 * options.ts (DRIFT_DEFAULTS, resolveDriftOptions). This is the area's only export.
 */
import { stat } from 'node:fs/promises';
import { ScanPool, autoWorkers, type PoolOptions } from '../scan/index.js';
import { InputError } from '../util/index.js';
import { countFile, type CountOptions } from '../scan/index.js';
import { emptyHistograms, mergeHistograms, type Histograms } from '../scan/index.js';
import { driftReport, type DriftReport } from './report.js';
import { batchSummary, checkSummaries, loadSummary, type BatchSummary } from './summary.js';
import { binEdges, resolveDriftOptions, type DriftOptions } from './options.js';
import type { Profile } from '../profile/index.js';
import type { KernelName } from '../kernels/index.js';

export { decide, aggregate, policySettings, decisionPolicy, DEFAULT_POLICY, P_VALUE_POLICY, AGGREGATIONS, type Action, type Aggregation, type DecisionPolicy, type PolicySettings } from './decide.js';
export { DRIFT_METHODS, driftMethod, isDrifted, beyond, moreDrifted, smoothedShares } from './methods/index.js';
export type { DriftMethod, DriftInput, MethodScore, ScoreKind, BinLayout, FeatureSummary, FineCounts, NoiseLink } from './methods/index.js';
export { logGamma, gammaQ, chiSquareSf, kolmogorovSf, ksTwoSampleP, ksTwoSampleExactP, ksTwoSamplePValue, KS_EXACT_MAX_N, adjustPValues, CORRECTIONS, type Correction } from './distributions.js';
export { smallSample, smallSampleRule, type SmallSample, type FeatureSample } from './sample-size.js';
export { COUNT_SLOTS, readSlots, featureCounts, fineCounts, categoryCounts, rangeScanEdges, type FeatureSlots, type FeatureCounts, type CategoryCounts } from './counts.js';
export { QUALITY_DEFAULTS, QUALITY_ACTIONS, QUALITY_MIN_VALUES, resolveQualityOptions, missingRate, outOfRange, referenceConstancy, constancy, newCategories, featureQuality, qualitySummary, withQualityFloor } from './quality.js';
export type { QualityOptions, QualitySettings, QualityAction, QualitySignal, QualityBreach, QualitySummary, FeatureQuality, MissingRate, OutOfRange, Constancy, NewCategories } from './quality.js';
export { DRIFT_DEFAULTS, COMPATS, AUTO, AUTO_MAX_DISTINCT, AUTO_MAX_P_VALUE_ROWS, autoMethod, featureMethod, featureBinning, resolveDriftOptions, binEdges, type FeatureBinning, type DriftOptions, type DriftSettings, type Compat } from './options.js';
/** the bound on workers a scan accepts (ScanOptions.workers), in numbers and in words */
export { maxWorkers, workerBoundText } from '../parallel/index.js';
export type { KernelName } from '../kernels/index.js';
export { predictionDrift, withPredictionDrift, PREDICTION_DRIFT_ACTION, type PredictionDrift, type PredictionReference, type CurrentPredictions, type PredictionDriftOptions } from './prediction.js';
export { driftReport, TOP_CATEGORY_CHANGES, type DriftReport, type FeatureDrift, type CategoryDrift, type CategoryChange, type SkippedFeature, type SkipReason } from './report.js';
export { SUMMARY_FORMAT, SUMMARY_VERSION, MAX_SUMMARY_BYTES, batchSummary, summaryHistograms, saveSummary, loadSummary, validateSummary, checkSummaries, type BatchSummary, type FeatureSummaryCounts, type SummaryEdges } from './summary.js';

/**
 * One verdict from the summary files of a batch's shards (`scan --summary-out` on each): the
 * report a scan of all the shards at once gives (the counts add), under these options.
 */
export async function checkSummaryFiles(profile: Profile, summaryFiles: string[], options: DriftOptions = {}): Promise<DriftReport> {
  const settings = resolveDriftOptions(profile, options);
  const summaries = [];
  for (const file of summaryFiles) summaries.push({ summary: await loadSummary(file), file });
  return checkSummaries(profile, summaries, settings);
}

/** `missingFeatures` follows from the semantics (compat: skip, default: refuse). */
export interface ScanOptions extends DriftOptions, PoolOptions, Omit<CountOptions, 'missingFeatures'> {}

export interface ScanReport {
  /** one report per file, in the order given */
  files: DriftReport[];
  /** all files together (their histograms summed) */
  combined: DriftReport;
  kernel: KernelName;
  workers: number;
  seconds: number;
}

/** Check one file against a baseline. */
export async function checkDrift(profile: Profile, file: string, options: ScanOptions = {}): Promise<DriftReport> {
  const scan = await scanDrift(profile, [file], options);
  return scan.files[0]!;
}

/** Check many files against one baseline: one report each plus the combined one. */
export async function scanDrift(profile: Profile, files: string[], options: ScanOptions = {}): Promise<ScanReport> {
  return (await scanDriftSummary(profile, files, options)).scan;
}

/**
 * scanDrift, and the batch summary of all the files together (their counts on the baseline's
 * bins: summary.ts), for `saveSummary` and a later `checkSummaries` with other shards.
 */
export async function scanDriftSummary(profile: Profile, files: string[], options: ScanOptions = {}): Promise<{ scan: ScanReport; summary: BatchSummary }> {
  const started = performance.now();
  const settings = resolveDriftOptions(profile, options);
  const featureNames = profile.features.map((f) => f.name);
  const workers = options.workers ?? autoWorkers(await totalBytes(files));
  const pool = new ScanPool({ ...options, workers });
  try {
    // a method on the fine summary (KS, Wasserstein): bin on the fine edges and sum the tails; PSI's scan is unchanged
    const plan = pool.prepare(binEdges(profile, settings), { tails: settings.fine });
    const perFile: Histograms[] = [];
    // the original tool skips a baseline feature the data lacks; the default semantics refuse it
    const countOptions: CountOptions = { ...options, missingFeatures: settings.semantics === 'default' ? 'error' : 'skip' };
    for (const file of files) perFile.push(await countFile(pool, file, featureNames, countOptions));
    const combined = perFile.reduce((into, h) => mergeHistograms(into, h), emptyHistograms(featureNames, plan.nEdges, { tails: plan.tails }));
    const summary = batchSummary(profile, combined, settings, files);
    const scan: ScanReport = {
      files: perFile.map((h, i) => driftReport(profile, h, settings, [files[i]!])),
      combined: driftReport(profile, combined, settings, files),
      kernel: pool.inlineKernel.name,
      workers: pool.threadsStarted,
      seconds: (performance.now() - started) / 1000,
    };
    return { scan, summary };
  } finally {
    await pool.close();
  }
}

async function totalBytes(files: string[]): Promise<number> {
  let total = 0;
  for (const file of files) {
    try {
      total += (await stat(file)).size;
    } catch {
      throw new InputError('no such file', { file });
    }
  }
  return total;
}
