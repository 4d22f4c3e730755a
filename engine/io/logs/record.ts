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

/**
 * A parsed line: its time (Unix ms) and its fields, the features object's over the top-level
 * ones. `field(name)` reads one field without flattening the line; `values` flattens it (once,
 * on first use). A line of 80 features took about 0.4 ms to flatten (an object spread of
 * 80 keys, then a delete), thirty times its JSON.parse, and a window's rows need a few fields.
 */
export class LogRecord {
  readonly time: number;
  readonly #top: Record<string, unknown>;
  readonly #nested: Record<string, unknown> | null;
  readonly #featuresField: string;
  #values: Record<string, unknown> | null = null;

  constructor(time: number, top: Record<string, unknown>, nested: Record<string, unknown> | null, featuresField: string) {
    this.time = time;
    this.#top = top;
    this.#nested = nested;
    this.#featuresField = featuresField;
  }

  /** One field's value (undefined when the line has none): the features object's, else the top-level one (the features field itself is not a field). */
  field(name: string): unknown {
    const nested = this.#nested;
    if (nested !== null) {
      if (name === this.#featuresField) return undefined;
      if (Object.hasOwn(nested, name)) return nested[name];
    }
    return Object.hasOwn(this.#top, name) ? this.#top[name] : undefined;
  }

  /** Every field, in the line's order (the top-level ones, then the features object's new ones). */
  get values(): Record<string, unknown> {
    if (this.#values === null) {
      const nested = this.#nested;
      if (nested === null) this.#values = this.#top;
      else {
        const values: Record<string, unknown> = { ...this.#top, ...nested };
        delete values[this.#featuresField];
        this.#values = values;
      }
    }
    return this.#values;
  }
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
  return new LogRecord(time, record, typeof nested === 'object' && nested !== null && !Array.isArray(nested) ? (nested as Record<string, unknown>) : null, featuresField);
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
