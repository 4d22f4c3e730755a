/**
 * engine/drift: drift detection over files: prepare the pool with the baseline's edges, count
 * every file (byte ranges and blocks spread over the workers), merge, score each feature with the
 * chosen method (methods/, one file each, from the counts: counts.ts names the kernel's slots),
 * decide (decide.ts) and warn on samples too small (sample-size.ts). Options and their defaults:
 * options.ts (DRIFT_DEFAULTS, resolveDriftOptions). This is the area's only export.
 */
import { stat } from 'node:fs/promises';
import { ScanPool, autoWorkers, type PoolOptions } from '../scan/index.js';
import { InputError } from '../util/index.js';
import { countFile, type CountOptions } from '../scan/index.js';
import { emptyHistograms, mergeHistograms, type Histograms } from '../scan/index.js';
import { driftReport, type DriftReport } from './report.js';
import { binEdges, resolveDriftOptions, type DriftOptions } from './options.js';
import type { Profile } from '../profile/index.js';
import type { KernelName } from '../kernels/index.js';

export { decide, aggregate, policySettings, decisionPolicy, DEFAULT_POLICY, P_VALUE_POLICY, AGGREGATIONS, type Action, type Aggregation, type DecisionPolicy, type PolicySettings } from './decide.js';
export { DRIFT_METHODS, driftMethod, isDrifted, beyond, moreDrifted, smoothedShares } from './methods/index.js';
export type { DriftMethod, DriftInput, MethodScore, ScoreKind, BinLayout, FeatureSummary, FineCounts, NoiseLink } from './methods/index.js';
export { gammaQ, chiSquareSf, kolmogorovSf, ksTwoSampleP, adjustPValues, CORRECTIONS, type Correction } from './distributions.js';
export { smallSample, smallSampleRule, type SmallSample, type FeatureSample } from './sample-size.js';
export { COUNT_SLOTS, readSlots, featureCounts, fineCounts, type FeatureSlots, type FeatureCounts } from './counts.js';
export { DRIFT_DEFAULTS, COMPATS, AUTO, AUTO_MAX_DISTINCT, AUTO_MAX_P_VALUE_ROWS, autoMethod, featureMethod, resolveDriftOptions, binEdges, type DriftOptions, type DriftSettings, type Compat } from './options.js';
/** the bound on workers a scan accepts (ScanOptions.workers), in numbers and in words */
export { maxWorkers, workerBoundText } from '../parallel/index.js';
export type { KernelName } from '../kernels/index.js';
export { predictionDrift, withPredictionDrift, PREDICTION_DRIFT_ACTION, type PredictionDrift, type PredictionReference, type CurrentPredictions, type PredictionDriftOptions } from './prediction.js';
export { driftReport, type DriftReport, type FeatureDrift, type SkippedFeature, type SkipReason } from './report.js';

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
    return {
      files: perFile.map((h, i) => driftReport(profile, h, settings, [files[i]!])),
      combined: driftReport(profile, combined, settings, files),
      kernel: pool.inlineKernel.name,
      workers: pool.threadsStarted,
      seconds: (performance.now() - started) / 1000,
    };
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
