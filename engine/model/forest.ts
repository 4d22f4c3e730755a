/**
 * The random forest, main side: bin the training data into the shared memory, grow the trees on
 * the pool's workers (engine/model/tree.ts), turn split bins into real thresholds, and predict.
 *
 * Prediction is scikit-learn's: each tree gives its leaf's class fractions (weighted by the
 * bootstrap counts), the forest averages them in tree order, and the class is 1 when the mean
 * fraction of class 1 is larger than that of class 0. The trees do not depend on the worker
 * that grew them, so predictions are the same for any worker count.
 */
import { loadForestKernel, type KernelName } from '../kernels/index.js';
import { planForestMemory, type TrainPool } from './train-pool.js';
import type { GrownTree, TreeParams } from './train-protocol.js';
import { binEdges, isBinned, MAX_BINS, type BinnedData } from './binning.js';
import type { Dataset } from './dataset.js';
import { internalError, UsageError } from '../util/index.js';

export interface ForestParams {
  nEstimators: number;
  /** null: unlimited */
  maxDepth: number | null;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** 'sqrt' (default): floor(sqrt(features)); 'all'; or a count */
  maxFeatures: 'sqrt' | 'all' | number;
  bootstrap: boolean;
  /** bins per feature, at most 255 */
  maxBins: number;
  seed: number;
}

export const FOREST_DEFAULTS: ForestParams = { nEstimators: 100, maxDepth: null, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 'sqrt', bootstrap: true, maxBins: MAX_BINS, seed: 42 };

/** One tree, preorder; leaves have feature -1. `value` holds two numbers per node: weighted negatives, positives. */
export interface Tree {
  feature: Int32Array;
  /** go left when value < threshold */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

export interface Forest {
  nFeatures: number;
  trees: Tree[];
}

export interface ForestTraining {
  forest: Forest;
  /** kernel the trees were grown with */
  kernel: KernelName;
  /** deepest leaf over the trees */
  maxDepthReached: number;
  nodes: number;
  /** features tried per split */
  maxFeatures: number;
}

/** scikit-learn's max_features -> a count. */
export function resolveMaxFeatures(maxFeatures: ForestParams['maxFeatures'], nFeatures: number): number {
  if (maxFeatures === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (maxFeatures === 'all') return nFeatures;
  if (!Number.isInteger(maxFeatures) || maxFeatures < 1) throw new UsageError(`max features must be 'sqrt', 'all' or a positive integer, got ${maxFeatures}`);
  return Math.min(maxFeatures, nFeatures);
}

export function validateForestParams(params: ForestParams): void {
  const positive = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`${name} must be a positive integer, got ${v}`);
  };
  positive('n_estimators', params.nEstimators);
  if (params.maxDepth !== null) positive('max_depth', params.maxDepth);
  positive('min_samples_leaf', params.minSamplesLeaf);
  if (!Number.isInteger(params.minSamplesSplit) || params.minSamplesSplit < 2) throw new UsageError(`min_samples_split must be an integer >= 2, got ${params.minSamplesSplit}`);
  if (!Number.isInteger(params.maxBins) || params.maxBins < 2 || params.maxBins > MAX_BINS) throw new UsageError(`max bins must be an integer from 2 to ${MAX_BINS}, got ${params.maxBins}`);
}

/** Bytes of shared memory a forest on `rows` x `features` needs with `slots` worker slots. */
export function forestMemoryBytes(rows: number, nFeatures: number, params: ForestParams, slots: number): number {
  return planForestMemory({ nRows: rows, nFeatures, maxFeatures: resolveMaxFeatures(params.maxFeatures, nFeatures) }, slots).bytes;
}

/**
 * Train a forest on `data` (finite feature values, or rows already binned into the pool's memory
 * where planForestMemory puts them) with the pool, whose memory must hold
 * forestMemoryBytes(data.rows, ...). Trees are grown as one task each, in any order, and kept
 * in tree order.
 */
