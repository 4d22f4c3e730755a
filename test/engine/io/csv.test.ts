import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Data, Float64, RecordBatch } from 'apache-arrow';
import {
  CsvBlockParser,
  csvReader,
  lineAtOffset,
  readCsvLayout,
  readCsvLayoutSync,
  readCsvTable,
  scanCsvRange,
  sniffTextColumns,
  splitCsvRanges,
  type CsvFileLayout,
} from '../../../engine/io/csv.js';
import { columnMapOf, resolveFeatures } from '../../../engine/io/schema.js';
import { bitsOf, FLOWS_299, HEAD_9998, SAMPLE_10, seededRandom, writeTemp } from './fixtures.js';

/** Every cell of a small CSV by plain string splitting: the independent reading to compare with. */
function naiveCells(file: string): { header: string[]; rows: string[][] } {
  const lines = fs.readFileSync(file, 'latin1').split(/\r?\n/).filter((line) => line !== '');
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((line) => line.split(',')) };
}

/** Feature columns of a table as plain arrays of numbers. */
function columnsOf(table: { getChild(name: string): { toArray(): ArrayLike<number> } | null }, names: string[]): number[][] {
  return names.map((name) => Array.from(table.getChild(name)!.toArray()));
}

/** Parse a whole file with scanCsvRange over the given ranges; rows in file order, by feature. */
function scanRanges(layout: CsvFileLayout, ranges: Array<[number, number]>, options: { readBufferBytes?: number; stride?: number } = {}) {
  const resolved = resolveFeatures(layout.names);
  const map = columnMapOf(layout.names.length, resolved);
  const nFeatures = resolved.featureNames.length;
  const stride = options.stride ?? 4;
  const columns: number[][] = resolved.featureNames.map(() => []);
  const labels: string[] = [];
  let quoteSeen = false;
  for (const [start, end] of ranges) {
    const parser = new CsvBlockParser(layout, map, nFeatures, { collectLabels: true });
    const out = new Float64Array(nFeatures * stride);
    const labelsOut = new Int32Array(stride);
    scanCsvRange({
      layout,
      start,
      end,
      parser,
      block: { values: out, base: 0, stride, rows: 0, capacity: stride, text: [labelsOut] },
      readBuffer: options.readBufferBytes ? new Uint8Array(options.readBufferBytes) : undefined,
      onBlock: (rows) => {
        for (let f = 0; f < nFeatures; f++) columns[f]!.push(...out.subarray(f * stride, f * stride + rows));
        for (let k = 0; k < rows; k++) labels.push(parser.dictionary[labelsOut[k]!]!);
      },
    });
    quoteSeen ||= parser.quoteSeen;
  }
  return { columns, labels, quoteSeen };
}

