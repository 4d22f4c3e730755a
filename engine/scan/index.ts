/**
 * engine/scan: one pass over data files on the worker pool, counting every feature's values on
 * given bin edges. The file's reader (engine/io) plans the scan -- CSV byte ranges that the
 * workers read, parse and bin themselves, Arrow IPC column buffers pread by the workers into
 * their slot of the shared memory -- and count.ts runs the plan without knowing the format; the
 * pool and its memory layout (pool.ts), the tasks a worker runs (tasks.ts, worker.ts,
 * protocol.ts), options and defaults (defaults.ts) and the additive histograms they produce
 * (histograms.ts). Drift checks count on the baseline's edges; baselines count on their own.
 * This is the area's only export.
 */
export { countFile, countPlan, runPlan, type PlanRun } from './count.js';
export { profilePassLayout, clearProfileSlot, type ProfilePassLayout, type FeatureLayout } from './profile-pass.js';
export type { ProfilePass, TaskOk } from './protocol.js';
export { SCAN_DEFAULTS, resolveCountOptions, resolvePoolOptions, autoWorkers, defaultWorkers } from './defaults.js';
export type { CountOptions, PoolOptions, ResolvedCountOptions, ResolvedPoolOptions } from './defaults.js';
export { emptyHistograms, mergeHistograms, addSlotCounts, countValuesInto, binSlot, missingSlot, lastEdgeSlot, featureQuality, nonFinite, coerced, clearFeature, type Histograms } from './histograms.js';
export { ScanPool, type PoolPrepareOptions } from './pool.js';
