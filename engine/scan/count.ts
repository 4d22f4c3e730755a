/**
 * Count the bin histograms of whole files with the pool: CSV files are split into byte ranges
 * that the workers parse and bin themselves. Of an Arrow IPC file the main side reads only the
 * footer and each record batch's metadata, and tells workers where the feature columns' buffers
 * are; they pread them into their slots and bin them in place. Files that path does not handle
 * (stream format, compressed bodies, half floats, ...) are read on the main side with
 * apache-arrow and their columns copied into the shared memory in blocks for the workers to bin.
 */
import { readCsvLayout, splitCsvRanges } from '../io/index.js';
import { openBatches, detectFormat } from '../io/index.js';
import { ArrowIpcFile, IpcType, SEGMENT_FIELDS, valueBytes, valueKindOf, type IpcBatchLayout, type IpcField } from '../io/index.js';
import { normaliseNames, resolveFeatures } from '../io/index.js';
import { SchemaError, InputError } from '../util/index.js';
import { ScanPool } from './pool.js';
import { addSlotCounts, emptyHistograms, type Histograms } from './histograms.js';
import type { CsvLayout } from '../io/index.js';
import type { Task } from './protocol.js';

export interface CountOptions {
  coerce?: boolean;
  /**
   * bytes per task: of a CSV file's byte range (default 16 MiB), of an Arrow file's column values
   * (default 8 MiB); smaller tasks balance better, larger ones cost less
   */
  rangeBytes?: number;
  /**
   * a baseline feature the file lacks: `error` (default), a SchemaError; `skip`, its counts stay
   * zero (every slot, the missing one too), as `--compat driftcatcher` needs
   */
  missingFeatures?: 'error' | 'skip';
  /** CSV: the longest line accepted, in bytes (ReadOptions.maxLineBytes; default 1 MiB) */
  maxLineBytes?: number;
}

/**
 * Bin every feature of `file` on the plan the pool was prepared with. `featureNames` are the
 * baseline's features: each must be in the file, unless `missingFeatures` is `skip`.
 */
export async function countFile(pool: ScanPool, file: string, featureNames: string[], options: CountOptions = {}): Promise<Histograms> {
  const format = detectFormat(file);
  if (format === 'csv') return countCsv(pool, file, featureNames, options);
  return countArrow(pool, file, featureNames, options);
}

/** The file column -> feature map, and the features the file lacks (SchemaError unless skipped). */
function csvColumnMap(layout: CsvLayout, featureNames: string[], options: CountOptions): { columnMap: Int32Array; absent: number[] } {
  const index = new Map(layout.names.map((name, i) => [name, i]));
  const columnMap = new Int32Array(layout.names.length).fill(-1);
  const absent: number[] = [];
  featureNames.forEach((name, f) => {
    const column = index.get(name);
    if (column !== undefined) columnMap[column] = f;
    else if (options.missingFeatures === 'skip') absent.push(f);
    else throw new SchemaError(`feature "${name}" of the baseline is missing from this file (it has ${layout.names.length} columns)`, { file: layout.file });
  });
  return { columnMap, absent };
}

/**
 * Zero the counts of features the file lacks: their columns in a slot's block were never written
 * (they hold whatever the slot held before), so the kernel's counts of them mean nothing.
 */
function clearAbsent(histograms: Histograms, absent: readonly number[]): void {
  for (const f of absent) {
    histograms.counts[f]!.fill(0);
    histograms.quality.fill(0, 4 * f, 4 * f + 4);
  }
}

async function countCsv(pool: ScanPool, file: string, featureNames: string[], options: CountOptions): Promise<Histograms> {
  const layout = await readCsvLayout(file, { maxLineBytes: options.maxLineBytes });
  const { columnMap, absent } = csvColumnMap(layout, featureNames, options);
  const rangeBytes = options.rangeBytes ?? 16 * 1024 * 1024;
  const parts = Math.max(1, Math.ceil((layout.fileSize - layout.dataStart) / rangeBytes));
  const ranges = splitCsvRanges(layout, parts, Math.min(rangeBytes, 1024 * 1024));
  let totals = await countRanges(pool, layout, ranges, columnMap, featureNames, options);
  if (totals.quoteSeen && ranges.length > 1) {
    // a cut point may have fallen inside a quoted field: parse the file as one sequential range
    totals = await countRanges(pool, layout, [[layout.dataStart, layout.fileSize]], columnMap, featureNames, options);
  }
  if (totals.histograms.rows === 0) throw new InputError('no data rows after the header', { file });
  clearAbsent(totals.histograms, absent);
  return totals.histograms;
}

