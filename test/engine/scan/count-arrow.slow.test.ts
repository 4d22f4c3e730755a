/**
 * The Arrow IPC fast path (workers pread column buffers into their slots) against the CSV path
 * and apache-arrow's path on the same data: same histograms and reports whatever the batch sizes,
 * types, nulls and number of workers; files it does not handle fall back with the same results;
 * broken files are one-line InputErrors that leave no slot borrowed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Float64, Table, tableFromArrays, tableToIPC, vectorFromArray } from 'apache-arrow';
import { binEdges } from '../../../engine/drift/index.js';
import { countFile, ScanPool, type Histograms } from '../../../engine/scan/index.js';
import { createBaseline, resolveDriftOptions, saveProfile, scanDrift, type Profile } from '../../../engine/index.js';
import { countPlan } from '../../../engine/scan/count.js';
import { ArrowIpcFile } from '../../../engine/io/arrow/ipc.js';
import { planIpcScan } from '../../../engine/io/arrow/scan.js';
import { arrowReader } from '../../../engine/io/arrow.js';
import { IO_DEFAULTS, planBatchScan, type ScanRequest } from '../../../engine/io/index.js';
import type { Task, TaskOk } from '../../../engine/scan/protocol.js';
import { makeTestData, writeTestArrow, writeTestCsv, type ArrowBuildOptions, type ColumnKind, type TestData } from '../io/arrow-build.js';
import { tempDir } from '../io/fixtures.js';
import { cli } from '../../helpers.js';

/** Counts and rows, comparable across paths (quality is filled in by countFile per format). */
function plain(h: Histograms) {
  return { rows: h.rows, counts: h.counts.map((c) => Array.from(c)) };
}

/** Non-finite values per feature: the CSV path tells NaN from ±Inf, the Arrow paths cannot. */
function nonFinite(h: Histograms): number[] {
  return h.featureNames.map((_, f) => h.quality[4 * f]! + h.quality[4 * f + 1]! + h.quality[4 * f + 2]!);
}

function scanRequest(pool: ScanPool, featureNames: string[], rangeBytes?: number): ScanRequest {
  return { featureNames, missingFeatures: 'error', coerce: false, maxLineBytes: IO_DEFAULTS.maxLineBytes, unitBytes: rangeBytes, blockRows: pool.blockRows };
}

/** The Arrow reader's fast path alone: undefined when it does not apply, from the start or midway. */
async function countArrowIpc(pool: ScanPool, file: string, featureNames: string[], options: { rangeBytes?: number | undefined } = {}): Promise<Histograms | undefined> {
  const plan = planIpcScan(file, scanRequest(pool, featureNames, options.rangeBytes), () => Promise.reject(new Error('not scanned here')));
  if (!plan) return undefined;
  const counted = await countPlan(pool, 'arrow', plan, featureNames);
  return counted === 'fallback' ? undefined : counted;
}

/** The fallback alone: batches read with apache-arrow on the main side, copied into the slots. */
async function countArrowBatches(pool: ScanPool, file: string, featureNames: string[]): Promise<Histograms> {
  const plan = planBatchScan(file, scanRequest(pool, featureNames), () => arrowReader.open(file, { countQuality: false, withLabel: false }));
  const counted = await countPlan(pool, 'arrow', plan, featureNames);
  if (counted === 'fallback') throw new Error('the batches plan has no fallback');
  return counted;
}

async function withPool<T>(profile: Profile, workers: number, run: (pool: ScanPool, featureNames: string[]) => Promise<T>, blockRows?: number): Promise<T> {
  const pool = new ScanPool({ workers, ...(blockRows ? { blockRows } : {}) });
  try {
    pool.prepare(binEdges(profile, resolveDriftOptions(profile, {})));
    return await run(pool, profile.features.map((feature) => feature.name));
  } finally {
    await pool.close();
  }
}

interface Paths {
  fast: Histograms;
  old: Histograms;
  file: Histograms;
}

