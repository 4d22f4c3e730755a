/**
 * The sources tests' data: the real CICIDS rows of test/fixtures (friday-ddos-head-9998.csv)
 * as a `classifier_predictions` table, one row every 8.64 minutes from 2026-01-01T00:00:00Z over
 * 60 days (so every third midnight has a row exactly on it: row 500 k is at day 3 k), with
 * synthetic drift from day 50 (two features scaled by 3, one set missing in every fifth row).
 * The same rows go to a database (SQL statements for PostgreSQL and DuckDB), to JSON-lines logs and,
 * for a window, to the equivalent CSV file that the file path checks.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { normaliseNames } from '../../../engine/io/index.js';

export const START_MS = Date.UTC(2026, 0, 1);
export const STEP_MS = 518_400;
export const DAY = 86_400_000;
export const DRIFT_FROM_DAY = 50;
export const SCALED = ['Flow Duration', 'Fwd IAT Total'];
export const BLANKED = 'Flow IAT Mean';

export interface PredictionRows {
  /** the feature names (the fixture's header, trimmed and made unique) */
  features: string[];
  /** Unix ms per row */
  times: number[];
  /** feature cells as text ('' for missing) */
  cells: string[][];
  /** 1 for an attack, 0 for BENIGN */
  labels: number[];
}

/** test/fixtures/cicids2017/friday-ddos-head-9998.csv (read here, not through test/helpers.ts, so that the benchmark can use this module outside vitest) */
const HEAD_9998 = fileURLToPath(new URL('../../fixtures/cicids2017/friday-ddos-head-9998.csv', import.meta.url));

export function predictionRows(): PredictionRows {
  const lines = readFileSync(HEAD_9998, 'latin1').split(/\r?\n/).filter((l) => l !== '');
  const csv = { header: lines[0]!, rows: lines.slice(1) };
  const header = normaliseNames(csv.header.split(','));
  const labelAt = header.indexOf('Label');
  const features = header.filter((_, i) => i !== labelAt);
  const times: number[] = [];
  const cells: string[][] = [];
  const labels: number[] = [];
  csv.rows.forEach((line, r) => {
    const row = line.split(',');
    const time = START_MS + r * STEP_MS;
    const values = row.filter((_, i) => i !== labelAt).map((c) => c.trim());
    if (time >= START_MS + DRIFT_FROM_DAY * DAY) {
      for (const name of SCALED) {
        const at = features.indexOf(name);
        const v = Number(values[at]);
        if (Number.isFinite(v)) values[at] = String(v * 3);
      }
      if (r % 5 === 0) values[features.indexOf(BLANKED)] = '';
    }
    times.push(time);
    cells.push(values);
    labels.push(row[labelAt]!.trim() === 'BENIGN' ? 0 : 1);
  });
  return { features, times, cells, labels };
}

