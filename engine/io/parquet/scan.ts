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
import { chunkPages, decodeDictionaryPage, decodeNumericChunk, notNumeric, readChunkBytes, readParquetLayout, type ChunkPages, type ChunkRef, type ValueKind } from './decode.js';

/** Column chunks of one row group for a worker to read, decode and bin (plain data: it crosses to the worker). */
export interface ParquetChunksUnit {
  file: string;
  group: number;
  /** features in the scan (the length of the quality counters) */
  features: number;
  columns: { feature: number; name: string; kind: ValueKind; chunk: ChunkRef }[];
  /**
   * Whole rows (ScanRequest.wholeRows): this unit is rows [first, first + rows) of the row group,
   * every feature; each column's `chunk` is then the byte range of the data pages that hold those
   * rows (`chunk.rows`: the rows they hold, from `pages[c].skip` rows before `first`), and
   * `pages[c].dictionary` its dictionary page, if any, decoded into `dictionaries`.
   */
  window?: { first: number; rows: number } | undefined;
  pages?: { skip: number; dictionary?: SharedDictionary | undefined }[] | undefined;
  /**
   * The row group's decoded dictionaries, shared by every worker (whole-row units): an i32 state per
   * column of the unit (by its position; DICTIONARY_STATE), then the f64 values. The first worker
   * to meet a column's dictionary decodes it there; the others wait for it.
   */
  dictionaries?: SharedArrayBuffer | undefined;
}

/** Where a column's dictionary page is in the file, and where its values go in the unit's `dictionaries`. */
export interface SharedDictionary {
  start: number;
  length: number;
  /** its values, and the f64 index of the first in `dictionaries` */
  values: number;
  at: number;
}

