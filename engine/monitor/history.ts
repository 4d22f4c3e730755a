/**
 * The local performance history: one JSON line per monitoring run. Each line is written with one
 * `write` on a file opened with O_APPEND, so concurrent monitors never interleave or overwrite
 * each other's lines, and a reader sees whole lines only (a torn last line, after a crash, is skipped).
 */
import { open, readFile } from 'node:fs/promises';
import { ensureParentDir, writeError } from '../util/fs-errors.js';
import { join } from 'node:path';
import { resolveTracking, type TrackingOptions } from '../tracking/config.js';
import type { PerformanceReport } from './performance.js';

export const HISTORY_FILE = 'performance_history.jsonl';

export interface HistoryEntry {
  timestamp: string;
  file: string;
  rows: number;
  status: PerformanceReport['status'];
  metrics: Omit<PerformanceReport['metrics'], 'confusion_matrix'>;
  confusion_matrix: PerformanceReport['metrics']['confusion_matrix'];
  violations: string[];
  model_version: number | null;
}

/** Default place: beside the run ledger (`$DRIFTCATCHER_HOME` or `./.driftcatcher`). */
export function defaultHistoryFile(options: Pick<TrackingOptions, 'ledgerDir' | 'env'> = {}): string {
  return join(resolveTracking(options).ledgerDir, HISTORY_FILE);
}

export function historyEntry(report: PerformanceReport): HistoryEntry {
  const { confusion_matrix, ...metrics } = report.metrics;
  return { timestamp: report.timestamp, file: report.file, rows: report.rows, status: report.status, metrics, confusion_matrix, violations: report.violations.map((v) => v.metric), model_version: report.champion?.version ?? null };
}

/** Append one line in one write (O_APPEND). */
export async function appendJsonLine(file: string, value: unknown): Promise<void> {
  await ensureParentDir(file);
  const line = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) + '\n';
  try {
    const handle = await open(file, 'a');
    try {
      await handle.write(line);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw writeError(err, file);
  }
}

export async function appendHistory(file: string, report: PerformanceReport): Promise<HistoryEntry> {
  const entry = historyEntry(report);
  await appendJsonLine(file, entry);
  return entry;
}

/** Every whole line of a JSON-lines file (missing file: none). */
export async function readJsonLines<T>(file: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // a torn line from a crash: skipped
    }
  }
  return out;
}

export async function readHistory(file: string): Promise<HistoryEntry[]> {
  return readJsonLines<HistoryEntry>(file);
}
