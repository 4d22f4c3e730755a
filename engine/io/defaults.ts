/**
 * engine/io's defaults, once: `ReadOptions` (all optional) -> `resolveReadOptions()` -> the
 * resolved form, with `IO_DEFAULTS` merged under what the caller gave. Validation messages name
 * the option (`maxLineBytes: must be ...`); the CLI shows its own flag instead.
 */
import { UsageError } from '../util/index.js';
import type { ReadOptions } from './types.js';

const MiB = 1024 * 1024;

export const IO_DEFAULTS = {
  /** the label column looked for when the caller names none (then it may be absent) */
  label: 'Label',
  /** rows per emitted RecordBatch */
  batchRows: 65_536,
  /** non-numeric text in a feature column is an error, not a counted NaN */
  coerce: false,
  /** count non-finite values per column while reading */
  countQuality: true,
  /** keep the label column */
  withLabel: true,
  /**
   * The longest line (header or data row, its line end not counted; a quoted field's line ends
   * count) a reader accepts: generous for real CSV (a CICIDS row is ~500 bytes), small enough
   * that no input makes a reader hold more than a few of them. A longer line is an InputError
   * naming file, line and column as soon as its first bytes over the limit are read.
   */
  maxLineBytes: 1 * MiB,
  /** bytes read per system call by the CSV readers */
  readBlockBytes: 4 * MiB,
  /** scan planning, CSV: bytes of the file per task (byte range) */
  csvRangeBytes: 16 * MiB,
  /** scan planning, Arrow IPC: bytes of column values per task, about */
  arrowTaskBytes: 8 * MiB,
  /** scan planning, Parquet: bytes of compressed column chunks per task, about (a row group's chunks are grouped; a larger chunk is one task) */
  parquetTaskBytes: 8 * MiB,
} as const;

/** The largest `maxLineBytes` accepted (1 GiB). */
export const MAX_LINE_BYTES_LIMIT = 1024 * MiB;

/** ReadOptions with every default filled in (`label` stays undefined when not given: the default label may be absent). */
export interface ResolvedReadOptions {
  label: string | undefined;
  exclude: readonly string[];
  batchRows: number;
  coerce: boolean;
  countQuality: boolean;
  withLabel: boolean;
  maxLineBytes: number;
}

/** Fill in the defaults and check the numbers (UsageError naming the option). */
export function resolveReadOptions(options: ReadOptions = {}): ResolvedReadOptions {
  return {
    label: options.label,
    exclude: options.exclude ?? [],
    batchRows: positiveInteger('batchRows', options.batchRows, IO_DEFAULTS.batchRows),
    coerce: options.coerce ?? IO_DEFAULTS.coerce,
    countQuality: options.countQuality ?? IO_DEFAULTS.countQuality,
    withLabel: options.withLabel ?? IO_DEFAULTS.withLabel,
    maxLineBytes: resolveMaxLineBytes(options.maxLineBytes),
  };
}

/** `maxLineBytes` as given (UsageError when it is not an integer from 1 to 1 GiB), or the default. */
export function resolveMaxLineBytes(maxLineBytes: number | undefined): number {
  return positiveInteger('maxLineBytes', maxLineBytes, IO_DEFAULTS.maxLineBytes, MAX_LINE_BYTES_LIMIT);
}

/** `value` when it is an integer from 1 to `max`, the default when undefined, else a UsageError naming `option`. */
export function positiveInteger(option: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new UsageError(`must be an integer from 1 to ${max}, got ${value}`, { option });
  return value;
}
