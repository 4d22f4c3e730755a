/**
 * The Arrow IPC reader: the file format (`ARROW1` ... footer) and the stream format, by
 * extension or by their first bytes. Its parts are in arrow/: the footer and batch metadata read
 * without apache-arrow, and the worker-side column reads (ipc.ts), the scan plan (scan.ts), the
 * batches through apache-arrow (stream.ts, loaded when the first batch is asked for) and the
 * writers (write.ts, loaded on first use).
 */
import { planIpcScan, scanSegmentsUnit, type ArrowSegmentsUnit } from './arrow/scan.js';
import { ArrowIpcFile } from './arrow/ipc.js';
import { planBatchScan } from './batch-scan.js';
import { normaliseNames } from './schema.js';
import { DeferredStream } from './deferred.js';
import type { ReadOptions, Reader } from './types.js';

/** The stream of `path`'s batches: its module (apache-arrow) loads with the first batch. */
const deferred = (path: string, options: ReadOptions = {}) =>
  new DeferredStream('arrow', path, options, async (file, opts) => new (await import('./arrow/stream.js')).ArrowBatchStream(file, opts));

export const arrowReader = {
  format: 'arrow' as const,
  extensions: ['.arrow', '.ipc', '.feather', '.arrows'],
  sniff: (_path, head) => isArrowIpc(head),
  open: (path: string, options?: ReadOptions) => deferred(path, options),
  async planScan(path, request) {
    const batches = async () => planBatchScan(path, request, () => deferred(path, { countQuality: false, withLabel: false }));
    return planIpcScan(path, request, batches) ?? (await batches());
  },
  scanUnit: scanSegmentsUnit,
  async columnNames(path) {
    // the file format's footer without apache-arrow; a stream's schema message through it
    const ipc = ArrowIpcFile.open(path);
    if (!ipc) return (await import('./arrow/stream.js')).arrowColumnNames(path);
    try {
      return normaliseNames(ipc.fields.map((field) => field.name));
    } finally {
      ipc.close();
    }
  },
} satisfies Reader<ArrowSegmentsUnit>;

/** The Arrow IPC file magic `ARROW1`, or a stream's first continuation marker 0xFFFFFFFF. */
function isArrowIpc(head: Uint8Array): boolean {
  if (head.length >= 6 && String.fromCharCode(...head.subarray(0, 6)) === 'ARROW1') return true;
  return head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff;
}


export { ArrowIpcFile, IpcType, IpcValueKind, Segment, SEGMENT_FIELDS, readSegments, valueBytes, valueKindOf } from './arrow/ipc.js';
export type { IpcBatchLayout, IpcField } from './arrow/ipc.js';
export type { ArrowSegmentsUnit } from './arrow/scan.js';
