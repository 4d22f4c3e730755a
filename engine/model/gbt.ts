/**
 * Gradient-boosted trees, main side: the parameters (one defaults constant, scikit-learn
 * HistGradientBoostingClassifier's, and the schema that `--param` and a search read), the
 * binning into the boosting's own shared memory, one `fit-gbt` task on the pool (the boosting
 * itself is engine/model/gbt-boost.ts), split bins turned into real thresholds, and prediction:
 * p = sigmoid(base_score + sum of the row's leaf values), class 1 when p > 0.5.
 */
import { createSharedMemory, GBT_BIN_BYTES, GBT_ROW_GRAD_BYTES, loadForestKernel, SharedMemoryLimitError, type KernelName } from '../kernels/index.js';
import { internalError, UsageError } from '../util/index.js';
import { binEdges, isBinned, MAX_BINS, type BinnedData } from './binning.js';
import type { Dataset } from './dataset.js';
import { stratifiedSplit } from './dataset.js';
import { sigmoid } from './gbt-boost.js';
import type { TrainPool } from './train-pool.js';
import type { BoostedTreeBins, BoostGrowth, BoostParams, GbtLayout } from './train-protocol.js';

export interface GbtParams extends BoostGrowth {
  /** 'auto': on when the training rows are more than 10,000 (scikit-learn's rule) */
  earlyStopping: 'auto' | boolean;
  /** share of the training rows held out (stratified) to decide early stopping */
  validationFraction: number;
  /** bins per feature, at most 255 */
  maxBins: number;
}

/** scikit-learn's HistGradientBoostingClassifier defaults (min_child_weight is its min_hessian_to_split). */
export const GBT_DEFAULTS: GbtParams = {
  learningRate: 0.1,
  maxIter: 100,
  maxLeaves: 31,
  maxDepth: null,
  minSamplesLeaf: 20,
  minChildWeight: 1e-3,
  l2: 0,
  subsample: 1,
  colsampleBytree: 1,
  earlyStopping: 'auto',
  validationFraction: 0.1,
  nIterNoChange: 10,
  tol: 1e-7,
  maxBins: MAX_BINS,
  seed: 42,
};

/** Rows above which `earlyStopping: 'auto'` stops early (scikit-learn's). */
export const GBT_EARLY_STOPPING_ROWS = 10_000;

/** One tunable parameter: its friendly (snake_case) name, its key in GbtParams, its type and range. */
export interface GbtParamSpec {
  name: string;
  key: Exclude<keyof GbtParams, 'seed'>;
  type: 'integer' | 'number' | 'auto_or_boolean';
  /** inclusive bounds (`minExclusive`: the lower bound itself is not allowed) */
  min?: number;
  max?: number;
  minExclusive?: boolean;
  /** null (no limit) allowed, written `none` */
  nullable?: boolean;
  /** other accepted names (scikit-learn's) */
  aliases?: readonly string[];
  description: string;
}

/** The schema of the gbt parameters (`--param name=value`; a search sweeps these names). */
export const GBT_PARAM_SCHEMA: readonly GbtParamSpec[] = [
  { name: 'learning_rate', key: 'learningRate', type: 'number', min: 0, max: 1, minExclusive: true, description: 'shrinkage of every leaf value' },
  { name: 'max_iter', key: 'maxIter', type: 'integer', min: 1, max: 100_000, description: 'boosting iterations at most' },
  { name: 'max_leaves', key: 'maxLeaves', type: 'integer', min: 2, max: 4096, nullable: true, aliases: ['max_leaf_nodes'], description: 'leaves per tree at most' },
  { name: 'max_depth', key: 'maxDepth', type: 'integer', min: 1, max: 64, nullable: true, description: 'tree depth at most' },
  { name: 'min_samples_leaf', key: 'minSamplesLeaf', type: 'integer', min: 1, max: 1e9, description: 'rows each leaf keeps at least' },
  { name: 'min_child_weight', key: 'minChildWeight', type: 'number', min: 0, max: 1e9, aliases: ['min_hessian_to_split'], description: 'hessian sum each child keeps at least' },
  { name: 'l2', key: 'l2', type: 'number', min: 0, max: 1e9, aliases: ['l2_regularization', 'lambda', 'reg_lambda'], description: 'L2 regularisation of the leaf values' },
  { name: 'subsample', key: 'subsample', type: 'number', min: 0, max: 1, minExclusive: true, description: 'share of the rows each tree is fitted on' },
  { name: 'colsample_bytree', key: 'colsampleBytree', type: 'number', min: 0, max: 1, minExclusive: true, description: 'share of the features each tree may split on' },
  { name: 'early_stopping', key: 'earlyStopping', type: 'auto_or_boolean', description: `auto: on above ${GBT_EARLY_STOPPING_ROWS} rows` },
  { name: 'validation_fraction', key: 'validationFraction', type: 'number', min: 0, max: 1, minExclusive: true, description: 'share of the training rows held out for early stopping' },
  { name: 'n_iter_no_change', key: 'nIterNoChange', type: 'integer', min: 1, max: 100_000, description: 'iterations without improvement before stopping' },
  { name: 'tol', key: 'tol', type: 'number', min: 0, max: 1e9, description: 'the improvement that counts' },
  { name: 'max_bins', key: 'maxBins', type: 'integer', min: 2, max: MAX_BINS, description: 'bins per feature' },
];

