/**
 * The CSV line limit (ReadOptions.maxLineBytes, --max-line-bytes): every path that reads CSV --
 * the header reader, CsvBatchStream, the range scanner with and without the WASM scanner, the
 * parallel scan, sniffTextColumns -- refuses a header or row longer than the limit with one
 * InputError naming file, line and column, and accepts one of exactly the limit. The cap is
 * small here (via the option); the last test runs the CLI on 200 MB inputs with the default.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  CsvBlockParser,
  readCsvLayout,
  readCsvLayoutSync,
  readCsvTable,
  scanCsvRange,
  sniffTextColumns,
  splitCsvRanges,
  type CsvFileLayout,
} from '../../../engine/io/csv.js';
import { IO_DEFAULTS } from '../../../engine/io/index.js';
import { createSharedMemory } from '../../../engine/kernels/index.js';
import { loadCsvKernel } from '../../../engine/kernels/csv.js';
import { createBaseline } from '../../../engine/profile/index.js';
import { checkDrift } from '../../../engine/drift/index.js';
import { isDriftCatcherError } from '../../../engine/util/errors.js';
import { cli, ROOT } from '../../helpers.js';
import { writeTemp, tempDir } from './fixtures.js';

const LIMIT = 1000;

/** The error a promise or function ends with (fails the test when there is none). */
async function errorOf(run: () => unknown): Promise<any> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

function expectLineTooLong(err: any, file: string, line: number, column: string | number, what = 'line'): void {
  expect(isDriftCatcherError(err)).toBe(true);
  expect(err).toMatchObject({ code: 'DC_ERR_INPUT', file, line, column, option: 'maxLineBytes' });
  const col = typeof column === 'number' ? `column ${column}` : `column "${column}"`;
  // the message names the library option to raise; the CLI shows its flag instead (last tests)
  expect(err.message).toBe(`maxLineBytes: ${file}:${line}: ${col}: ${what} longer than ${LIMIT} bytes (the line limit)`);
}

/** Every row of a file through scanCsvRange over `ranges`, optionally with the WASM scanner in shared memory. */
function scan(layout: CsvFileLayout, ranges: Array<[number, number]>, withScanner = false): { rows: number; values: number[][]; scannedRows: number } {
  const nColumns = layout.names.length;
  let slots = 0;
  const columnMap = Int32Array.from(layout.names, (name) => (name === 'text' ? -1 : slots++));
  const nFeatures = Array.from(columnMap).filter((slot) => slot >= 0).length;
  const stride = 64;
  const memory = createSharedMemory(16 << 20);
  const buffer = memory.buffer;
  const out = new Float64Array(buffer, 8 << 20, nFeatures * stride);
  const readBuffer = new Uint8Array(buffer, 0, 4 << 20);
  const columnMapPtr = 12 << 20;
  new Int32Array(buffer, columnMapPtr, nColumns).set(columnMap);
  const kernel = withScanner ? loadCsvKernel(memory) : null;
  if (withScanner) expect(kernel).not.toBeNull();
  const values: number[][] = Array.from({ length: nFeatures }, () => []);
  let rows = 0;
  let scannedRows = 0;
  for (const [start, end] of ranges) {
    const parser = new CsvBlockParser(layout, columnMap, nFeatures, kernel ? { accelerator: { kernel, buffer, columnMapPtr } } : {});
    rows += scanCsvRange({
      layout,
      start,
      end,
      parser,
      block: { values: out, base: 0, stride, rows: 0, capacity: stride },
      readBuffer,
      onBlock: (blockRows) => {
        for (let f = 0; f < nFeatures; f++) values[f]!.push(...out.subarray(f * stride, f * stride + blockRows));
      },
    }).rows;
    scannedRows += parser.scannedRows;
  }
  return { rows, values, scannedRows };
}

