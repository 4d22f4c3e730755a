/**
 * One interface for every source of production data. For a half-open UTC window [from, until)
 * a source gives either the rows of its feature columns (batches of float64 columns: the input a
 * baseline profile is built from) or the counts of those columns on a baseline's scan edges (the
 * scan's Histograms, the drift code's input, with the quality counts): a database computes them
 * in one aggregate query, the logs source counts them as it streams the lines.
 */
import type { Histograms } from '../scan/index.js';
import type { TimeWindow } from './window.js';

export interface SourceColumn {
  name: string;
  /** a number column (features are the numeric columns that are not the time, label, prediction, probability, model version or excluded) */
  numeric: boolean;
  /** a BOOLEAN column (not a feature; a label or prediction column of this type is read as 0 = false, 1 = true) */
  boolean?: boolean;
}

/** Rows of some columns: each a Float64Array of `rows` values (NULL and absent values are NaN). */
export interface RowBatch {
  rows: number;
  columns: Float64Array[];
}

export interface CountRequest {
  featureNames: string[];
  /** each feature's scan edges (drift's binEdges), sorted and distinct */
  edges: Float64Array[];
  /** the tail sums the fine methods read (MemoryPlan.tails) */
  tails: boolean;
}

export interface Source {
  /** `postgres://user:***@host/db table classifier_predictions`: what it is, secrets masked */
  readonly description: string;
  /** its kind: postgres, duckdb or logs */
  readonly kind: 'postgres' | 'duckdb' | 'logs';
  /** the columns it has, in order (logs: the fields of the first line, flattened features) */
  columns(): Promise<SourceColumn[]>;
  /** the rows of `columns` in the window, in batches (a database pulls them: bounded by the caller) */
  batches(window: TimeWindow, columns: readonly string[]): AsyncIterable<RowBatch>;
  /** how many rows the window has */
  countRows(window: TimeWindow): Promise<number>;
  /** the counts of the window's rows on the edges (a database: one aggregate query) */
  count(window: TimeWindow, request: CountRequest): Promise<Histograms>;
  /** the first and last timestamps (Unix ms, null when there is no row) and the rows of the whole source */
  period(): Promise<{ first: number | null; last: number | null; rows: number }>;
  /** the SQL `count` runs (databases; null for logs), for docs and --debug */
  countSql?(window: TimeWindow, request: CountRequest): string;
  close(): Promise<void>;
}
