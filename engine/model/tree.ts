/**
 * Growing one classification tree on binned features (the work of a training worker; also run
 * inline with workers = 0). The way LightGBM and scikit-learn's HistGradientBoosting grow trees,
 * with a random forest's randomness:
 *
 * - bootstrap: n draws with replacement give each row a weight (its count; 0 = out of bag), as
 *   scikit-learn passes bootstrap counts as sample weights;
 * - per node, `maxFeatures` features drawn without replacement (partial Fisher-Yates); a drawn
 *   feature that is constant in the node does not count and another is drawn, as in
 *   scikit-learn's splitter;
 * - split search over per-node histograms (WASM kernel: weighted count, weighted positives and
 *   rows per bin); nodes of at most SMALL_NODE rows sort their rows by bin instead, which costs
 *   less than clearing and scanning 256 bins (both give the same sums, so the same split);
 * - gini: the split maximises sum over children of (pos^2 + neg^2) / weight, scikit-learn's
 *   proxy for the impurity decrease; ties keep the first candidate (draw order, then bin);
 * - a node is a leaf when pure, at `maxDepth`, with fewer than `minSamplesSplit` rows or
 *   2 x `minSamplesLeaf` rows, or with no split leaving `minSamplesLeaf` rows on each side
 *   (rows, not weights, as scikit-learn counts them).
 *
 * Tree t draws from stream t of the seed, so a tree is the same whichever worker grows it.
 */
import { internalError, Rng } from '../util/index.js';
import type { ForestKernel } from '../kernels/index.js';
import { FOREST_HIST_BYTES } from '../kernels/index.js';
import type { ForestLayout, ForestSlot, GrownTree, TreeParams } from './train-protocol.js';

/** Nodes with at most this many rows are split by sorting instead of histograms. */
export const SMALL_NODE = 96;
const LAST_BIN = 255;
const HIST_WORDS = FOREST_HIST_BYTES / 4;

interface PendingNode {
  start: number;
  count: number;
  depth: number;
  weight: number;
  positive: number;
  parent: number;
  isLeft: boolean;
}

interface Split {
  score: number;
  feature: number;
  bin: number;
  leftWeight: number;
  leftPositive: number;
  leftCount: number;
}