describe('CICIDS2017 head fixture (CRLF, 79 columns, Infinity/NaN)', () => {
  it('reads the layout: trimmed, de-duplicated names', async () => {
    const layout = await readCsvLayout(HEAD_9998);
    expect(layout.names).toHaveLength(79);
    expect(layout.names[0]).toBe('Destination Port');
    expect(layout.rawNames[0]).toBe(' Destination Port');
    expect(layout.names.filter((name) => name.startsWith('Fwd Header Length'))).toEqual(['Fwd Header Length', 'Fwd Header Length.1']);
    expect(layout.names[78]).toBe('Label');
    expect(layout.hasData).toBe(true);
    expect(layout.fileSize).toBe(fs.statSync(HEAD_9998).size);
    // the header line ends in CRLF: data starts right after its LF
    const bytes = fs.readFileSync(HEAD_9998);
    expect(layout.dataStart).toBe(bytes.indexOf(0x0a) + 1);
    expect(readCsvLayoutSync(HEAD_9998)).toEqual(layout);
  });

  it('reads 9,998 rows whose every cell equals Number() of its text, bit for bit', async () => {
    const { table, rows, featureNames, labelName, quality } = await readCsvTable(HEAD_9998);
    expect(rows).toBe(9998);
    expect(table.numRows).toBe(9998);
    expect(table.numCols).toBe(79);
    expect(featureNames).toHaveLength(78);
    expect(labelName).toBe('Label');

    const naive = naiveCells(HEAD_9998);
    expect(naive.rows).toHaveLength(9998);
    const columns = columnsOf(table, featureNames);
    let mismatches = 0;
    for (const [r, cells] of naive.rows.entries()) {
      if (cells.length !== 79) mismatches++;
      // Object.is: NaN equals NaN, -0 differs from 0, every other double only equals itself
      for (let f = 0; f < 78; f++) if (!Object.is(columns[f]![r], Number(cells[f]))) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(new Set(table.getChild('Label')!.toArray())).toEqual(new Set(['BENIGN']));

    // 13 Infinity and 1 NaN, in the two rate columns only
    const nonFinite = [...quality].filter(([, q]) => q.nan + q.posInf + q.negInf + q.coerced > 0);
    expect(nonFinite).toEqual([
      ['Flow Bytes/s', { nan: 1, posInf: 6, negInf: 0, coerced: 0 }],
      ['Flow Packets/s', { nan: 0, posInf: 7, negInf: 0, coerced: 0 }],
    ]);
    const bytesPerSecond = columns[featureNames.indexOf('Flow Bytes/s')]!;
    // line 6798 of the file (row index 6796) holds the NaN
    expect(bytesPerSecond.findIndex((value) => Number.isNaN(value))).toBe(6796);
    expect(naive.rows[6796]![14]).toBe('NaN');
  });

  it('yields batches of batchRows whose feature columns are views of one parsed block', async () => {
    const batches: RecordBatch[] = [];
    for await (const batch of csvReader.open(HEAD_9998, { batchRows: 1000 })) batches.push(batch);
    expect(batches.map((batch) => batch.numRows)).toEqual([1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 998]);
    const first = batches[0]!;
    const buffers = new Set(first.data.children.slice(0, 78).map((child) => (child as Data<Float64>).values.buffer));
    expect(buffers.size).toBe(1); // no per-column copies
    expect(String(first.schema.fields[0]!.type)).toBe('Float64');
    expect(String(first.schema.fields[78]!.type)).toBe('Dictionary<Int32, Utf8>');
  });

  it('locates lines by byte offset', () => {
    const bytes = fs.readFileSync(HEAD_9998);
    let offset = 0;
    for (let i = 0; i < 9; i++) offset = bytes.indexOf(0x0a, offset) + 1;
    expect(lineAtOffset(HEAD_9998, offset)).toBe(10);
    expect(lineAtOffset(HEAD_9998, 0)).toBe(1);
  });
});

describe('other CICIDS2017 fixtures', () => {
  it('sample-10 (LF, pandas-written): 5 DDoS and 5 BENIGN labels, `.1` name kept', async () => {
    const { table, rows, featureNames } = await readCsvTable(SAMPLE_10);
    expect(rows).toBe(10);
    expect(featureNames).toContain('Fwd Header Length.1');
    const labels = table.getChild('Label')!.toArray() as string[];
    expect(labels.filter((label) => label === 'DDoS')).toHaveLength(5);
    expect(labels.filter((label) => label === 'BENIGN')).toHaveLength(5);
    const naive = naiveCells(SAMPLE_10);
    expect(columnsOf(table, ['Flow Bytes/s'])[0]).toEqual(naive.rows.map((cells) => Number(cells[14])));
  });

  it('flows-299: text columns are an error naming file, line and column, until excluded', async () => {
    await expect(readCsvTable(FLOWS_299)).rejects.toThrow(`${FLOWS_299}:2: column "Flow ID": expected a number, got "192.168.10.5-104.16.207.165-54865-443-6"`);
    const layout = await readCsvLayout(FLOWS_299);
    expect(layout.names).toHaveLength(85);
    const textColumns = sniffTextColumns(layout).filter((name) => name !== 'Label');
    expect(textColumns).toEqual(['Flow ID', 'Source IP', 'Destination IP', 'Timestamp']);
    const { rows, featureNames, table } = await readCsvTable(FLOWS_299, { exclude: textColumns });
    expect(rows).toBe(299);
    expect(featureNames).toHaveLength(85 - 4 - 1);
    expect(featureNames).toContain('Fwd Header Length.1');
    expect(table.getChild('Source Port')!.get(0)).toBe(443);
  });

  it('coerce turns text into counted NaN', async () => {
    const { quality, table } = await readCsvTable(FLOWS_299, { coerce: true });
    expect(quality.get('Flow ID')).toEqual({ nan: 0, posInf: 0, negInf: 0, coerced: 299 });
    expect(quality.get('Timestamp')!.coerced).toBe(299);
    expect(Number.isNaN(table.getChild('Source IP')!.get(5))).toBe(true);
  });
});

describe('numbers', () => {
  const special = [
    '0', '-0', '-0.0', '+0', '0e0', '-0e-5', '6.0', '.5', '5.', '+.5e-3', '-.25', '1E5', '1e+5', '00001.000100',
    '1e308', '5e-324', '4.9e-324', '1.7976931348623157e308', '2.2250738585072014e-308', '2.2250738585072011e-308',
    '2.4703282292062328e-324', '2.4703282292062327e-324', '9007199254740992', '9007199254740993', '9007199254740995',
    '123456789012345678', '0.1', '0.1e1', '0.30000000000000004', '1e22', '1e23', '1e-22', '1e-23', '8.589973e9',
    '3130962.333', '0.42585416', '1.7976931348623158e308', '1.7976931348623159e308', '1e400', '-1e400', '1e-400',
    '-1e-400', '12345678901234567890123456789e-10', '0.000000000000000000000000000001', '1e00000000000000000000005',
  ];

  /** Random numeric text: sign, integer and fraction digits (leading zeros, up to 25), exponent, blanks. */
  function randomNumberText(random: () => number): string {
    const digits = (max: number) => Array.from({ length: Math.floor(random() * (max + 1)) }, () => String(Math.floor(random() * 10))).join('');
    const sign = ['', '', '-', '+'][Math.floor(random() * 4)]!;
    let mantissa = '';
    while (!/\d/.test(mantissa)) {
      const shape = random();
      mantissa = shape < 0.4 ? digits(random() < 0.7 ? 8 : 25) : shape < 0.9 ? `${digits(random() < 0.7 ? 8 : 20)}.${digits(random() < 0.7 ? 10 : 25)}` : `.${digits(19)}`;
    }
    const exponent = random() < 0.3 ? `${random() < 0.5 ? 'e' : 'E'}${['', '-', '+'][Math.floor(random() * 3)]}${Math.floor(random() ** 3 * 400)}` : '';
    const blank = () => (random() < 0.05 ? ' ' : '');
    return `${blank()}${sign}${mantissa}${exponent}${blank()}`;
  }

  it('parse to the same double as Number(), bit for bit (fixed-seed fuzz, LF and CRLF)', async () => {
    const random = seededRandom(20170707);
    const texts = [...special];
    for (let i = 0; i < 30_000; i++) texts.push(randomNumberText(random));
    for (const lineEnd of ['\n', '\r\n']) {
      // the number is both inside the row and at its end, where the line end follows it
      const file = writeTemp(`numbers${lineEnd.length}.csv`, `a,b${lineEnd}` + texts.map((text) => `${text},${text}`).join(lineEnd) + lineEnd);
      const { table } = await readCsvTable(file);
      const [a, b] = columnsOf(table, ['a', 'b']);
      const wrong = texts.filter((text, i) => bitsOf(a![i]!) !== bitsOf(Number(text)) || bitsOf(b![i]!) !== bitsOf(Number(text)));
      expect(wrong).toEqual([]);
    }
  });

  it('reads the non-finite spellings and the empty cell, and counts them', async () => {
    const words = ['Infinity', '-Infinity', '+Infinity', 'inf', '-inf', 'INF', 'NaN', 'nan', 'NAN', '-nan', '', '  ', ' inf '];
    const expected = [Infinity, -Infinity, Infinity, Infinity, -Infinity, Infinity, NaN, NaN, NaN, NaN, NaN, NaN, Infinity];
    const file = writeTemp('words.csv', 'x,y\n' + words.map((word) => `${word},1`).join('\n') + '\n');
    const { table, quality } = await readCsvTable(file);
    expect(Array.from(table.getChild('x')!.toArray() as Float64Array)).toEqual(expected);
    expect(quality.get('x')).toEqual({ nan: 6, posInf: 5, negInf: 2, coerced: 0 });
    expect(quality.get('y')).toEqual({ nan: 0, posInf: 0, negInf: 0, coerced: 0 });
  });

  it('rejects text that only starts like a number', async () => {
    for (const text of ['1e', '1.2.3', '12abc', '0x10', '-', '.', 'infinite', '1 2', 'e5', '1_000']) {
      const file = writeTemp('bad.csv', `a,b\n1,2\n${text},3\n`);
      await expect(readCsvTable(file), text).rejects.toThrow(`${file}:3: column "a": expected a number, got "${text}"`);
    }
  });
});

describe('text: labels, quotes, line ends', () => {
  it('decodes labels as UTF-8, or windows-1252 when they are not valid UTF-8 (0x96 -> en dash)', async () => {
    const utf8 = Buffer.from('Web Attack \u2013 XSS', 'utf8');
    const cp1252 = Buffer.from([...Buffer.from('Web Attack '), 0x96, ...Buffer.from(' Brute Force')]);
    const lines = [Buffer.from('x,Label\n'), Buffer.from('1,'), cp1252, Buffer.from('\n2,BENIGN\n3,'), utf8, Buffer.from('\n4,'), cp1252, Buffer.from('\n')];
    const file = writeTemp('labels-0x96.csv', Buffer.concat(lines));
    const { table } = await readCsvTable(file);
    expect(table.getChild('Label')!.toArray()).toEqual(['Web Attack \u2013 Brute Force', 'BENIGN', 'Web Attack \u2013 XSS', 'Web Attack \u2013 Brute Force']);
    expect(Array.from(table.getChild('x')!.toArray() as Float64Array)).toEqual([1, 2, 3, 4]);
  });

  it('keeps a BOM at the start of a label in the data (U+FEFF, as pandas does), and shows it in messages', async () => {
    // found while writing the fuzz reference: TextDecoder dropped it, so `\ufeffBENIGN` was stored as `BENIGN`
    const file = writeTemp('bom-label.csv', '\ufeffa, \ufeffb,Label\n1,2,\ufeffBENIGN\n3,4,BENIGN\n5,6,\ufeff\n');
    const { table, featureNames } = await readCsvTable(file);
    expect(featureNames).toEqual(['a', 'b']); // the file's BOM is skipped, names are trimmed of U+FEFF
    // apache-arrow's own string decoding drops a leading BOM, so look at the stored UTF-8 bytes
    const dictionary = table.getChild('Label')!.data[0]!.dictionary!.data[0]!;
    const stored = Buffer.from(dictionary.values.subarray(0, dictionary.valueOffsets[dictionary.length]!)).toString('utf8');
    expect(stored).toBe('\ufeffBENIGNBENIGN\ufeff');
    // in a number it is text, and the message shows it
    const number = writeTemp('bom-number.csv', 'a,b\n1,2\n\ufeff5,6\n');
    await expect(readCsvTable(number)).rejects.toThrow(`${number}:3: column "a": expected a number, got "\\ufeff5"`);
  });

  it('gives the same columns for CRLF and LF files, with or without a final line end', async () => {
    const body = ['a,b,Label', '1,2.5,BENIGN', '-3,4e2,DDoS', '', '5,,BENIGN'];
    const tables = await Promise.all(
      [
        ['lf.csv', body.join('\n') + '\n'],
        ['crlf.csv', body.join('\r\n') + '\r\n'],
        ['crlf-open.csv', body.join('\r\n')],
        ['lf-open.csv', body.join('\n')],
        ['bom.csv', '\ufeff' + body.join('\r\n') + '\r\n\r\n'],
      ].map(([name, text]) => readCsvTable(writeTemp(name!, text!))),
    );
    for (const read of tables) {
      expect(read.rows).toBe(3);
      expect(read.featureNames).toEqual(['a', 'b']);
      expect(columnsOf(read.table, ['a', 'b'])).toEqual([
        [1, -3, 5],
        [2.5, 400, NaN],
      ]);
      expect(read.table.getChild('Label')!.toArray()).toEqual(['BENIGN', 'DDoS', 'BENIGN']);
    }
  });

  it('parses quoted fields with commas, escaped quotes and line ends', async () => {
    const text = 'id,"a,b","x ""quoted""",Label\n' + '"1","2.5",3,"BENIGN"\n' + '4,"5e1","-6","Web, ""Attack""\r\nline 2"\n' + '7,8,"9",plain\r\n';
    const file = writeTemp('quoted.csv', text);
    const layout = await readCsvLayout(file);
    expect(layout.names).toEqual(['id', 'a,b', 'x "quoted"', 'Label']);
    const { table } = await readCsvTable(file);
    expect(columnsOf(table, ['id', 'a,b', 'x "quoted"'])).toEqual([
      [1, 4, 7],
      [2.5, 50, 8],
      [3, -6, 9],
    ]);
    expect(table.getChild('Label')!.toArray()).toEqual(['BENIGN', 'Web, "Attack"\r\nline 2', 'plain']);

    const parser = new CsvBlockParser(layout, columnMapOf(4, resolveFeatures(layout.names)), 3, { collectLabels: true });
    const bytes = fs.readFileSync(file);
    const window = { buffer: bytes, pos: layout.dataStart, length: bytes.length, fileStart: 0, atEof: true };
    expect(parser.parse(window, { values: new Float64Array(30), base: 0, stride: 10, rows: 0, capacity: 10, text: [new Int32Array(10)] })).toBe(3);
    expect(parser.quoteSeen).toBe(true);
  });

  it('parses a quoted last line that has no line end', async () => {
    for (const [name, last, label] of [
      ['open-quote-1.csv', '4,"multi\nline"', 'multi\nline'],
      ['open-quote-2.csv', '4,"a\nb"c', 'a\nbc'],
      ['open-quote-3.csv', '"4","y"', 'y'],
    ] as const) {
      const file = writeTemp(name, `x,Label\n1,"q"\n${last}`);
      const { table } = await readCsvTable(file);
      expect(Array.from(table.getChild('x')!.toArray() as Float64Array)).toEqual([1, 4]);
      expect(table.getChild('Label')!.toArray()).toEqual(['q', label]);
    }
  });

  it('flags a data row without quotes as quote-free', () => {
    const layout = readCsvLayoutSync(SAMPLE_10);
    const resolved = resolveFeatures(layout.names);
    const parser = new CsvBlockParser(layout, columnMapOf(79, resolved), 78);
    const bytes = fs.readFileSync(SAMPLE_10);
    const window = { buffer: bytes, pos: layout.dataStart, length: bytes.length, fileStart: 0, atEof: true };
    const rows = parser.parse(window, { values: new Float64Array(78 * 10), base: 0, stride: 10, rows: 0, capacity: 10 });
    expect(rows).toBe(10);
    expect(parser.quoteSeen).toBe(false);
  });
});

describe('CsvBlockParser.parse', () => {
  const file = writeTemp('parse.csv', 'a,b,Label\n1,2,x\n3,4,y\n\n5,6,x\n7,8,z');
  const layout = readCsvLayoutSync(file);
  const bytes = fs.readFileSync(file);
  const map = columnMapOf(3, resolveFeatures(layout.names));

  it('stops before an incomplete last line unless at EOF, and at the block\'s capacity', () => {
    const parser = new CsvBlockParser(layout, map, 2, { collectLabels: true });
    const out = new Float64Array(2 * 8);
    const labels = new Int32Array(8);
    const window = { buffer: bytes, pos: layout.dataStart, length: bytes.length, fileStart: 0, atEof: false };
    const block = { values: out, base: 0, stride: 8, rows: 0, capacity: 2, text: [labels] };
    expect(parser.parse(window, block)).toBe(2);
    expect(Array.from(labels.subarray(0, 2))).toEqual([0, 1]);
    block.capacity = 8;
    expect(parser.parse(window, block)).toBe(1); // `7,8,z` has no line end yet
    expect(bytes.subarray(window.pos).toString()).toBe('7,8,z');
    window.atEof = true;
    expect(parser.parse(window, block)).toBe(1);
    expect([window.pos, block.rows]).toEqual([bytes.length, 4]);
    expect(Array.from(labels.subarray(0, 4))).toEqual([0, 1, 0, 2]);
    expect(Array.from(out.subarray(0, 4))).toEqual([1, 3, 5, 7]);
    expect(Array.from(out.subarray(8, 12))).toEqual([2, 4, 6, 8]);
    expect(parser.dictionary).toEqual(['x', 'y', 'z']);
  });

  it('writes into a Float64Array over shared WebAssembly memory', () => {
    // lib is ES2022 without DOM, so WebAssembly is not typed here
    const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: SharedArrayBuffer } } }).WebAssembly;
    const memory = new wasm.Memory({ initial: 1, maximum: 2, shared: true });
    const out = new Float64Array(memory.buffer, 1024, 2 * 4);
    const parser = new CsvBlockParser(layout, map, 2);
    const window = { buffer: bytes, pos: layout.dataStart, length: bytes.length, fileStart: 0, atEof: true };
    expect(parser.parse(window, { values: out, base: 0, stride: 4, rows: 0, capacity: 4 })).toBe(4);
    expect(Array.from(new Float64Array(memory.buffer, 1024, 8))).toEqual([1, 3, 5, 7, 2, 4, 6, 8]);
  });
});

