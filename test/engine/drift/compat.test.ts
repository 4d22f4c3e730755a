/**
 * `--compat driftcatcher` is the original tool. On the real 9,998-row CICIDS extract split many
 * ways (contiguous and random subsets of 200..9,000 rows as baseline and batch, --bins 1 to 20)
 * and on drifted batches (scaled, shifted, constant, negated, all-NaN and all-Infinity columns,
 * columns dropped), every number equals test/reference/driftcatcher_original.py, the original's
 * two functions restated with pandas and numpy (no code shared with the engine): the stored
 * edges bit for bit, the expected proportions exactly, each feature's PSI and the overall PSI to
 * 1e-9, the drifted features, total_features, the action and the skipped features. One Python
 * process computes every case from one JSON spec.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { checkDrift, createBaseline, saveProfile, scanDrift, type DriftReport, type Profile } from '../../../engine/index.js';
import { HEAD_9998, ROOT, cli, editColumns, readCsvText, rng, tempDir, writeCsvText, type CsvText } from '../../helpers.js';

const ORIGINAL = join(ROOT, 'test', 'reference', 'driftcatcher_original.py');
const dir = tempDir('dc-compat-');

interface OriginalDrift {
  overall_psi: number;
  feature_psi: Record<string, number>;
  drifted_features: Array<[string, number]>;
  action: string;
  n_drifted_features: number;
  total_features: number;
  skipped_features: Array<{ name: string; reason: string }>;
}
interface OriginalCase {
  id: string;
  training_rows: number;
  feature_cols: string[];
  training_stats: Record<string, { quantiles: number[]; expected_dist: number[] }>;
  drift: OriginalDrift | null;
}

// ---- the data: rows of the real file, picked and edited ------------------------------------------

const source: CsvText = readCsvText(HEAD_9998);
const ALL_ROWS = source.rows.length; // 9,998

/** Row indexes: a contiguous range, or a seeded random subset. */
type RowPick = { from: number; to: number } | { sample: number; seed: number };

function pickRows(pick: RowPick): string[] {
  if ('from' in pick) return source.rows.slice(pick.from, pick.to);
  const order = Array.from({ length: ALL_ROWS }, (_, i) => i);
  const random = rng(pick.seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, pick.sample).map((i) => source.rows[i]!);
}

const num = (cell: string) => Number(cell);
const times = (k: number, plus = 0) => (c: string) => String(num(c) * k + plus);
const setTo = (value: string) => () => value;

/** Drop columns (trimmed header names) from header and rows. */
function dropColumns(csv: CsvText, names: string[]): CsvText {
  const header = csv.header.split(',');
  const drop = new Set(names.map((name) => {
    const index = header.findIndex((h) => h.trim() === name);
    if (index < 0) throw new Error(`no column ${name}`);
    return index;
  }));
  const keep = (cells: string[]) => cells.filter((_, i) => !drop.has(i)).join(',');
  return { ...csv, header: keep(header), rows: csv.rows.map((row) => keep(row.split(','))) };
}

const SEVERE = ['Flow Duration', 'Total Fwd Packets', 'Total Backward Packets', 'Flow IAT Mean', 'Flow IAT Max', 'Fwd IAT Total', 'Packet Length Mean', 'Average Packet Size', 'Init_Win_bytes_backward'];

