import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CICIDS_HEADER, CONSTANT_ZERO_FEATURES, FEATURE_NAMES, RATE_FEATURES, synthesize, type DriftKind } from '../../../engine/synth/index.js';

const REAL_FILE = join(import.meta.dirname, '../../fixtures/cicids2017/friday-ddos-head-9998.csv');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dc-synth-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Generate (once per distinct options) and parse a CSV. */
const cache = new Map<string, ParsedCsv>();
async function generate(rows: number, seed: number, drift: DriftKind = 'none', attackShare?: number): Promise<ParsedCsv & { driftedFeatures: string[] }> {
  const key = `${rows}-${seed}-${drift}-${attackShare}`;
  const out = join(dir, `${key}.csv`);
  const result = await synthesize({ rows, seed, drift, attackShare, out });
  let parsed = cache.get(key);
  if (!parsed) cache.set(key, (parsed = readSynthCsv(out)));
  return { ...parsed, driftedFeatures: result.drifted_features };
}

describe('synthesize: CSV layout', () => {
  it('writes the exact header line of the real CICIDS2017 file', async () => {
    const realHeader = readFileSync(REAL_FILE, 'latin1').split('\r\n')[0]!;
    expect(CICIDS_HEADER).toBe(realHeader);
    const out = join(dir, 'header.csv');
    await synthesize({ rows: 3, out });
    const text = readFileSync(out, 'latin1');
    expect(text.startsWith(`${realHeader}\n`)).toBe(true);
    expect(text.includes('\r')).toBe(false);
    const names = text.split('\n')[0]!.split(',');
    expect(names).toHaveLength(79);
    expect(names.filter((n) => n === ' Fwd Header Length')).toHaveLength(2);
    expect(names[78]).toBe(' Label');
  });

  it('writes the requested number of rows and reports them', async () => {
    const out = join(dir, 'count.csv');
    const result = await synthesize({ rows: 20_001, seed: 3, out });
    const text = readFileSync(out, 'latin1');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').length - 2).toBe(20_001);
    expect(result).toMatchObject({ file: out, rows: 20_001, bytes: Buffer.byteLength(text, 'latin1'), drifted_features: [] });
  });

  it('writes only the header for zero rows', async () => {
    const out = join(dir, 'empty.csv');
    await synthesize({ rows: 0, out });
    expect(readFileSync(out, 'latin1')).toBe(`${CICIDS_HEADER}\n`);
  });

  it('writes integers without a fraction and other numbers compactly', async () => {
    const out = join(dir, 'compact.csv');
    await synthesize({ rows: 2000, seed: 9, out });
    const cells = readFileSync(out, 'latin1').split('\n').slice(1, -1).flatMap((line) => line.split(',').slice(0, -1));
    const malformed = cells.filter((cell) => !/^(-?\d+(\.\d*[1-9])?|Infinity|NaN)$/.test(cell));
    expect(malformed).toEqual([]);
    const tooLong = cells.filter((cell) => cell.includes('.') && cell.replace(/^-?0\.0*/, '').replace('.', '').length > 10);
    expect(tooLong).toEqual([]);
    expect(cells.some((cell) => cell.includes('.'))).toBe(true);
  });
});