/** The GbtParams value of one `--param` text (a UsageError naming the parameter when it does not fit). */
export function parseGbtParam(name: string, text: string): { key: GbtParamSpec['key']; value: GbtParams[GbtParamSpec['key']] } {
  const spec = GBT_PARAM_SCHEMA.find((s) => s.name === name || s.aliases?.includes(name));
  if (!spec) throw new UsageError(`unknown gbt parameter "${name}"; known: ${GBT_PARAM_SCHEMA.map((s) => s.name).join(', ')}`, { option: 'gbt' });
  const trimmed = text.trim();
  if (spec.type === 'auto_or_boolean') {
    if (trimmed === 'auto') return { key: spec.key, value: 'auto' };
    if (trimmed === 'true' || trimmed === 'false') return { key: spec.key, value: trimmed === 'true' };
    throw new UsageError(`${spec.name} must be auto, true or false, got ${JSON.stringify(trimmed)}`, { option: `gbt.${spec.key}` });
  }
  if (spec.nullable && (trimmed === 'none' || trimmed === 'null')) return { key: spec.key, value: null };
  const value = trimmed === '' ? NaN : Number(trimmed);
  checkParam(spec, value);
  return { key: spec.key, value };
}

function checkParam(spec: GbtParamSpec, value: unknown): void {
  const option = `gbt.${spec.key}`;
  if (spec.type === 'auto_or_boolean') {
    if (value !== 'auto' && typeof value !== 'boolean') throw new UsageError(`${spec.name} must be auto, true or false, got ${String(value)}`, { option });
    return;
  }
  if (value === null && spec.nullable) return;
  const range = `${spec.minExclusive ? '(' : '['}${spec.min}, ${spec.max}]`;
  const ok = typeof value === 'number' && Number.isFinite(value) && (spec.type !== 'integer' || Number.isInteger(value)) && (spec.minExclusive ? value > spec.min! : value >= spec.min!) && value <= spec.max!;
  if (!ok) throw new UsageError(`${spec.name} must be ${spec.type === 'integer' ? 'an integer' : 'a number'} in ${range}${spec.nullable ? ' or none' : ''}, got ${String(value)}`, { option });
}

/** Check every parameter against the schema, and that a tree is bounded. */
export function validateGbtParams(params: GbtParams): void {
  for (const spec of GBT_PARAM_SCHEMA) checkParam(spec, params[spec.key]);
  if (!Number.isSafeInteger(params.seed)) throw new UsageError(`seed must be an integer, got ${params.seed}`, { option: 'seed' });
  if (params.maxLeaves === null && params.maxDepth === null) throw new UsageError('max_leaves and max_depth cannot both be none: a tree needs a bound', { option: 'gbt.maxLeaves' });
}

/** GbtParams from the defaults and the caller's choices (validated). */
export function resolveGbtParams(options: Partial<GbtParams> = {}): GbtParams {
  const params: GbtParams = { ...GBT_DEFAULTS };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) (params as unknown as Record<string, unknown>)[key] = value;
  validateGbtParams(params);
  return params;
}

/** The params as tracking records them, by their friendly names. */
export function gbtParamRecord(params: GbtParams): Record<string, string | number | boolean | null> {
  const record: Record<string, string | number | boolean | null> = {};
  for (const spec of GBT_PARAM_SCHEMA) record[spec.name] = params[spec.key];
  return record;
}

/** One boosted tree (the forest's node layout; `value` is one number per node: its leaf value). */
export interface BoostedTree {
  feature: Int32Array;
  /** go left when value < threshold */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** per node: what a row ending there adds to its score (log-odds, learning rate applied) */
  value: Float64Array;
}

export interface Booster {
  nFeatures: number;
  /** the initial score: log-odds of the training rows' positive rate */
  baseScore: number;
  trees: BoostedTree[];
}

export interface GbtTraining {
  booster: Booster;
  kernel: KernelName;
  /** trees fitted (fewer than max_iter when early stopping stopped it) */
  iterations: number;
  earlyStopping: boolean;
  stoppedEarly: boolean;
  trainLoss: number[];
  validationLoss: number[] | null;
  nodes: number;
  fitRows: number;
  validationRows: number;
}

