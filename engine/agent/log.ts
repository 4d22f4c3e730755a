/**
 * Daily JSON-lines logs `agent_YYYYMMDD.log` (local date): one object per event with its time,
 * type and details. Each line is one O_APPEND write, so agents running at once do not mix lines.
 */
import { join } from 'node:path';
import { appendJsonLine } from '../util/index.js';

export const AGENT_EVENTS = ['CHECK_START', 'CHECK_OK', 'ALERT', 'ALERT_COOLDOWN', 'RETRAIN_START', 'RETRAIN_SUCCESS', 'RETRAIN_FAILED', 'RETRAIN_COOLDOWN', 'ERROR', 'WATCH_START', 'WATCH_STOP'] as const;
export type AgentEvent = (typeof AGENT_EVENTS)[number];

export interface LogEntry {
  timestamp: string;
  event: AgentEvent;
  message: string;
  [key: string]: unknown;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function logFileName(date: Date): string {
  return `agent_${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}.log`;
}

export class AgentLog {
  readonly dir: string;
  readonly #onEntry?: (entry: LogEntry) => void;

  constructor(dir: string, onEntry?: (entry: LogEntry) => void) {
    this.dir = dir;
    this.#onEntry = onEntry;
  }

  async write(event: AgentEvent, message: string, details: Record<string, unknown> = {}, now = new Date()): Promise<LogEntry> {
    const entry: LogEntry = { timestamp: now.toISOString(), event, message, ...details };
    await appendJsonLine(join(this.dir, logFileName(now)), entry);
    this.#onEntry?.(entry);
    return entry;
  }
}
