/**
 * Gradient boosting of trees on binned features (the work of one training task; also run inline
 * with workers = 0): binary log-loss, as scikit-learn's HistGradientBoostingClassifier and
 * LightGBM do it.
 *
 * - The score starts at the log-odds of the fit rows' positive rate; each iteration computes the
 *   log-loss gradient p - y and hessian p (1 - p) of every fit row at its score, draws the rows
 *   (`subsample` < 1: that share without replacement) and the features (`colsampleBytree` < 1)
 *   of the tree, grows it and adds its leaf values to every fit (and validation) row's score.
 * - Trees grow leaf-wise (best first): the leaf whose best split has the largest gain
 *   G_L^2 / (H_L + l2) + G_R^2 / (H_R + l2) - G^2 / (H + l2) is split next, until `maxLeaves`
 *   leaves (or none can split). A split needs a gain above 0, at least `minSamplesLeaf` rows and
 *   a hessian sum of at least `minChildWeight` on each side; a leaf at `maxDepth` is not split.
 *   Ties keep the first candidate (feature order, then bin).
 * - Histograms of gradient and hessian sums per bin come from the WASM kernel (assembly/gbt.ts):
 *   only the smaller child of a split is counted, the larger is its parent minus it.
 * - A leaf's value is -learningRate x G / (H + l2).
 * - Early stopping (validation rows given): scikit-learn's rule on the validation log-loss,
 *   counted from the initial score: stop when none of the last `nIterNoChange` iterations scored
 *   more than `tol` better than the one `nIterNoChange + 1` back. The trees fitted so far are kept.
 *
 * Iteration t draws from stream t of the seed, so the result does not depend on the worker.
 */
import { internalError, Rng } from '../util/index.js';
import type { ForestKernel, GbtKernel } from '../kernels/index.js';
import { GBT_BIN_BYTES } from '../kernels/index.js';
import type { BoostedTreeBins, BoostParams, BoostResult, GbtLayout } from './train-protocol.js';

/** f64 words in one histogram bin. */
const BIN_WORDS = GBT_BIN_BYTES / 8;

/** sigmoid without overflow */
export function sigmoid(raw: number): number {
  if (raw >= 0) return 1 / (1 + Math.exp(-raw));
  const e = Math.exp(raw);
  return e / (1 + e);
}

/** log(1 + exp(raw)) - y raw: the log-loss of one row at score `raw`. */
function rowLoss(raw: number, y: number): number {
  const softplus = raw > 0 ? raw + Math.log1p(Math.exp(-raw)) : Math.log1p(Math.exp(raw));
  return softplus - y * raw;
}

interface Leaf {
  node: number;
  start: number;
  count: number;
  sumG: number;
  sumH: number;
  depth: number;
  /** histogram slot, -1 when none */
  slot: number;
  gain: number;
  feature: number;
  bin: number;
  leftG: number;
  leftH: number;
  leftCount: number;
}