/** The fast path (which must apply), apache-arrow's path and countFile on one Arrow file. */
async function countAllWays(profile: Profile, file: string, workers: number, rangeBytes?: number): Promise<Paths> {
  return withPool(profile, workers, async (pool, featureNames) => {
    const fast = await countArrowIpc(pool, file, featureNames, { rangeBytes });
    expect(fast, 'the fast path applies').toBeDefined();
    const old = await countArrowBatches(pool, file, featureNames);
    const viaFile = await countFile(pool, file, featureNames);
    return { fast: fast!, old, file: viaFile };
  });
}

async function countCsv(profile: Profile, file: string): Promise<Histograms> {
  return withPool(profile, 2, (pool, featureNames) => countFile(pool, file, featureNames, { rangeBytes: 256 * 1024 }));
}

function setUp(name: string, data: TestData, baselineRows = 4000): { dir: string; csv: string; baselineCsv: string } {
  const dir = path.join(tempDir(), name);
  fs.mkdirSync(dir, { recursive: true });
  const csv = writeTestCsv(path.join(dir, 'data.csv'), data);
  const baseline = { ...data, rows: Math.min(baselineRows, data.rows), labels: data.labels.slice(0, baselineRows), columns: data.columns.map((c) => ({ ...c, values: c.values.subarray(0, baselineRows), nulls: undefined })) };
  // the baseline's own finite values: decile edges of the first rows
  const baselineCsv = writeTestCsv(path.join(dir, 'baseline.csv'), baseline);
  return { dir, csv, baselineCsv };
}

/** For each build of the data as Arrow, workers and task size: fast path = apache-arrow's path = CSV path. */
async function expectSameAsCsvAndOldPath(data: TestData, name: string, builds: ArrowBuildOptions[], workerCounts = [0, 1, 2], taskBytes: Array<number | undefined> = [undefined, 40_000]): Promise<void> {
  const { dir, csv, baselineCsv } = setUp(name, data);
  const profile = await createBaseline(baselineCsv);
  const fromCsv = await countCsv(profile, csv);
  expect(fromCsv.rows).toBe(data.rows);
  for (const [b, build] of builds.entries()) {
    const file = writeTestArrow(path.join(dir, `data-${b}.arrow`), data, build);
    for (const workers of workerCounts) {
      for (const rangeBytes of taskBytes) {
        const { fast, old, file: viaFile } = await countAllWays(profile, file, workers, rangeBytes);
        const where = `${JSON.stringify(build)}, ${workers} workers, ${rangeBytes ?? 'default'} bytes per task`;
        expect(plain(fast), where).toEqual(plain(old));
        expect(plain(viaFile), where).toEqual(plain(fromCsv));
        expect(nonFinite(viaFile), where).toEqual(nonFinite(fromCsv));
      }
    }
  }
}

