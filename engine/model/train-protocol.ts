/**
 * Messages between the training pool (main side, train-pool.ts) and its workers
 * (train-worker.ts), typed in one place. Bulk data never travels in messages: the binned
 * features and labels live in one shared WebAssembly.Memory (forest) or a SharedArrayBuffer
 * (networks); a message carries addresses and parameters, a result carries one tree or one set
 * of weights (typed arrays, transferred).
 */
import type { KernelName } from '../kernels/index.js';
import type { WireError } from '../util/index.js';

/** Where the training data of a forest lives in the shared memory (byte addresses). */
export interface ForestLayout {
  /** training rows (the stride of the bin columns) */
  nRows: number;
  nFeatures: number;
  /** u8 bins, feature-major: feature f's column at binsPtr + f * nRows */
  binsPtr: number;
  /** u8 labels, 0 or 1 */
  labelsPtr: number;
}

/** A worker's private region of the shared memory (byte addresses). */
export interface ForestSlot {
  /** nRows x four u32: weight, weight x label, 1, 0 */
  rowStatsPtr: number;
  /** nRows u32: row numbers, partitioned node by node */
  rowsPtr: number;
  /** nRows u32: partition scratch */
  scratchPtr: number;
  /** maxFeatures u32: column addresses of a split's candidate features */
  columnsPtr: number;
  /** maxFeatures x 4 KiB: node histograms */
  histPtr: number;
}

/** How one tree is grown. */
export interface TreeParams {
  /** the forest's seed; tree t draws from stream t of it, so a tree does not depend on the worker */
  seed: number;
  bootstrap: boolean;
  /** depth limit; null: grow until the leaves are pure or too small */
  maxDepth: number | null;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** features tried per split (sqrt of the feature count by default) */
  maxFeatures: number;
  /** the features that may split (those with more than one bin) */
  candidates: Int32Array;
}

export interface GrowTreeTask {
  kind: 'grow-tree';
  treeIndex: number;
  layout: ForestLayout;
  slot: ForestSlot;
  params: TreeParams;
}

/** One grown tree in preorder; leaves have feature -1. */
export interface GrownTree {
  treeIndex: number;
  feature: Int32Array;
  /** split: bin <= splitBin goes left */
  splitBin: Int32Array;
  left: Int32Array;
  right: Int32Array;
  /** per node: weighted negatives, weighted positives (bootstrap counts) */
  value: Float64Array;
  depth: number;
}

export type NetworkKind = 'logreg' | 'mlp';

/** Training settings of a TensorFlow.js network. */
export interface NetworkParams {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** hidden layer sizes (mlp) */
  hidden: number[];
  /** L2 penalty on every layer's kernel, added to the loss as l2 x sum(w^2) (default 0: none) */
  l2?: number;
}

/** Fit a network on rows already transformed (row-major f32 in a SharedArrayBuffer). */
export interface FitNetworkTask {
  kind: 'fit-network';
  network: NetworkKind;
  /** n x nFeatures f32, row-major */
  features: Float32Array;
  /** n f32 labels (0 or 1) */
  labels: Float32Array;
  nFeatures: number;
  params: NetworkParams;
}

/** A trained network: its layers' weights in order (kernel, bias, ...). */
export interface NetworkWeights {
  kind: NetworkKind;
  nFeatures: number;
  hidden: number[];
  tensors: Array<{ shape: number[]; values: Float32Array }>;
  /** training loss per epoch */
  loss: number[];
}

/**
 * Where the data of a boosting lives in its own shared memory (byte addresses): the binned
 * training rows as the forest lays them out, then one region for the fit (boosting is sequential:
 * one task fits every tree).
 */
export interface GbtLayout extends ForestLayout {
  /** nRows x two f64: gradient, hessian */
  gradPtr: number;
  /** nRows u32: the sampled rows, partitioned leaf by leaf */
  rowsPtr: number;
  /** nRows u32: partition scratch */
  scratchPtr: number;
  /** nFeatures x two u32: a tree's features, their column address and first histogram bin */
  featuresPtr: number;
  /** histSlots x histSlotBytes: the gradient histograms of the leaves waiting to be split */
  histPtr: number;
  histSlots: number;
  /** bytes of one slot: 32 per bin used by the candidate features */
  histSlotBytes: number;
}

/** How the trees of a boosting are grown: the part of GbtParams (engine/model/gbt.ts) the boosting worker needs. */
export interface BoostGrowth {
  /** shrinkage of every leaf value */
  learningRate: number;
  /** boosting iterations (trees) at most */
  maxIter: number;
  /** leaves per tree at most; null: no limit (then maxDepth must bound the tree) */
  maxLeaves: number | null;
  /** null: no limit */
  maxDepth: number | null;
  /** rows each leaf keeps at least */
  minSamplesLeaf: number;
  /** hessian sum each child keeps at least (scikit-learn's min_hessian_to_split) */
  minChildWeight: number;
  /** L2 regularisation of the leaf values (lambda) */
  l2: number;
  /** share of the rows each tree is fitted on (drawn without replacement) */
  subsample: number;
  /** share of the features each tree may split on */
  colsampleBytree: number;
  /** early stopping on the validation rows: iterations without an improvement of more than `tol` */
  nIterNoChange: number;
  tol: number;
  seed: number;
}

/** What a fit-gbt task grows with: the growth settings and the layout's feature facts. */
export interface BoostParams extends BoostGrowth {
  /** the features that may split (those with more than one bin) */
  candidates: Int32Array;
  /** bins each feature uses (its edges + 1) */
  binCounts: Int32Array;
}

export interface FitGbtTask {
  kind: 'fit-gbt';
  /** the boosting's own shared memory (the pool's memory is the forest's) */
  memory: WebAssembly.Memory;
  layout: GbtLayout;
  params: BoostParams;
  /** ascending rows the trees are fitted on */
  fitRows: Uint32Array;
  /** ascending rows of the early-stopping validation, or null (no early stopping) */
  validationRows: Uint32Array | null;
}

/** One boosted tree, split bins not yet thresholds; a node's children come after it; leaves have feature -1. */
export interface BoostedTreeBins {
  feature: Int32Array;
  /** split: bin <= splitBin goes left */
  splitBin: Int32Array;
  left: Int32Array;
  right: Int32Array;
  /** per node: its value -learning_rate x G / (H + l2), added to the score at a leaf */
  value: Float64Array;
}

export interface BoostResult {
  /** the initial score: log-odds of the fit rows' positive rate */
  baseScore: number;
  trees: BoostedTreeBins[];
  /** log-loss of the fit rows, before the first tree and after each */
  trainLoss: number[];
  /** log-loss of the validation rows, the same way (null without early stopping) */
  validationLoss: number[] | null;
  stoppedEarly: boolean;
}

export type TrainTask = GrowTreeTask | FitNetworkTask | FitGbtTask;

export type TrainTaskResult =
  | { ok: true; kind: 'grow-tree'; tree: GrownTree; kernel: KernelName }
  | { ok: true; kind: 'fit-gbt'; boosted: BoostResult; kernel: KernelName }
  | { ok: true; kind: 'fit-network'; weights: NetworkWeights }
  | { ok: false; error: WireError };

export interface TrainWorkerData {
  /** the forest's shared memory (absent for a pool that only fits networks) */
  memory?: WebAssembly.Memory;
  kernel?: KernelName;
}