const RESERVED_BYTES = 65536;
const LINE = 256;
const align = (n: number, to: number) => Math.ceil(n / to) * to;

/** Histogram slots a tree needs: one per leaf waiting to be split, plus one. */
function histSlots(params: Pick<GbtParams, 'maxLeaves' | 'maxDepth'>): number {
  const leaves = Math.min(params.maxLeaves ?? Infinity, params.maxDepth === null ? Infinity : 2 ** Math.min(params.maxDepth, 12));
  return Math.min(leaves, 4096) + 1;
}

/**
 * The shared memory of a boosting: bins, labels, gradients, rows, scratch, the features table,
 * histograms (`totalBins`: bins used by all the candidate features; 255 per feature at most).
 */
export function planGbtMemory(nRows: number, nFeatures: number, params: Pick<GbtParams, 'maxLeaves' | 'maxDepth'>, totalBins = nFeatures * MAX_BINS): { layout: GbtLayout; bytes: number } {
  let at = RESERVED_BYTES;
  const binsPtr = at;
  at = align(at + nRows * nFeatures, LINE);
  const labelsPtr = at;
  at = align(at + nRows, LINE);
  const gradPtr = at;
  // the binning's scratch too: a column of f64 plus its edges
  at = align(at + Math.max(nRows * GBT_ROW_GRAD_BYTES, nRows * 8 + (MAX_BINS + 1) * 8), LINE);
  const rowsPtr = at;
  at = align(at + nRows * 4, LINE);
  const scratchPtr = at;
  at = align(at + nRows * 4, LINE);
  const featuresPtr = at;
  at = align(at + Math.max(1, nFeatures) * 8, LINE);
  const histPtr = at;
  const slots = histSlots(params);
  const histSlotBytes = align(Math.max(1, totalBins) * GBT_BIN_BYTES, LINE);
  at = align(at + slots * histSlotBytes, LINE) + LINE;
  return { layout: { nRows, nFeatures, binsPtr, labelsPtr, gradPtr, rowsPtr, scratchPtr, featuresPtr, histPtr, histSlots: slots, histSlotBytes }, bytes: at };
}

/** Bytes of shared memory a boosting of `rows` x `features` needs at most (its own memory, apart from the pool's). */
export function gbtMemoryBytes(rows: number, nFeatures: number, params: Pick<GbtParams, 'maxLeaves' | 'maxDepth'>): number {
  return planGbtMemory(rows, nFeatures, params).bytes;
}

/** The features that may split (more than one bin), each feature's bin count, and the bins they use together. */
function binPlan(edges: readonly Float64Array[]): { candidates: Int32Array; binCounts: Int32Array; totalBins: number } {
  const candidates = Int32Array.from(edges.flatMap((e, f) => (e.length > 0 ? [f] : [])));
  const binCounts = Int32Array.from(edges, (e) => e.length + 1);
  let totalBins = 0;
  for (const f of candidates) totalBins += binCounts[f]!;
  return { candidates, binCounts, totalBins };
}

/** The shared memory of a boosting of `rows` rows binned with `edges` (a UsageError when it is too large). */
export function createGbtMemory(rows: number, edges: readonly Float64Array[], params: Pick<GbtParams, 'maxLeaves' | 'maxDepth'>): { memory: WebAssembly.Memory; layout: GbtLayout } {
  const { layout, bytes } = planGbtMemory(rows, edges.length, params, binPlan(edges).totalBins);
  try {
    return { memory: createSharedMemory(bytes), layout };
  } catch (err) {
    if (!(err instanceof SharedMemoryLimitError)) throw err;
    throw new UsageError(`gradient boosting ${err.detail}: use fewer rows or fewer max_leaves`, { option: 'gbt.maxLeaves' });
  }
}

/**
 * Train gradient-boosted trees on `data` (finite feature values: binned into a shared memory of
 * its own; or rows already binned into createGbtMemory's memory), then fit every tree in one task
 * on the pool (a worker, or inline with workers = 0).
 */