describe('Arrow IPC fast path', () => {
  it('gives the CSV path and the apache-arrow path the same histograms: any batch sizes, 0/1/2 workers', async () => {
    const data = makeTestData(20_011, 11, { 'Flow Duration': 'f64', ' Fwd Packets': 'f64', 'Packet Length Mean': 'f64', Count: 'f64' });
    await expectSameAsCsvAndOldPath(data, 'batches', [{}, { batchSizes: [1, 7, 4093, 999] }, { batchSizes: [8192] }, { batchSizes: [0, 5, 0, 20_000] }]);
  });

  it('reads a batch larger than the 4 MiB read buffer in pieces, nulls and widened integers included', async () => {
    // 600,000 rows: 4.8 MB per f64 column, more than one read buffer, with a small batch after it
    const data = makeTestData(612_345, 12, { x: 'f64', y: 'i32', z: 'f64' }, { z: 1001, y: 77_777 });
    await expectSameAsCsvAndOldPath(data, 'large', [{ batchSizes: [600_000, 12_345] }], [0, 2], [undefined, 3_000_000]);
  });

  it('reads nulls, Float32 and integer columns itself, with the same results', async () => {
    const kinds: Record<string, ColumnKind> = { f: 'f64', g: 'f32', h: 'i8', k: 'u32', m: 'i64', n: 'i32' };
    const data = makeTestData(9_001, 13, kinds, { f: 3, m: 10, n: 2 });
    await expectSameAsCsvAndOldPath(data, 'types', [{ batchSizes: [100, 3, 5000] }, { batchSizes: [9_001] }, { legacy: true, batchSizes: [4000] }]);
  });

  it('falls back to apache-arrow for half floats, compressed bodies and the stream format, with the same results', async () => {
    const data = makeTestData(6_000, 14, { a: 'f64', b: 'f16', c: 'i32' }, { a: 9 });
    const { dir, csv, baselineCsv } = setUp('fallback', data);
    const profile = await createBaseline(baselineCsv);
    const fromCsv = await countCsv(profile, csv);
    const files = [
      writeTestArrow(path.join(dir, 'half.arrow'), data, { batchSizes: [2500] }),
      writeTestArrow(path.join(dir, 'compressed.arrow'), { ...data, columns: data.columns.filter((c) => c.kind !== 'f16').concat([{ ...data.columns[1]!, kind: 'f64' }]) }, { batchSizes: [2500], compressed: true }),
      writeTestArrow(path.join(dir, 'stream.arrows'), data, { batchSizes: [2500], format: 'stream' }),
      // compressed from the third batch on: the fast path has sent tasks for two batches, drops them and falls back
      writeTestArrow(path.join(dir, 'compressed-later.arrow'), { ...data, columns: data.columns.filter((c) => c.kind !== 'f16').concat([{ ...data.columns[1]!, kind: 'f64' }]) }, { batchSizes: [1000], compressed: true, compressFrom: 2 }),
    ];
    const compressedAt = (file: string) => {
      const ipc = ArrowIpcFile.open(file)!;
      try {
        return Array.from({ length: ipc.batchCount }, (_, b) => ipc.readBatch(b).compressed);
      } finally {
        ipc.close();
      }
    };
    expect(compressedAt(files[1]!)).toEqual([true, true, true]);
    expect(compressedAt(files[3]!)).toEqual([false, false, true, true, true, true]);
    for (const file of files) {
      for (const workers of [0, 2]) {
        await withPool(profile, workers, async (pool, featureNames) => {
          expect(await countArrowIpc(pool, file, featureNames, { rangeBytes: 10_000 }), file).toBeUndefined();
          const viaFile = await countFile(pool, file, featureNames);
          expect(plain(viaFile), file).toEqual(plain(fromCsv));
          expect(nonFinite(viaFile), file).toEqual(nonFinite(fromCsv));
        });
      }
    }
  });

  it("leaves files today's reader refuses to it, so the errors stay the same", async () => {
    const data = makeTestData(500, 15, { a: 'f64', b: 'f64' });
    const { dir, baselineCsv } = setUp('refused', data);
    const profile = await createBaseline(baselineCsv);
    // a text column other than the label (stored dictionary-encoded), and a baseline feature the file does not have
    const text = path.join(dir, 'text.arrow');
    fs.writeFileSync(text, tableToIPC(tableFromArrays({ a: Float64Array.of(1, 2), 'Source IP': ['10.0.0.1', '10.0.0.2'], b: Float64Array.of(3, 4) }), 'file'));
    const missing = path.join(dir, 'missing.arrow');
    fs.writeFileSync(missing, tableToIPC(new Table({ a: vectorFromArray([1, 2], new Float64()) }), 'file'));
    await withPool(profile, 0, async (pool, featureNames) => {
      expect(await countArrowIpc(pool, text, featureNames)).toBeUndefined();
      await expect(countFile(pool, text, featureNames)).rejects.toMatchObject({ code: 'DC_ERR_SCHEMA', column: 'Source IP' });
      expect(await countArrowIpc(pool, missing, featureNames)).toBeUndefined();
      await expect(countFile(pool, missing, featureNames)).rejects.toThrow(`${missing}: feature "b" of the baseline is missing from this file`);
    });
  });

  it('scan reports of the CSV and the Arrow file are the same, default and compat semantics', async () => {
    const data = makeTestData(30_000, 16, { a: 'f64', b: 'f64', c: 'i32', d: 'f32' }, { b: 13 });
    const { dir, csv, baselineCsv } = setUp('report', data, 10_000);
    const arrow = writeTestArrow(path.join(dir, 'data.arrow'), data, { batchSizes: [7_777] });
    const profile = await createBaseline(baselineCsv);
    for (const compat of [null, 'driftcatcher'] as const) {
      const a = await scanDrift(profile, [csv], { compat, workers: 2 });
      const b = await scanDrift(profile, [arrow], { compat, workers: 2 });
      expect(b.combined.features).toEqual(a.combined.features);
      expect(b.combined.overall_psi).toBe(a.combined.overall_psi);
      expect(b.combined.action).toBe(a.combined.action);
      expect(b.combined.current.rows).toBe(30_000);
    }
  });
});

