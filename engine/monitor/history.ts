/**
 * The local performance history: one JSON line per monitoring run. Each line is written with one
 * `write` on a file opened with O_APPEND, so concurrent monitors never interleave or overwrite
 * each other's lines, and a reader sees whole lines only (a torn last line, after a crash, is skipped).
 */
import { appendJsonLine, readJsonLines } from '../util/index.js';
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

export function historyEntry(report: PerformanceReport): HistoryEntry {
  const { confusion_matrix, ...metrics } = report.metrics;
  return { timestamp: report.timestamp, file: report.file, rows: report.rows, status: report.status, metrics, confusion_matrix, violations: report.violations.map((v) => v.metric), model_version: report.champion?.version ?? null };
}

export async function appendHistory(file: string, report: PerformanceReport): Promise<HistoryEntry> {
  const entry = historyEntry(report);
  await appendJsonLine(file, entry);
  return entry;
}

export async function readHistory(file: string): Promise<HistoryEntry[]> {
  return readJsonLines<HistoryEntry>(file);
}
