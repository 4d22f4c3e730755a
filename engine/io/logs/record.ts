/**
 * One line of a JSON-lines prediction log, the way every path reads it (the sources' main-side
 * reader, and the scan workers on any line their fast scanner leaves to it): JSON.parse, the
 * time field, the features (the object under the features field over the other top-level
 * fields) and a value as a number. Errors are one line naming file, line and field.
 */
import { InputError, excerpt, type ErrorLocation } from '../../util/index.js';

/** The fields a log line is read by. */
export interface LogFields {
  /** the time field: an ISO 8601 string (no offset: UTC) or Unix seconds */
  timeColumn: string;
  /** the field holding the features object (when a line has none: its other top-level fields) */
  featuresField: string;
}

/** A parsed line: its time (Unix ms) and its fields, the features flattened. */
export interface LogRecord {
  time: number;
  values: Record<string, unknown>;
}

/** Where a line is: its file and line, or its byte offset until the line is located. */
export type LogLocation = Pick<ErrorLocation, 'file' | 'line' | 'byteOffset'>;

/** The strings a value may be besides a number or null (lower case, trimmed): JSON has no non-finite numbers. */
const NON_FINITE: Readonly<Record<string, number>> = { nan: NaN, infinity: Infinity, '-infinity': -Infinity, inf: Infinity, '-inf': -Infinity, '+inf': Infinity, '+infinity': Infinity };

/** The number a non-finite string stands for (NaN, Infinity, -inf...), undefined for any other string. */
export function nonFiniteText(text: string): number | undefined {
  const key = text.trim().toLowerCase();
  return Object.prototype.hasOwnProperty.call(NON_FINITE, key) ? NON_FINITE[key] : undefined;
}

/** A line's text (without its line end) parsed; null for a blank line. */
export function parseLogRecord(text: string, fields: LogFields, where: LogLocation): LogRecord | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError(`not a JSON object: ${excerpt(text)}`, where);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`not a JSON object: ${excerpt(text)}`, where);
  const record = value as Record<string, unknown>;
  const { timeColumn, featuresField } = fields;
  const time = parseLogTime(record[timeColumn]);
  if (Number.isNaN(time)) {
    const got = record[timeColumn] === undefined ? 'none' : excerpt(JSON.stringify(record[timeColumn]));
    throw new InputError(`expected an ISO 8601 time or Unix seconds, got ${got}`, { ...where, column: timeColumn });
  }
  const nested = record[featuresField];
  const values = typeof nested === 'object' && nested !== null && !Array.isArray(nested) ? { ...record, ...(nested as Record<string, unknown>) } : record;
  if (values !== record) delete values[featuresField];
  return { time, values };
}

/** Unix ms of a log line's time: an ISO 8601 string (no offset: UTC) or Unix seconds; NaN when it is neither. */
export function parseLogTime(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : NaN;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return NaN;
  // Date.parse rolls a day past the month's end over (2026-02-30 is March 2nd): not a date
  const [year, month, day] = [Number(value.slice(0, 4)), Number(value.slice(5, 7)), Number(value.slice(8, 10))];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return NaN;
  const text = value.length === 10 ? `${value}T00:00:00Z` : /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
  return Date.parse(text.replace(' ', 'T'));
}

/** A field's value as a number: a number, null or absent (NaN), a non-finite string; else an error naming the field. */
export function logNumber(value: unknown, where: LogLocation, name: string): number {
  if (typeof value === 'number') return value;
  if (value === null || value === undefined) return NaN;
  // a JSON true / false (a boolean label or prediction) is 1 / 0
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'string') {
    const special = nonFiniteText(value);
    if (special !== undefined) return special;
  }
  throw new InputError(`expected a number, true/false, null, NaN or Infinity, got ${excerpt(JSON.stringify(value))}`, { ...where, column: name });
}
