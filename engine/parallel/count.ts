/**
 * Count the bin histograms of whole files with the pool: CSV files are split into byte ranges
 * that the workers parse and bin themselves; Arrow files are read on the main side and their
 * columns copied into the shared memory in blocks for the workers to bin.
 */
import { readCsvLayout, splitCsvRanges } from '../io/csv.js';
import { openBatches, detectFormat } from '../io/index.js';
import { SchemaError, InputError } from '../errors.js';
import { ScanPool } from './pool.js';
import { addSlotCounts, emptyHistograms, mergeHistograms, type Histograms } from './histograms.js';
import type { CsvLayout } from '../io/types.js';

export interface CountOptions {
  coerce?: boolean;
  /** bytes per CSV range task (default 16 MiB; smaller ranges balance better, larger cost less) */
  rangeBytes?: number;
}

/**
 * Bin every feature of `file` on the plan the pool was prepared with. `featureNames` are the
 * baseline's features: each must be in the file.
 */
export async function countFile(pool: ScanPool, file: string, featureNames: string[], options: CountOptions = {}): Promise<Histograms> {
  const format = await detectFormat(file);
  if (format === 'csv') return countCsv(pool, file, featureNames, options);
  return countArrow(pool, file, featureNames);
}

function csvColumnMap(layout: CsvLayout, featureNames: string[]): Int32Array {
  const index = new Map(layout.names.map((name, i) => [name, i]));
  const columnMap = new Int32Array(layout.names.length).fill(-1);
  featureNames.forEach((name, f) => {
    const column = index.get(name);
    if (column === undefined) throw new SchemaError(`feature "${name}" of the baseline is missing from this file (it has ${layout.names.length} columns)`, { file: layout.file });
    columnMap[column] = f;
  });
  return columnMap;
}

async function countCsv(pool: ScanPool, file: string, featureNames: string[], options: CountOptions): Promise<Histograms> {
  const layout = await readCsvLayout(file);
  const columnMap = csvColumnMap(layout, featureNames);
  const rangeBytes = options.rangeBytes ?? 16 * 1024 * 1024;
  const parts = Math.max(1, Math.ceil((layout.fileSize - layout.dataStart) / rangeBytes));
  const ranges = splitCsvRanges(layout, parts, Math.min(rangeBytes, 1024 * 1024));
  let totals = await countRanges(pool, layout, ranges, columnMap, featureNames, options);
  if (totals.quoteSeen && ranges.length > 1) {
    // a cut point may have fallen inside a quoted field: parse the file as one sequential range
    totals = await countRanges(pool, layout, [[layout.dataStart, layout.fileSize]], columnMap, featureNames, options);
  }
  if (totals.histograms.rows === 0) throw new InputError('no data rows after the header', { file });
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

async function countArrow(pool: ScanPool, file: string, featureNames: string[]): Promise<Histograms> {
  const plan = pool.plan;
  const totals = emptyHistograms(featureNames, plan.nEdges);
  const pending: Array<Promise<void>> = [];
  let failed: unknown;
  for await (const batch of openBatches(file, { countQuality: false, withLabel: false })) {
    const columns = featureNames.map((name) => {
      const child = batch.getChild(name);
      if (!child) throw new SchemaError(`feature "${name}" of the baseline is missing from this file`, { file });
      return child.toArray() as Float64Array;
    });
    for (let offset = 0; offset < batch.numRows; offset += plan.blockRows) {
      const rows = Math.min(plan.blockRows, batch.numRows - offset);
      const slot = await pool.acquire();
      if (failed) {
        pool.release(slot);
        throw failed;
      }
      const block = pool.columns(slot);
      columns.forEach((values, f) => block.set(values.subarray(offset, offset + rows), f * plan.blockRows));
      const part = pool
        .run({ kind: 'bin-block', rows, plan, slot: pool.slotAddress(slot) })
        .then((result) => {
          const partial = emptyHistograms(featureNames, plan.nEdges);
          addSlotCounts(partial, pool.counts(slot), plan.countsOffset);
          partial.rows = result.rows;
          mergeHistograms(totals, partial);
        })
        .catch((err: unknown) => {
          failed ??= err;
        })
        .finally(() => pool.release(slot));
      pending.push(part);
    }
  }
  await Promise.all(pending);
  if (failed) throw failed;
  // the kernel counts non-finite values in one slot; Arrow input has no text to tell NaN from Inf
  featureNames.forEach((_, f) => {
    totals.quality[4 * f] = totals.counts[f]![plan.nEdges[f]! + 1]!;
  });
  if (totals.rows === 0) throw new InputError('no data rows', { file });
  return totals;
}