/** A shared dictionary's state (an i32 per column at the start of `dictionaries`). */
const DICTIONARY_STATE = { empty: 0, decoding: 1, ready: 2, failed: 3 } as const;
const DICTIONARY_WAIT_MS = 10_000;

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
  const arenas = new DictionaryArenas();
  return {
    async *steps() {
      if (request.wholeRows) {
        let started = false;
        for (let group = 0; group < layout.groupRows.length; group++) {
          if (layout.groupRows[group] === 0) continue;
          rows += layout.groupRows[group]!;
          // the row group's dictionaries take the place of the last one's once its windows are done
          if (started) yield { drain: true };
          started = true;
          yield* windowUnits(file, layout.groupRows[group]!, group, request.featureNames.length, columns.map((column) => ({ ...column, chunk: layout.chunk(group, column.leaf) })), request.blockRows, bytesPerUnit, arenas);
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
    close() {
      arenas.close();
    },
  };
}

/**
 * The shared memory a plan's row group dictionaries are decoded into: one buffer, reused from row
 * group to row group (the plan drains the workers in between) and, once the plan is closed, by the
 * next plan of the process (a baseline's passes): the workers then hold one row group's
 * dictionaries between them, not one copy each.
 */
class DictionaryArenas {
  /** the last closed plan's buffer, while the garbage collector has not taken it (it is not kept alive for this) */
  static #free: WeakRef<SharedArrayBuffer> | undefined;
  #buffer: SharedArrayBuffer | undefined;

  /** A buffer of at least `bytes`, its first `stateBytes` zeroed (every state empty); the previous one's units must be done. */
  take(bytes: number, stateBytes: number): SharedArrayBuffer {
    if (!this.#buffer) {
      const free = DictionaryArenas.#free?.deref();
      if (free && free.byteLength >= bytes) {
        this.#buffer = free;
        DictionaryArenas.#free = undefined;
      }
    }
    if (!this.#buffer || this.#buffer.byteLength < bytes) this.#buffer = new SharedArrayBuffer(bytes);
    new Uint8Array(this.#buffer, 0, stateBytes).fill(0);
    return this.#buffer;
  }

  /** Leave the buffer to the next plan, unless a larger one is still there. */
  close(): void {
    const free = DictionaryArenas.#free?.deref();
    if (this.#buffer && !(free && free.byteLength >= this.#buffer.byteLength)) DictionaryArenas.#free = new WeakRef(this.#buffer);
    this.#buffer = undefined;
  }
}

/**
 * Whole-row units of one row group: windows of rows (a multiple of blockRows, about `bytesPerUnit`
 * of decoded values, or up to where pages end: windowEnds), each naming per column the pages that
 * hold its rows, found by walking the chunk's page headers here (pread of the headers only).
 */
function* windowUnits(file: string, groupRows: number, group: number, features: number, columns: { feature: number; name: string; kind: ValueKind; chunk: ChunkRef }[], blockRows: number, bytesPerUnit: number, arenas: DictionaryArenas): Generator<{ read: ParquetChunksUnit }> {
  const blocks = Math.max(1, Math.floor(bytesPerUnit / (8 * columns.length * blockRows)));
  const windowRows = Math.max(1, Math.min(WINDOW_ROWS_LIMIT, blocks * blockRows));
  const fd = openSync(file);
  let pages: ChunkPages[];
  try {
    pages = columns.map((column) => chunkPages(fd, column.chunk, { file, column: column.name, group }));
  } finally {
    fs.closeSync(fd);
  }
  const stateBytes = Math.ceil((4 * columns.length) / 8) * 8;
  let at = stateBytes / 8;
  const shared = pages.map(({ dictionary }): SharedDictionary | undefined => {
    if (!dictionary) return undefined;
    const placed = { ...dictionary, at };
    at += dictionary.values;
    return placed;
  });
  const dictionaries = shared.some(Boolean) ? arenas.take(8 * at, stateBytes) : undefined;
  const ends = windowEnds(pages, groupRows, windowRows);
  for (let w = 0, first = 0; w < ends.length; first = ends[w++]!) {
    const rows = ends[w]! - first;
    const unit: ParquetChunksUnit = { file, group, features, columns: [], window: { first, rows }, pages: [], dictionaries };
    columns.forEach((column, c) => {
      const { starts, rows: pageRows, end } = pages[c]!;
      // the last page that starts at or before `first`, and the first that starts at or after the window's end
      let i = 0;
      while (i + 1 < starts.length && pageRows[i + 1]! <= first) i++;
      let j = i + 1;
      while (j < starts.length && pageRows[j]! < first + rows) j++;
      const dataEnd = j < starts.length ? starts[j]! : end;
      const coveredRows = (j < starts.length ? pageRows[j]! : groupRows) - pageRows[i]!;
      unit.columns.push({ ...column, chunk: { ...column.chunk, start: starts[i]!, length: dataEnd - starts[i]!, rows: coveredRows } });
      unit.pages!.push({ skip: first - pageRows[i]!, dictionary: shared[c] });
    });
    yield { read: unit };
  }
}

/**
 * Where the windows of a row group end: at least `windowRows` rows on, at the first row where
 * pages of most columns end, when one is within ALIGN_ROWS_FACTOR times that (else after
 * `windowRows`), so that most pages are decoded once: pyarrow ends a page every 20,000 rows (or
 * sooner at 1 MiB), and windows of 8,192 rows decoded each page three or four times.
 */
function windowEnds(pages: ChunkPages[], groupRows: number, windowRows: number): number[] {
  // the rows at which a page starts in at least half of the columns
  const starts = new Map<number, number>();
  for (const column of pages) for (const row of column.rows) starts.set(row, (starts.get(row) ?? 0) + 1);
  const boundaries = [...starts].filter(([row, n]) => row > 0 && 2 * n >= pages.length).map(([row]) => row).sort((a, b) => a - b);
  const ends: number[] = [];
  let k = 0;
  for (let first = 0; first < groupRows; ) {
    while (k < boundaries.length && boundaries[k]! < first + windowRows) k++;
    const aligned = k < boundaries.length ? boundaries[k]! : groupRows;
    const end = aligned <= first + ALIGN_ROWS_FACTOR * windowRows ? aligned : Math.min(groupRows, first + windowRows);
    ends.push(end);
    first = end;
  }
  return ends;
}

/** How much longer than its rows a window may grow to end where pages end. */
const ALIGN_ROWS_FACTOR = 4;

/** A worker's decoded column chunk, reused from unit to unit. */
let values = new Float64Array(0);
/** A worker's decoded window of whole rows (feature c at c * rows), reused from unit to unit. */
let window = new Float64Array(0);
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
  const states = unit.dictionaries ? new Int32Array(unit.dictionaries, 0, nColumns) : undefined;
  const fd = openSync(unit.file);
  try {
    unit.columns.forEach(({ feature, name, kind, chunk }, c) => {
      const { skip, dictionary } = unit.pages![c]!;
      const where = { file: unit.file, column: name, group: unit.group };
      const decoded = dictionary ? sharedDictionary(fd, unit.dictionaries!, states!, c, dictionary, chunk, kind, where) : undefined;
      if (values.length < chunk.rows) values = new Float64Array(Math.max(chunk.rows, values.length * 2));
      const column = values.subarray(0, chunk.rows);
      decodeNumericChunk(readChunkBytes(fd, unit.file, chunk), chunk, kind, column, where, decoded);
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

/**
 * Column `c`'s dictionary in the shared `buffer`: decoded here if no worker has claimed it yet,
 * else waited for. A dictionary that failed to decode elsewhere (or whose worker stopped) is
 * decoded again here, into memory of this thread's own, so that this unit fails with the same error.
 */
function sharedDictionary(fd: number, buffer: SharedArrayBuffer, states: Int32Array, c: number, dictionary: SharedDictionary, chunk: ChunkRef, kind: ValueKind, where: { file: string; column: string; group: number }): Float64Array {
  const into = new Float64Array(buffer, 8 * dictionary.at, dictionary.values);
  for (;;) {
    const state = Atomics.compareExchange(states, c, DICTIONARY_STATE.empty, DICTIONARY_STATE.decoding);
    if (state === DICTIONARY_STATE.ready) return into;
    // a worker that has not decoded 1 MiB in this time is gone (the scan is failing): decode it here
    if (state === DICTIONARY_STATE.decoding && Atomics.wait(states, c, DICTIONARY_STATE.decoding, DICTIONARY_WAIT_MS) !== 'timed-out') continue;
    const own = state === DICTIONARY_STATE.empty ? into : new Float64Array(dictionary.values);
    let ok = false;
    try {
      decodeDictionaryPage(readChunkBytes(fd, where.file, dictionary), chunk, kind, own, where);
      ok = true;
    } finally {
      if (state === DICTIONARY_STATE.empty) {
        Atomics.store(states, c, ok ? DICTIONARY_STATE.ready : DICTIONARY_STATE.failed);
        Atomics.notify(states, c);
      }
    }
    return own;
  }
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