describe('synthesize: determinism', () => {
  it('gives a byte-identical file for the same seed and a different one for another seed', async () => {
    const a = join(dir, 'seed-a.csv');
    const b = join(dir, 'seed-b.csv');
    const c = join(dir, 'seed-c.csv');
    await synthesize({ rows: 40_000, seed: 1234, out: a });
    await synthesize({ rows: 40_000, seed: 1234, out: b });
    await synthesize({ rows: 40_000, seed: 1235, out: c });
    expect(sha256(a)).toBe(sha256(b));
    expect(sha256(a)).not.toBe(sha256(c));
  });

  it('makes a shorter file the prefix of a longer one with the same seed', async () => {
    const short = join(dir, 'prefix-short.csv');
    const long = join(dir, 'prefix-long.csv');
    await synthesize({ rows: 17_000, seed: 5, out: short });
    await synthesize({ rows: 40_000, seed: 5, out: long });
    const shortText = readFileSync(short, 'latin1');
    expect(readFileSync(long, 'latin1').startsWith(shortText)).toBe(true);
  });

  it('rejects bad options with a usage error', async () => {
    await expect(synthesize({ out: join(dir, 'x.txt'), rows: 1 })).rejects.toMatchObject({ code: 'DC_ERR_USAGE' });
    await expect(synthesize({ out: join(dir, 'x.csv'), rows: -1 })).rejects.toMatchObject({ code: 'DC_ERR_USAGE' });
    await expect(synthesize({ out: join(dir, 'x.csv'), attackShare: 1.5 })).rejects.toMatchObject({ code: 'DC_ERR_USAGE' });
    await expect(synthesize({ out: join(dir, 'x.csv'), drift: 'huge' as DriftKind })).rejects.toMatchObject({ code: 'DC_ERR_USAGE' });
  });
});

describe('synthesize: distributions', () => {
  it('labels the attack share of rows DDoS and the rest BENIGN', async () => {
    const data = await generate(60_000, 11);
    const ddos = data.labels.filter((l) => l === 'DDoS').length;
    expect(data.labels.every((l) => l === 'DDoS' || l === 'BENIGN')).toBe(true);
    expect(ddos / data.rows).toBeGreaterThan(0.57 - 0.01);
    expect(ddos / data.rows).toBeLessThan(0.57 + 0.01);
    const benignOnly = await generate(2000, 11, 'none', 0);
    expect(benignOnly.labels.every((l) => l === 'BENIGN')).toBe(true);
    const attackOnly = await generate(2000, 11, 'none', 1);
    expect(attackOnly.labels.every((l) => l === 'DDoS')).toBe(true);
  });

  it('keeps the constant columns zero', async () => {
    const data = await generate(60_000, 11);
    for (const name of CONSTANT_ZERO_FEATURES) {
      const column = data.columns[data.names.indexOf(name)]!;
      expect(column.every((v) => v === 0), name).toBe(true);
    }
  });

  it('puts Infinity / NaN only in the two rate columns, at a rate near 1e-3', async () => {
    const data = await generate(60_000, 11);
    const nonFinite = new Map<string, number>();
    data.columns.forEach((column, c) => {
      const count = column.filter((v) => !Number.isFinite(v)).length;
      if (count > 0) nonFinite.set(data.names[c]!, count);
    });
    expect([...nonFinite.keys()].sort()).toEqual([...RATE_FEATURES].sort());
    const bytesPerS = data.columns[data.names.indexOf('Flow Bytes/s')]!;
    expect(bytesPerS.some((v) => v === Infinity)).toBe(true);
    for (const count of nonFinite.values()) {
      expect(count / data.rows).toBeGreaterThan(3e-4);
      expect(count / data.rows).toBeLessThan(3e-3);
    }
  });

  it('looks like CICIDS2017: integer counts, ports, heavy tails, negative IAT minima, -1 windows', async () => {
    const data = await generate(60_000, 11);
    const col = (name: string): Float64Array => data.columns[data.names.indexOf(name)]!;
    for (const name of ['Destination Port', 'Flow Duration', 'Total Fwd Packets', 'Total Length of Fwd Packets', 'Flow IAT Max', 'Init_Win_bytes_forward', 'SYN Flag Count']) {
      expect(col(name).every((v) => Number.isInteger(v)), name).toBe(true);
    }
    expect(col('Destination Port').every((v) => v >= 0 && v <= 65535)).toBe(true);
    const ports = col('Destination Port');
    expect(ports.filter((p) => p === 80).length / data.rows).toBeGreaterThan(0.5);
    expect(col('Flow IAT Min').some((v) => v < 0)).toBe(true);
    expect(col('Init_Win_bytes_backward').some((v) => v === -1)).toBe(true);
    for (const flag of ['FIN Flag Count', 'SYN Flag Count', 'PSH Flag Count', 'ACK Flag Count', 'URG Flag Count']) {
      expect(col(flag).every((v) => v === 0 || v === 1), flag).toBe(true);
    }
    const duration = finiteSorted(col('Flow Duration'));
    expect(quantile(duration, 0.99) / quantile(duration, 0.5)).toBeGreaterThan(10); // heavy tail
    expect(duration[duration.length - 1]).toBeLessThan(120_000_000);
    // columns CICFlowMeter derives from others agree
    expect(firstDifference(col('Fwd Header Length.1'), col('Fwd Header Length'))).toBe(-1);
    expect(firstDifference(col('Subflow Fwd Bytes'), col('Total Length of Fwd Packets'))).toBe(-1);
    const packets = col('Total Fwd Packets');
    const total = col('Total Length of Fwd Packets');
    const mean = col('Fwd Packet Length Mean');
    let worst = 0;
    for (let r = 0; r < data.rows; r++) worst = Math.max(worst, Math.abs(packets[r]! * mean[r]! - total[r]!) / (1 + total[r]!));
    expect(worst).toBeLessThan(1e-6);
  });
});

