/**
 * Counting rows on the scan edges in this process: the logs source's `count`, and a database's
 * "pull the rows" path (the benchmark's comparison, and a check of the SQL's counts). The same
 * slots as the WASM kernel (countBinsJs, assembly/histogram.ts) and the same tail sums as the
 * scan's tasks.
 */
import { countValuesInto, emptyHistograms, type Histograms } from '../scan/index.js';
import type { CountRequest, RowBatch } from './types.js';

/** Add one batch (its columns in the request's feature order) into `into`. */
export function countBatch(into: Histograms, request: CountRequest, batch: RowBatch): void {
  into.rows += batch.rows;
  request.edges.forEach((edges, f) => countValuesInto(into, f, batch.columns[f]!, batch.rows, edges));
}

/** Count every batch of a stream. */
export async function countBatches(batches: AsyncIterable<RowBatch>, request: CountRequest): Promise<Histograms> {
  const nEdges = Int32Array.from(request.edges, (e) => e.length);
  const histograms = emptyHistograms(request.featureNames, nEdges, { tails: request.tails });
  for await (const batch of batches) countBatch(histograms, request, batch);
  return histograms;
}
