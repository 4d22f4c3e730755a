/**
 * The Arrow reader's scan plan: of an Arrow IPC file the main side reads only the footer and each
 * record batch's metadata, and tells workers where the feature columns' buffers are; they pread
 * them into their slot and bin them in place (`planIpcScan`, `scanSegmentsUnit`). Files that path
 * does not handle fall back to the batches plan (../batch-scan.ts): read with apache-arrow on the
 * main side, copied into the slots for the workers to bin.
 */
import { InputError, internalError } from '../../util/index.js';
import { IO_DEFAULTS } from '../defaults.js';
import { normaliseNames, resolveFeatures } from '../schema.js';
import type { ScanPlan, ScanRequest, ScanTarget, ScanUnitResult } from '../types.js';
import {
  ArrowIpcFile,
  bufferLength,
  bufferOffset,
  IpcType,
  nodeLength,
  nodeNullCount,
  readSegments,
  SEGMENT_FIELDS,
  setSegment,
  valueBytes,
  valueKindOf,
  type IpcBatchLayout,
  type IpcField,
} from './ipc.js';

/** Column segments of an Arrow IPC file for a worker to pread into its slot and bin: file offsets, never values. */
export interface ArrowSegmentsUnit {
  file: string;
  /** SEGMENT_FIELDS numbers per segment (ipc.ts `Segment`) */
  segments: Float64Array;
  /**
   * Whole rows (ScanRequest.wholeRows): the rows of each block, in order; the segments are then
   * every feature's slice of one block after another, and a block lands in the slot's column
   * block and is binned with binBlock. Absent: each segment is binned on its own (binValues).
   */
  blocks?: Float64Array | undefined;
}

/** Column segments one unit carries at most (files of many small batches). */
const UNIT_SEGMENTS = 4096;

interface IpcColumnPlan {
  feature: number;
  kind: number;
  width: number;
  /** the column's field node and validity buffer index in every batch (its values are the next buffer) */
  node: number;
  buffer: number;
}

/**
 * The Arrow IPC fast path: each unit names byte ranges of the file (feature columns' value
 * buffers, and validity bitmaps where a batch has nulls) that a worker preads into its slot and
 * bins where they land, about `unitBytes` of values per unit (default IO_DEFAULTS.arrowTaskBytes),
 * so a large batch is split by columns and small ones are grouped.
 *
 * Undefined when the path does not apply and the file should be read with apache-arrow: the
 * stream format, big-endian or pre-V4 metadata, types whose layout it does not know, columns
 * today's reader refuses or converts (non-numeric, dictionary-encoded, half floats), or a
 * baseline feature the file lacks. A batch that is compressed or shaped unlike its schema ends
 * the steps with false (the scan then drops what it counted and scans `fallback`). Float32 and
 * integer columns are widened to f64 by the worker; nulls become NaN, as apache-arrow's path
 * does. With `missingFeatures: 'skip'` a feature the file lacks gets no segments (its counts
 * stay zero).
 */