async function countRanges(
  pool: ScanPool,
  layout: CsvLayout,
  ranges: Array<[number, number]>,
  columnMap: Int32Array,
  featureNames: string[],
  options: CountOptions,
): Promise<{ histograms: Histograms; quoteSeen: boolean }> {
  const plan = pool.plan;
  const histograms = emptyHistograms(featureNames, plan.nEdges);
  const outcomes = await Promise.allSettled(
    ranges.map(async ([start, end]) => {
      const slot = await pool.acquire();
      try {
        const result = await pool.run({ kind: 'csv-range', layout, start, end, columnMap, featureNames, coerce: options.coerce ?? false, plan, slot: pool.slotAddress(slot) });
        addSlotCounts(histograms, pool.counts(slot), plan.countsOffset);
        histograms.rows += result.rows;
        for (let i = 0; i < histograms.quality.length; i++) histograms.quality[i]! += result.quality[i]!;
        return result.quoteSeen;
      } finally {
        pool.release(slot);
      }
    }),
  );
  // In file order: a range after one that met a quote may have started inside a quoted field and
  // failed on a fragment; the caller re-runs the file as one range, so such errors do not count.
  let quoteSeen = false;
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected' && !quoteSeen) throw outcome.reason;
    if (outcome.status === 'fulfilled' && outcome.value) quoteSeen = true;
  }
  return { histograms, quoteSeen };
}

async function countArrow(pool: ScanPool, file: string, featureNames: string[], options: CountOptions): Promise<Histograms> {
  const plan = pool.plan;
  const totals = (await countArrowIpc(pool, file, featureNames, options)) ?? (await countArrowBatches(pool, file, featureNames, options));
  // the kernel counts non-finite values in one slot; Arrow input has no text to tell NaN from Inf
  featureNames.forEach((_, f) => {
    totals.quality[4 * f] = totals.counts[f]![plan.nEdges[f]! + 1]!;
  });
  if (totals.rows === 0) throw new InputError('no data rows', { file });
  return totals;
}

/** Bytes of values one Arrow task reads, about: large enough that messages cost nothing, small enough to balance. */
const ARROW_TASK_BYTES = 8 * 1024 * 1024;
/** Column segments one task carries at most (files of many small batches). */
const ARROW_TASK_SEGMENTS = 4096;

interface IpcColumnPlan {
  feature: number;
  kind: number;
  width: number;
  /** the column's field node and validity buffer index in every batch (its values are the next buffer) */
  node: number;
  buffer: number;
}

/**
 * The Arrow IPC fast path. Only the footer and the record batches' metadata are read here; each
 * task names byte ranges of the file (feature columns' value buffers, and validity bitmaps where
 * a batch has nulls) that a worker preads into its slot and bins where they land, about 8 MiB of
 * values per task (`rangeBytes`), so a large batch is split by columns and small ones are grouped.
 *
 * Undefined when the path does not apply and the file should be read with apache-arrow: the
 * stream format, big-endian or pre-V4 metadata, types whose layout it does not know, columns
 * today's reader refuses or converts (non-numeric, dictionary-encoded, half floats), a baseline
 * feature the file lacks, or a batch that is compressed or shaped unlike its schema. Float32 and
 * integer columns are widened to f64 by the worker; nulls become NaN, as apache-arrow's path does.
 * With `missingFeatures: 'skip'` a feature the file lacks gets no segments (its counts stay zero).
 */
export async function countArrowIpc(pool: ScanPool, file: string, featureNames: string[], options: CountOptions = {}): Promise<Histograms | undefined> {
  const bytesPerTask = options.rangeBytes ?? ARROW_TASK_BYTES;
  const ipc = ArrowIpcFile.open(file);
  if (!ipc) return undefined;
  try {
    const columns = planIpcColumns(ipc, featureNames, options.missingFeatures === 'skip');
    const expected = ipc.expectedCounts();
    if (!columns || !expected) return undefined;
    const plan = pool.plan;
    const totals = emptyHistograms(featureNames, plan.nEdges);
    const tasks = new SlotTasks(pool, totals);
    const segments = new Float64Array(ARROW_TASK_SEGMENTS * SEGMENT_FIELDS);
    let segmentCount = 0;
    let taskBytes = 0;

    const flush = async (): Promise<void> => {
      if (segmentCount === 0) return;
      const taskSegments = segments.slice(0, segmentCount * SEGMENT_FIELDS);
      segmentCount = 0;
      taskBytes = 0;
      await tasks.submit((slot) => ({ kind: 'arrow-segments', file, segments: taskSegments, plan, slot: pool.slotAddress(slot) }));
    };

    let applies = true;
    try {
      for (let b = 0; b < ipc.batchCount && !tasks.failed; b++) {
        const batch = ipc.readBatch(b);
        if (!batchApplies(ipc, b, batch, expected, columns)) {
          applies = false;
          break;
        }
        if (batch.length === 0) continue;
        totals.rows += batch.length;
        for (const column of columns) {
          const at = segmentCount++ * SEGMENT_FIELDS;
          segments[at] = column.feature;
          segments[at + 1] = column.kind;
          segments[at + 2] = batch.length;
          segments[at + 3] = batch.buffers[2 * (column.buffer + 1)]!;
          segments[at + 4] = batch.nodes[2 * column.node + 1]! > 0 ? batch.buffers[2 * column.buffer]! : -1;
          taskBytes += batch.length * column.width;
          if (taskBytes >= bytesPerTask || segmentCount === ARROW_TASK_SEGMENTS) await flush();
        }
      }
      if (applies) await flush();
    } catch (err) {
      tasks.fail(err);
    }
    await tasks.settle();
    return applies ? totals : undefined;
  } finally {
    ipc.close();
  }
}