describe('synthesize: drift', () => {
  const ROWS = 30_000;

  it('mild moves exactly the three features it names', async () => {
    const base = await generate(ROWS, 77, 'none');
    const mild = await generate(ROWS, 77, 'mild');
    expect(mild.driftedFeatures).toHaveLength(3);
    for (const [c, name] of FEATURE_NAMES.entries()) {
      if (mild.driftedFeatures.includes(name)) {
        // the same rows, shifted: the deciles move and the PSI is well above the threshold
        const before = finiteSorted(base.columns[c]!);
        const after = finiteSorted(mild.columns[c]!);
        expect(quantile(after, 0.5), name).not.toBe(quantile(before, 0.5));
        expect(psi(base.columns[c]!, mild.columns[c]!), name).toBeGreaterThan(0.4);
      } else {
        expect(firstDifference(mild.columns[c]!, base.columns[c]!), name).toBe(-1);
      }
    }
    expect(mild.labels).toEqual(base.labels);
  });

  it('severe shifts at least 15 named features strongly and the DDoS share', async () => {
    const base = await generate(ROWS, 77, 'none');
    const severe = await generate(ROWS, 77, 'severe');
    expect(severe.driftedFeatures.length).toBeGreaterThanOrEqual(15);
    for (const [c, name] of FEATURE_NAMES.entries()) {
      const score = psi(base.columns[c]!, severe.columns[c]!);
      if (severe.driftedFeatures.includes(name)) expect(score, name).toBeGreaterThan(0.5);
      else expect(score, name).toBeLessThan(0.2); // only the label share moved it
    }
    const share = (labels: string[]): number => labels.filter((l) => l === 'DDoS').length / labels.length;
    expect(share(severe.labels) - share(base.labels)).toBeGreaterThan(0.15);
  });

  it('gives wait / alert / retrain against a baseline for none / mild / severe batches', async () => {
    const train = await generate(60_000, 1, 'none');
    const verdicts: Record<string, ReturnType<typeof verdict>> = {};
    for (const drift of ['none', 'mild', 'severe'] as const) {
      const batch = await generate(20_000, 100, drift);
      verdicts[drift] = verdict(train.columns.map((column, c) => psi(column, batch.columns[c]!)));
    }
    expect(verdicts.none).toMatchObject({ drifted: 0, action: 'wait' });
    expect(verdicts.none!.overall).toBeLessThan(0.01);
    expect(verdicts.mild).toMatchObject({ drifted: 3, action: 'alert' });
    expect(verdicts.mild!.overall).toBeLessThan(0.1);
    expect(verdicts.severe!.action).toBe('retrain');
    expect(verdicts.severe!.drifted).toBeGreaterThanOrEqual(15);
  });
});

