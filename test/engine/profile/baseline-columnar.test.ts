/**
 * The streaming baseline of Arrow IPC and Parquet files (units of whole rows: slices of record
 * batches, windows of row groups, `ScanRequest.wholeRows`) against the CSV streaming baseline of
 * the same rows: files written by pyarrow (test/reference/write_parquet.py, which parses the CSV
 * cells itself and writes the CSV of exactly what the columnar files hold) from the real CICIDS
 * extract, with nulls, the extract's own NaN and Infinity, float32 and integer columns, several
 * row groups / record batches, small blocks and units, inline and on 1 and 2 workers. The profiles
 * must be equal field for field but for `source` and `created` (the profile id included).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createBaseline, createBaselineInMemory, streamBaseline, type Profile, type StreamOptions } from '../../../engine/profile/index.js';
import { readerFor, resolveFeatures, type ScanRequest } from '../../../engine/io/index.js';
import type { ParquetChunksUnit } from '../../../engine/io/parquet/scan.js';
import { chunkPages, readParquetLayout } from '../../../engine/io/parquet/decode.js';
import { parquetLibrary } from '../../../engine/io/parquet/library.js';
import { cli, HEAD_9998, ROOT, tempDir } from '../../helpers.js';

const WRITER = join(ROOT, 'test', 'reference', 'write_parquet.py');

function write(args: string[]): Record<string, number> {
  const run = spawnSync(inject('pythonPath'), [WRITER, HEAD_9998, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`write_parquet.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

const comparable = (profile: Profile) => ({ ...profile, source: undefined, created: undefined });

/** The columns' types and nulls: every integer kind, float32, nulls in some rows of some columns (the extract has NaN and Infinity of its own). */
const TYPED = [
  '--int64', 'Destination Port', '--int32', 'Flow Duration', '--uint32', 'Total Fwd Packets,Total Backward Packets',
  '--float32', 'Flow Bytes/s,Fwd Packet Length Mean,Flow IAT Mean',
  '--nulls', 'Destination Port,Fwd Packet Length Mean,Flow IAT Std,Total Backward Packets',
];

