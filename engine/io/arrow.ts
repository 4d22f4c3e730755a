/**
 * The Arrow IPC reader: the file format (`ARROW1` ... footer) and the stream format, by
 * extension or by their first bytes. Its parts are in arrow/: the footer and batch metadata read
 * without apache-arrow, and the worker-side column reads (ipc.ts), the scan plan (scan.ts), the
 * batches through apache-arrow (stream.ts, loaded when the first batch is asked for) and the
 * writers (write.ts, loaded on first use).
 */
import type { RecordBatch } from 'apache-arrow';
import type { ArrowBatchStream } from './arrow/stream.js';
import { planIpcScan, scanSegmentsUnit, type ArrowSegmentsUnit } from './arrow/scan.js';
import { planBatchScan } from './batch-scan.js';
import type { BatchStream, ColumnQuality, ReadOptions, Reader } from './types.js';

export const arrowReader = {
  format: 'arrow' as const,
  extensions: ['.arrow', '.ipc', '.feather', '.arrows'],
  sniff: (_path, head) => isArrowIpc(head),
  open: (path: string, options?: ReadOptions) => new DeferredArrowStream(path, options),
  async planScan(path, request) {
    const batches = async () => planBatchScan(path, request, () => new DeferredArrowStream(path, { countQuality: false, withLabel: false }));
    return planIpcScan(path, request, batches) ?? (await batches());
  },
  scanUnit: scanSegmentsUnit,
} satisfies Reader<ArrowSegmentsUnit>;

/** The Arrow IPC file magic `ARROW1`, or a stream's first continuation marker 0xFFFFFFFF. */
function isArrowIpc(head: Uint8Array): boolean {
  if (head.length >= 6 && String.fromCharCode(...head.subarray(0, 6)) === 'ARROW1') return true;
  return head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff;
}

/** An `ArrowBatchStream` made on first iteration, so that opening one loads nothing. */
class DeferredArrowStream implements BatchStream {
  readonly format = 'arrow' as const;
  readonly path: string;
  readonly options: ReadOptions;
  #stream?: ArrowBatchStream;

  constructor(filePath: string, options: ReadOptions = {}) {
    this.path = filePath;
    this.options = options;
  }

  get rows(): number {
    return this.#stream?.rows ?? 0;
  }

  get featureNames(): string[] {
    return this.#stream?.featureNames ?? [];
  }

  get labelName(): string | undefined {
    return this.#stream?.labelName;
  }

  quality(): Map<string, ColumnQuality> {
    return this.#stream?.quality() ?? new Map();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    const { ArrowBatchStream } = await import('./arrow/stream.js');
    this.#stream = new ArrowBatchStream(this.path, this.options);
    yield* this.#stream;
  }
}

export { ArrowIpcFile, IpcType, IpcValueKind, Segment, SEGMENT_FIELDS, readSegments, valueBytes, valueKindOf } from './arrow/ipc.js';
export type { IpcBatchLayout, IpcField } from './arrow/ipc.js';
export type { ArrowSegmentsUnit } from './arrow/scan.js';
