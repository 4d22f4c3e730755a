/**
 * The Parquet reader's scan plan: the main side reads only the footer and cuts the file into units
 * of column chunks (row group x features, about `unitBytes` of compressed pages each); a worker
 * preads each chunk, decodes it to f64 (nulls as NaN, numbers widened), counts its non-finite
 * values and bins it from its slot's read region, so the WASM binning is the same as for CSV.
 * A worker holds one decoded column chunk at a time (row group rows x 8 bytes).
 */
import * as fs from 'node:fs';
import { InputError, SchemaError } from '../../util/index.js';
import { IO_DEFAULTS } from '../defaults.js';
import { openSync } from '../files.js';
import { emptyQuality, QUALITY, qualityIndex } from '../quality.js';
import { normaliseNames } from '../schema.js';
import type { ScanPlan, ScanRequest, ScanTarget, ScanUnitResult } from '../types.js';
import { chunkPages, decodeNumericChunk, notNumeric, readChunkBytes, readChunkRanges, readParquetLayout, type ChunkPages, type ChunkRef, type KnownDictionary, type ValueKind } from './decode.js';

/** Column chunks of one row group for a worker to read, decode and bin (plain data: it crosses to the worker). */
export interface ParquetChunksUnit {
  file: string;
  group: number;
  /** features in the scan (the length of the quality counters) */
  features: number;
  columns: { feature: number; name: string; kind: ValueKind; chunk: ChunkRef }[];
  /**
   * Whole rows (ScanRequest.wholeRows): this unit is rows [first, first + rows) of the row group,
   * every feature; each column's `chunk` is then the dictionary page and the data pages that hold
   * those rows (`pages`: their byte ranges; `chunk.rows`: the rows they hold, from `skip` rows
   * before `first`).
   */
  window?: { first: number; rows: number } | undefined;
  pages?: { ranges: { start: number; length: number }[]; skip: number }[] | undefined;
}

/** Rows of a whole-row unit at most: its decoded values (rows x features x 8 bytes) are what a worker holds. */
const WINDOW_ROWS_LIMIT = 1 << 20;

/**
 * The plan: SchemaError for a feature the file lacks (unless `missingFeatures: 'skip'`: its counts
 * stay zero) or one that is not numeric; the units count NaN (nulls included) and ±Inf themselves.
 */
export function planParquetScan(file: string, request: ScanRequest): ScanPlan<ParquetChunksUnit> {
  const layout = readParquetLayout(file);
  const names = normaliseNames(layout.columns.map((column) => column.name));
  const columnOf = new Map(names.map((name, index) => [name, index]));
  const columns: { feature: number; name: string; leaf: number; kind: ValueKind }[] = [];
  const absent: number[] = [];
  request.featureNames.forEach((name, feature) => {
    const index = columnOf.get(name);
    if (index === undefined) {
      if (request.missingFeatures === 'skip') return absent.push(feature);
      throw new SchemaError(`feature "${name}" of the baseline is missing from this file`, { file });
    }
    const column = layout.columns[index]!;
    if (column.kind === undefined || column.kind === 'text') throw notNumeric(file, column, name);
    columns.push({ feature, name, leaf: column.leaf, kind: column.kind });
  });
  // in file order, so that a unit reads neighbouring chunks
  columns.sort((a, b) => a.leaf - b.leaf);
  const bytesPerUnit = request.unitBytes ?? IO_DEFAULTS.parquetTaskBytes;
  let rows = 0;
  return {
    async *steps() {
      if (request.wholeRows) {
        for (let group = 0; group < layout.groupRows.length; group++) {
          if (layout.groupRows[group] === 0) continue;
          rows += layout.groupRows[group]!;
          yield* windowUnits(file, layout.groupRows[group]!, group, request.featureNames.length, columns.map((column) => ({ ...column, chunk: layout.chunk(group, column.leaf) })), request.blockRows, bytesPerUnit);
        }
        return true;
      }
      for (let group = 0; group < layout.groupRows.length; group++) {
        if (layout.groupRows[group] === 0) continue;
        rows += layout.groupRows[group]!;
        let unit: ParquetChunksUnit = { file, group, features: request.featureNames.length, columns: [] };
        let unitBytes = 0;
        for (const column of columns) {
          const chunk = layout.chunk(group, column.leaf);
          unit.columns.push({ feature: column.feature, name: column.name, kind: column.kind, chunk });
          unitBytes += chunk.length;
          if (unitBytes >= bytesPerUnit) {
            yield { read: unit };
            unit = { file, group, features: request.featureNames.length, columns: [] };
            unitBytes = 0;
          }
        }
        if (unit.columns.length > 0) yield { read: unit };
      }
      return true;
    },
    absent: () => absent,
    columns: () => names,
    rows: () => rows,
    quality: 'units',
    noRows: () => new InputError('no data rows', { file }),
    close() {},
  };
}