describe('synthesize: Arrow output', () => {
  it('writes an Arrow IPC file with the same values as the CSV of the same seed', async () => {
    const rows = 40_000; // several blocks, the last one partial
    const csvPath = join(dir, 'same.csv');
    const arrowPath = join(dir, 'same.arrow');
    await synthesize({ rows, seed: 21, drift: 'mild', out: csvPath });
    const result = await synthesize({ rows, seed: 21, drift: 'mild', out: arrowPath });
    expect(result.rows).toBe(rows);
    const csv = readSynthCsv(csvPath);
    const table = tableFromIPC(readFileSync(arrowPath));
    expect(table.numRows).toBe(rows);
    expect(table.schema.fields.map((f) => f.name)).toEqual([...FEATURE_NAMES, 'Label']);
    for (const [c, name] of FEATURE_NAMES.entries()) {
      const values = table.getChildAt(c)!.toArray() as Float64Array;
      expect(values, name).toBeInstanceOf(Float64Array);
      expect(firstDifference(values, csv.columns[c]!), name).toBe(-1);
    }
    const labels = table.getChild('Label')!.toArray() as string[];
    expect(Array.from(labels)).toEqual(csv.labels);
  });
});

// ---------------------------------------------------------------------------------------------
// helpers: read a synthesized CSV back, a small PSI with DriftCatcher's default binning

interface ParsedCsv {
  names: string[];
  /** feature columns (every column but the last) */
  columns: Float64Array[];
  labels: string[];
  rows: number;
}

/** The synthesizer writes no quotes and LF line ends, so splitting is a full parser here. */
function readSynthCsv(path: string): ParsedCsv {
  const lines = readFileSync(path, 'latin1').split('\n');
  lines.pop();
  const names = lines[0]!.split(',').map((name) => name.trim());
  names[55] = 'Fwd Header Length.1';
  const rows = lines.length - 1;
  const columns = names.slice(0, -1).map(() => new Float64Array(rows));
  const labels: string[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1]!.split(',');
    if (cells.length !== names.length) throw new Error(`line ${r + 2}: ${cells.length} cells`);
    for (let c = 0; c < columns.length; c++) columns[c]![r] = Number(cells[c]);
    labels[r] = cells[cells.length - 1]!;
  }
  return { names, columns, labels, rows };
}

/** Index of the first element that differs (Object.is: NaN equals NaN), or -1; lengths must match. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** numpy's default (linear) quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

function finiteSorted(values: Float64Array): Float64Array {
  return values.filter((v) => Number.isFinite(v)).sort();
}

/** Training deciles, repeated interior edges merged, open outer bins, a missing bin; zeros -> eps. */
function psi(train: Float64Array, batch: Float64Array, bins = 10, eps = 1e-4): number {
  const sorted = finiteSorted(train);
  const interior = [...new Set(Array.from({ length: bins - 1 }, (_, i) => quantile(sorted, (i + 1) / bins)))].sort((a, b) => a - b);
  const proportions = (values: Float64Array): number[] => {
    const counts = new Array<number>(interior.length + 2).fill(0);
    for (const v of values) {
      if (!Number.isFinite(v)) counts[interior.length + 1]!++;
      else {
        let bin = 0;
        while (bin < interior.length && v >= interior[bin]!) bin++;
        counts[bin]!++;
      }
    }
    return counts.map((count) => (count === 0 ? eps : count / values.length));
  };
  const expected = proportions(train);
  const actual = proportions(batch);
  let sum = 0;
  for (let i = 0; i < expected.length; i++) sum += (actual[i]! - expected[i]!) * Math.log(actual[i]! / expected[i]!);
  return sum;
}

/** retrain when overall > 0.2 or more than 5 drifted; alert when overall > 0.1 or any drifted. */
function verdict(psis: number[]): { overall: number; drifted: number; action: 'retrain' | 'alert' | 'wait' } {
  const overall = psis.reduce((a, b) => a + b, 0) / psis.length;
  const drifted = psis.filter((p) => p > 0.2).length;
  const action = overall > 0.2 || drifted > 5 ? 'retrain' : overall > 0.1 || drifted > 0 ? 'alert' : 'wait';
  return { overall, drifted, action };
}
