/**
 * The scan plan of any reader that has a BatchStream: its batches read on the main side and
 * copied into the slots' column blocks, a block at a time, for the workers to bin. Readers use it
 * when their own plan does not apply (Arrow IPC's fallback), or as their only plan.
 */
import { InputError, SchemaError } from '../util/index.js';
import type { BatchStream, ScanPlan, ScanRequest } from './types.js';

/** `open` gives the stream to read (with `countQuality: false, withLabel: false`: the kernel counts non-finite values). */
export function planBatchScan(file: string, request: ScanRequest, open: () => BatchStream): ScanPlan<never> {
  const absent = new Set<number>();
  return {
    async *steps() {
      for await (const batch of open()) {
        const columns = request.featureNames.map((name, f) => {
          const child = batch.getChild(name);
          if (child) return child.toArray() as Float64Array;
          if (request.missingFeatures !== 'skip') throw new SchemaError(`feature "${name}" of the baseline is missing from this file`, { file });
          absent.add(f);
          return undefined;
        });
        for (let offset = 0; offset < batch.numRows; offset += request.blockRows) {
          const first = offset;
          const rows = Math.min(request.blockRows, batch.numRows - first);
          yield {
            rows,
            fill: (block: Float64Array, stride: number) => columns.forEach((values, f) => values && block.set(values.subarray(first, first + rows), f * stride)),
          };
        }
      }
      return true;
    },
    absent: () => [...absent],
    quality: 'bins',
    noRows: () => new InputError('no data rows', { file }),
    close() {},
  };
}