describe('the line limit', () => {
  it('is 1 MiB by default, and the option must be a positive integer', async () => {
    expect(IO_DEFAULTS.maxLineBytes).toBe(1024 * 1024);
    const file = writeTemp('ok.csv', 'a,b\n1,2\n');
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
      await expect(readCsvLayout(file, { maxLineBytes: bad })).rejects.toMatchObject({ code: 'DC_ERR_USAGE', option: 'maxLineBytes', message: `maxLineBytes: must be an integer from 1 to 1073741824, got ${bad}` });
    }
  });

  it('header: a longer one fails at its line and the column where the limit is crossed; one of exactly the limit is read', async () => {
    // 10 names of 99 bytes and their commas: the 1001st byte is in the 11th name
    const names = Array.from({ length: 12 }, (_, i) => `${String(i).padStart(2, '0')}${'n'.repeat(97)}`);
    const long = writeTemp('long-header.csv', `\r\n\n${names.join(',')}\n1,2\n`);
    expectLineTooLong(await errorOf(() => readCsvLayout(long, { maxLineBytes: LIMIT })), long, 3, 11, 'header line');
    expectLineTooLong(await errorOf(() => readCsvLayoutSync(long, { maxLineBytes: LIMIT })), long, 3, 11, 'header line');
    expectLineTooLong(await errorOf(() => readCsvTable(long, { maxLineBytes: LIMIT })), long, 3, 11, 'header line');
    // no line end at all (the whole file is one header line), and a quoted LF does not end it
    const open = writeTemp('open-header.csv', `a,"b\n${'c'.repeat(2000)}`);
    expectLineTooLong(await errorOf(() => readCsvLayout(open, { maxLineBytes: LIMIT })), open, 1, 2, 'header line');

    for (const eol of ['\n', '\r\n', '']) {
      const exact = writeTemp('exact-header.csv', `${'h'.repeat(LIMIT - 2)},x${eol}${eol ? '1,2' + eol : ''}`);
      const layout = await readCsvLayout(exact, { maxLineBytes: LIMIT });
      expect(layout.names).toEqual(['h'.repeat(LIMIT - 2), 'x']);
      expect(readCsvLayoutSync(exact, { maxLineBytes: LIMIT })).toEqual(layout);
      const over = writeTemp('over-header.csv', `${'h'.repeat(LIMIT - 1)},x${eol}1,2${eol}`);
      expectLineTooLong(await errorOf(() => readCsvLayout(over, { maxLineBytes: LIMIT })), over, 1, 2, 'header line');
    }
  });

  it('rows: CsvBatchStream refuses a longer row, ended or not, whatever else is wrong with it; accepts exactly the limit', async () => {
    const rowOf = (length: number) => `1,${'9'.repeat(length - 2)}`;
    for (const eol of ['\n', '\r\n']) {
      const exact = writeTemp('exact-row.csv', ['a,b', '1,2', rowOf(LIMIT), rowOf(LIMIT)].join(eol));
      const table = await readCsvTable(exact, { maxLineBytes: LIMIT });
      expect(table.rows).toBe(3);
      expect(table.table.getChild('b')!.get(1)).toBe(Number('9'.repeat(LIMIT - 2)));

      const cases: Array<[string, string, number, string]> = [
        // [name, data rows, line of the long row, column holding byte LIMIT + 1]
        ['ended', ['1,2', rowOf(LIMIT + 1), '3,4'].join(eol) + eol, 3, 'b'],
        ['at-eof', ['1,2', rowOf(LIMIT + 1)].join(eol), 3, 'b'],
        ['text-first', ['1,2', `x,${'9'.repeat(LIMIT)}`, '3,4'].join(eol) + eol, 3, 'b'],
        ['ragged', ['1,2', `${'9'.repeat(LIMIT + 5)}`, '3,4'].join(eol) + eol, 3, 'a'],
        ['quoted-lines', ['1,2', `3,"${'multi\nline '.repeat(100)}"`, '3,4'].join(eol) + eol, 3, 'b'],
        ['huge', ['1,2', `3,${'7'.repeat(5_000_000)}`].join(eol) + eol, 3, 'b'],
      ];
      for (const [name, rows, line, column] of cases) {
        const file = writeTemp(`${name}.csv`, `a,b${eol}${rows}`);
        expectLineTooLong(await errorOf(() => readCsvTable(file, { maxLineBytes: LIMIT, batchRows: 1 })), file, line, column);
        // the same through byte ranges, every cut
        const layout = readCsvLayoutSync(file, { maxLineBytes: LIMIT });
        for (const parts of [1, 3, 40]) {
          expectLineTooLong(await errorOf(() => scan(layout, splitCsvRanges(layout, parts, 1))), file, line, column);
        }
      }
    }
  });

  it('the WASM scanner leaves a simple row longer than the limit to the JavaScript parser, which refuses it', async () => {
    // every cell simple (digits, and a text column the scan skips): the scanner would take it
    const lines = ['a,text,b', ...Array.from({ length: 50 }, (_, i) => `${i},host-${i},${i * 2}`)];
    lines[30] = `30,${'h'.repeat(LIMIT)},60`;
    const file = writeTemp('simple-long.csv', lines.join('\n') + '\n');
    const layout = readCsvLayoutSync(file, { maxLineBytes: LIMIT });
    expectLineTooLong(await errorOf(() => scan(layout, [[layout.dataStart, layout.fileSize]], true)), file, 31, 'text');
    // within the limit, the scanner reads it
    const fine = readCsvLayoutSync(file, { maxLineBytes: LIMIT + 10 });
    const read = scan(fine, [[fine.dataStart, fine.fileSize]], true);
    expect(read.rows).toBe(50);
    expect(read.scannedRows).toBe(50);
    expect(read.values[1]![29]).toBe(60);
  });

  it('the parallel scan (checkDrift) and sniffTextColumns honour it', async () => {
    const train = writeTemp('train-ab.csv', 'a,b\n' + Array.from({ length: 40 }, (_, i) => `${i},${i % 7}`).join('\n') + '\n');
    const profile = await createBaseline(train);
    const lines = ['a,b', ...Array.from({ length: 40 }, (_, i) => `${i},${i % 5}`)];
    lines[20] = `20,${'1'.repeat(LIMIT + 200)}`;
    const file = writeTemp('batch-long.csv', lines.join('\n') + '\n');
    for (const rangeBytes of [64, 4096, 1 << 20]) {
      expectLineTooLong(await errorOf(() => checkDrift(profile, file, { workers: 0, rangeBytes, maxLineBytes: LIMIT })), file, 21, 'b');
      const report = await checkDrift(profile, file, { workers: 0, rangeBytes, maxLineBytes: LIMIT + 300 });
      expect(report.current.rows).toBe(40);
    }
    const layout = readCsvLayoutSync(file, { maxLineBytes: LIMIT });
    expectLineTooLong(await errorOf(() => sniffTextColumns(layout)), file, 21, 'b');
    expect(sniffTextColumns(readCsvLayoutSync(file, { maxLineBytes: LIMIT + 300 }))).toEqual([]);
  });
});