/** The rows of [from, until) as the equivalent CSV (the features, then `label`). */
export function windowCsv(rows: PredictionRows, from: number, until: number, file: string): string {
  const lines = [[...rows.features, 'label'].join(',')];
  rows.times.forEach((t, r) => {
    if (t >= from && t < until) lines.push([...rows.cells[r]!, String(rows.labels[r])].join(','));
  });
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/**
 * A row's label and the model's outputs. By default the prediction is the label (probability 0.9
 * or 0.1). `noisy` (the monitoring tests; the fixture's rows are all BENIGN, so the label is
 * synthetic: every 3rd row positive): every 7th prediction is wrong, the probability varies from
 * row to row, and every 11th row's label is not known yet (null).
 */
export function outputsOf(rows: PredictionRows, r: number, noisy = false): { label: number | null; prediction: number; probability: number } {
  if (!noisy) {
    const label = rows.labels[r]!;
    return { label, prediction: label, probability: label === 1 ? 0.9 : 0.1 };
  }
  const label = r % 3 === 0 ? 1 : 0;
  const wrong = r % 7 === 0;
  const prediction = wrong ? 1 - label : label;
  const spread = ((r * 37) % 41) / 100;
  const probability = prediction === 1 ? 0.5 + spread : 0.5 - spread;
  return { label: r % 11 === 3 ? null : label, prediction, probability };
}

/** The labelled rows of [from, until) as the predictions CSV `monitor <file>` reads (y_true, y_pred, y_prob). */
export function predictionsCsv(rows: PredictionRows, from: number, until: number, file: string, noisy = true): string {
  const lines = ['y_true,y_pred,y_prob'];
  rows.times.forEach((t, r) => {
    const { label, prediction, probability } = outputsOf(rows, r, noisy);
    if (t >= from && t < until && label !== null) lines.push(`${label},${prediction},${probability}`);
  });
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** The rows before `until` as a training CSV with a `Label` column (the fixture is all BENIGN: every 3rd row is labelled DDoS), for a champion whose baseline is those rows. */
export function trainingCsv(rows: PredictionRows, until: number, file: string): string {
  const lines = [[...rows.features, 'Label'].join(',')];
  rows.times.forEach((t, r) => t < until && lines.push([...rows.cells[r]!, r % 3 === 0 ? 'DDoS' : 'BENIGN'].join(',')));
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * CREATE TABLE and INSERT statements of the rows (PostgreSQL and DuckDB alike): the features as
 * float64 (each value inserted as text, which both parse to the nearest double, as the CSV reader
 * does), the time as timestamptz, label, prediction, probability, model version.
 */
export function insertStatements(rows: PredictionRows, table = 'classifier_predictions', batch = 500, noisy = false): string[] {
  const columns = ['timestamp', ...rows.features, 'label', 'prediction', 'probability', 'model_version'];
  const create = `CREATE TABLE ${table} (${['"timestamp" TIMESTAMPTZ', ...rows.features.map((f) => `${quoted(f)} DOUBLE PRECISION`), '"label" INTEGER', '"prediction" INTEGER', '"probability" DOUBLE PRECISION', '"model_version" TEXT'].join(', ')})`;
  const out = [create];
  for (let start = 0; start < rows.times.length; start += batch) {
    const values: string[] = [];
    for (let r = start; r < Math.min(start + batch, rows.times.length); r++) {
      const cells = rows.cells[r]!.map((c) => (c === '' ? 'NULL' : `'${c}'`));
      const { label, prediction, probability } = outputsOf(rows, r, noisy);
      values.push(`('${new Date(rows.times[r]!).toISOString()}', ${cells.join(', ')}, ${label ?? 'NULL'}, ${prediction}, ${probability}, 'v1')`);
    }
    out.push(`INSERT INTO ${table} (${columns.map(quoted).join(', ')}) VALUES ${values.join(', ')}`);
  }
  return out;
}

/**
 * The rows as JSON-lines logs, one file per 10 days (`predictions-<day>.jsonl`): nested (a
 * `features` object) or flat; non-finite values as the strings NaN and Infinity, missing as null;
 * times as ISO strings with a +02:00 offset, or (`unixSeconds`) as numbers.
 */
export function writeLogs(rows: PredictionRows, dir: string, options: { flat?: boolean; unixSeconds?: boolean; noisy?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true });
  const files = new Map<number, string[]>();
  rows.times.forEach((t, r) => {
    const features: Record<string, number | string | null> = {};
    rows.features.forEach((name, f) => {
      const cell = rows.cells[r]![f]!;
      const v = Number(cell);
      features[name] = cell === '' ? null : Number.isFinite(v) ? v : cell;
    });
    const offset = new Date(t + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    const time = options.unixSeconds ? t / 1000 : offset;
    const { label, prediction, probability } = outputsOf(rows, r, options.noisy);
    // a label not known yet: absent from the line
    const meta = { prediction, probability, ...(label === null ? {} : { label }), model_version: 'v1' };
    const line = options.flat ? { timestamp: time, ...features, ...meta } : { timestamp: time, features, ...meta };
    const day = Math.floor((t - START_MS) / DAY / 10) * 10;
    if (!files.has(day)) files.set(day, []);
    files.get(day)!.push(JSON.stringify(line));
  });
  for (const [day, lines] of files) writeFileSync(join(dir, `predictions-${String(day).padStart(2, '0')}.jsonl`), lines.join('\n') + '\n');
  return dir;
}