/** Batch variants: what production data does to a feature. */
const VARIANTS: Record<string, (csv: CsvText) => CsvText> = {
  plain: (csv) => csv,
  scaled: (csv) =>
    editColumns(csv, {
      'Flow Duration': times(3),
      'Total Fwd Packets': times(1, 7),
      'Fwd Packet Length Max': (c, r) => (r % 3 === 0 ? times(10, 1e6)(c) : c),
      'Destination Port': (c, r) => (r % 2 ? '443' : c),
    }),
  shifted: (csv) => editColumns(csv, { 'Flow IAT Mean': times(1, 1000), 'Packet Length Mean': times(1, 50), 'Init_Win_bytes_forward': times(1, 100), 'Idle Mean': times(1, 1e6) }),
  severe: (csv) => editColumns(csv, Object.fromEntries(SEVERE.map((name) => [name, times(5, 3)]))),
  // some cells non-finite, some below the training range (np.histogram drops them)
  'non-finite': (csv) =>
    editColumns(csv, {
      'Flow Bytes/s': (c, r) => (r % 5 === 0 ? 'Infinity' : r % 7 === 0 ? 'NaN' : c),
      'Flow IAT Min': (c, r) => (r % 4 === 0 ? '-1e9' : c),
      'Init_Win_bytes_forward': (c, r) => (r % 11 === 0 ? '' : c),
    }),
  // one value everywhere: inside the training range, at its low end, below it, far above it
  constant: (csv) => editColumns(csv, { 'Destination Port': setTo('80'), 'Down/Up Ratio': setTo('0'), 'Init_Win_bytes_forward': setTo('-1'), 'Flow Duration': setTo('1e12') }),
  // no finite value at all: the original skips these features
  'all-nan': (csv) => editColumns(csv, { 'Flow Bytes/s': setTo('NaN'), 'Idle Mean': setTo('') }),
  'all-inf': (csv) => editColumns(csv, { 'Flow Packets/s': (_c, r) => (r % 2 ? 'Infinity' : '-Infinity'), 'Fwd IAT Total': setTo('Infinity') }),
  negative: (csv) => editColumns(csv, { 'Flow IAT Min': times(-1), 'Bwd Packet Length Mean': times(-1), 'Init_Win_bytes_backward': times(-1) }),
  // without the first ` Fwd Header Length`, the second is `Fwd Header Length` (no `.1`), so the
  // baseline's `Fwd Header Length.1` is the one missing
  dropped: (csv) => dropColumns(csv, ['Flow IAT Min', 'Fwd Header Length']),
  'dropped-label': (csv) => dropColumns(csv, ['Label', 'Active Mean']),
};
const combine = (...names: string[]) => (csv: CsvText) => names.reduce((c, name) => VARIANTS[name]!(c), csv);
VARIANTS['dropped+all-nan'] = combine('all-nan', 'scaled', 'dropped');
VARIANTS['dropped+non-finite'] = combine('non-finite', 'dropped');
VARIANTS['shifted+all-inf'] = combine('shifted', 'all-inf');

interface Training {
  pick: RowPick;
  bins: number;
}
const TRAININGS: Record<string, Training> = {
  head5000: { pick: { from: 0, to: 5000 }, bins: 10 },
  tail5998: { pick: { from: 4000, to: ALL_ROWS }, bins: 10 },
  rand2000: { pick: { sample: 2000, seed: 1 }, bins: 10 },
  small200: { pick: { from: 7000, to: 7200 }, bins: 10 },
  rand9000: { pick: { sample: 9000, seed: 2 }, bins: 10 },
  range9000: { pick: { from: 500, to: 9500 }, bins: 10 },
  'rand700-bins7': { pick: { sample: 700, seed: 3 }, bins: 7 },
  'mid3000-bins20': { pick: { from: 2000, to: 5000 }, bins: 20 },
  'rand1500-bins4': { pick: { sample: 1500, seed: 4 }, bins: 4 },
  'rand400-bins1': { pick: { sample: 400, seed: 5 }, bins: 1 },
};

interface Case {
  id: string;
  training: string;
  batch: RowPick;
  variant: string;
  /** 0: binned on the main thread; 2: on two worker threads */
  workers: number;
}

