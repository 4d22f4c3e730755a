/**
 * Time windows of production data: half-open intervals [from, until) in UTC. A row whose
 * timestamp is exactly `from` is in the window, one at exactly `until` is in the next one.
 * Instants are ISO 8601 (`2026-03-01`, `2026-03-01T12:00:00Z`, `2026-03-01T14:00:00+02:00`): a
 * date or time without an offset is UTC. Durations: a positive integer and a unit, `30m`, `12h`,
 * `1d`, `2w` (a day is 24 hours: UTC has no daylight saving).
 */
import { UsageError } from '../util/index.js';

export interface TimeWindow {
  /** the first instant in the window */
  from: Date;
  /** the first instant after it (not in the window) */
  until: Date;
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
export const DAY_MS = UNIT_MS.d;

/** `1d` -> 86 400 000 ms; `option` is the library option named in the error. */
export function parseDuration(text: string, option = 'window'): number {
  const match = /^\s*(\d+)\s*([mhdw])\s*$/.exec(text);
  const amount = match ? Number(match[1]) : NaN;
  if (!match || !Number.isSafeInteger(amount) || amount < 1) throw new UsageError(`must be a duration such as 30m, 12h, 1d or 2w, got ${JSON.stringify(text)}`, { option });
  return amount * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** An ISO 8601 instant; without an offset it is UTC. */
export function parseInstant(text: string, option = 'until'): Date {
  const trimmed = text.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(trimmed);
  const hasOffset = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(trimmed);
  const iso = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i.test(trimmed);
  const normalised = dateOnly ? `${trimmed}T00:00:00Z` : hasOffset ? trimmed.replace(' ', 'T') : `${trimmed.replace(' ', 'T')}Z`;
  const date = new Date(normalised);
  if (!iso || Number.isNaN(date.getTime())) throw new UsageError(`must be an ISO 8601 date or time (2026-03-01, 2026-03-01T12:00:00Z, 2026-03-01T14:00:00+02:00; no offset: UTC), got ${JSON.stringify(text)}`, { option });
  return date;
}

/** The window of `durationMs` that ends at `until` (excluded). */
export function windowEnding(until: Date, durationMs: number): TimeWindow {
  return { from: new Date(until.getTime() - durationMs), until };
}

/** Consecutive windows of `chunkMs` covering `period` (the last one shorter when the period is not a whole number of chunks). */
export function chunkWindows(period: TimeWindow, chunkMs: number, maxChunks = 10_000): TimeWindow[] {
  const out: TimeWindow[] = [];
  for (let t = period.from.getTime(); t < period.until.getTime(); t += chunkMs) {
    out.push({ from: new Date(t), until: new Date(Math.min(t + chunkMs, period.until.getTime())) });
    if (out.length > maxChunks) throw new UsageError(`gives more than ${maxChunks} chunks: use a longer chunk or a shorter period`, { option: 'chunk' });
  }
  return out;
}

/** `[2026-03-01T00:00:00.000Z, 2026-03-02T00:00:00.000Z)`: how reports state a window. */
export function windowText(window: TimeWindow): string {
  return `[${window.from.toISOString()}, ${window.until.toISOString()})`;
}

/** The window as JSON reports carry it (UTC, half-open). */
export function windowJson(window: TimeWindow): { from: string; until: string; interval: '[from, until)'; timezone: 'UTC' } {
  return { from: window.from.toISOString(), until: window.until.toISOString(), interval: '[from, until)', timezone: 'UTC' };
}