describe('scanCsvRange', () => {
  // CRLF lines, a blank line, a negative zero, a non-finite cell, a last line without line end
  const text = ['a,b,Label', ...Array.from({ length: 23 }, (_, i) => (i === 7 ? '' : `${i},${i % 5 === 0 ? 'inf' : -i / 4},L${i % 3}`)), '-0,1e-3,end'].join('\r\n');
  const file = writeTemp('ranges.csv', text);
  const layout = readCsvLayoutSync(file);
  const whole = scanRanges(layout, [[layout.dataStart, layout.fileSize]]);

  it('reads every line of one range, in blocks', () => {
    expect(whole.columns[0]).toHaveLength(23);
    expect(bitsOf(whole.columns[0]![22]!)).toBe(bitsOf(-0));
    expect(whole.labels[22]).toBe('end');
    expect(whole.quoteSeen).toBe(false);
  });

  it('gives the same rows for a cut at every byte (on a LF, after it, inside CRLF, at the end)', () => {
    for (let cut = layout.dataStart; cut <= layout.fileSize; cut++) {
      const split = scanRanges(layout, [
        [layout.dataStart, cut],
        [cut, layout.fileSize],
      ]);
      expect(split, `cut at ${cut}`).toEqual(whole);
    }
  });

  it('gives the same rows for splitCsvRanges parts, random 3-way cuts and a tiny read buffer', () => {
    for (const parts of [1, 2, 3, 7, 50]) {
      const ranges = splitCsvRanges(layout, parts, 1);
      expect(ranges[0]![0]).toBe(layout.dataStart);
      expect(ranges.at(-1)![1]).toBe(layout.fileSize);
      ranges.slice(1).forEach(([start], i) => expect(start).toBe(ranges[i]![1]));
      expect(scanRanges(layout, ranges)).toEqual(whole);
    }
    const random = seededRandom(7);
    for (let trial = 0; trial < 50; trial++) {
      const cuts = [0, 1].map(() => layout.dataStart + Math.floor(random() * (layout.fileSize - layout.dataStart + 1))).sort((x, y) => x - y);
      const ranges: Array<[number, number]> = [
        [layout.dataStart, cuts[0]!],
        [cuts[0]!, cuts[1]!],
        [cuts[1]!, layout.fileSize],
      ];
      expect(scanRanges(layout, ranges, { readBufferBytes: 5, stride: 3 })).toEqual(whole);
    }
  });

  it('flags a cut inside a quoted field in the range that holds the opening quote', () => {
    const lines = ['a,Label', '1,x', '2,"multi', 'line', '', 'label"', '3,y', '4,"z"'];
    const quoted = writeTemp('quoted-ranges.csv', lines.join('\n') + '\n');
    const quotedLayout = readCsvLayoutSync(quoted);
    const opening = quotedLayout.dataStart + lines.slice(1, 2).join('\n').length + 1; // start of `2,"multi`
    const closing = fs.readFileSync(quoted).indexOf('label"') + 6;
    const resolved = resolveFeatures(quotedLayout.names);
    for (let cut = opening + 1; cut <= closing; cut++) {
      const parser = new CsvBlockParser(quotedLayout, columnMapOf(2, resolved), 1, { collectLabels: true });
      const out = new Float64Array(8);
      scanCsvRange({ layout: quotedLayout, start: quotedLayout.dataStart, end: cut, parser, block: { values: out, base: 0, stride: 8, rows: 0, capacity: 8, text: [new Int32Array(8)] }, onBlock: () => {} });
      expect(parser.quoteSeen, `cut at ${cut}`).toBe(true);
      expect(Array.from(out.subarray(0, 2))).toEqual([1, 2]);
      expect(parser.dictionary).toEqual(['x', 'multi\nline\n\nlabel']);
    }
  });

  it.runIf(fs.existsSync('/proc/self/io'))('reads a long line once: a range inside it reads only its own bytes', () => {
    // one 32 MiB line (the limit raised to hold it) cut into 256 ranges: before, each range read
    // on to the line's end (4 GB in all); now only the range holding its start reads it
    const cell = '7'.repeat(32 * 1024 * 1024);
    const file = writeTemp('long-line.csv', `a,b\n1,2\n3,${cell}\n4,5\n`);
    const layout = readCsvLayoutSync(file, { maxLineBytes: 64 * 1024 * 1024 });
    const ranges = splitCsvRanges(layout, 256, 1);
    expect(ranges).toHaveLength(256);
    const bytesRead = () => Number(/^rchar:\s*(\d+)/m.exec(fs.readFileSync('/proc/self/io', 'utf8'))![1]);
    const before = bytesRead();
    const { columns } = scanRanges(layout, ranges);
    const read = bytesRead() - before;
    expect(columns).toEqual([
      [1, 3, 4],
      [2, Infinity, 5],
    ]);
    expect(read).toBeLessThan(2 * layout.fileSize);
  });

  it('splits a big file into ranges of at least minBytes', () => {
    const big = { ...layout, dataStart: 100, fileSize: 100 + 80 * 1024 * 1024 };
    expect(splitCsvRanges(big, 16)).toHaveLength(10);
    expect(splitCsvRanges(big, 4)).toHaveLength(4);
    expect(splitCsvRanges(layout, 8)).toEqual([[layout.dataStart, layout.fileSize]]);
  });

  it('reports errors with the absolute line number from any range', () => {
    const lines = ['a,b', '1,2', '3,4', '5', '7,8'];
    const bad = writeTemp('ragged.csv', lines.join('\n') + '\n');
    const badLayout = readCsvLayoutSync(bad);
    const lineFourStart = lines.slice(0, 3).join('\n').length + 1;
    const parser = new CsvBlockParser(badLayout, Int32Array.of(0, 1), 2);
    const run = () => scanCsvRange({ layout: badLayout, start: lineFourStart - 1, end: badLayout.fileSize, parser, block: { values: new Float64Array(8), base: 0, stride: 4, rows: 0, capacity: 4 }, onBlock: () => {} });
    expect(run).toThrow(`${bad}:4: expected 2 fields, found 1`);
    try {
      run();
    } catch (err) {
      expect(err).toMatchObject({ code: 'DC_ERR_INPUT', file: bad, line: 4, byteOffset: lineFourStart });
    }
  });
});