const SPECS: Array<[training: string, batch: RowPick, variant: string]> = [
  ['head5000', { from: 5000, to: ALL_ROWS }, 'plain'],
  ['head5000', { from: 5000, to: ALL_ROWS }, 'scaled'],
  ['head5000', { from: 5000, to: ALL_ROWS }, 'severe'],
  ['head5000', { from: 5000, to: ALL_ROWS }, 'non-finite'],
  ['head5000', { from: 5000, to: ALL_ROWS }, 'dropped'],
  ['head5000', { from: 5000, to: ALL_ROWS }, 'all-nan'],
  ['head5000', { from: 5000, to: ALL_ROWS }, 'all-inf'],
  ['head5000', { from: 5000, to: ALL_ROWS }, 'constant'],
  ['head5000', { from: 5000, to: ALL_ROWS }, 'negative'],
  ['head5000', { sample: 300, seed: 11 }, 'plain'],
  ['head5000', { from: 0, to: 5000 }, 'plain'], // the training rows themselves
  ['tail5998', { from: 0, to: 4000 }, 'plain'],
  ['tail5998', { sample: 9000, seed: 12 }, 'plain'],
  ['tail5998', { from: 0, to: 4000 }, 'shifted'],
  ['tail5998', { from: 0, to: 4000 }, 'dropped+all-nan'],
  ['tail5998', { from: 0, to: 200 }, 'plain'],
  ['tail5998', { sample: 3000, seed: 22 }, 'severe'],
  ['rand2000', { sample: 2000, seed: 13 }, 'plain'],
  ['rand2000', { sample: 500, seed: 14 }, 'plain'],
  ['rand2000', { sample: 2000, seed: 13 }, 'scaled'],
  ['rand2000', { sample: 2000, seed: 13 }, 'all-inf'],
  ['rand2000', { sample: 2000, seed: 13 }, 'negative'],
  ['rand2000', { sample: 2000, seed: 13 }, 'dropped-label'],
  ['small200', { from: 7200, to: 9000 }, 'plain'],
  ['small200', { from: 0, to: 200 }, 'plain'],
  ['small200', { from: 7200, to: 9000 }, 'scaled'],
  ['small200', { from: 7200, to: 9000 }, 'constant'],
  ['small200', { from: 7200, to: 9000 }, 'dropped+all-nan'],
  ['rand9000', { from: 9000, to: ALL_ROWS }, 'plain'],
  ['rand9000', { sample: 200, seed: 16 }, 'plain'],
  ['rand9000', { sample: 4000, seed: 23 }, 'severe'],
  ['rand9000', { sample: 4000, seed: 23 }, 'dropped+non-finite'],
  ['range9000', { sample: 6000, seed: 21 }, 'plain'],
  ['range9000', { sample: 6000, seed: 21 }, 'shifted+all-inf'],
  ['rand700-bins7', { sample: 3000, seed: 17 }, 'plain'],
  ['rand700-bins7', { sample: 3000, seed: 17 }, 'scaled'],
  ['rand700-bins7', { sample: 3000, seed: 17 }, 'dropped'],
  ['mid3000-bins20', { from: 5000, to: ALL_ROWS }, 'plain'],
  ['mid3000-bins20', { from: 5000, to: ALL_ROWS }, 'shifted'],
  ['mid3000-bins20', { from: 5000, to: ALL_ROWS }, 'all-nan'],
  ['rand1500-bins4', { sample: 800, seed: 18 }, 'plain'],
  ['rand1500-bins4', { sample: 800, seed: 18 }, 'constant'],
  ['rand1500-bins4', { sample: 800, seed: 18 }, 'negative'],
  ['rand400-bins1', { sample: 4000, seed: 19 }, 'scaled'],
  ['rand400-bins1', { sample: 200, seed: 20 }, 'plain'],
];

const pickName = (pick: RowPick) => ('from' in pick ? `rows ${pick.from}-${pick.to}` : `${pick.sample} random rows (seed ${pick.seed})`);
const CASES: Case[] = SPECS.map(([training, batch, variant], i) => ({ id: `${training} vs ${pickName(batch)}, ${variant}`, training, batch, variant, workers: i % 4 === 3 ? 2 : 0 }));

const trainFile = (name: string) => join(dir, `train-${name}.csv`);
const batchFile = (c: Case) => join(dir, `batch-${CASES.indexOf(c)}.csv`);
const batchCsv = (c: Case): CsvText => VARIANTS[c.variant]!({ ...source, rows: pickRows(c.batch) });

