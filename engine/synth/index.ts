/**
 * Synthetic CICIDS2017-shaped data (Friday DDoS layout: 79 columns, BENIGN / DDoS rows) for tests,
 * demos and benchmarks, with optional drift. Deterministic per seed: the same options give a
 * byte-identical file. Streams: rows are generated in blocks and written with back-pressure to a
 * temp file that is renamed into place, so millions of rows take constant memory.
 */
export { synthesize, synthFormatOf, SYNTH_DEFAULTS, type SynthOptions, type SynthResult, type SynthFormat } from './synthesize.js';
export { DRIFT_KINDS, type DriftKind } from './drift.js';
export { CICIDS_HEADER, COLUMN_NAMES, CONSTANT_ZERO_FEATURES, FEATURE_NAMES, LABEL_ATTACK, LABEL_BENIGN, RATE_FEATURES } from './columns.js';
