/**
 * Labelled predictions, as `driftcatcher predict` writes them (CSV with `y_pred,y_prob,y_true`) or
 * as JSON-lines prediction logs (one object per line with `y_true`, `y_pred` and optional
 * `y_prob`). Labels are 0/1 (`true`/`false` accepted); `y_prob` is the positive class's
 * probability in [0, 1]. Every problem is an InputError naming the file and line.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../util/index.js';

export interface Predictions {
  file: string;
  format: 'csv' | 'jsonl';
  rows: number;
  yTrue: Uint8Array;
  yPred: Uint8Array;
  /** null when the file has no y_prob */
  yProb: Float64Array | null;
}

export function predictionsFormat(file: string): 'csv' | 'jsonl' {
  const ext = extname(file).toLowerCase();
  return ext === '.jsonl' || ext === '.ndjson' || ext === '.json' ? 'jsonl' : 'csv';
}

function label(value: unknown, name: string, file: string, line: number): number {
  if (value === 1 || value === '1' || value === true || value === 'true' || value === '1.0') return 1;
  if (value === 0 || value === '0' || value === false || value === 'false' || value === '0.0') return 0;
  throw new InputError(`${name} must be 0 or 1, got ${JSON.stringify(value)}`, { file, line, column: name });
}

function probability(value: unknown, file: string, line: number): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!(number >= 0 && number <= 1)) throw new InputError(`y_prob must be a probability from 0 to 1, got ${JSON.stringify(value)}`, { file, line, column: 'y_prob' });
  return number;
}

export async function readPredictions(file: string): Promise<Predictions> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a predictions file' : `cannot read (${code ?? 'error'})`, { file });
  }
  const format = predictionsFormat(file);
  const lines = text.split(/\r?\n/);
  const yTrue: number[] = [];
  const yPred: number[] = [];
  const yProb: number[] = [];
  let hasProb: boolean | null = null;
  if (format === 'csv') {
    const header = (lines[0] ?? '').split(',').map((n) => n.trim().replace(/^"|"$/g, ''));
    if (header.length === 1 && header[0] === '') throw new InputError('empty file: expected a header with y_true and y_pred', { file });
    const at = (name: string) => header.indexOf(name);
    const iTrue = at('y_true');
    const iPred = at('y_pred');
    const iProb = at('y_prob');
    if (iTrue < 0) throw new InputError('no y_true column: monitoring needs labelled predictions (predict a labelled file, or log y_true)', { file, line: 1 });
    if (iPred < 0) throw new InputError('no y_pred column', { file, line: 1 });
    hasProb = iProb >= 0;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      const cells = line.split(',');
      if (cells.length !== header.length) throw new InputError(`expected ${header.length} fields, got ${cells.length}`, { file, line: i + 1 });
      yTrue.push(label(cells[iTrue]!.trim(), 'y_true', file, i + 1));
      yPred.push(label(cells[iPred]!.trim(), 'y_pred', file, i + 1));
      if (hasProb) yProb.push(probability(cells[iProb]!, file, i + 1));
    }
  } else {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        throw new InputError('not a JSON object', { file, line: i + 1 });
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new InputError('not a JSON object', { file, line: i + 1 });
      const row = record as Record<string, unknown>;
      if (!('y_true' in row)) throw new InputError('no y_true: monitoring needs labelled predictions', { file, line: i + 1 });
      if (!('y_pred' in row)) throw new InputError('no y_pred', { file, line: i + 1 });
      const prob = row['y_prob'];
      const present = prob !== undefined && prob !== null;
      if (hasProb === null) hasProb = present;
      else if (hasProb !== present) throw new InputError(`y_prob ${present ? 'given here but not on earlier lines' : 'missing here but given on earlier lines'}`, { file, line: i + 1 });
      yTrue.push(label(row['y_true'], 'y_true', file, i + 1));
      yPred.push(label(row['y_pred'], 'y_pred', file, i + 1));
      if (present) yProb.push(probability(prob, file, i + 1));
    }
  }
  if (yTrue.length === 0) throw new InputError('no predictions in the file', { file });
  return { file, format, rows: yTrue.length, yTrue: Uint8Array.from(yTrue), yPred: Uint8Array.from(yPred), yProb: hasProb ? Float64Array.from(yProb) : null };
}