// the scan case: one file lacks two features, the other has them; the original sees the two
// files as one table (pandas' concat), where the first file's rows are NaN in those columns
const SCAN_DROPPED: Case = { id: 'scan', training: 'head5000', batch: { from: 5000, to: 7500 }, variant: 'dropped', workers: 2 };
const SCAN_PLAIN: Case = { id: 'scan', training: 'head5000', batch: { from: 7500, to: ALL_ROWS }, variant: 'shifted', workers: 2 };

let original: Map<string, OriginalCase>;
const scanFiles = { dropped: join(dir, 'scan-dropped.csv'), plain: join(dir, 'scan-plain.csv'), concat: join(dir, 'scan-concat.csv') };

function runOriginal(spec: unknown): { cases: OriginalCase[] } {
  const result = spawnSync(inject('pythonPath'), [ORIGINAL], { input: JSON.stringify(spec), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`driftcatcher_original.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

beforeAll(() => {
  for (const [name, training] of Object.entries(TRAININGS)) writeCsvText(trainFile(name), { ...source, rows: pickRows(training.pick) });
  for (const c of CASES) writeCsvText(batchFile(c), batchCsv(c));
  writeCsvText(scanFiles.dropped, batchCsv(SCAN_DROPPED));
  const plain = batchCsv(SCAN_PLAIN);
  writeCsvText(scanFiles.plain, plain);
  // the dropped file as pandas' concat puts it under the full header: Flow IAT Min empty; its one
  // ` Fwd Header Length` (the file's second) is `Fwd Header Length`, and `Fwd Header Length.1` empty
  const header = source.header.split(',').map((name) => name.trim());
  const iatMin = header.indexOf('Flow IAT Min');
  const first = header.indexOf('Fwd Header Length');
  const second = header.indexOf('Fwd Header Length', first + 1);
  const asOneTable = pickRows(SCAN_DROPPED.batch).map((row) => {
    const cells = row.split(',');
    [cells[iatMin], cells[first], cells[second]] = ['', cells[second]!, ''];
    return cells.join(',');
  });
  writeCsvText(scanFiles.concat, { ...source, rows: [...asOneTable, ...plain.rows] });
  const spec = {
    cases: [
      ...CASES.map((c) => ({ id: c.id, train: trainFile(c.training), batch: batchFile(c), bins: TRAININGS[c.training]!.bins })),
      ...Object.entries(scanFiles).map(([name, file]) => ({ id: `scan-${name}`, train: trainFile('head5000'), batch: file, bins: 10 })),
    ],
  };
  original = new Map(runOriginal(spec).cases.map((c) => [c.id, c]));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---- the comparison ----------------------------------------------------------------------------------

const profiles = new Map<string, Promise<Profile>>();
function profileOf(training: string): Promise<Profile> {
  if (!profiles.has(training)) profiles.set(training, createBaseline(trainFile(training), { bins: TRAININGS[training]!.bins }));
  return profiles.get(training)!;
}

/** The stored compat baseline is the original's training_stats: edges bit for bit, proportions exactly. */
function expectOriginalBaseline(profile: Profile, ref: OriginalCase): void {
  expect(profile.features.map((f) => f.name)).toEqual(ref.feature_cols);
  expect(profile.complete_rows).toBe(ref.training_rows);
  for (const feature of profile.features) {
    const stats = ref.training_stats[feature.name]!;
    expect(feature.compat.edges, `${feature.name}: edges`).toEqual(stats.quantiles);
    expect(feature.compat.counts.map((c) => c / profile.complete_rows), `${feature.name}: expected_dist`).toEqual(stats.expected_dist);
  }
}

/** The shape a report takes in the original's terms, for one-line failure messages. */
function expectOriginalDrift(report: Pick<DriftReport, 'overall_psi' | 'features' | 'n_drifted_features' | 'total_features' | 'action' | 'skipped_features'>, ref: OriginalDrift, what: string): void {
  expect(report.skipped_features, `${what}: skipped features`).toEqual(ref.skipped_features);
  expect(report.total_features, `${what}: total_features`).toBe(ref.total_features);
  const ours = new Map(report.features.map((f) => [f.name, f]));
  expect([...ours.keys()].sort(), `${what}: scored features`).toEqual(Object.keys(ref.feature_psi).sort());
  for (const [name, psi] of Object.entries(ref.feature_psi)) {
    const mine = ours.get(name)!.psi!;
    expect(Math.abs(mine - psi), `${what}: ${name}: psi ${mine} vs the original's ${psi}`).toBeLessThan(1e-9);
  }
  expect(Math.abs(report.overall_psi! - ref.overall_psi), `${what}: overall psi ${report.overall_psi} vs ${ref.overall_psi}`).toBeLessThan(1e-9);
  expect(report.n_drifted_features, `${what}: n_drifted_features`).toBe(ref.n_drifted_features);
  const drifted = report.features.filter((f) => f.drifted).map((f) => f.name);
  expect(drifted.sort(), `${what}: drifted features`).toEqual(ref.drifted_features.map(([name]) => name).sort());
  expect(report.action, `${what}: action`).toBe(ref.action);
}

describe('compat driftcatcher = the original tool, on the real CICIDS extract split many ways', () => {
  it('covers what the issue asks: many cases, sizes 200..9,000, every kind of drift, every verdict', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    const verdicts = new Set(CASES.map((c) => original.get(c.id)!.drift!.action));
    expect([...verdicts].sort()).toEqual(['alert', 'retrain', 'wait']);
    const reasons = new Set(CASES.flatMap((c) => original.get(c.id)!.drift!.skipped_features.map((s) => s.reason)));
    expect([...reasons].sort()).toEqual(['no_finite_values', 'not_in_batch']);
  });

  for (const c of CASES) {
    it(`${c.id}${c.workers ? ' (2 workers)' : ''}`, async () => {
      const ref = original.get(c.id)!;
      const profile = await profileOf(c.training);
      expectOriginalBaseline(profile, ref);
      const report = await checkDrift(profile, batchFile(c), { compat: 'driftcatcher', workers: c.workers });
      expectOriginalDrift(report, ref.drift!, c.id);
      expect(report.settings.semantics).toBe('compat:driftcatcher');
    });
  }

  it('a scan: per file as the original sees each file, combined as it sees them concatenated', async () => {
    const profile = await profileOf('head5000');
    const scan = await scanDrift(profile, [scanFiles.dropped, scanFiles.plain], { compat: 'driftcatcher', workers: 2 });
    expectOriginalDrift(scan.files[0]!, original.get('scan-dropped')!.drift!, 'file lacking two features');
    expectOriginalDrift(scan.files[1]!, original.get('scan-plain')!.drift!, 'file with them');
    expect(scan.files[0]!.skipped_features.map((s) => s.name)).toEqual(['Flow IAT Min', 'Fwd Header Length.1']);
    expectOriginalDrift(scan.combined, original.get('scan-concat')!.drift!, 'combined');
    expect(scan.combined.skipped_features).toEqual([]);
  });

  it('an Arrow batch lacking features (IPC file and stream, 0 and 2 workers) reports what its CSV does', async () => {
    const c = CASES.find((x) => x.training === 'tail5998' && x.variant === 'dropped+all-nan')!;
    const csv = batchCsv(c);
    const names = csv.header.split(',').map((n) => n.trim());
    const rows = csv.rows.map((row) => row.split(','));
    const columns: Record<string, Float64Array> = {};
    names.forEach((name, j) => {
      if (name !== 'Label') columns[name] = Float64Array.from(rows, (cells) => (cells[j]!.trim() === '' ? NaN : Number(cells[j])));
    });
    const table = tableFromArrays(columns);
    const profile = await profileOf(c.training);
    for (const format of ['file', 'stream'] as const) {
      const file = join(dir, `dropped.${format}.arrow`);
      writeFileSync(file, tableToIPC(table, format));
      for (const workers of [0, 2]) {
        const report = await checkDrift(profile, file, { compat: 'driftcatcher', workers });
        expectOriginalDrift(report, original.get(c.id)!.drift!, `Arrow ${format}, ${workers} workers`);
      }
    }
  });

  it('the default semantics still refuse a batch that lacks a baseline feature', async () => {
    const c = CASES.find((x) => x.variant === 'dropped')!;
    const profile = await profileOf(c.training);
    await expect(checkDrift(profile, batchFile(c), { workers: 0 })).rejects.toMatchObject({ code: 'DC_ERR_SCHEMA', message: expect.stringContaining('feature "Flow IAT Min" of the baseline is missing') });
    const plain = await checkDrift(profile, batchFile(CASES[0]!), { workers: 0 });
    expect(plain.skipped_features).toEqual([]);
    expect(plain.total_features).toBe(profile.features.length);
  });
});