describe('--max-line-bytes', () => {
  it('sets the limit of baseline, check and scan (and of scan building its baseline from data)', () => {
    const dir = tempDir();
    const train = writeTemp('cli-train.csv', 'a,b,Label\n' + Array.from({ length: 30 }, (_, i) => `${i},${'1'.repeat(150)},BENIGN`).join('\n') + '\n');
    const batch = writeTemp('cli-batch.csv', 'a,b\n' + Array.from({ length: 30 }, (_, i) => `${i},${'2'.repeat(150)}`).join('\n') + '\n');
    const profile = path.join(dir, 'cli-profile.json');
    const tooLong = (file: string) => `driftcatcher: --max-line-bytes: ${file}:2: column "b": line longer than 100 bytes (the line limit)\n`;
    const baseline = cli(['baseline', train, '-o', profile, '--max-line-bytes', '100']);
    expect([baseline.code, baseline.stderr]).toEqual([2, tooLong(train)]);
    expect(cli(['baseline', train, '-o', profile]).code).toBe(0);
    const check = cli(['check', '--baseline', profile, batch, '--no-record', '--max-line-bytes', '100']);
    expect([check.code, check.stderr]).toEqual([2, tooLong(batch)]);
    expect(cli(['check', '--baseline', profile, batch, '--no-record', '--max-line-bytes', '160']).code).toBe(0);
    const scanned = cli(['scan', '--baseline', train, batch, '--no-record', '--max-line-bytes', '100']);
    expect([scanned.code, scanned.stderr]).toEqual([2, tooLong(train)]);
    const bad = cli(['check', '--baseline', profile, batch, '--no-record', '--max-line-bytes', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-line-bytes must be an integer from 1 to 1073741824, got "0"');
  });
});

describe('the CLI on 200 MB inputs with the default limit', () => {
  /** Run the CLI with a preload that writes the process's peak RSS (worker threads included) to a file. */
  function cliWithPeak(dir: string, args: string[]) {
    const peakFile = path.join(dir, 'peak.txt');
    const preload = path.join(dir, 'peak.mjs');
    fs.writeFileSync(preload, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(peakFile)}, String(process.resourceUsage().maxRSS)));\n`);
    const started = performance.now();
    const result = spawnSync(process.execPath, ['--import', preload, path.join(ROOT, 'dist', 'cli', 'main.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const seconds = (performance.now() - started) / 1000;
    const peakMiB = Number(fs.readFileSync(peakFile, 'utf8')) / 1024;
    return { code: result.status, stderr: result.stderr, seconds, peakMiB };
  }

  it('a header, a cell and NUL bytes without a line end fail in seconds within 300 MB, in one line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftcatcher-limit-'));
    try {
      const train = path.join(dir, 'train.csv');
      fs.writeFileSync(train, 'a,b,Label\n' + Array.from({ length: 100 }, (_, i) => `${i},${(i * 7) % 11},BENIGN`).join('\n') + '\n');
      const profile = path.join(dir, 'profile.json');
      expect(cliWithPeak(dir, ['baseline', train, '-o', profile]).code).toBe(0);

      const size = 200 * 1024 * 1024;
      const chunk = Buffer.alloc(8 * 1024 * 1024, 'x');
      const write = (name: string, head: string, fill: Buffer | null) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, head);
        if (fill) for (let written = head.length; written < size; written += fill.length) fs.appendFileSync(file, fill);
        else fs.truncateSync(file, size); // NUL bytes (a sparse file)
        return file;
      };
      const cases = [
        { file: write('header.csv', 'a,b', chunk), command: 'baseline', where: ':1: column 2: header line' },
        { file: write('cell.csv', 'a,b\n1,2\n3,', chunk), command: 'check', where: ':3: column "b": line' },
        { file: write('nul.csv', 'a,b\n1,2\n', null), command: 'check', where: ':3: column "a": line' },
      ];
      for (const { file, command, where } of cases) {
        expect(fs.statSync(file).size).toBeGreaterThanOrEqual(size);
        const args = command === 'baseline' ? ['baseline', file, '-o', path.join(dir, 'p2.json')] : ['check', '--baseline', profile, file, '--no-record'];
        const run = cliWithPeak(dir, args);
        expect(run.code, run.stderr).toBe(2);
        expect(run.stderr).toBe(`driftcatcher: --max-line-bytes: ${file}${where} longer than 1048576 bytes (the line limit)\n`);
        expect(run.seconds, command).toBeLessThan(5);
        expect(run.peakMiB, command).toBeLessThan(300);
        fs.rmSync(file);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// keep the fixtures module's temp directory in use (removed after this file's tests)
tempDir();