export function boost(gbt: GbtKernel, forest: ForestKernel, layout: GbtLayout, params: BoostParams, fitRows: Uint32Array, validationRows: Uint32Array | null): BoostResult {
  const { nRows: n, binsPtr } = layout;
  const buffer = gbt.memory.buffer;
  const u8 = new Uint8Array(buffer);
  const u32 = new Uint32Array(buffer);
  const f64 = new Float64Array(buffer);
  const nFit = fitRows.length;
  if (nFit === 0) throw internalError('boosting without rows');
  const labelOf = (row: number) => u8[layout.labelsPtr + row]!;

  let positives = 0;
  for (let i = 0; i < nFit; i++) positives += labelOf(fitRows[i]!);
  // scikit-learn clips the rate to [eps, 1 - eps]
  const eps = 2 ** -52;
  const rate = Math.min(1 - eps, Math.max(eps, positives / nFit));
  const baseScore = Math.log(rate / (1 - rate));
  const raw = new Float64Array(nFit).fill(baseScore);
  const validationRaw = validationRows ? new Float64Array(validationRows.length).fill(baseScore) : null;
  const meanLoss = (rows: Uint32Array, scores: Float64Array) => {
    let sum = 0;
    for (let i = 0; i < rows.length; i++) sum += rowLoss(scores[i]!, labelOf(rows[i]!));
    return sum / rows.length;
  };
  const trainLoss = [meanLoss(fitRows, raw)];
  const validationLoss = validationRows && validationRaw ? [meanLoss(validationRows, validationRaw)] : null;

  const maxLeaves = params.maxLeaves ?? Infinity;
  const maxDepth = params.maxDepth ?? Infinity;
  const minLeaf = Math.max(1, params.minSamplesLeaf);
  const { l2, minChildWeight, learningRate } = params;
  const gradBase = layout.gradPtr >>> 3;
  const rowsBase = layout.rowsPtr >>> 2;
  const freeSlots: number[] = [];
  for (let s = layout.histSlots - 1; s >= 0; s--) freeSlots.push(s);
  const slotPtr = (slot: number) => layout.histPtr + slot * layout.histSlotBytes;
  const takeSlot = () => {
    const slot = freeSlots.pop();
    if (slot === undefined) throw internalError('boosting ran out of histogram slots');
    return slot;
  };
  const candidates = params.candidates;
  const nCandidates = candidates.length;
  const nTreeFeatures = params.colsampleBytree >= 1 ? nCandidates : Math.max(1, Math.round(params.colsampleBytree * nCandidates));
  const nSampled = params.subsample >= 1 ? nFit : Math.max(1, Math.round(params.subsample * nFit));
  const order = new Int32Array(nFit);
  const featureOrder = Int32Array.from(candidates);
  const trees: BoostedTreeBins[] = [];
  let stoppedEarly = false;
  const leafValue = (g: number, h: number) => (-learningRate * g) / (h + l2 + 1e-15);

  for (let iteration = 0; iteration < params.maxIter && nCandidates > 0; iteration++) {
    const rng = new Rng(params.seed, iteration);
    for (let i = 0; i < nFit; i++) {
      const row = fitRows[i]!;
      const p = sigmoid(raw[i]!);
      f64[gradBase + 2 * row] = p - labelOf(row);
      f64[gradBase + 2 * row + 1] = p * (1 - p);
    }
    // the tree's rows (ascending, for locality) and features (in feature order, for the ties)
    if (nSampled === nFit) u32.set(fitRows, rowsBase);
    else {
      for (let i = 0; i < nFit; i++) order[i] = i;
      for (let i = 0; i < nSampled; i++) {
        const j = rng.int(i, nFit - 1);
        const swap = order[i]!;
        order[i] = order[j]!;
        order[j] = swap;
      }
      const chosen = order.subarray(0, nSampled).sort();
      for (let i = 0; i < nSampled; i++) u32[rowsBase + i] = fitRows[chosen[i]!]!;
    }
    let features: Int32Array = featureOrder;
    if (nTreeFeatures < nCandidates) {
      const drawn = Int32Array.from(candidates);
      for (let i = 0; i < nTreeFeatures; i++) {
        const j = rng.int(i, nCandidates - 1);
        const swap = drawn[i]!;
        drawn[i] = drawn[j]!;
        drawn[j] = swap;
      }
      features = drawn.subarray(0, nTreeFeatures).sort();
    }
    // the tree's histograms: each feature as many bins as it uses, one after another
    const nf = features.length;
    const first = new Int32Array(nf);
    let totalBins = 0;
    for (let k = 0; k < nf; k++) {
      first[k] = totalBins;
      u32[(layout.featuresPtr >>> 2) + 2 * k] = binsPtr + features[k]! * n;
      u32[(layout.featuresPtr >>> 2) + 2 * k + 1] = totalBins;
      totalBins += params.binCounts[features[k]!]!;
    }
    if (totalBins * GBT_BIN_BYTES > layout.histSlotBytes) throw internalError('boosting: histograms larger than their slot');

    // grow one tree, leaf-wise
    const feature: number[] = [];
    const splitBin: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const value: number[] = [];
    const newNode = (g: number, h: number) => {
      feature.push(-1);
      splitBin.push(-1);
      left.push(-1);
      right.push(-1);
      value.push(leafValue(g, h));
      return feature.length - 1;
    };
    const canSplit = (leaf: Leaf) => leaf.depth < maxDepth && leaf.count >= 2 * minLeaf && leaf.sumH >= 2 * minChildWeight;
    const countHistograms = (leaf: Leaf) => {
      leaf.slot = takeSlot();
      gbt.gradientHistograms(layout.featuresPtr, nf, layout.rowsPtr + leaf.start * 4, leaf.count, layout.gradPtr, slotPtr(leaf.slot), totalBins);
    };
    /** The best split of a leaf from its histograms (gain -Infinity when none). */
    const findSplit = (leaf: Leaf) => {
      leaf.gain = -Infinity;
      const parentScore = (leaf.sumG * leaf.sumG) / (leaf.sumH + l2);
      const base = slotPtr(leaf.slot) >>> 3;
      for (let k = 0; k < nf; k++) {
        const at0 = base + first[k]! * BIN_WORDS;
        const nBins = params.binCounts[features[k]!]! - 1;
        let gl = 0;
        let hl = 0;
        let cl = 0;
        for (let b = 0; b < nBins; b++) {
          const at = at0 + b * BIN_WORDS;
          const c = u32[(at + 2) * 2]!;
          if (c === 0) continue;
          gl += f64[at]!;
          hl += f64[at + 1]!;
          cl += c;
          const cr = leaf.count - cl;
          if (cr < minLeaf) break;
          if (cl < minLeaf) continue;
          const hr = leaf.sumH - hl;
          if (hl < minChildWeight || hr < minChildWeight) continue;
          const gr = leaf.sumG - gl;
          const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentScore;
          if (gain > leaf.gain && gain > 0) {
            leaf.gain = gain;
            leaf.feature = features[k]!;
            leaf.bin = b;
            leaf.leftG = gl;
            leaf.leftH = hl;
            leaf.leftCount = cl;
          }
        }
      }
    };

    let rootG = 0;
    let rootH = 0;
    for (let i = 0; i < nSampled; i++) {
      const row = u32[rowsBase + i]!;
      rootG += f64[gradBase + 2 * row]!;
      rootH += f64[gradBase + 2 * row + 1]!;
    }
    const root: Leaf = { node: newNode(rootG, rootH), start: 0, count: nSampled, sumG: rootG, sumH: rootH, depth: 0, slot: -1, gain: -Infinity, feature: -1, bin: -1, leftG: 0, leftH: 0, leftCount: 0 };
    const frontier: Leaf[] = [];
    if (canSplit(root) && maxLeaves > 1) {
      countHistograms(root);
      findSplit(root);
      if (root.gain > 0) frontier.push(root);
      else freeSlots.push(root.slot);
    }
    let leaves = 1;
    while (frontier.length > 0 && leaves < maxLeaves) {
      let pick = 0;
      for (let i = 1; i < frontier.length; i++) if (frontier[i]!.gain > frontier[pick]!.gain) pick = i;
      const leaf = frontier.splice(pick, 1)[0]!;
      const f = leaf.feature;
      const nLeft = forest.partitionRows(binsPtr + f * n, layout.rowsPtr + leaf.start * 4, leaf.count, leaf.bin, layout.scratchPtr);
      if (nLeft !== leaf.leftCount) throw internalError(`boosting: partition gave ${nLeft} rows on the left, the histogram ${leaf.leftCount}`);
      const rightG = leaf.sumG - leaf.leftG;
      const rightH = leaf.sumH - leaf.leftH;
      const leftNode = newNode(leaf.leftG, leaf.leftH);
      const rightNode = newNode(rightG, rightH);
      feature[leaf.node] = f;
      splitBin[leaf.node] = leaf.bin;
      left[leaf.node] = leftNode;
      right[leaf.node] = rightNode;
      leaves++;
      const depth = leaf.depth + 1;
      const children: Leaf[] = [
        { node: leftNode, start: leaf.start, count: nLeft, sumG: leaf.leftG, sumH: leaf.leftH, depth, slot: -1, gain: -Infinity, feature: -1, bin: -1, leftG: 0, leftH: 0, leftCount: 0 },
        { node: rightNode, start: leaf.start + nLeft, count: leaf.count - nLeft, sumG: rightG, sumH: rightH, depth, slot: -1, gain: -Infinity, feature: -1, bin: -1, leftG: 0, leftH: 0, leftCount: 0 },
      ];
      if (leaves < maxLeaves && children.some(canSplit)) {
        // count the smaller child; the larger is the parent minus it, in the parent's slot (when it can split)
        const [small, large] = children[0]!.count <= children[1]!.count ? [children[0]!, children[1]!] : [children[1]!, children[0]!];
        if (canSplit(large)) {
          countHistograms(small);
          gbt.subtractHistograms(slotPtr(leaf.slot), slotPtr(small.slot), totalBins);
          large.slot = leaf.slot;
        } else {
          freeSlots.push(leaf.slot);
          countHistograms(small);
        }
        for (const child of children) {
          if (child.slot < 0) continue;
          if (canSplit(child)) findSplit(child);
          if (child.gain > 0) frontier.push(child);
          else freeSlots.push(child.slot);
        }
      } else freeSlots.push(leaf.slot);
    }
    for (const leaf of frontier) freeSlots.push(leaf.slot);
    if (freeSlots.length !== layout.histSlots) throw internalError('boosting: a histogram slot was not given back');

    const tree: BoostedTreeBins = { feature: Int32Array.from(feature), splitBin: Int32Array.from(splitBin), left: Int32Array.from(left), right: Int32Array.from(right), value: Float64Array.from(value) };
    trees.push(tree);
    const leafOf = (row: number) => {
      let node = 0;
      let f = tree.feature[0]!;
      while (f >= 0) {
        node = u8[binsPtr + f * n + row]! <= tree.splitBin[node]! ? tree.left[node]! : tree.right[node]!;
        f = tree.feature[node]!;
      }
      return node;
    };
    for (let i = 0; i < nFit; i++) raw[i]! += tree.value[leafOf(fitRows[i]!)]!;
    trainLoss.push(meanLoss(fitRows, raw));
    if (validationRows && validationRaw && validationLoss) {
      for (let i = 0; i < validationRows.length; i++) validationRaw[i]! += tree.value[leafOf(validationRows[i]!)]!;
      validationLoss.push(meanLoss(validationRows, validationRaw));
      if (shouldStop(validationLoss, params.nIterNoChange, params.tol)) {
        stoppedEarly = true;
        break;
      }
    }
  }
  return { baseScore, trees, trainLoss, validationLoss, stoppedEarly };
}

/**
 * scikit-learn's `_should_stop` on scores = -loss (the initial score first): stop when none of
 * the last `nIterNoChange` scores beats the one `nIterNoChange + 1` back by more than `tol`.
 */
export function shouldStop(losses: readonly number[], nIterNoChange: number, tol: number): boolean {
  const reference = nIterNoChange + 1;
  if (losses.length < reference) return false;
  const referenceScore = -losses[losses.length - reference]! + tol;
  for (let i = losses.length - nIterNoChange; i < losses.length; i++) if (-losses[i]! > referenceScore) return false;
  return true;
}