/**
 * Whole-row units of one row group: windows of rows (a multiple of blockRows, about `bytesPerUnit`
 * of decoded values), each naming per column the pages that hold its rows, found by walking the
 * chunk's page headers here (pread of the headers only).
 */
function* windowUnits(file: string, groupRows: number, group: number, features: number, columns: { feature: number; name: string; kind: ValueKind; chunk: ChunkRef }[], blockRows: number, bytesPerUnit: number): Generator<{ read: ParquetChunksUnit }> {
  const blocks = Math.max(1, Math.floor(bytesPerUnit / (8 * columns.length * blockRows)));
  const windowRows = Math.max(1, Math.min(WINDOW_ROWS_LIMIT, blocks * blockRows));
  const fd = openSync(file);
  let pages: ChunkPages[];
  try {
    pages = columns.map((column) => chunkPages(fd, column.chunk, { file, column: column.name, group }));
  } finally {
    fs.closeSync(fd);
  }
  for (let first = 0; first < groupRows; first += windowRows) {
    const rows = Math.min(windowRows, groupRows - first);
    const unit: ParquetChunksUnit = { file, group, features, columns: [], window: { first, rows }, pages: [] };
    columns.forEach((column, c) => {
      const { starts, rows: pageRows, dictionary, end } = pages[c]!;
      // the last page that starts at or before `first`, and the first that starts at or after the window's end
      let i = 0;
      while (i + 1 < starts.length && pageRows[i + 1]! <= first) i++;
      let j = i + 1;
      while (j < starts.length && pageRows[j]! < first + rows) j++;
      const dataEnd = j < starts.length ? starts[j]! : end;
      const coveredRows = (j < starts.length ? pageRows[j]! : groupRows) - pageRows[i]!;
      const ranges = dictionary ? [dictionary, { start: starts[i]!, length: dataEnd - starts[i]! }] : [{ start: starts[i]!, length: dataEnd - starts[i]! }];
      unit.columns.push({ ...column, chunk: { ...column.chunk, start: starts[i]!, length: dataEnd - starts[i]!, rows: coveredRows } });
      unit.pages!.push({ ranges, skip: first - pageRows[i]! });
    });
    yield { read: unit };
  }
}

/** A worker's decoded column chunk, reused from unit to unit. */
let values = new Float64Array(0);
/** A worker's decoded window of whole rows (feature c at c * rows), reused from unit to unit. */
let window = new Float64Array(0);
/**
 * The decoded dictionaries of the row group a worker's last window was in, one per column of the
 * unit (by its position), with the dictionary page's offset: the windows of a row group share its
 * dictionary pages, decoded once per worker (a page of up to 1 MiB per column for pyarrow, against
 * a window's few pages of values). A column's memory is reused by the next row group's dictionary
 * when it fits, so that a worker does not leave a row group's dictionaries behind as garbage.
 */
const dictionaries = { key: '', columns: [] as (KnownDictionary & { start: number })[] };