export async function trainForest(pool: TrainPool, data: Dataset | BinnedData, params: ForestParams): Promise<ForestTraining> {
  validateForestParams(params);
  const memory = pool.memory;
  if (!memory) throw internalError('the training pool has no forest memory');
  const nFeatures = isBinned(data) ? data.edges.length : data.columns.length;
  const maxFeatures = resolveMaxFeatures(params.maxFeatures, nFeatures);
  const { layout, slots } = planForestMemory({ nRows: data.rows, nFeatures, maxFeatures }, pool.slotCount);
  if (slots[slots.length - 1]!.histPtr > memory.buffer.byteLength) throw internalError('the training pool memory is too small for this forest');

  let edges: Float64Array[];
  if (isBinned(data)) {
    if (data.memory !== memory || data.binsPtr !== layout.binsPtr || data.labelsPtr !== layout.labelsPtr || data.maxBins !== params.maxBins) throw internalError('the binned rows are not where this forest reads them');
    edges = data.edges;
  } else {
    edges = data.columns.map((column) => binEdges(column, params.maxBins));
    binInto(memory, pool, data, edges, layout.binsPtr, slots[0]!.rowStatsPtr);
    new Uint8Array(memory.buffer, layout.labelsPtr, data.rows).set(data.labels);
  }

  const candidates = Int32Array.from(edges.flatMap((e, f) => (e.length > 0 ? [f] : [])));
  const treeParams: TreeParams = {
    seed: params.seed,
    bootstrap: params.bootstrap,
    maxDepth: params.maxDepth,
    minSamplesSplit: params.minSamplesSplit,
    minSamplesLeaf: params.minSamplesLeaf,
    maxFeatures,
    candidates,
  };
  pool.resetSlots();
  const grown: GrownTree[] = new Array(params.nEstimators);
  let kernel: KernelName = 'js';
  // after a failed tree the trees still waiting for a slot are not grown
  let failed = false;
  await Promise.all(
    Array.from({ length: params.nEstimators }, async (_, treeIndex) => {
      const slot = await pool.acquire();
      try {
        if (failed) return;
        const result = await pool.run({ kind: 'grow-tree', treeIndex, layout, slot: slots[slot]!, params: treeParams });
        if (result.kind !== 'grow-tree') throw internalError('unexpected task result');
        grown[treeIndex] = result.tree;
        kernel = result.kernel;
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        pool.release(slot);
      }
    }),
  );
  const trees = grown.map((tree) => toTree(tree, edges));
  return {
    forest: { nFeatures, trees },
    kernel,
    maxDepthReached: grown.reduce((depth, tree) => Math.max(depth, tree.depth), 0),
    nodes: trees.reduce((sum, tree) => sum + tree.feature.length, 0),
    maxFeatures,
  };
}

/** Bin every column into the u8 bin area, through the forest kernel, a column at a time. */
function binInto(memory: WebAssembly.Memory, pool: TrainPool, data: Dataset, edges: Float64Array[], binsPtr: number, scratchPtr: number): void {
  // the first slot's row statistics (16 bytes a row) hold a column of f64 plus its edges
  const kernel = loadForestKernel(memory, pool.kernelName);
  const f64 = new Float64Array(memory.buffer);
  const edgesPtr = scratchPtr + data.rows * 8;
  for (let f = 0; f < data.columns.length; f++) {
    f64.set(data.columns[f]!, scratchPtr >>> 3);
    f64.set(edges[f]!, edgesPtr >>> 3);
    if (edges[f]!.length > 254) throw internalError('more than 255 bins');
    kernel.binColumn(scratchPtr, data.rows, edgesPtr, edges[f]!.length, binsPtr + f * data.rows);
  }
}

/** A grown tree with its split bins turned into thresholds: bin <= b is value < edges[b]. */
function toTree(tree: GrownTree, edges: Float64Array[]): Tree {
  const threshold = new Float64Array(tree.feature.length);
  for (let i = 0; i < tree.feature.length; i++) {
    const f = tree.feature[i]!;
    threshold[i] = f < 0 ? NaN : edges[f]![tree.splitBin[i]!]!;
  }
  return { feature: tree.feature, threshold, left: tree.left, right: tree.right, value: tree.value };
}

/** Probability of class 1 and the predicted class of each row (columns: finite, model order). */
export function forestPredict(forest: Forest, columns: readonly Float64Array[], rows: number): { proba: Float64Array; pred: Uint8Array } {
  if (columns.length !== forest.nFeatures) throw new RangeError(`the forest has ${forest.nFeatures} features, got ${columns.length} columns`);
  const sum0 = new Float64Array(rows);
  const sum1 = new Float64Array(rows);
  for (const tree of forest.trees) {
    const { feature, threshold, left, right, value } = tree;
    for (let r = 0; r < rows; r++) {
      let node = 0;
      let f = feature[0]!;
      while (f >= 0) {
        node = columns[f]![r]! < threshold[node]! ? left[node]! : right[node]!;
        f = feature[node]!;
      }
      const negative = value[2 * node]!;
      const positive = value[2 * node + 1]!;
      const total = negative + positive;
      sum0[r]! += negative / total;
      sum1[r]! += positive / total;
    }
  }
  const nTrees = forest.trees.length;
  const proba = new Float64Array(rows);
  const pred = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const p0 = sum0[r]! / nTrees;
    const p1 = sum1[r]! / nTrees;
    proba[r] = p1;
    pred[r] = p1 > p0 ? 1 : 0;
  }
  return { proba, pred };
}
