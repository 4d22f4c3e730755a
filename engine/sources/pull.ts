/**
 * Counting rows on the scan edges in this process: the logs source's `count`, and a database's
 * "pull the rows" path (the benchmark's comparison, and a check of the SQL's counts). The same
 * slots as the WASM kernel (countBinsJs, assembly/histogram.ts) and the same tail sums as the
 * scan's tasks.
 */
import { emptyHistograms, type Histograms } from '../scan/index.js';
import { QUALITY, qualityIndex } from '../io/index.js';
import type { CountRequest, RowBatch } from './types.js';

/** Add one batch (its columns in the request's feature order) into `into`. */
export function countBatch(into: Histograms, request: CountRequest, batch: RowBatch): void {
  into.rows += batch.rows;
  request.edges.forEach((edges, f) => {
    const values = batch.columns[f]!;
    const slots = into.counts[f]!;
    const n = edges.length;
    const last = n > 0 ? edges[n - 1]! : NaN;
    let nan = 0;
    let posInf = 0;
    let negInf = 0;
    let below = 0;
    let above = 0;
    for (let i = 0; i < batch.rows; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) {
        if (v === Infinity) posInf++;
        else if (v === -Infinity) negInf++;
        else nan++;
        continue;
      }
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (edges[mid]! <= v) lo = mid + 1;
        else hi = mid;
      }
      slots[lo]!++;
      if (v === last) slots[n + 2]!++;
      if (n > 0) {
        if (v < edges[0]!) below += edges[0]! - v;
        else if (v > last) above += v - last;
      }
    }
    slots[n + 1]! += nan + posInf + negInf;
    into.quality[qualityIndex(f, QUALITY.nan)]! += nan;
    into.quality[qualityIndex(f, QUALITY.posInf)]! += posInf;
    into.quality[qualityIndex(f, QUALITY.negInf)]! += negInf;
    if (into.tails) {
      into.tails[2 * f]! += below;
      into.tails[2 * f + 1]! += above;
    }
  });
}

/** Count every batch of a stream. */
export async function countBatches(batches: AsyncIterable<RowBatch>, request: CountRequest): Promise<Histograms> {
  const nEdges = Int32Array.from(request.edges, (e) => e.length);
  const histograms = emptyHistograms(request.featureNames, nEdges, { tails: request.tails });
  for await (const batch of batches) countBatch(histograms, request, batch);
  return histograms;
}