describe('the streaming baseline of Arrow IPC and Parquet files equals the CSV one of the same rows', () => {
  const dir = tempDir('dc-colbase-');
  const csv = join(dir, 'typed.csv');
  const parquet = join(dir, 'typed.parquet');
  const plainParquet = join(dir, 'typed-plain-v2.parquet');
  const arrow = join(dir, 'typed.arrow');
  const arrowStream = join(dir, 'typed.arrows');
  let csvProfile: Profile;

  beforeAll(async () => {
    // 4 row groups (3 of 2,600 rows), 7 record batches of 1,500 rows
    expect(write([parquet, ...TYPED, '--compression', 'snappy', '--row-group-size', '2600', '--csv-out', csv, '--arrow-out', arrow, '--batch-rows', '1500'])).toMatchObject({ rows: 9998, row_groups: 4 });
    expect(write([plainParquet, ...TYPED, '--compression', 'zstd', '--no-dictionary', '--data-page-version', '2.0', '--row-group-size', '4000'])).toMatchObject({ row_groups: 3 });
    expect(write(['-', ...TYPED, '--arrow-out', arrowStream, '--batch-rows', '3000'])).toMatchObject({ rows: 9998, record_batches: 4 });
    csvProfile = (await streamBaseline(csv, { workers: 0 })).profile;
    expect(csvProfile.rows).toBe(9998);
    // the nulls and the extract's NaN/Infinity leave incomplete rows: the compat baseline's subset is a real one
    expect(csvProfile.complete_rows).toBeGreaterThan(5000);
    expect(csvProfile.complete_rows).toBeLessThan(9998);
  });

  const layouts: [string, StreamOptions][] = [
    ['inline, default blocks and units', { workers: 0 }],
    ['1 worker, blocks of 100 rows (not a multiple of 8), units of 64 KiB', { workers: 1, blockRows: 100, rangeBytes: 64 * 1024 }],
    ['2 workers, blocks of 256 rows, units of 256 KiB', { workers: 2, blockRows: 256, rangeBytes: 256 * 1024 }],
    ['2 workers, blocks of 40 rows, units of 32 KiB', { workers: 2, blockRows: 40, rangeBytes: 32 * 1024 }],
  ];
  for (const [name, options] of layouts) {
    it(`Arrow IPC file, Arrow stream, Parquet (dictionary v1 and plain v2 pages): ${name}`, async () => {
      for (const [file, format] of [[arrow, 'arrow'], [arrowStream, 'arrow'], [parquet, 'parquet'], [plainParquet, 'parquet']] as const) {
        const { profile } = await streamBaseline(file, options);
        expect(profile.source, file).toMatchObject({ file: file.split('/').pop(), format, bytes: fs.statSync(file).size });
        expect(comparable(profile), file).toEqual(comparable(csvProfile));
        expect(profile.id).toBe(csvProfile.id);
      }
    });
  }

  it('the CSV streaming baseline is the in-memory one of the CSV, and of the Arrow and Parquet tables (buildProfile over the whole table)', async () => {
    expect(comparable(await createBaselineInMemory(csv))).toEqual(comparable(csvProfile));
    expect(comparable(await createBaselineInMemory(arrow))).toEqual(comparable(csvProfile));
    expect(comparable(await createBaselineInMemory(parquet))).toEqual(comparable(csvProfile));
  });

  it('createBaseline streams Arrow and Parquet files; options reach it (bins, resolution, a named categorical, excluded columns)', async () => {
    const options = { workers: 2, bins: 7, resolution: 700, categorical: ['Destination Port'], exclude: ['Flow IAT Min'] };
    const reference = comparable(await createBaselineInMemory(csv, options));
    expect(comparable(await createBaseline(arrow, options))).toEqual(reference);
    expect(comparable(await createBaseline(parquet, options))).toEqual(reference);
    expect(reference.features.find((f) => f.name === 'Destination Port')!.categorical?.kind).toBe('named');
    expect(reference.features.some((f) => f.name === 'Flow IAT Min')).toBe(false);
  });

  it('the Arrow IPC file and Parquet plans of a streaming pass are units of whole rows, read by the workers (not batches copied on the main side)', async () => {
    for (const [file, blockRows] of [[arrow, 2048], [arrow, 100], [parquet, 2048], [parquet, 100]] as const) {
      const reader = readerFor(file);
      const featureNames = resolveFeatures(await reader.columnNames!(file), {}).featureNames;
      const request: ScanRequest = { featureNames, missingFeatures: 'error', coerce: false, maxLineBytes: 1 << 20, unitBytes: 64 * 1024, blockRows, wholeRows: true };
      const plan = await reader.planScan(file, request);
      let rows = 0;
      let drains = 0;
      // Parquet: the windows of a row group share one buffer of decoded dictionaries, each column's
      // in a region of its own; its data page ranges leave the dictionary page out
      const groups = new Map<number, SharedArrayBuffer | undefined>();
      for await (const step of plan.steps()) {
        if ('drain' in step) {
          // between row groups only: the next one's dictionaries take the last one's place
          expect(reader.format, file).toBe('parquet');
          drains++;
          continue;
        }
        expect('read' in step, file).toBe(true);
        const unit = (step as { read: ParquetChunksUnit & { blocks?: Float64Array } }).read;
        if (reader.format === 'arrow') {
          expect(unit.blocks!.every((n) => n > 0 && n <= blockRows)).toBe(true);
          rows += unit.blocks!.reduce((a, b) => a + b, 0);
          continue;
        }
        rows += unit.window!.rows;
        if (!groups.has(unit.group)) groups.set(unit.group, unit.dictionaries);
        expect(unit.dictionaries, `row group ${unit.group}`).toBe(groups.get(unit.group));
        expect(unit.dictionaries).toBeInstanceOf(SharedArrayBuffer);
        const regions = unit.pages!.flatMap((page) => (page.dictionary ? [page.dictionary] : [])).sort((a, b) => a.at - b.at);
        // the dictionary-encoded file has a dictionary page in every column chunk
        expect(regions).toHaveLength(unit.columns.length);
        expect(8 * regions[0]!.at).toBeGreaterThanOrEqual(4 * unit.columns.length);
        for (let i = 1; i < regions.length; i++) expect(regions[i]!.at).toBeGreaterThanOrEqual(regions[i - 1]!.at + regions[i - 1]!.values);
        expect(8 * (regions.at(-1)!.at + regions.at(-1)!.values)).toBeLessThanOrEqual(unit.dictionaries!.byteLength);
        unit.pages!.forEach((page, c) => {
          const range = unit.columns[c]!.chunk;
          expect(range.start >= page.dictionary!.start + page.dictionary!.length || range.start + range.length <= page.dictionary!.start).toBe(true);
        });
      }
      plan.close();
      expect(rows, `${file}, blocks of ${blockRows}`).toBe(9998);
      expect(plan.rows!()).toBe(9998);
      expect(drains, file).toBe(reader.format === 'parquet' ? 3 : 0);
    }
  });

  it('Parquet with many pages a row group, some columns switching from dictionary to plain pages partway: windows end where most pages do, and the profile is the CSV one', async () => {
    const paged = join(dir, 'paged.parquet');
    const pagedCsv = join(dir, 'paged.csv');
    write([paged, ...TYPED, '--row-group-size', '4000', '--max-rows-per-page', '600', '--dictionary-pagesize-limit', '4096', '--csv-out', pagedCsv]);
    const layout = readParquetLayout(paged);
    const fd = fs.openSync(paged, 'r');
    let switching = 0;
    try {
      for (const column of layout.columns.filter((c) => c.kind !== 'text')) {
        const pages = chunkPages(fd, layout.chunk(0, column.leaf), { file: paged, column: column.name, group: 0 });
        expect(pages.rows.length, column.name).toBeGreaterThanOrEqual(4000 / 600);
        // a dictionary at the 4,096-byte limit (512 values of 8 bytes, 1,024 of 4): the column goes on in plain pages
        if (pages.dictionary && pages.dictionary.values >= 4096 / 8 - 1) switching++;
      }
    } finally {
      fs.closeSync(fd);
    }
    expect(switching).toBeGreaterThan(5);
    // blocks of 256 rows, units of 64 KiB: windows of 256 rows unless they grow to a page's end (600 rows on)
    const reader = readerFor(paged);
    const featureNames = resolveFeatures(await reader.columnNames!(paged), {}).featureNames;
    const plan = await reader.planScan(paged, { featureNames, missingFeatures: 'error', coerce: false, maxLineBytes: 1 << 20, unitBytes: 64 * 1024, blockRows: 256, wholeRows: true });
    const windows: { first: number; rows: number }[] = [];
    for await (const step of plan.steps()) if ('read' in step) windows.push((step.read as ParquetChunksUnit).window!);
    plan.close();
    expect(windows.filter((w) => w.rows === 600).length).toBeGreaterThan(windows.length / 2);
    const csvPaged = (await streamBaseline(pagedCsv, { workers: 0 })).profile;
    for (const options of [{ workers: 0, blockRows: 256, rangeBytes: 64 * 1024 }, { workers: 2, blockRows: 256, rangeBytes: 64 * 1024 }, { workers: 2 }] as StreamOptions[]) {
      const { profile } = await streamBaseline(paged, options);
      expect(comparable(profile), JSON.stringify(options)).toEqual(comparable(csvPaged));
    }
  });

  it('a dictionary page that does not decode, met by several workers at once (windows of one row group): the same one-line error naming the column and row group', async () => {
    const layout = readParquetLayout(parquet);
    const column = layout.columns.find((c) => c.name === 'Flow Duration')!;
    const fd = fs.openSync(parquet, 'r');
    let dictionary: { start: number; length: number } | undefined;
    try {
      dictionary = chunkPages(fd, layout.chunk(1, column.leaf), { file: parquet, column: column.name, group: 1 }).dictionary;
    } finally {
      fs.closeSync(fd);
    }
    expect(dictionary!.length).toBeGreaterThan(200);
    const bytes = Buffer.from(fs.readFileSync(parquet));
    // the snappy stream's length, just after the page header (its values are a literal: bytes
    // garbled there would decode, as wrong numbers; Parquet pages carry no checksum by default)
    const header = { view: new DataView(bytes.buffer, bytes.byteOffset + dictionary!.start, dictionary!.length), offset: 0 };
    parquetLibrary().parquetHeader(header);
    bytes.fill(0xab, dictionary!.start + header.offset, dictionary!.start + header.offset + 4);
    const broken = join(dir, 'broken-dictionary.parquet');
    fs.writeFileSync(broken, bytes);
    for (const options of [{ workers: 0 }, { workers: 2 }, { workers: 2, blockRows: 40, rangeBytes: 32 * 1024 }] as StreamOptions[]) {
      await expect(streamBaseline(broken, options), JSON.stringify(options)).rejects.toThrow(/broken-dictionary\.parquet: column "Flow Duration": not a readable Parquet file \(row group 1: /);
    }
  });

  it('refuses, through the CLI, truncated and corrupt Arrow and Parquet files and a text feature column: one line naming the file (and column), exit 2, no profile written', () => {
    const bytes = fs.readFileSync(arrow);
    const truncatedArrow = join(dir, 'truncated.arrow');
    fs.writeFileSync(truncatedArrow, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const parquetBytes = fs.readFileSync(parquet);
    const corruptParquet = join(dir, 'corrupt.parquet');
    const garbled = Buffer.from(parquetBytes);
    garbled.fill(0xab, 4, Math.floor(parquetBytes.length / 3));
    fs.writeFileSync(corruptParquet, garbled);
    const textArrow = join(dir, 'text.arrow');
    write(['-', '--string', 'Flow Duration', '--arrow-out', textArrow]);
    const textParquet = join(dir, 'text.parquet');
    write([textParquet, '--string', 'Flow Duration']);
    const cases: [string, RegExp][] = [
      [truncatedArrow, /^driftcatcher: .*truncated\.arrow.*not a readable Arrow IPC file/],
      [corruptParquet, /^driftcatcher: .*corrupt\.parquet.*not a readable Parquet file \(row group 0: /],
      [textArrow, /^driftcatcher: .*text\.arrow.*Flow Duration.*expected a number/],
      [textParquet, /^driftcatcher: .*text\.parquet.*Flow Duration.*column is BYTE_ARRAY \(STRING\), expected a number/],
    ];
    for (const [file, message] of cases) {
      for (const workers of ['0', '2']) {
        const out = join(dir, `${file.split('/').pop()}-${workers}.json`);
        const run = cli(['baseline', file, '-o', out, '--workers', workers], { cwd: dir });
        expect(run.code, `${file}\n${run.stderr}`).toBe(2);
        const lines = run.stderr.trim().split('\n');
        expect(lines, file).toHaveLength(1);
        expect(lines[0], file).toMatch(message);
        expect(fs.existsSync(out)).toBe(false);
      }
    }
  });
});
