/**
 * The Parquet reader against the CSV reader on the same rows: Parquet files written by pyarrow
 * (test/reference/write_parquet.py, which parses the CSV cells itself) from the real CICIDS extract
 * give the same batches, the same profile and the same drift report, bit for bit, as the CSV:
 * every codec, dictionary and plain pages, v1 and v2 pages, one and several row groups, nulls,
 * float32 and integer columns, the scan inline and on workers. Broken input is a one-line error
 * with exit status 2 through the CLI.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { checkDrift, createBaseline, type Profile } from '../../../engine/index.js';
import { openBatches } from '../../../engine/io/index.js';
import { cli, cliArgs, HEAD_9998, ROOT, tempDir } from '../../helpers.js';

const WRITER = join(ROOT, 'test', 'reference', 'write_parquet.py');

/** Write `csv` as Parquet with pyarrow; the writer's summary (rows, row groups). */
function writeParquet(csv: string, out: string, args: string[] = []): { rows: number; row_groups: number; columns: number; encodings: string[]; codecs: string[] } {
  const run = spawnSync(inject('pythonPath'), [WRITER, csv, out, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`write_parquet.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** A file's batches as plain columns: each feature's f64 bits, and the labels as text. */
async function columnsOf(file: string): Promise<{ features: Map<string, Uint8Array[]>; labels: (string | null)[] }> {
  const features = new Map<string, Uint8Array[]>();
  const labels: (string | null)[] = [];
  const stream = openBatches(file);
  for await (const batch of stream as AsyncIterable<RecordBatch>) {
    for (const name of stream.featureNames) {
      const values = batch.getChild(name)!.toArray() as Float64Array;
      features.set(name, [...(features.get(name) ?? []), new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice()]);
    }
    if (stream.labelName !== undefined) for (const label of batch.getChild(stream.labelName)!) labels.push(label as string | null);
  }
  return { features: new Map([...features].map(([name, parts]) => [name, [Buffer.concat(parts)]])), labels };
}

/** A profile or report with the data file's path and name out of it, so that two files' can be compared. */
function withoutSource<T>(value: T, file: string): unknown {
  const name = file.split('/').pop()!;
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'source' || key === 'created' || key === 'bytes' || key === 'format' ? undefined : v)).split(file).join('<data>').split(name).join('<data>'));
}

/** The drift report of `file` against `profile`, inline and on two workers (several units each: small rangeBytes); both must agree. */
async function reportOf(profile: Profile, file: string): Promise<unknown> {
  const inline = await checkDrift(profile, file, { workers: 0, rangeBytes: 64 * 1024 });
  const parallel = await checkDrift(profile, file, { workers: 2, rangeBytes: 64 * 1024 });
  // the baseline named in the report is the same profile for both files
  const { baseline: _baseline, ...report } = inline as unknown as Record<string, unknown>;
  expect(withoutSource(parallel, file)).toEqual(withoutSource(inline, file));
  return withoutSource(report, file);
}

describe('Parquet reader (files written by pyarrow from the CICIDS extract)', () => {
  const dir = tempDir('dc-parquet-');
  let csvProfile: Profile;
  let csvColumns: Awaited<ReturnType<typeof columnsOf>>;
  let csvReport: unknown;

  beforeAll(async () => {
    csvProfile = await createBaseline(HEAD_9998);
    csvColumns = await columnsOf(HEAD_9998);
    csvReport = await reportOf(csvProfile, HEAD_9998);
  });

  const layouts: { name: string; args: string[]; groups: number; codec: string; dictionary: boolean }[] = [
    { name: 'snappy, dictionary pages, row groups of 3,000', args: ['--compression', 'snappy', '--row-group-size', '3000'], groups: 4, codec: 'SNAPPY', dictionary: true },
    { name: 'zstd, dictionary pages, row groups of 4,096', args: ['--compression', 'zstd', '--row-group-size', '4096'], groups: 3, codec: 'ZSTD', dictionary: true },
    { name: 'gzip, dictionary pages, one row group', args: ['--compression', 'gzip'], groups: 1, codec: 'GZIP', dictionary: true },
    { name: 'zstd, plain pages (no dictionary), v2 data pages, row groups of 2,500', args: ['--compression', 'zstd', '--no-dictionary', '--data-page-version', '2.0', '--row-group-size', '2500'], groups: 4, codec: 'ZSTD', dictionary: false },
    { name: 'uncompressed, plain pages', args: ['--compression', 'none', '--no-dictionary'], groups: 1, codec: 'UNCOMPRESSED', dictionary: false },
  ];

  for (const layout of layouts) {
    it(`reads the same rows, profile and drift report as the CSV: ${layout.name}`, async () => {
      const file = join(dir, `${layout.name.replace(/[^a-z0-9]+/gi, '-')}.parquet`);
      const written = writeParquet(HEAD_9998, file, layout.args);
      expect(written).toMatchObject({ rows: 9998, row_groups: layout.groups, columns: 79, codecs: [layout.codec] });
      expect(written.encodings.includes('RLE_DICTIONARY')).toBe(layout.dictionary);
      const columns = await columnsOf(file);
      expect([...columns.features.keys()]).toEqual([...csvColumns.features.keys()]);
      for (const [name, bits] of csvColumns.features) expect(Buffer.compare(columns.features.get(name)![0]!, bits[0]!), name).toBe(0);
      expect(columns.labels).toEqual(csvColumns.labels);

      const profile = await createBaseline(file);
      expect(withoutSource(profile, file)).toEqual(withoutSource(csvProfile, HEAD_9998));
      expect(await reportOf(csvProfile, file)).toEqual(csvReport);
    });
  }

  it.each([
    ['dictionary pages', []],
    ['plain pages', ['--no-dictionary']],
    ['plain v2 pages', ['--no-dictionary', '--data-page-version', '2.0']],
  ])('reads nulls as missing values, float32 columns widened and integer columns (signed, unsigned, 32 and 64 bits) as the CSV of the same values: %s', async (pages, pageArgs) => {
    const file = join(dir, `typed-${pages.replace(/ /g, '-')}.parquet`);
    const csv = join(dir, `typed-${pages.replace(/ /g, '-')}.csv`);
    writeParquet(HEAD_9998, file, [
      ...pageArgs,
      '--compression', 'zstd', '--row-group-size', '3333',
      '--int64', 'Destination Port', '--int32', 'Flow Duration', '--uint32', 'Total Fwd Packets,Total Backward Packets',
      '--float32', 'Flow Bytes/s,Fwd Packet Length Mean,Flow IAT Mean',
      '--nulls', 'Destination Port,Fwd Packet Length Mean,Flow IAT Std,Total Backward Packets',
      '--csv-out', csv,
    ]);
    const typed = await columnsOf(csv);
    const columns = await columnsOf(file);
    for (const [name, bits] of typed.features) expect(Buffer.compare(columns.features.get(name)![0]!, bits[0]!), name).toBe(0);
    // nulls and float32 rounding did change the data: the comparison is not the original CSV's
    expect(Buffer.compare(typed.features.get('Flow IAT Mean')![0]!, csvColumns.features.get('Flow IAT Mean')![0]!)).not.toBe(0);
    const nulls = new Float64Array(new Uint8Array(columns.features.get('Destination Port')![0]!).buffer).filter((v) => Number.isNaN(v)).length;
    expect(nulls).toBeGreaterThan(9998 / 13 - 2);

    const csvTypedProfile = await createBaseline(csv);
    const profile = await createBaseline(file);
    expect(withoutSource(profile, file)).toEqual(withoutSource(csvTypedProfile, csv));
    expect(await reportOf(csvProfile, file)).toEqual(await reportOf(csvProfile, csv));
  });

  it('64-bit integers past 2^53 (signed and unsigned, plain and dictionary pages, v1 and v2, nulls) become the doubles numpy\'s astype(float64) gives', async () => {
    const script = `
import sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq
rng = np.random.default_rng(5)
n = 6000
mask = rng.random(n) < 0.1
big = rng.integers(-2**63, 2**63 - 1, size=n, dtype=np.int64)
few = rng.choice(np.array([2**53 + 1, 2**62 + 3, -(2**60) - 7, 5, -(2**63), 2**63 - 1], dtype=np.int64), size=n)
ubig = rng.integers(0, 2**64 - 1, size=n, dtype=np.uint64, endpoint=True)
ufew = rng.choice(np.array([2**64 - 1, 2**63 + 2**11 + 1, 2**53 + 3, 0], dtype=np.uint64), size=n)
table = pa.table({'big': pa.array(big, mask=mask), 'few': pa.array(few, mask=mask), 'ubig': pa.array(ubig), 'ufew': pa.array(ufew)})
expected = np.stack([np.where(mask, np.nan, big.astype(np.float64)), np.where(mask, np.nan, few.astype(np.float64)), ubig.astype(np.float64), ufew.astype(np.float64)])
for version in ('1.0', '2.0'):
    pq.write_table(table, sys.argv[1] + '-v' + version + '.parquet', use_dictionary=['few', 'ufew'], data_page_version=version, row_group_size=2500)
expected.astype('<f8').tofile(sys.argv[1] + '.f64')
`;
    const base = join(dir, 'int64');
    const run = spawnSync(inject('pythonPath'), ['-c', script, base], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const expected = new Float64Array(new Uint8Array(fs.readFileSync(`${base}.f64`)).buffer);
    // values numpy rounds (not exact in a double), so the comparison is not of small integers
    expect(expected.some((v) => Math.abs(v) > 2 ** 60)).toBe(true);
    for (const version of ['1.0', '2.0']) {
      const { features } = await columnsOf(`${base}-v${version}.parquet`);
      ['big', 'few', 'ubig', 'ufew'].forEach((name, c) => {
        const got = new Float64Array(new Uint8Array(features.get(name)![0]!).buffer);
        const want = expected.subarray(c * 6000, (c + 1) * 6000);
        expect(got.length, name).toBe(6000);
        expect(Array.from(got).findIndex((v, i) => !Object.is(v, want[i])), `${name}, pages v${version}`).toBe(-1);
      });
    }
  });

  it('refuses, through the CLI, a truncated file, a text feature column and corrupt pages: one line naming the file (and column), exit 2', async () => {
    const good = join(dir, 'good.parquet');
    writeParquet(HEAD_9998, good, ['--compression', 'snappy']);
    const bytes = fs.readFileSync(good);
    const truncated = join(dir, 'truncated.parquet');
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const text = join(dir, 'text-feature.parquet');
    writeParquet(HEAD_9998, text, ['--string', 'Flow Duration']);
    const corrupt = join(dir, 'corrupt.parquet');
    const garbled = Buffer.from(bytes);
    garbled.fill(0xab, 4, Math.floor(bytes.length / 3));
    fs.writeFileSync(corrupt, garbled);
    const profilePath = join(dir, 'csv-profile.json');
    fs.writeFileSync(profilePath, JSON.stringify(csvProfile));

    const cases: [string[], RegExp][] = [
      [['baseline', truncated, '-o', join(dir, 'p1.json')], /^driftcatcher: .*truncated\.parquet: not a readable Parquet file \(no PAR1 at its end: truncated or not Parquet\)$/],
      [['check', '--baseline', profilePath, truncated], /^driftcatcher: .*truncated\.parquet: not a readable Parquet file/],
      [['baseline', text, '-o', join(dir, 'p2.json')], /^driftcatcher: .*text-feature\.parquet.*Flow Duration.*column is BYTE_ARRAY \(STRING\), expected a number/],
      [['check', '--baseline', profilePath, text], /^driftcatcher: .*text-feature\.parquet.*Flow Duration.*expected a number/],
      [['baseline', corrupt, '-o', join(dir, 'p3.json')], /^driftcatcher: .*corrupt\.parquet.*not a readable Parquet file \(row group 0: /],
      [['check', '--baseline', profilePath, corrupt, '--workers', '1'], /^driftcatcher: .*corrupt\.parquet.*not a readable Parquet file \(row group 0: /],
    ];
    for (const [args, message] of cases) {
      const run = cli(args, { cwd: dir });
      expect(run.code, `${args.join(' ')}\n${run.stderr}`).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0], args.join(' ')).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(fs.existsSync(join(dir, 'p1.json')) || fs.existsSync(join(dir, 'p2.json')) || fs.existsSync(join(dir, 'p3.json'))).toBe(false);
  });

  it('a Parquet check on two workers loads hyparquet and no apache-arrow (traced by test/cli/module-trace.mjs)', () => {
    const file = join(dir, 'traced.parquet');
    writeParquet(HEAD_9998, file, ['--row-group-size', '2000']);
    const profilePath = join(dir, 'traced-profile.json');
    fs.writeFileSync(profilePath, JSON.stringify(csvProfile));
    const trace = join(dir, 'modules.txt');
    const run = spawnSync(process.execPath, ['--import', join(ROOT, 'test', 'cli', 'module-trace.mjs'), ...cliArgs(), 'check', '--baseline', profilePath, file, '--workers', '2', '--json', '--no-record'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', DC_MODULE_TRACE: trace },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const modules = fs.readFileSync(trace, 'utf8');
    expect(modules).toContain('/node_modules/hyparquet/');
    expect(modules).not.toContain('/node_modules/apache-arrow/');
  });

  it('says which baseline feature a Parquet batch lacks', async () => {
    const file = join(dir, 'fewer.parquet');
    writeParquet(HEAD_9998, file, ['--drop', 'Flow IAT Max']);
    await expect(checkDrift(csvProfile, file, { workers: 0 })).rejects.toMatchObject({ code: 'DC_ERR_SCHEMA', message: expect.stringContaining('feature "Flow IAT Max" of the baseline is missing from this file') });
  });
});
