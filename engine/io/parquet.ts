/**
 * Parquet: known by its extension and its `PAR1` magic, not read yet. Its reader is this file:
 * `open` and `planScan` say the format is not supported, so a Parquet file is never misread as
 * CSV. The Parquet issue replaces the bodies (see docs/ARCHITECTURE.md, "Adding a reader").
 */
import { InputError } from '../util/index.js';
import type { BatchStream, Reader, ScanPlan } from './types.js';

function notSupported(path: string): InputError {
  return new InputError('parquet is not supported yet', { file: path });
}

export const parquetReader = {
  format: 'parquet' as const,
  extensions: ['.parquet'],
  sniff: (_path, head) => head.length >= 4 && String.fromCharCode(...head.subarray(0, 4)) === 'PAR1',
  open(path): BatchStream {
    throw notSupported(path);
  },
  async planScan(path): Promise<ScanPlan<never>> {
    throw notSupported(path);
  },
  scanUnit(): never {
    throw notSupported('');
  },
} satisfies Reader<never>;
