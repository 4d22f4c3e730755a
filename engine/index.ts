/**
 * driftcatcher's public API: the names this package promises (test/engine/api.slow.test.ts keeps a
 * snapshot of every entry point's names, so that a change to them is a visible decision).
 *
 * `driftcatcher` (this file): build a baseline, check a batch and scan many, the report and option
 * types, the errors. The rest is one entry point per area, each its area's index.ts (package.json
 * `exports`), cheap to import (heavy modules load on first use), and the CLI uses the same ones:
 *   driftcatcher/profile    profiles: build, save, load, validate, quantiles
 *   driftcatcher/drift      drift methods, the decision, the counts a method receives
 *   driftcatcher/io         readers (CSV, Arrow IPC), format detection, read options
 *   driftcatcher/report     run records and renderings (text, JSON) of each report kind
 *   driftcatcher/tracking   the ledger, tracking backends (MLflow), sync
 *   driftcatcher/model      training, prediction, the model registry, metrics
 *   driftcatcher/monitor    performance monitoring against labels
 *   driftcatcher/sources    windows of production data: prediction logs, PostgreSQL, DuckDB
 *   driftcatcher/agent      the retrain agent: check, decide, apply; alerts; watch
 *   driftcatcher/synth      the synthetic CICIDS-shaped generator
 *   driftcatcher/demo       the demo's orchestration (synth -> baseline -> scan)
 * engine/scan, parallel, kernels and util are internal: no entry point, free to change.
 */
export {
  DriftCatcherError,
  InputError,
  SchemaError,
  ProfileError,
  ModelError,
  UsageError,
  InternalError,
  TrackingError,
  isDriftCatcherError,
  isTrackingError,
  packageVersion,
  type ErrorCode,
  type ErrorLocation,
  type TrackingFailure,
} from './util/index.js';
export { createBaseline, resolveBaseline, loadProfile, saveProfile, validateProfile, PROFILE_FORMAT, PROFILE_VERSION } from './profile/index.js';
export type { Profile, FeatureProfile, BaselineOptions } from './profile/index.js';
export { checkDrift, scanDrift, resolveDriftOptions, DRIFT_DEFAULTS, DRIFT_METHODS, DEFAULT_POLICY, maxWorkers } from './drift/index.js';
export type { ScanOptions, ScanReport, DriftOptions, DriftReport, DriftSettings, FeatureDrift, SkippedFeature, SmallSample, Compat, Action, Aggregation, DecisionPolicy, PolicySettings, ScoreKind, KernelName } from './drift/index.js';
export { SCAN_DEFAULTS } from './scan/index.js';
export { IO_DEFAULTS } from './io/index.js';
