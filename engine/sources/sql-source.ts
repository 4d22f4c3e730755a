/**
 * A database source: the queries of sql.ts run through a backend (postgres.ts, duckdb.ts) that
 * knows its driver. Columns are checked against the table before any window is read, so that a
 * wrong table or column name is one line naming it and the columns there are.
 */
import { SchemaError } from '../util/index.js';
import { countQuery, histogramAggregateQuery, histogramQuery, histogramsFromAggregate, histogramsFromRows, periodQuery, rowsQuery, tailsQuery, type SqlDialect } from './sql.js';
import type { CountRequest, RowBatch, Source, SourceColumn } from './types.js';
import type { TimeWindow } from './window.js';
import type { Histograms } from '../scan/index.js';

/** What a database driver does for a SqlSource. */
export interface SqlBackend {
  readonly kind: 'postgres' | 'duckdb';
  readonly dialect: SqlDialect;
  /** the connection and table, secrets masked */
  readonly description: string;
  /** the FROM clause */
  readonly relation: string;
  /** the table's name as errors state it */
  readonly tableName: string;
  describe(): Promise<SourceColumn[]>;
  /** the one row of an aggregate query, numbers as numbers and lists as number arrays */
  one(sql: string): Promise<Record<string, unknown>>;
  /** every row of a (small, aggregated) result, numbers as numbers */
  all(sql: string): Promise<Record<string, unknown>[]>;
  /** the rows of a query in batches of float64 columns */
  stream(sql: string, nColumns: number): AsyncIterable<RowBatch>;
  close(): Promise<void>;
}

export class SqlSource implements Source {
  readonly #backend: SqlBackend;
  readonly #timeColumn: string;
  #columns: SourceColumn[] | null = null;

  constructor(backend: SqlBackend, timeColumn: string) {
    this.#backend = backend;
    this.#timeColumn = timeColumn;
  }

  get description(): string {
    return this.#backend.description;
  }

  get kind(): 'postgres' | 'duckdb' {
    return this.#backend.kind;
  }

  get dialect(): SqlDialect {
    return this.#backend.dialect;
  }

  async columns(): Promise<SourceColumn[]> {
    this.#columns ??= await this.#backend.describe();
    return this.#columns;
  }

  /** A SchemaError unless every name is a column (the time column first). */
  async #require(names: readonly string[]): Promise<void> {
    const columns = await this.columns();
    const known = new Set(columns.map((c) => c.name));
    for (const name of [this.#timeColumn, ...names]) {
      if (known.has(name)) continue;
      const list = columns.map((c) => c.name);
      const shown = list.length > 12 ? `${list.slice(0, 12).join(', ')}, ... (${list.length})` : list.join(', ');
      const what = name === this.#timeColumn ? 'time column' : 'column';
      throw new SchemaError(`${this.description}: no ${what} ${JSON.stringify(name)} in table ${this.#backend.tableName} (its columns: ${shown})`, { column: name });
    }
  }

  async *batches(window: TimeWindow, columns: readonly string[]): AsyncIterable<RowBatch> {
    await this.#require(columns);
    const booleans = new Set((await this.columns()).filter((c) => c.boolean).map((c) => c.name));
    yield* this.#backend.stream(rowsQuery(this.dialect, this.#backend.relation, this.#timeColumn, window, columns, booleans), columns.length);
  }

  async countRows(window: TimeWindow): Promise<number> {
    await this.#require([]);
    const row = await this.#backend.one(countQuery(this.dialect, this.#backend.relation, this.#timeColumn, window));
    return Number(row['rows']);
  }

  /** The first and last timestamps (Unix ms; null when empty) and the rows of the whole table. */
  async period(): Promise<{ first: number | null; last: number | null; rows: number }> {
    await this.#require([]);
    const row = await this.#backend.one(periodQuery(this.dialect, this.#backend.relation, this.#timeColumn));
    const ms = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return { first: ms(row['first']), last: ms(row['last']), rows: Number(row['rows']) };
  }

  /** The aggregate queries of a window: DuckDB's one histogram() query; PostgreSQL's histogram query, and the tails query when the method reads tail sums. */
  countSql(window: TimeWindow, request: CountRequest): string {
    const all = features(request);
    if (this.dialect.histogram === 'aggregate') return histogramAggregateQuery(this.dialect, this.#backend.relation, this.#timeColumn, window, all, request.tails);
    const histogram = histogramQuery(this.dialect, this.#backend.relation, this.#timeColumn, window, all);
    return request.tails ? `${histogram};\n${tailsQuery(this.dialect, this.#backend.relation, this.#timeColumn, window, all)}` : histogram;
  }

  async count(window: TimeWindow, request: CountRequest): Promise<Histograms> {
    await this.#require(request.featureNames);
    const all = features(request);
    if (this.dialect.histogram === 'aggregate') {
      const row = await this.#backend.one(histogramAggregateQuery(this.dialect, this.#backend.relation, this.#timeColumn, window, all, request.tails));
      return histogramsFromAggregate(all, row, request.tails);
    }
    const grouped = await this.#backend.all(histogramQuery(this.dialect, this.#backend.relation, this.#timeColumn, window, all));
    const tails = request.tails ? await this.#backend.one(tailsQuery(this.dialect, this.#backend.relation, this.#timeColumn, window, all)) : null;
    const histograms = histogramsFromRows(all, grouped, tails);
    return histograms;
  }

  close(): Promise<void> {
    return this.#backend.close();
  }
}

function features(request: CountRequest) {
  return request.featureNames.map((name, f) => ({ name, edges: request.edges[f]! }));
}