describe('compat driftcatcher: hand-worked', () => {
  /**
   * Training x = 0,0,0,0,1,2,3,4,5,6,7: at q = 0.30000000000000004 (np.linspace's, not 3/10) the
   * decile is 0 + (1 - 0) * 4.4e-16, not 0, which puts the training's 0s in bin 2 instead of 3,
   * and a batch's 0.5 in a bin of its own; likewise 3 + 8.9e-16 and 4 + 8.9e-16 move the 3 and
   * the 4 down a bin. y has no finite value in the batch and z is not in it: both skipped.
   */
  it('the linspace deciles, np.histogram on them, the skipped features', async () => {
    const train = join(dir, 'tiny-train.csv');
    const xs = [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7];
    writeFileSync(train, 'x,y,z,Label\n' + xs.map((x, i) => `${x},${i},${i},BENIGN\n`).join(''));
    const batch = join(dir, 'tiny-batch.csv');
    writeFileSync(batch, 'x,y,Label\n0,NaN,BENIGN\n0.5,Infinity,BENIGN\n3,,BENIGN\n4,NaN,BENIGN\n7,NaN,BENIGN\n9,NaN,BENIGN\n');
    const profile = await createBaseline(train);
    const x = profile.features[0]!;
    expect(x.compat.edges).toEqual([0, 0, 0, 2 ** -51, 1, 2, 3 + 2 ** -50, 4 + 2 ** -50, 5, 6, 7]);
    expect(x.compat.counts).toEqual([0, 0, 4, 0, 1, 2, 1, 0, 1, 2]);
    // the default binning keeps its own grid, q = i / 10: deciles 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7
    expect(x.quantiles).toEqual([0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7]);
    const report = await checkDrift(profile, batch, { compat: 'driftcatcher', workers: 0 });
    const e = [0, 0, 4, 0, 1, 2, 1, 0, 1, 2].map((n) => (n ? n / 11 : 1e-4));
    const a = [0, 0, 1, 1, 0, 1, 1, 0, 0, 1].map((n) => (n ? n / 6 : 1e-4)); // 9 is above the last edge
    const psi = e.reduce((sum, ei, i) => sum + (a[i]! - ei) * Math.log(a[i]! / ei), 0);
    expect(report.features.map((f) => f.name)).toEqual(['x']);
    expect(report.features[0]!.psi).toBeCloseTo(psi, 12);
    expect(report.overall_psi).toBeCloseTo(psi, 12);
    expect(report.total_features).toBe(1);
    expect(report.skipped_features).toEqual([
      { name: 'y', reason: 'no_finite_values' },
      { name: 'z', reason: 'not_in_batch' },
    ]);
    expect(report.action).toBe('retrain');
  });

  it('a baseline without a complete row (the original would have nothing to train on) is refused by --compat only', async () => {
    const train = join(dir, 'no-complete-row.csv');
    writeFileSync(train, 'x,y,Label\n1,NaN,BENIGN\n2,,BENIGN\n3,Infinity,BENIGN\n');
    const profile = await createBaseline(train);
    expect(profile.complete_rows).toBe(0);
    await expect(checkDrift(profile, train, { compat: 'driftcatcher', workers: 0 })).rejects.toMatchObject({ code: 'DC_ERR_PROFILE', message: expect.stringContaining('no training row has every feature finite') });
    expect((await checkDrift(profile, train, { workers: 0 })).total_features).toBe(2);
  });

  it('a batch with none of the baseline features scoreable is a one-line InputError, not NaN and `wait`', async () => {
    const profile = await profileOf('small200');
    const file = join(dir, 'unrelated.csv');
    writeFileSync(file, 'a,b\n1,2\n3,4\n');
    await expect(checkDrift(profile, file, { compat: 'driftcatcher', workers: 0 })).rejects.toMatchObject({ code: 'DC_ERR_INPUT', message: `${file}: none of the baseline's 78 features can be scored (78 not in the data, 0 without a finite value); compat driftcatcher skips such features, which leaves nothing to check` });
  });
});