/** Worker side: read, decode and bin the unit's column chunks; their non-finite counts go back in `quality`. */
export function scanParquetUnit(unit: ParquetChunksUnit, target: ScanTarget): ScanUnitResult {
  if (unit.window) return scanParquetWindow(unit, unit.window, target);
  const quality = emptyQuality(unit.features);
  const fd = openSync(unit.file);
  try {
    const capacity = Math.floor(target.read.bytes / 8);
    const region = new Float64Array(target.memory.buffer, target.read.ptr, capacity);
    for (const { feature, name, kind, chunk } of unit.columns) {
      if (values.length < chunk.rows) values = new Float64Array(Math.max(chunk.rows, values.length * 2));
      const column = values.subarray(0, chunk.rows);
      decodeNumericChunk(readChunkBytes(fd, unit.file, chunk), chunk, kind, column, { file: unit.file, column: name, group: unit.group });
      countNonFinite(column, quality, feature);
      for (let first = 0; first < column.length; first += capacity) {
        const n = Math.min(capacity, column.length - first);
        region.set(column.subarray(first, first + n));
        target.binValues(feature, target.read.ptr, n);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  // rows are counted per row group on the main side
  return { rows: 0, quality };
}

/** Worker side of a whole-row unit: decode the pages of its window, column by column, then bin it block by block (binBlock). */
function scanParquetWindow(unit: ParquetChunksUnit, { rows }: { first: number; rows: number }, target: ScanTarget): ScanUnitResult {
  const quality = emptyQuality(unit.features);
  const nColumns = unit.columns.length;
  if (window.length < rows * nColumns) window = new Float64Array(rows * nColumns);
  const key = `${unit.group}\0${unit.file}`;
  if (dictionaries.key !== key) {
    dictionaries.key = key;
    for (const known of dictionaries.columns) {
      known.start = -1;
      known.dictionary = undefined;
    }
  }
  const fd = openSync(unit.file);
  try {
    unit.columns.forEach(({ feature, name, kind, chunk }, c) => {
      const { ranges, skip } = unit.pages![c]!;
      if (values.length < chunk.rows) values = new Float64Array(Math.max(chunk.rows, values.length * 2));
      const column = values.subarray(0, chunk.rows);
      // the first range is the dictionary page when there are two
      const dictionaryAt = ranges.length > 1 ? ranges[0]!.start : -1;
      const known = (dictionaries.columns[c] ??= { start: -1 });
      if (dictionaryAt < 0 || known.start !== dictionaryAt) {
        known.start = -1;
        known.dictionary = undefined;
      }
      const read = known.dictionary ? ranges.slice(1) : ranges;
      decodeNumericChunk(readChunkRanges(fd, unit.file, read), chunk, kind, column, { file: unit.file, column: name, group: unit.group }, known);
      if (dictionaryAt >= 0 && known.dictionary) known.start = dictionaryAt;
      const part = window.subarray(c * rows, (c + 1) * rows);
      part.set(column.subarray(skip, skip + rows));
      countNonFinite(part, quality, feature);
    });
  } finally {
    fs.closeSync(fd);
  }
  const f64 = new Float64Array(target.memory.buffer);
  const columnsAt = target.columnsPtr >>> 3;
  for (let first = 0; first < rows; first += target.blockRows) {
    const n = Math.min(target.blockRows, rows - first);
    unit.columns.forEach(({ feature }, c) => f64.set(window.subarray(c * rows + first, c * rows + first + n), columnsAt + feature * target.blockRows));
    target.binBlock(n);
  }
  // rows are counted per row group on the main side
  return { rows: 0, quality };
}

function countNonFinite(column: Float64Array, quality: Float64Array, feature: number): void {
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  for (let i = 0; i < column.length; i++) {
    const value = column[i]!;
    if (value - value === 0) continue; // finite
    if (value !== value) nan++;
    else if (value > 0) posInf++;
    else negInf++;
  }
  quality[qualityIndex(feature, QUALITY.nan)]! += nan;
  quality[qualityIndex(feature, QUALITY.posInf)]! += posInf;
  quality[qualityIndex(feature, QUALITY.negInf)]! += negInf;
}