describe('Arrow IPC fast path: broken files', () => {
  async function brokenSetUp(name: string) {
    const data = makeTestData(40_000, 17, { a: 'f64', b: 'f64', c: 'i32' }, { c: 5 });
    const { dir, baselineCsv } = setUp(name, data);
    const profile = await createBaseline(baselineCsv);
    const whole = writeTestArrow(path.join(dir, 'whole.arrow'), data, { batchSizes: [3000] });
    return { dir, profile, whole, bytes: fs.readFileSync(whole) };
  }

  function expectOneLineInputError(err: unknown, file: string): void {
    expect(err).toMatchObject({ code: 'DC_ERR_INPUT', file });
    expect((err as Error).message.startsWith(`${file}: `)).toBe(true);
    expect((err as Error).message).not.toContain('\n');
  }

  it('a truncated file is a one-line InputError naming it, and every slot is handed back', async () => {
    const { dir, profile, bytes } = await brokenSetUp('truncated');
    for (const keep of [bytes.length - 1, Math.floor(bytes.length / 2), 4000]) {
      const file = path.join(dir, `cut-${keep}.arrow`);
      fs.writeFileSync(file, bytes.subarray(0, keep));
      for (const workers of [0, 2]) {
        await withPool(profile, workers, async (pool, featureNames) => {
          const err = await countFile(pool, file, featureNames).then(() => undefined, (e: unknown) => e);
          expectOneLineInputError(err, file);
          // prepare() refuses while a slot is borrowed
          expect(() => pool.prepare(binEdges(profile, resolveDriftOptions(profile, {})))).not.toThrow();
        });
      }
    }
    const result = cli(['check', '--baseline', await writeProfile(dir, profile), path.join(dir, `cut-${bytes.length - 1}.arrow`), '--no-record']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('not a readable Arrow IPC file');
  });

  it('a read that fails in a worker (the file cut while scanning) is a one-line InputError, every slot handed back', async () => {
    const { dir, profile, bytes } = await brokenSetUp('cut-while-scanning');
    for (const workers of [0, 1, 2]) {
      const file = path.join(dir, `scanned-${workers}.arrow`);
      fs.writeFileSync(file, bytes);
      await withPool(profile, workers, async (pool, featureNames) => {
        const run = pool.run.bind(pool);
        let tasks = 0;
        pool.run = (task: Task): Promise<TaskOk> => {
          if (tasks++ === 0) fs.truncateSync(file, 5000); // the footer is read; the bodies are gone
          return run(task);
        };
        const err = await countFile(pool, file, featureNames, { rangeBytes: 50_000 }).then(() => undefined, (e: unknown) => e);
        expect(tasks).toBeGreaterThan(0);
        expectOneLineInputError(err, file);
        expect(() => pool.prepare(binEdges(profile, resolveDriftOptions(profile, {})))).not.toThrow();
      });
    }
  });
});

async function writeProfile(dir: string, profile: Profile): Promise<string> {
  const file = path.join(dir, 'profile.json');
  await saveProfile(profile, file);
  return file;
}