describe('the CLI: check --compat driftcatcher --json', () => {
  const pick = (training: string, variant: string) => CASES.find((c) => c.training === training && c.variant === variant)!;
  const cliCases = [pick('head5000', 'dropped'), pick('rand700-bins7', 'dropped'), pick('tail5998', 'dropped+all-nan')];

  for (const [i, c] of cliCases.entries()) {
    it(c.id, async () => {
      const profile = join(dir, `cli-${CASES.indexOf(c)}.json`);
      if (i === 0) {
        const made = cli(['baseline', trainFile(c.training), '-o', profile, '--bins', String(TRAININGS[c.training]!.bins)]);
        expect(made.code, made.stderr).toBe(0);
      } else {
        await saveProfile(await profileOf(c.training), profile);
      }
      const run = cli(['check', '--baseline', profile, batchFile(c), '--compat', 'driftcatcher', '--json', '--no-record']);
      expect(run.code, run.stderr).toBe(0);
      const ref = original.get(c.id)!;
      expectOriginalBaseline(JSON.parse(readFileSync(profile, 'utf8')), ref);
      expectOriginalDrift(JSON.parse(run.stdout), ref.drift!, `CLI ${c.id}`);
      // stderr names the skipped features and why, on one line
      const note = run.stderr.split('\n').find((line) => line.includes('skipped'))!;
      const skipped = ref.drift!.skipped_features;
      expect(note).toContain(`skipped ${skipped.length} of the baseline's features, as the original tool does`);
      for (const s of skipped) expect(note).toContain(`"${s.name}" (${s.reason === 'not_in_batch' ? 'not in the data' : 'no finite value'})`);
    });
  }

  it('without --compat the batch lacking a feature is exit 2 with one line; an old profile is refused by --compat only', async () => {
    const c = pick('head5000', 'dropped');
    const profile = join(dir, 'cli-old.json');
    await saveProfile(await profileOf(c.training), profile);
    const refused = cli(['check', '--baseline', profile, batchFile(c), '--json', '--no-record']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toEqual([`driftcatcher: ${batchFile(c)}: feature "Flow IAT Min" of the baseline is missing from this file (it has 77 columns)`]);
    // a profile from before the linspace grid: its compat edges are not the original's
    const old = JSON.parse(readFileSync(profile, 'utf8'));
    delete old.quantile_grids;
    writeFileSync(profile, JSON.stringify(old));
    const stale = cli(['check', '--baseline', profile, batchFile(CASES[0]!), '--compat', 'driftcatcher', '--json', '--no-record']);
    expect(stale.code).toBe(2);
    expect(stale.stderr.trim().split('\n')).toHaveLength(1);
    expect(stale.stderr).toContain('rebuild it with `driftcatcher baseline`');
    expect(cli(['check', '--baseline', profile, batchFile(CASES[0]!), '--json', '--no-record']).code).toBe(0);
  });
});