export function planIpcScan(file: string, request: ScanRequest, fallback: () => Promise<ScanPlan<ArrowSegmentsUnit>>): ScanPlan<ArrowSegmentsUnit> | undefined {
  const ipc = ArrowIpcFile.open(file);
  if (!ipc) return undefined;
  let columns: IpcColumnPlan[] | undefined;
  let expected: { nodes: number; buffers: number } | undefined;
  try {
    columns = planIpcColumns(ipc, request.featureNames, request.missingFeatures === 'skip');
    expected = ipc.expectedCounts();
  } catch (err) {
    ipc.close();
    throw err;
  }
  if (!columns || !expected) {
    ipc.close();
    return undefined;
  }
  const bytesPerUnit = request.unitBytes ?? IO_DEFAULTS.arrowTaskBytes;
  const absent = request.featureNames.map((_, f) => f).filter((f) => !columns.some((column) => column.feature === f));
  // whole rows: slices of a batch that start on a byte of its validity bitmaps (a multiple of 8 rows)
  const sliceRows = request.blockRows - (request.blockRows % 8);
  if (request.wholeRows && (absent.length > 0 || sliceRows === 0)) {
    ipc.close();
    return undefined;
  }
  let rows = 0;
  return {
    async *steps() {
      if (request.wholeRows) {
        for (let b = 0; b < ipc.batchCount; b++) {
          const batch = ipc.readBatch(b);
          if (!batchApplies(ipc, b, batch, expected, columns)) return false;
          rows += batch.length;
          yield* rowUnits(file, batch, columns, sliceRows, bytesPerUnit);
        }
        return true;
      }
      const segments = new Float64Array(UNIT_SEGMENTS * SEGMENT_FIELDS);
      let count = 0;
      let unitBytes = 0;
      const unit = (): { read: ArrowSegmentsUnit } => {
        const read = { file, segments: segments.slice(0, count * SEGMENT_FIELDS) };
        count = 0;
        unitBytes = 0;
        return { read };
      };
      for (let b = 0; b < ipc.batchCount; b++) {
        const batch = ipc.readBatch(b);
        if (!batchApplies(ipc, b, batch, expected, columns)) return false;
        if (batch.length === 0) continue;
        rows += batch.length;
        for (const column of columns) {
          const validityAt = nodeNullCount(batch, column.node) > 0 ? bufferOffset(batch, column.buffer) : -1;
          setSegment(segments, count++, column.feature, column.kind, batch.length, bufferOffset(batch, column.buffer + 1), validityAt);
          unitBytes += batch.length * column.width;
          if (unitBytes >= bytesPerUnit || count === UNIT_SEGMENTS) yield unit();
        }
      }
      if (count > 0) yield unit();
      return true;
    },
    absent: () => absent,
    columns: () => normaliseNames(ipc.fields.map((field) => field.name)),
    rows: () => rows,
    // the kernel counts non-finite values in one slot; Arrow input has no text to tell NaN from Inf
    quality: 'bins',
    fallback,
    noRows: () => new InputError('no data rows', { file }),
    close: () => ipc.close(),
  };
}

/**
 * Whole-row units of one batch: slices of `sliceRows` rows (the last one shorter), every feature
 * column's segment of each, about `bytesPerUnit` of values per unit.
 */
function* rowUnits(file: string, batch: IpcBatchLayout, columns: IpcColumnPlan[], sliceRows: number, bytesPerUnit: number): Generator<{ read: ArrowSegmentsUnit }> {
  const rowBytes = columns.reduce((sum, column) => sum + column.width, 0);
  const slicesPerUnit = Math.max(1, Math.min(Math.floor(UNIT_SEGMENTS / columns.length), Math.floor(bytesPerUnit / (rowBytes * sliceRows))));
  for (let first = 0; first < batch.length; first += slicesPerUnit * sliceRows) {
    const slices = Math.min(slicesPerUnit, Math.ceil((batch.length - first) / sliceRows));
    const blocks = new Float64Array(slices);
    const segments = new Float64Array(slices * columns.length * SEGMENT_FIELDS);
    let count = 0;
    for (let k = 0; k < slices; k++) {
      const start = first + k * sliceRows;
      const n = Math.min(sliceRows, batch.length - start);
      blocks[k] = n;
      for (const column of columns) {
        // start is a multiple of 8: the slice's validity bits begin on a byte
        const validityAt = nodeNullCount(batch, column.node) > 0 ? bufferOffset(batch, column.buffer) + start / 8 : -1;
        setSegment(segments, count++, column.feature, column.kind, n, bufferOffset(batch, column.buffer + 1) + start * column.width, validityAt);
      }
    }
    yield { read: { file, segments, blocks } };
  }
}