export async function trainGbt(pool: TrainPool, data: Dataset | BinnedData, options: GbtParams): Promise<GbtTraining> {
  const params = resolveGbtParams(options);
  const edges = isBinned(data) ? data.edges : data.columns.map((column) => binEdges(column, params.maxBins));
  const nFeatures = edges.length;
  const { candidates, binCounts } = binPlan(edges);
  let memory: WebAssembly.Memory;
  let layout: GbtLayout;
  if (isBinned(data)) {
    ({ layout } = planGbtMemory(data.rows, nFeatures, params, binPlan(edges).totalBins));
    memory = data.memory;
    if (data.binsPtr !== layout.binsPtr || data.labelsPtr !== layout.labelsPtr || data.maxBins !== params.maxBins || memory.buffer.byteLength < layout.histPtr + layout.histSlots * layout.histSlotBytes) throw internalError('the binned rows are not where this boosting reads them');
  } else {
    ({ memory, layout } = createGbtMemory(data.rows, edges, params));
    const forestKernel = loadForestKernel(memory, pool.kernelName);
    const f64 = new Float64Array(memory.buffer);
    const edgesPtr = layout.gradPtr + data.rows * 8;
    for (let f = 0; f < nFeatures; f++) {
      f64.set(data.columns[f]!, layout.gradPtr >>> 3);
      f64.set(edges[f]!, edgesPtr >>> 3);
      forestKernel.binColumn(layout.gradPtr, data.rows, edgesPtr, edges[f]!.length, layout.binsPtr + f * data.rows);
    }
    new Uint8Array(memory.buffer, layout.labelsPtr, data.rows).set(data.labels);
  }

  const earlyStopping = params.earlyStopping === 'auto' ? data.rows > GBT_EARLY_STOPPING_ROWS : params.earlyStopping;
  let fitRows: Uint32Array;
  let validationRows: Uint32Array | null = null;
  if (earlyStopping) {
    const split = stratifiedSplit(data.labels, params.validationFraction, params.seed);
    fitRows = Uint32Array.from(split.train).sort();
    validationRows = Uint32Array.from(split.test).sort();
  } else fitRows = Uint32Array.from({ length: data.rows }, (_, i) => i);

  const { learningRate, maxIter, maxLeaves, maxDepth, minSamplesLeaf, minChildWeight, l2, subsample, colsampleBytree, nIterNoChange, tol, seed } = params;
  const growth: BoostGrowth = { learningRate, maxIter, maxLeaves, maxDepth, minSamplesLeaf, minChildWeight, l2, subsample, colsampleBytree, nIterNoChange, tol, seed };
  const boostParams: BoostParams = { ...growth, candidates, binCounts };
  const result = await pool.run({ kind: 'fit-gbt', memory, layout, params: boostParams, fitRows, validationRows });
  if (result.kind !== 'fit-gbt') throw internalError('unexpected task result');
  const { boosted } = result;
  const trees = boosted.trees.map((tree) => toBoostedTree(tree, edges));
  return {
    booster: { nFeatures, baseScore: boosted.baseScore, trees },
    kernel: result.kernel,
    iterations: trees.length,
    earlyStopping,
    stoppedEarly: boosted.stoppedEarly,
    trainLoss: boosted.trainLoss,
    validationLoss: boosted.validationLoss,
    nodes: trees.reduce((sum, tree) => sum + tree.feature.length, 0),
    fitRows: fitRows.length,
    validationRows: validationRows?.length ?? 0,
  };
}

/** Split bins -> thresholds: bin <= b is value < edges[b]. */
function toBoostedTree(tree: BoostedTreeBins, edges: Float64Array[]): BoostedTree {
  const threshold = new Float64Array(tree.feature.length);
  for (let i = 0; i < tree.feature.length; i++) {
    const f = tree.feature[i]!;
    threshold[i] = f < 0 ? NaN : edges[f]![tree.splitBin[i]!]!;
  }
  return { feature: tree.feature, threshold, left: tree.left, right: tree.right, value: tree.value };
}

/** Each row's score: base_score plus its leaf value in every tree, in tree order. */
export function gbtRawScores(booster: Booster, columns: readonly Float64Array[], rows: number): Float64Array {
  if (columns.length !== booster.nFeatures) throw new RangeError(`the booster has ${booster.nFeatures} features, got ${columns.length} columns`);
  const raw = new Float64Array(rows).fill(booster.baseScore);
  for (const { feature, threshold, left, right, value } of booster.trees) {
    for (let r = 0; r < rows; r++) {
      let node = 0;
      let f = feature[0]!;
      while (f >= 0) {
        node = columns[f]![r]! < threshold[node]! ? left[node]! : right[node]!;
        f = feature[node]!;
      }
      raw[r]! += value[node]!;
    }
  }
  return raw;
}

/** Probability of class 1 (the sigmoid of the score) and the class (1 when above 0.5). */
export function gbtPredict(booster: Booster, columns: readonly Float64Array[], rows: number): { proba: Float64Array; pred: Uint8Array } {
  const proba = gbtRawScores(booster, columns, rows);
  const pred = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    proba[r] = sigmoid(proba[r]!);
    pred[r] = proba[r]! > 0.5 ? 1 : 0;
  }
  return { proba, pred };
}
