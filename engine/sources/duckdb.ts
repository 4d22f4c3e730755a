/**
 * DuckDB through `@duckdb/node-api` (loaded when a duckdb source is opened): a database file,
 * opened read-only, and its table; or Parquet / CSV files by glob, read by an in-memory DuckDB
 * (read_parquet, read_csv). The session's time zone is UTC.
 */
import { stat } from 'node:fs/promises';
import { InputError } from '../util/index.js';
import { DUCKDB, quoteIdent, quoteString } from './sql.js';
import type { ResolvedSourceOptions } from './options.js';
import type { SqlBackend } from './sql-source.js';
import type { RowBatch, SourceColumn } from './types.js';

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?)$/i;

export async function openDuckDb(path: string, table: string | null, files: 'parquet' | 'csv' | null, options: ResolvedSourceOptions): Promise<SqlBackend> {
  const tableName = files ? path : (table ?? options.table);
  const description = files ? `duckdb:${path}` : `duckdb:${path} table ${tableName}`;
  if (!files) {
    try {
      if (!(await stat(path)).isFile()) throw new Error('not a file');
    } catch {
      throw new InputError("no such DuckDB database file (duckdb:path.duckdb[?table=name])", { file: path });
    }
  }
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const fail = (what: string, err: unknown) => new InputError(`${description}: ${what}: ${(err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim()}`);
  let instance;
  try {
    instance = await DuckDBInstance.create(files ? ':memory:' : path, files ? {} : { access_mode: 'READ_ONLY' });
  } catch (err) {
    throw fail('cannot open', err);
  }
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  const relation = files === 'parquet' ? `read_parquet(${quoteString(path)})` : files === 'csv' ? `read_csv(${quoteString(path)})` : quoteIdent(tableName, true);
  const run = async (sql: string) => {
    try {
      return await connection.runAndReadAll(sql);
    } catch (err) {
      throw fail('query failed', err);
    }
  };
  const all = async (sql: string): Promise<Record<string, unknown>[]> => {
    const reader = await run(sql);
    const plain = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : Array.isArray(v) ? v.map(plain) : v);
    return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])));
  };
  return {
    kind: 'duckdb',
    dialect: DUCKDB,
    description,
    relation,
    tableName,
    async describe(): Promise<SourceColumn[]> {
      let reader;
      try {
        reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
      } catch (err) {
        throw fail(files ? 'cannot read the files' : `no table ${JSON.stringify(tableName)}`, err);
      }
      return reader.getRowObjectsJS().map((row) => ({ name: String(row['column_name']), numeric: NUMERIC.test(String(row['column_type'])), ...(String(row['column_type']).toUpperCase() === 'BOOLEAN' ? { boolean: true } : {}) }));
    },
    async one(sql: string) {
      return (await all(sql))[0] ?? {};
    },
    all,
    async *stream(sql: string, nColumns: number): AsyncIterable<RowBatch> {
      let result;
      try {
        result = await connection.stream(sql);
      } catch (err) {
        throw fail('query failed', err);
      }
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const rows = chunk.rowCount;
        const columns: Float64Array[] = [];
        for (let c = 0; c < nColumns; c++) {
          const values = chunk.getColumnValues(c) as (number | null)[];
          const column = new Float64Array(rows);
          for (let r = 0; r < rows; r++) column[r] = values[r] ?? NaN;
          columns.push(column);
        }
        yield { rows, columns };
      }
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
