/**
 * The CSV reader's scan plan: the file cut into byte ranges that the workers read, parse and bin
 * themselves (main side: `planCsvScan`; worker side: `scanCsvUnit`).
 */
import { SchemaError } from '../../util/index.js';
import { loadCsvKernel, type CsvScanKernel, type KernelName } from '../../kernels/index.js';
import { IO_DEFAULTS } from '../defaults.js';
import type { CsvLayout, ScanPlan, ScanRequest, ScanTarget, ScanUnitResult } from '../types.js';
import { CsvBlockParser, type CsvParserOptions } from './block-parser.js';
import { noDataError } from './batches.js';
import { readCsvLayout } from './header.js';
import { scanCsvRange, splitCsvRanges } from './ranges.js';

/** One byte range of a CSV file to parse and bin: the lines whose first byte lies in [start, end). */
export interface CsvRangeUnit {
  layout: CsvLayout;
  start: number;
  end: number;
  /** per file column: the feature it is counted as, or -1 to skip it */
  columnMap: Int32Array;
  nFeatures: number;
  coerce: boolean;
}

/** Ranges are never cut smaller than this (unless the file is). */
const MIN_RANGE_BYTES = 1024 * 1024;

/**
 * Byte ranges of about `unitBytes` (default IO_DEFAULTS.csvRangeBytes). A cut point may fall
 * inside a quoted field that holds a line feed; the range that holds its opening quote says so
 * (`replan`), and then the plan's fallback scans the file as one range.
 */
export async function planCsvScan(file: string, request: ScanRequest): Promise<ScanPlan<CsvRangeUnit>> {
  const layout = await readCsvLayout(file, { maxLineBytes: request.maxLineBytes });
  const { columnMap, absent } = csvColumnMap(layout, request);
  const rangeBytes = request.unitBytes ?? IO_DEFAULTS.csvRangeBytes;
  const parts = Math.max(1, Math.ceil((layout.fileSize - layout.dataStart) / rangeBytes));
  const ranges = splitCsvRanges(layout, parts, Math.min(rangeBytes, MIN_RANGE_BYTES));
  return rangePlan(layout, ranges, columnMap, absent, request);
}

function rangePlan(layout: CsvLayout, ranges: Array<[number, number]>, columnMap: Int32Array, absent: number[], request: ScanRequest): ScanPlan<CsvRangeUnit> {
  const nFeatures = request.featureNames.length;
  return {
    async *steps() {
      for (const [start, end] of ranges) yield { read: { layout, start, end, columnMap, nFeatures, coerce: request.coerce } };
    },
    absent: () => absent,
    columns: () => layout.names,
    quality: 'units',
    // a cut point may have fallen inside a quoted field: parse the file as one sequential range
    fallback: ranges.length > 1 ? async () => rangePlan(layout, [[layout.dataStart, layout.fileSize]], columnMap, absent, request) : undefined,
    noRows: () => noDataError(layout.file),
    close() {},
  };
}

/** The file column -> feature map, and the features the file lacks (SchemaError unless skipped). */
function csvColumnMap(layout: CsvLayout, request: ScanRequest): { columnMap: Int32Array; absent: number[] } {
  const index = new Map(layout.names.map((name, i) => [name, i]));
  const columnMap = new Int32Array(layout.names.length).fill(-1);
  const absent: number[] = [];
  request.featureNames.forEach((name, f) => {
    const column = index.get(name);
    if (column !== undefined) columnMap[column] = f;
    else if (request.missingFeatures === 'skip') absent.push(f);
    else throw new SchemaError(`feature "${name}" of the baseline is missing from this file (it has ${layout.names.length} columns)`, { file: layout.file });
  });
  return { columnMap, absent };
}

/**
 * Worker side: parse the range into the slot's column block, a block of rows at a time, and bin
 * each block. Bytes are read into the slot's read region, where the WASM number scanner (of the
 * histogram kernel's kind) sees them; the column map goes to the slot's scratch room.
 */
export function scanCsvUnit(unit: CsvRangeUnit, target: ScanTarget): ScanUnitResult {
  const buffer = target.memory.buffer;
  const csvKernel = csvKernelFor(target.memory, target.kernel);
  let accelerator: CsvParserOptions['accelerator'];
  if (csvKernel && unit.columnMap.length * 4 <= target.scratch.bytes) {
    new Int32Array(buffer, target.scratch.ptr, unit.columnMap.length).set(unit.columnMap);
    accelerator = { kernel: csvKernel, buffer, columnMapPtr: target.scratch.ptr };
  }
  const parser = new CsvBlockParser(unit.layout, unit.columnMap, unit.nFeatures, { coerce: unit.coerce, accelerator });
  const { rows } = scanCsvRange({
    readBuffer: new Uint8Array(buffer, target.read.ptr, target.read.bytes),
    layout: unit.layout,
    start: unit.start,
    end: unit.end,
    parser,
    block: { values: new Float64Array(buffer), base: target.columnsPtr >>> 3, stride: target.blockRows, rows: 0, capacity: target.blockRows },
    onBlock: (blockRows) => target.binBlock(blockRows),
  });
  return { rows, quality: parser.quality, replan: parser.quoteSeen };
}

/** One CSV scanner per memory and kind (so per thread), loaded on first use; null for the plain-TS kernels. */
const csvKernels = new WeakMap<WebAssembly.Memory, Map<KernelName, CsvScanKernel | null>>();
function csvKernelFor(memory: WebAssembly.Memory, kind: KernelName): CsvScanKernel | null {
  let byKind = csvKernels.get(memory);
  if (!byKind) csvKernels.set(memory, (byKind = new Map()));
  if (!byKind.has(kind)) byKind.set(kind, kind === 'js' ? null : loadCsvKernel(memory, kind));
  return byKind.get(kind)!;
}