/** Worker side: pread the unit's segments into the slot's read region and bin them where they land (or, whole rows, block by block). */
export function scanSegmentsUnit(unit: ArrowSegmentsUnit, target: ScanTarget): ScanUnitResult {
  const region = { buffer: target.memory.buffer, ptr: target.read.ptr, bytes: target.read.bytes };
  if (unit.blocks) {
    const perBlock = unit.segments.length / unit.blocks.length;
    const f64 = new Float64Array(target.memory.buffer);
    for (let k = 0; k < unit.blocks.length; k++) {
      const rows = unit.blocks[k]!;
      if (rows > target.blockRows) throw internalError(`an Arrow unit's block of ${rows} rows is larger than the slot's ${target.blockRows}`);
      // a segment may come in pieces (a region smaller than it): each lands after the last
      const filled = new Map<number, number>();
      readSegments(unit.file, unit.segments.subarray(k * perBlock, (k + 1) * perBlock), region, (feature, valuesPtr, n) => {
        const at = filled.get(feature) ?? 0;
        f64.copyWithin((target.columnsPtr >>> 3) + feature * target.blockRows + at, valuesPtr >>> 3, (valuesPtr >>> 3) + n);
        filled.set(feature, at + n);
      });
      target.binBlock(rows);
    }
    return { rows: 0 };
  }
  readSegments(unit.file, unit.segments, region, (feature, valuesPtr, n) => target.binValues(feature, valuesPtr, n));
  // rows are counted per batch on the main side; non-finite values by the kernel (missing slot)
  return { rows: 0 };
}

/** Feature columns of the file for the fast path (in file order), or undefined when it does not apply. */
function planIpcColumns(ipc: ArrowIpcFile, featureNames: readonly string[], skipMissing: boolean): IpcColumnPlan[] | undefined {
  if (!ipc.supported) return undefined;
  const layouts = ipc.columnLayouts()!;
  const names = normaliseNames(ipc.fields.map((field) => field.name));
  const resolved = resolveFeatures(names, { file: ipc.file });
  // apache-arrow's path refuses a file whose columns other than the label are not all numbers,
  // and a baseline feature the file lacks: leave it to that path to say so
  if (resolved.featureIndex.some((column) => !isNumericField(ipc.fields[column]!))) return undefined;
  const columnOf = new Map(resolved.featureNames.map((name, i) => [name, resolved.featureIndex[i]!]));
  const columns: IpcColumnPlan[] = [];
  for (let feature = 0; feature < featureNames.length; feature++) {
    const column = columnOf.get(featureNames[feature]!);
    if (column === undefined && skipMissing) continue;
    if (column === undefined) return undefined;
    const kind = valueKindOf(ipc.fields[column]!);
    if (kind < 0) return undefined;
    columns.push({ feature, kind, width: valueBytes(kind), node: layouts[column]!.node, buffer: layouts[column]!.buffer });
  }
  // in file order, so that neighbouring columns are read with one pread
  return columns.sort((a, b) => a.buffer - b.buffer);
}

function isNumericField(field: IpcField): boolean {
  return !field.dictionary && (field.typeId === IpcType.Int || field.typeId === IpcType.FloatingPoint);
}

/**
 * Whether a batch can be read on the fast path (false: compressed, or shaped unlike the schema);
 * InputError when its feature buffers are too short for its rows.
 */
function batchApplies(ipc: ArrowIpcFile, index: number, batch: IpcBatchLayout, expected: { nodes: number; buffers: number }, columns: IpcColumnPlan[]): boolean {
  if (batch.compressed) return false;
  if (batch.nodes.length !== 2 * expected.nodes || batch.buffers.length !== 2 * expected.buffers) return false;
  for (const column of columns) {
    if (nodeLength(batch, column.node) !== batch.length) return false;
    const nullCount = nodeNullCount(batch, column.node);
    const validityBytes = bufferLength(batch, column.buffer);
    const valuesBytes = bufferLength(batch, column.buffer + 1);
    if (valuesBytes < batch.length * column.width || (nullCount > 0 && validityBytes < Math.ceil(batch.length / 8))) {
      throw new InputError(`not a readable Arrow IPC file (record batch ${index}: a feature column's buffers are shorter than its ${batch.length} rows)`, { file: ipc.file });
    }
  }
  return true;
}