describe('errors', () => {
  it('missing file', async () => {
    await expect(readCsvLayout('/nonexistent/prod.csv')).rejects.toThrow('/nonexistent/prod.csv: no such file');
    expect(() => readCsvLayoutSync('/nonexistent/prod.csv')).toThrow('/nonexistent/prod.csv: no such file');
  });

  it('empty file, blank file', async () => {
    for (const [name, text] of [['empty.csv', ''], ['blank.csv', '\r\n\n'], ['bom-only.csv', '\ufeff']] as const) {
      const file = writeTemp(name, text);
      await expect(readCsvLayout(file)).rejects.toThrow(`${file}: empty file, expected a header line`);
    }
  });

  it('header only', async () => {
    for (const [name, text] of [['header-only.csv', 'a,b\n'], ['header-open.csv', 'a,b'], ['header-blank.csv', 'a,b\r\n\r\n']] as const) {
      const file = writeTemp(name, text);
      expect((await readCsvLayout(file)).hasData).toBe(false);
      await expect(readCsvTable(file)).rejects.toThrow(`${file}: no data rows after the header`);
    }
  });

  it('too few and too many fields', async () => {
    const few = writeTemp('few.csv', 'a,b,c\r\n1,2,3\r\n4,5\r\n');
    await expect(readCsvTable(few)).rejects.toThrow(`${few}:3: expected 3 fields, found 2`);
    const many = writeTemp('many.csv', 'a,b,c\n1,2,3\n1,2,3\n1,2,3,4');
    await expect(readCsvTable(many)).rejects.toThrow(`${many}:4: expected 3 fields, found 4`);
  });

  it('non-numeric text names the column, shows the text, and is typed', async () => {
    const file = writeTemp('text.csv', 'a,b,Label\n1,2,x\n3,abc,y\n');
    const error = await readCsvTable(file).catch((err: unknown) => err);
    expect(error).toMatchObject({ name: 'InputError', code: 'DC_ERR_INPUT', file, line: 3, column: 'b', message: `${file}:3: column "b": expected a number, got "abc"` });
  });

  it('an unclosed quote', async () => {
    const file = writeTemp('unclosed.csv', 'a,b\n1,2\n3,"4\n5,6\n');
    await expect(readCsvTable(file)).rejects.toThrow(`${file}:3: quoted field is not closed before the end of the file`);
  });

  it('unknown label or exclude names are schema errors', async () => {
    await expect(readCsvTable(SAMPLE_10, { label: 'Class' })).rejects.toMatchObject({ code: 'DC_ERR_SCHEMA', column: 'Class', file: SAMPLE_10 });
    await expect(readCsvTable(SAMPLE_10, { exclude: ['Flow ID'] })).rejects.toThrow(`${SAMPLE_10}: column "Flow ID": column to exclude not found`);
  });
});