/** Feature columns of the file for the fast path (in file order), or undefined when it does not apply. */
function planIpcColumns(ipc: ArrowIpcFile, featureNames: string[], skipMissing: boolean): IpcColumnPlan[] | undefined {
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
    if (batch.nodes[2 * column.node] !== batch.length) return false;
    const nullCount = batch.nodes[2 * column.node + 1]!;
    const validityBytes = batch.buffers[2 * column.buffer + 1]!;
    const valuesBytes = batch.buffers[2 * (column.buffer + 1) + 1]!;
    if (valuesBytes < batch.length * column.width || (nullCount > 0 && validityBytes < Math.ceil(batch.length / 8))) {
      throw new InputError(`not a readable Arrow IPC file (record batch ${index}: a feature column's buffers are shorter than its ${batch.length} rows)`, { file: ipc.file });
    }
  }
  return true;
}

/** Today's Arrow path: batches read with apache-arrow on the main side, copied into slot blocks. */
export async function countArrowBatches(pool: ScanPool, file: string, featureNames: string[], options: CountOptions = {}): Promise<Histograms> {
  const plan = pool.plan;
  const totals = emptyHistograms(featureNames, plan.nEdges);
  const tasks = new SlotTasks(pool, totals);
  const absent = new Set<number>();
  try {
    for await (const batch of openBatches(file, { countQuality: false, withLabel: false })) {
      if (tasks.failed) break;
      const columns = featureNames.map((name, f) => {
        const child = batch.getChild(name);
        if (child) return child.toArray() as Float64Array;
        if (options.missingFeatures !== 'skip') throw new SchemaError(`feature "${name}" of the baseline is missing from this file`, { file });
        absent.add(f);
        return undefined;
      });
      for (let offset = 0; offset < batch.numRows; offset += plan.blockRows) {
        const rows = Math.min(plan.blockRows, batch.numRows - offset);
        totals.rows += rows;
        await tasks.submit((slot) => {
          const block = pool.columns(slot);
          columns.forEach((values, f) => values && block.set(values.subarray(offset, offset + rows), f * plan.blockRows));
          return { kind: 'bin-block', rows, plan, slot: pool.slotAddress(slot) };
        });
      }
    }
  } catch (err) {
    tasks.fail(err);
  }
  await tasks.settle();
  clearAbsent(totals, [...absent]);
  return totals;
}

/**
 * Tasks in flight over the pool's slots, for the Arrow paths: `submit` borrows a slot (waiting for
 * one), lets `task` fill it and name the work, runs it and adds the slot's counts into `totals`;
 * `settle` waits until every slot is handed back, then throws the first failure. After a failure
 * nothing more is started.
 */
class SlotTasks {
  readonly #pool: ScanPool;
  readonly #totals: Histograms;
  readonly #inFlight = new Set<Promise<void>>();
  #failure: { reason: unknown } | undefined;

  constructor(pool: ScanPool, totals: Histograms) {
    this.#pool = pool;
    this.#totals = totals;
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  fail(reason: unknown): void {
    this.#failure ??= { reason };
  }

  async submit(task: (slot: number) => Task): Promise<void> {
    const pool = this.#pool;
    const slot = await pool.acquire();
    if (this.#failure) {
      pool.release(slot);
      return;
    }
    const part: Promise<void> = Promise.resolve()
      .then(() => pool.run(task(slot)))
      .then(() => addSlotCounts(this.#totals, pool.counts(slot), pool.plan.countsOffset))
      .catch((reason: unknown) => this.fail(reason))
      .finally(() => {
        pool.release(slot);
        this.#inFlight.delete(part);
      });
    this.#inFlight.add(part);
  }

  async settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
    if (this.#failure) throw this.#failure.reason;
  }
}
