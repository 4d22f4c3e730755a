/**
 * Which library decodes Parquet for the reader (engine/io/parquet.ts): each candidate decodes every
 * numeric column of the same files to Float64Arrays (nulls as NaN), one child process per
 * library and codec, so that each one's peak RSS is its own.
 *
 *   node --import ./test/setup/ts-loader.mjs bench/parquet-libs.ts --libs DIR FILE.parquet...
 *
 * DIR holds a node_modules/ with the candidates (hyparquet + hyparquet-compressors, parquet-wasm,
 * @duckdb/node-api; a library that is not there fails its row): only the chosen one is a dependency
 * of driftcatcher. `driftcatcher` is the reader as built on the chosen one (its page loop over
 * hyparquet's page decoders, engine/io/parquet/decode.ts); `hyparquet` is that library's own
 * `parquetRead` (values assembled into JS arrays, then copied to Float64Arrays). The files are written by test/reference/write_parquet.py from the bench's synthetic
 * CSV (one file per codec). Reported: the median of `--reps` decodes (default 3) and the child's peak
 * RSS (`process.resourceUsage().maxRSS`).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeNumericChunk, readChunkBytes, readParquetLayout } from '../engine/io/parquet/decode.js';

const LIBRARIES = ['driftcatcher', 'hyparquet', 'parquet-wasm', 'duckdb'] as const;
type Library = (typeof LIBRARIES)[number];

async function load(libs: string, name: string): Promise<any> {
  const require = createRequire(join(libs, 'package.json'));
  return import(pathToFileURL(require.resolve(name)).href);
}

/** Decode every numeric column of `file` to Float64Arrays; returns rows x columns decoded. */
async function decode(library: Library, libs: string, file: string): Promise<{ rows: number; columns: number }> {
  if (library === 'driftcatcher') {
    // the reader's own page loop over hyparquet's page decoders (engine/io/parquet/decode.ts)
    const layout = readParquetLayout(file);
    const fd = openSync(file, 'r');
    let columns = 0;
    for (const column of layout.columns) {
      if (column.kind === undefined || column.kind === 'text') continue;
      for (let group = 0; group < layout.groupRows.length; group++) {
        const chunk = layout.chunk(group, column.leaf);
        const out = new Float64Array(chunk.rows);
        decodeNumericChunk(readChunkBytes(fd, file, chunk), chunk, column.kind, out, { file, column: column.name, group });
      }
      columns++;
    }
    closeSync(fd);
    return { rows: layout.groupRows.reduce((a, b) => a + b, 0), columns };
  }
  if (library === 'hyparquet') {
    const { parquetMetadata, parquetRead } = await load(libs, 'hyparquet');
    const { compressors } = await load(libs, 'hyparquet-compressors');
    const bytes = readFileSync(file);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const metadata = parquetMetadata(buffer);
    const numeric: string[] = metadata.schema.slice(1).filter((element: any) => element.type === 'DOUBLE' || element.type === 'FLOAT' || element.type === 'INT32' || element.type === 'INT64').map((element: any) => element.name);
    const columns = new Map<string, Float64Array[]>();
    await parquetRead({
      file: buffer,
      metadata,
      columns: numeric,
      compressors,
      onChunk: ({ columnName, columnData }: { columnName: string; columnData: ArrayLike<unknown> }) => {
        const out = new Float64Array(columnData.length);
        for (let i = 0; i < out.length; i++) {
          const value = columnData[i];
          out[i] = value === null || value === undefined ? NaN : Number(value);
        }
        columns.set(columnName, [...(columns.get(columnName) ?? []), out]);
      },
    });
    return { rows: Number(metadata.num_rows), columns: columns.size };
  }
  if (library === 'parquet-wasm') {
    const wasm = await load(libs, 'parquet-wasm/node');
    const arrow = await import('apache-arrow');
    const table = arrow.tableFromIPC(wasm.readParquet(new Uint8Array(readFileSync(file))).intoIPCStream());
    let columns = 0;
    for (const field of table.schema.fields) {
      if (!arrow.DataType.isFloat(field.type) && !arrow.DataType.isInt(field.type)) continue;
      const vector = table.getChild(field.name)!;
      const out = new Float64Array(vector.length);
      let at = 0;
      for (const data of vector.data) {
        const values = data.values as ArrayLike<number | bigint>;
        for (let i = 0; i < data.length; i++) out[at + i] = Number(values[data.offset + i]!);
        if (data.nullCount > 0) for (let i = 0; i < data.length; i++) if (!data.getValid(i)) out[at + i] = NaN;
        at += data.length;
      }
      columns++;
    }
    return { rows: table.numRows, columns };
  }
  const { DuckDBInstance } = await load(libs, '@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
  const numeric: string[] = described.getRowObjectsJS().filter((row: any) => /^(DOUBLE|FLOAT|INTEGER|BIGINT|UINTEGER|UBIGINT)$/.test(row.column_type)).map((row: any) => row.column_name as string);
  const sql = `SELECT ${numeric.map((name: string) => `"${name.replaceAll('"', '""')}"::DOUBLE`).join(', ')} FROM read_parquet('${file.replaceAll("'", "''")}')`;
  const result = await connection.run(sql);
  const columns: Float64Array[][] = numeric.map(() => []);
  let rows = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (let c = 0; c < numeric.length; c++) {
      const values = chunk.getColumnValues(c) as (number | null)[];
      const out = new Float64Array(values.length);
      for (let i = 0; i < out.length; i++) out[i] = values[i] ?? NaN;
      columns[c]!.push(out);
    }
    rows += chunk.rowCount;
  }
  connection.closeSync?.();
  return { rows, columns: numeric.length };
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function child(args: string[]): Promise<void> {
  const library = argValue(args, '--one') as Library;
  const libs = argValue(args, '--libs')!;
  const file = args[args.length - 1]!;
  const reps = Number(argValue(args, '--reps') ?? 3);
  const times: number[] = [];
  let shape = { rows: 0, columns: 0 };
  for (let r = 0; r < reps; r++) {
    const started = performance.now();
    shape = await decode(library, libs, file);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ ms: times[Math.floor(times.length / 2)], min_ms: times[0], max_ms: times[times.length - 1], peak_rss_mb: process.resourceUsage().maxRSS / 1024, ...shape }) + '\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--one')) return child(args);
  const libs = argValue(args, '--libs');
  if (!libs) throw new Error('usage: bench/parquet-libs.ts --libs DIR [--reps R] FILE.parquet...');
  const reps = argValue(args, '--reps') ?? '3';
  const files = args.filter((arg, i) => arg.endsWith('.parquet') && args[i - 1] !== '--libs');
  console.log('| library | file | MB | rows x columns | decode ms (median, min-max) | peak RSS MB |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const file of files) {
    for (const library of LIBRARIES) {
      const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--one', library, '--libs', libs, '--reps', reps, file], { encoding: 'utf8' });
      if (run.status !== 0) {
        console.log(`| ${library} | ${file} | failed: ${(run.stderr.trim().split('\n').pop() ?? '').slice(0, 120)} |`);
        continue;
      }
      const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
      const mb = (statSync(file).size / 1e6).toFixed(1);
      console.log(`| ${library} | ${file.split('/').pop()} | ${mb} | ${result.rows} x ${result.columns} | ${result.ms.toFixed(0)} (${result.min_ms.toFixed(0)}-${result.max_ms.toFixed(0)}) | ${result.peak_rss_mb.toFixed(0)} |`);
    }
  }
}

await main();
