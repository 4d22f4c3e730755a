/**
 * driftcatcher's public, typed API: what pipelines embed and what the CLI calls.
 */
export * from './errors.js';
export { createBaseline, buildProfile, saveProfile, loadProfile, validateProfile, quantileSorted, quantileEdges, histogramCounts, PROFILE_FORMAT, PROFILE_VERSION } from './profile/index.js';
export type { Profile, FeatureProfile, BaselineOptions, FeatureColumn } from './profile/index.js';
export { checkDrift, scanDrift, decide, aggregate, driftMethod, isDrifted, driftReport, resolveDriftOptions, binEdges, DRIFT_METHODS, DEFAULT_POLICY, AGGREGATIONS } from './drift/index.js';
export type { ScanOptions, ScanReport, DriftOptions, DriftReport, DriftSettings, FeatureDrift, Compat, Action, Aggregation, DecisionPolicy, DriftMethod } from './drift/index.js';
export { ScanPool, defaultWorkers, autoWorkers, type PoolOptions } from './parallel/pool.js';
export { countFile, type CountOptions } from './parallel/count.js';
export { emptyHistograms, mergeHistograms, type Histograms } from './parallel/histograms.js';
export { loadBinKernel, createSharedMemory, countSlots, type BinKernel, type KernelName } from './kernels/index.js';
export { readTable, openBatches, detectFormat } from './io/index.js';
export type { ReadOptions, ColumnQuality, Reader, CsvLayout } from './io/types.js';
export { synthesize, runDemo, SYNTH_DEFAULTS, type SynthOptions, type SynthResult, type DriftKind, type DemoOptions, type DemoResult, type DemoBatch } from './synth/index.js';
export { writeFileAtomic } from './util/atomic.js';