export function growTree(kernel: ForestKernel, layout: ForestLayout, slot: ForestSlot, params: TreeParams, treeIndex: number): GrownTree {
  const { nRows: n, binsPtr } = layout;
  const buffer = kernel.memory.buffer;
  const u8 = new Uint8Array(buffer);
  const u32 = new Uint32Array(buffer);
  const rng = new Rng(params.seed, treeIndex);
  const minLeaf = Math.max(1, params.minSamplesLeaf);
  const minSplit = Math.max(2, params.minSamplesSplit, 2 * minLeaf);
  const maxDepth = params.maxDepth ?? Infinity;

  // bootstrap weights -> row statistics and the root's rows (ascending)
  const weights = new Uint32Array(n);
  if (params.bootstrap) for (let i = 0; i < n; i++) weights[rng.int(0, n - 1)]!++;
  else weights.fill(1);
  const statsBase = slot.rowStatsPtr >>> 2;
  const rowsBase = slot.rowsPtr >>> 2;
  let rootCount = 0;
  let rootPositive = 0;
  let rootWeight = 0;
  for (let row = 0; row < n; row++) {
    const w = weights[row]!;
    if (w === 0) continue;
    const positive = u8[layout.labelsPtr + row]! ? w : 0;
    const at = statsBase + row * 4;
    u32[at] = w;
    u32[at + 1] = positive;
    u32[at + 2] = 1;
    u32[at + 3] = 0;
    u32[rowsBase + rootCount++] = row;
    rootWeight += w;
    rootPositive += positive;
  }

  const order = Int32Array.from(params.candidates);
  const nCandidates = order.length;
  const maxFeatures = Math.max(1, Math.min(params.maxFeatures, nCandidates));
  const columnsBase = slot.columnsPtr >>> 2;
  const histBase = slot.histPtr >>> 2;
  const keys = new Int32Array(SMALL_NODE);

  const feature: number[] = [];
  const splitBin: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  let depthReached = 0;

  const best: Split = { score: -Infinity, feature: -1, bin: -1, leftWeight: 0, leftPositive: 0, leftCount: 0 };
  /** Consider the split after `bin` with the left sums given; returns false when the right is empty. */
  const consider = (node: PendingNode, f: number, bin: number, lw: number, lp: number, lc: number): boolean => {
    const rightCount = node.count - lc;
    if (rightCount === 0) return false;
    if (lc < minLeaf || rightCount < minLeaf) return true;
    const rw = node.weight - lw;
    const rp = node.positive - lp;
    const ln = lw - lp;
    const rn = rw - rp;
    const score = (lp * lp + ln * ln) / lw + (rp * rp + rn * rn) / rw;
    if (score > best.score) {
      best.score = score;
      best.feature = f;
      best.bin = bin;
      best.leftWeight = lw;
      best.leftPositive = lp;
      best.leftCount = lc;
    }
    return true;
  };

  /** Histogram path: one kernel call for the batch, then a scan of each feature's bins. */
  const scanHistograms = (node: PendingNode, features: Int32Array): number => {
    for (let k = 0; k < features.length; k++) u32[columnsBase + k] = binsPtr + features[k]! * n;
    kernel.nodeHistograms(slot.columnsPtr, features.length, slot.rowsPtr + node.start * 4, node.count, slot.rowStatsPtr, slot.histPtr);
    let nonConstant = 0;
    for (let k = 0; k < features.length; k++) {
      const base = histBase + k * HIST_WORDS;
      let lw = 0;
      let lp = 0;
      let lc = 0;
      let groups = 0;
      for (let b = 0; b < LAST_BIN; b++) {
        const at = base + b * 4;
        const c = u32[at + 2]!;
        if (c === 0) continue;
        lw += u32[at]!;
        lp += u32[at + 1]!;
        lc += c;
        groups++;
        if (!consider(node, features[k]!, b, lw, lp, lc)) break;
      }
      if (groups > 1) nonConstant++;
    }
    return nonConstant;
  };

  /** Small-node path: sort the node's rows by bin, feature by feature. */
  const scanSorted = (node: PendingNode, features: Int32Array): number => {
    let nonConstant = 0;
    const count = node.count;
    const sorted = keys.subarray(0, count);
    for (let k = 0; k < features.length; k++) {
      const f = features[k]!;
      const column = binsPtr + f * n;
      for (let i = 0; i < count; i++) sorted[i] = (u8[column + u32[rowsBase + node.start + i]!]! << 16) | i;
      sorted.sort();
      let lw = 0;
      let lp = 0;
      let lc = 0;
      let groups = 0;
      let i = 0;
      while (i < count) {
        const bin = sorted[i]! >>> 16;
        let gw = 0;
        let gp = 0;
        let gc = 0;
        while (i < count && sorted[i]! >>> 16 === bin) {
          const at = statsBase + u32[rowsBase + node.start + (sorted[i]! & 0xffff)]! * 4;
          gw += u32[at]!;
          gp += u32[at + 1]!;
          gc++;
          i++;
        }
        lw += gw;
        lp += gp;
        lc += gc;
        groups++;
        if (!consider(node, f, bin, lw, lp, lc)) break;
      }
      if (groups > 1) nonConstant++;
    }
    return nonConstant;
  };

  const stack: PendingNode[] = [{ start: 0, count: rootCount, depth: 0, weight: rootWeight, positive: rootPositive, parent: -1, isLeft: false }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const id = feature.length;
    feature.push(-1);
    splitBin.push(-1);
    left.push(-1);
    right.push(-1);
    value.push(node.weight - node.positive, node.positive);
    if (node.parent >= 0) (node.isLeft ? left : right)[node.parent] = id;
    if (node.depth > depthReached) depthReached = node.depth;

    if (node.depth >= maxDepth || node.count < minSplit || node.positive === 0 || node.positive === node.weight) continue;

    best.score = -Infinity;
    best.feature = -1;
    let drawn = 0;
    let found = 0;
    while (found < maxFeatures && drawn < nCandidates) {
      const batch = Math.min(maxFeatures - found, nCandidates - drawn);
      for (let j = 0; j < batch; j++) {
        const k = drawn + rng.int(0, nCandidates - 1 - drawn);
        const swap = order[drawn]!;
        order[drawn] = order[k]!;
        order[k] = swap;
        drawn++;
      }
      const features = order.subarray(drawn - batch, drawn);
      found += node.count <= SMALL_NODE ? scanSorted(node, features) : scanHistograms(node, features);
    }
    if (best.feature < 0) continue;

    const f = best.feature;
    const nLeft = kernel.partitionRows(binsPtr + f * n, slot.rowsPtr + node.start * 4, node.count, best.bin, slot.scratchPtr);
    if (nLeft !== best.leftCount) throw internalError(`tree ${treeIndex}: partition gave ${nLeft} rows on the left, the histogram ${best.leftCount}`);
    feature[id] = f;
    splitBin[id] = best.bin;
    const depth = node.depth + 1;
    const rightWeight = node.weight - best.leftWeight;
    const rightPositive = node.positive - best.leftPositive;
    // right first, so that the left child is taken next: nodes come out in preorder
    stack.push({ start: node.start + nLeft, count: node.count - nLeft, depth, weight: rightWeight, positive: rightPositive, parent: id, isLeft: false });
    stack.push({ start: node.start, count: nLeft, depth, weight: best.leftWeight, positive: best.leftPositive, parent: id, isLeft: true });
  }

  return {
    treeIndex,
    feature: Int32Array.from(feature),
    splitBin: Int32Array.from(splitBin),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    depth: depthReached,
  };
}
