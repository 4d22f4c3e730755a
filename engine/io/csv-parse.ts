/**
 * CSV parsing, byte level: the part the parallel workers load (no Apache Arrow import, so a
 * worker starts fast). csv.ts builds Arrow RecordBatches on top of it.
 *
 * The hot path never builds a string for a numeric cell: digits are accumulated straight from the
 * bytes and turned into the correctly rounded double with Clinger's fast path; only rare cells
 * (more than 15-16 significant digits, large exponents) go through `Number()` on a short slice.
 */
import * as fs from 'node:fs';
import { DriftCatcherError, excerpt, InputError } from '../errors.js';
import { LABEL_SLOT, normaliseNames, SKIP_SLOT } from './schema.js';
import type { ColumnQuality, CsvLayout } from './types.js';
import type { CsvScanKernel } from '../kernels/csv.js';

const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const SPACE = 0x20;
const TAB = 0x09;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const DIGIT_ZERO = 0x30;
const LOWER_CASE_BIT = 0x20;

/** Default rows per RecordBatch. */
export const DEFAULT_BATCH_ROWS = 65_536;
/** Bytes read per system call by the scanners. */
export const READ_BLOCK_BYTES = 4 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Layout: the header line
// ---------------------------------------------------------------------------------------------

export interface CsvFileLayout extends CsvLayout {
  /** false when nothing but blank lines follows the header */
  hasData: boolean;
}

/** Read the header of a CSV file: names, where the data starts, whether there is any. */
export async function readCsvLayout(file: string): Promise<CsvFileLayout> {
  const handle = await openFileHandle(file);
  try {
    const steps = layoutSteps(file, (await handle.stat()).size);
    let request = steps.next();
    while (!request.done) {
      const { buffer, position } = request.value;
      request = steps.next((await handle.read(buffer, 0, buffer.length, position)).bytesRead);
    }
    return request.value;
  } finally {
    await handle.close();
  }
}

/** Synchronous `readCsvLayout`, for worker threads. */
export function readCsvLayoutSync(file: string): CsvFileLayout {
  const fd = openSync(file);
  try {
    const steps = layoutSteps(file, fs.fstatSync(fd).size);
    let request = steps.next();
    while (!request.done) {
      const { buffer, position } = request.value;
      request = steps.next(fs.readSync(fd, buffer, 0, buffer.length, position));
    }
    return request.value;
  } finally {
    fs.closeSync(fd);
  }
}

interface ReadRequest {
  buffer: Uint8Array;
  position: number;
}

/**
 * The header logic as a generator of read requests (yield: "fill this buffer from this file
 * position", resumed with the byte count), so the sync and async variants share it.
 */
function* layoutSteps(file: string, fileSize: number): Generator<ReadRequest, CsvFileLayout, number> {
  let head: Uint8Array = new Uint8Array(Math.min(Math.max(fileSize, 1), 64 * 1024));
  let headLength = 0;
  let header: HeaderLine | null = null;
  for (;;) {
    if (headLength === head.length) head = grow(head, headLength, head.length * 2);
    const bytesRead: number = yield { buffer: head.subarray(headLength), position: headLength };
    headLength += bytesRead;
    const eof = bytesRead === 0 || headLength >= fileSize;
    header = parseHeaderLine(head, headLength, eof);
    if (header || eof) break;
  }
  if (!header) throw new InputError('empty file, expected a header line', { file });

  const rawNames = header.fields;
  const layout: CsvFileLayout = {
    file,
    rawNames,
    names: normaliseNames(rawNames),
    dataStart: header.end,
    fileSize,
    delimiter: COMMA,
    hasData: false,
  };

  // hasData: is there any byte after the header other than line ends?
  let position = header.end;
  const probe = new Uint8Array(64 * 1024);
  while (position < fileSize && !layout.hasData) {
    const bytesRead: number = yield { buffer: probe, position };
    if (bytesRead === 0) break;
    for (let i = 0; i < bytesRead; i++) {
      if (probe[i] !== LF && probe[i] !== CR) {
        layout.hasData = true;
        break;
      }
    }
    position += bytesRead;
  }
  return layout;
}

interface HeaderLine {
  fields: string[];
  /** offset just after the header's line end */
  end: number;
}

/**
 * Split the header line: UTF-8 BOM dropped, leading blank lines skipped (as pandas does),
 * quoted names allowed. Returns null when the line is not complete in `length` bytes yet.
 */
function parseHeaderLine(bytes: Uint8Array, length: number, eof: boolean): HeaderLine | null {
  let p = 0;
  if (length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) p = 3;
  while (p < length && (bytes[p] === LF || bytes[p] === CR)) p++;
  if (p >= length) return null;

  const fields: string[] = [];
  let field: number[] = [];
  let inQuotes = false;
  for (; p < length; p++) {
    const c = bytes[p]!;
    if (inQuotes) {
      if (c !== QUOTE) field.push(c);
      else if (p + 1 >= length && !eof) return null; // `""` may straddle the end of what was read
      else if (bytes[p + 1] === QUOTE) field.push(bytes[++p]!);
      else inQuotes = false;
    } else if (c === QUOTE) {
      inQuotes = true;
    } else if (c === COMMA) {
      fields.push(decodeText(Uint8Array.from(field)));
      field = [];
    } else if (c === LF) {
      break;
    } else {
      field.push(c);
    }
  }
  if (p >= length && !eof) return null;
  if (field.length > 0 && field[field.length - 1] === CR && !inQuotes) field.pop();
  fields.push(decodeText(Uint8Array.from(field)));
  return { fields, end: Math.min(p + 1, length) };
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/**
 * 10^0 .. 10^22: the powers of ten a double holds exactly (Clinger's fast path). Built by
 * multiplying, each step exact, rather than with `**`, whose rounding is not guaranteed.
 */
const EXACT_POWERS_OF_TEN = new Float64Array(23);
EXACT_POWERS_OF_TEN[0] = 1;
for (let i = 1; i < 23; i++) EXACT_POWERS_OF_TEN[i] = EXACT_POWERS_OF_TEN[i - 1]! * 10;
const MAX_EXACT_MANTISSA = 2 ** 53;
/** Exponent digits beyond this only matter to Number(), which gets the text. */
const EXPONENT_CAP = 100_000;

// Results of the last parseNumber call besides its value (module state keeps the hot call
// free of allocations; parsing is synchronous, so no two calls interleave).
/** index of the byte after the token and its trailing blanks: a delimiter or line end when valid */
let tokenEnd = 0;
/** the value came from a word, an empty cell or the slow path, so it may be non-finite */
let tokenUnusual = false;

/**
 * Parse the number starting at bytes[start]: `[+-]digits[.digits][(e|E)[+-]digits]` with leading
 * and trailing blanks, `inf`/`infinity`/`nan` in any case with an optional sign, or an empty cell
 * (NaN). The caller checks that bytes[tokenEnd] ends the cell; anything else means the cell is
 * not a number. The caller guarantees a line feed before the end of `bytes`, so the scan needs no
 * bounds checks.
 */
function parseNumber(bytes: Uint8Array, start: number): number {
  let p = start;
  let c = bytes[p]!;
  while (c === SPACE || c === TAB) c = bytes[++p]!;
  const tokenStart = p;
  let negative = false;
  if (c === MINUS) {
    negative = true;
    c = bytes[++p]!;
  } else if (c === PLUS) {
    c = bytes[++p]!;
  }

  let mantissa = 0;
  let digits = 0;
  let d = c - DIGIT_ZERO;
  while (d >= 0 && d <= 9) {
    mantissa = mantissa * 10 + d;
    digits++;
    d = bytes[++p]! - DIGIT_ZERO;
  }
  let fractionDigits = 0;
  if (d === DOT - DIGIT_ZERO) {
    d = bytes[++p]! - DIGIT_ZERO;
    while (d >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      fractionDigits++;
      d = bytes[++p]! - DIGIT_ZERO;
    }
  }
  if (digits + fractionDigits === 0) return parseWordOrEmpty(bytes, tokenStart);

  let exponent = 0;
  c = bytes[p]!;
  if ((c | LOWER_CASE_BIT) === 0x65 /* e */) {
    let q = p + 1;
    let exponentNegative = false;
    if (bytes[q] === MINUS) {
      exponentNegative = true;
      q++;
    } else if (bytes[q] === PLUS) {
      q++;
    }
    let e = bytes[q]! - DIGIT_ZERO;
    if (e >= 0 && e <= 9) {
      while (e >= 0 && e <= 9) {
        if (exponent < EXPONENT_CAP) exponent = exponent * 10 + e;
        e = bytes[++q]! - DIGIT_ZERO;
      }
      if (exponentNegative) exponent = -exponent;
      p = q;
      c = bytes[p]!;
    } // else: `1e` or `1e+` -- leave p on the `e`, which the caller reports as text
  }
  const numberEnd = p;
  while (c === SPACE || c === TAB) c = bytes[++p]!;
  tokenEnd = p;

  const powerOfTen = exponent - fractionDigits;
  if (mantissa < MAX_EXACT_MANTISSA && powerOfTen >= -22 && powerOfTen <= 22) {
    // Both operands are exact doubles, so one IEEE multiply/divide rounds correctly.
    tokenUnusual = false;
    const magnitude = powerOfTen < 0 ? mantissa / EXACT_POWERS_OF_TEN[-powerOfTen]! : mantissa * EXACT_POWERS_OF_TEN[powerOfTen]!;
    return negative ? -magnitude : magnitude;
  }
  // Too many digits or a large exponent: Number() rounds correctly and accepts this grammar.
  tokenUnusual = true;
  return Number(latin1(bytes, tokenStart, numberEnd));
}

/**
 * A cell without digits: empty (NaN), `inf`, `infinity` or `nan` with optional sign, any case.
 * Anything else leaves tokenEnd on the first byte of the token, so the caller sees text.
 */
function parseWordOrEmpty(bytes: Uint8Array, tokenStart: number): number {
  tokenUnusual = true;
  let p = tokenStart;
  let c = bytes[p]!;
  if (c === COMMA || c === LF || c === CR) {
    tokenEnd = p;
    return NaN; // empty (or blank) cell; a CR not before a LF is rejected by the caller
  }
  let negative = false;
  if (c === MINUS || c === PLUS) {
    negative = c === MINUS;
    p++;
  }
  let value = NaN;
  if (matchesWord(bytes, p, 'infinity')) {
    p += 8;
    value = negative ? -Infinity : Infinity;
  } else if (matchesWord(bytes, p, 'inf')) {
    p += 3;
    value = negative ? -Infinity : Infinity;
  } else if (matchesWord(bytes, p, 'nan')) {
    p += 3;
  } else {
    tokenEnd = tokenStart;
    return NaN;
  }
  c = bytes[p]!;
  while (c === SPACE || c === TAB) c = bytes[++p]!;
  tokenEnd = p;
  return value;
}

/** bytes at p spell `lowerCaseWord`, ignoring case (stops at the first difference: no bounds needed). */
function matchesWord(bytes: Uint8Array, p: number, lowerCaseWord: string): boolean {
  for (let i = 0; i < lowerCaseWord.length; i++) {
    if ((bytes[p + i]! | LOWER_CASE_BIT) !== lowerCaseWord.charCodeAt(i)) return false;
  }
  return true;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Text (labels, header names, error messages)
// ---------------------------------------------------------------------------------------------

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** windows-1252 code points of bytes 0x80..0x9f (0 where the byte is undefined: kept as C1). */
const WINDOWS_1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

/**
 * UTF-8 when the bytes are valid UTF-8, else windows-1252 (the CICIDS labels' 0x96 is an
 * en dash there), so that no input byte sequence makes the reader fail.
 */
export function decodeText(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    let text = '';
    for (const byte of bytes) {
      const high = byte >= 0x80 && byte <= 0x9f ? WINDOWS_1252_HIGH[byte - 0x80]! : 0;
      text += String.fromCharCode(high || byte);
    }
    return text;
  }
}

function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

function sameBytes(bytes: Uint8Array, start: number, end: number, other: Uint8Array): boolean {
  if (end - start !== other.length) return false;
  for (let i = 0; i < other.length; i++) if (bytes[start + i] !== other[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// The block parser
// ---------------------------------------------------------------------------------------------

export interface CsvParserOptions {
  /** non-numeric text in a feature column becomes NaN (counted) instead of an error */
  coerce?: boolean;
  /**
   * The WASM scanner for the common rows, used when the bytes and the output block are views of
   * its memory (`buffer`) and labels are not collected; `columnMapPtr` is the byte address of a
   * copy of the column map (i32 each) in that memory.
   */
  accelerator?: { kernel: CsvScanKernel; buffer: ArrayBufferLike; columnMapPtr: number };
  /** dictionary-encode the label column (columnMap entry -2) into `labelCodes`/`dictionary` */
  collectLabels?: boolean;
}

export interface ParseResult {
  /** rows written */
  rows: number;
  /** index in `bytes` just after the last consumed line */
  next: number;
}

/** Offsets of the counters in `quality` (4 per feature). */
export const QUALITY_NAN = 0;
export const QUALITY_POS_INF = 1;
export const QUALITY_NEG_INF = 2;
export const QUALITY_COERCED = 3;

/** #parseRow outcomes besides a position. */
const ROW_INCOMPLETE = -1; // the row goes past the bytes given and more will come
const ROW_NEEDS_TAIL = -2; // the row is the file's last and has no line feed: re-run on a copy

/**
 * Parses whole CSV lines into a column-major Float64 block. One parser per scan: it keeps the
 * quality counts and the label dictionary across calls.
 */
export class CsvBlockParser {
  /** a `"` was met in a data row: byte-range cut points may then fall inside quotes */
  quoteSeen = false;
  /** per feature: nan, posInf, negInf, coerced (empty cells count as nan) */
  readonly quality: Float64Array;
  /** label codes of the rows of the last parse call (index k = k-th row of that call) */
  labelCodes: Int32Array;
  /** label strings by code */
  readonly dictionary: string[] = [];
  /** rows the WASM scanner parsed (the rest went through the JavaScript code) */
  scannedRows = 0;

  readonly #layout: CsvLayout;
  readonly #columnMap: Int32Array;
  readonly #nFeatures: number;
  readonly #coerce: boolean;
  readonly #collectLabels: boolean;
  readonly #accelerator: CsvParserOptions['accelerator'];

  /** quality counters bumped in the current row, undone if the row turns out incomplete */
  #rowQualityLog = new Int32Array(16);
  #rowQualityLogLength = 0;
  /** unescaped content of the current quoted field, followed by a line feed sentinel */
  #field: Uint8Array = new Uint8Array(256);
  #fieldLength = 0;
  /** the file's last line copied with a line feed appended */
  #tail: Uint8Array = new Uint8Array(256);

  #labelBytes: Uint8Array[] = [];
  #labelsByHash = new Map<number, number[]>();
  #lastLabelCode = -1;

  constructor(layout: CsvLayout, columnMap: Int32Array, nFeatures: number, options: CsvParserOptions = {}) {
    if (columnMap.length !== layout.names.length) {
      throw new DriftCatcherError('DC_ERR_INTERNAL', `column map has ${columnMap.length} entries for ${layout.names.length} columns`);
    }
    this.#layout = layout;
    this.#columnMap = columnMap;
    this.#nFeatures = nFeatures;
    this.#coerce = options.coerce ?? false;
    this.#collectLabels = options.collectLabels ?? false;
    this.#accelerator = this.#collectLabels ? undefined : options.accelerator;
    this.quality = new Float64Array(4 * nFeatures);
    this.labelCodes = new Int32Array(this.#collectLabels ? 1024 : 0);
  }

  get nFeatures(): number {
    return this.#nFeatures;
  }

  /**
   * Parse whole lines of bytes[from, to): at most maxRows rows, stopping before an incomplete
   * last line (parsed only when atEof) and before any line whose first byte is at or after
   * `lineStartLimit` (an index in `bytes`). Feature f of the k-th row goes to
   * out[outBase + f * stride + k]. `fileOffset` is the file position of bytes[0], for errors.
   */
  parse(
    bytes: Uint8Array,
    from: number,
    to: number,
    atEof: boolean,
    fileOffset: number,
    out: Float64Array,
    outBase: number,
    stride: number,
    maxRows: number,
    lineStartLimit: number = to,
  ): ParseResult {
    // Rows that start at or before the last line feed end at a line feed inside the buffer, so
    // their unquoted bytes can be scanned without bounds checks; later bytes form an incomplete
    // line (or, at EOF, the unterminated last line, parsed from a copy with a line feed added).
    const lastLineFeed = lastIndexOf(bytes, LF, from, to);
    let pos = from;
    let rows = 0;
    const accelerator = this.#accelerator;
    const accelerated = accelerator !== undefined && bytes.buffer === accelerator.buffer && out.buffer === accelerator.buffer;
    const nColumns = this.#columnMap.length;
    while (rows < maxRows && pos < to && pos < lineStartLimit) {
      if (accelerated && pos <= lastLineFeed) {
        // the common rows in WASM; it stops before the first row it leaves to the code below
        const base = bytes.byteOffset;
        const done = accelerator.kernel.parseRows(
          base + pos,
          base + lastLineFeed + 1,
          base + Math.min(lineStartLimit, to),
          accelerator.columnMapPtr,
          nColumns,
          out.byteOffset + (outBase + rows) * 8,
          stride * 8,
          maxRows - rows,
        );
        if (done > 0) {
          rows += done;
          this.scannedRows += done;
          pos += accelerator.kernel.consumed();
          continue;
        }
      }
      const c = bytes[pos];
      if (c === LF) {
        pos++; // blank line
        continue;
      }
      if (c === CR && ((pos + 1 < to && bytes[pos + 1] === LF) || (pos + 1 === to && atEof))) {
        pos += pos + 1 < to ? 2 : 1; // blank CRLF line
        continue;
      }
      if (pos > lastLineFeed) {
        if (!atEof) break;
        this.#parseTailRow(bytes, pos, to, fileOffset, out, outBase + rows, stride, rows);
        pos = to;
        rows++;
        continue;
      }
      this.#rowQualityLogLength = 0;
      const next = this.#parseRow(bytes, pos, lastLineFeed, to, atEof, fileOffset + pos, out, outBase + rows, stride, rows);
      if (next === ROW_INCOMPLETE) {
        this.#undoRowQuality();
        break;
      }
      if (next === ROW_NEEDS_TAIL) {
        this.#undoRowQuality();
        this.#parseTailRow(bytes, pos, to, fileOffset, out, outBase + rows, stride, rows);
        pos = to;
      } else {
        pos = next;
      }
      rows++;
    }
    return { rows, next: pos };
  }

  /** The unterminated last line of the file, parsed from a copy that ends in a line feed. */
  #parseTailRow(bytes: Uint8Array, start: number, to: number, fileOffset: number, out: Float64Array, base: number, stride: number, k: number): void {
    const length = to - start;
    if (this.#tail.length < length + 1) this.#tail = new Uint8Array(2 * (length + 1));
    const tail = this.#tail;
    tail.set(bytes.subarray(start, to));
    tail[length] = LF;
    this.#rowQualityLogLength = 0;
    const next = this.#parseRow(tail, 0, length, length + 1, true, fileOffset + start, out, base, stride, k);
    if (next < 0) throw new DriftCatcherError('DC_ERR_INTERNAL', 'CSV tail row did not end', { file: this.#layout.file, byteOffset: fileOffset + start });
  }

  /**
   * One row starting at `rowStart` (not blank). Returns the index after its line end, or
   * ROW_INCOMPLETE / ROW_NEEDS_TAIL when a quoted field carries it past the last line feed.
   */
  #parseRow(
    bytes: Uint8Array,
    rowStart: number,
    lastLineFeed: number,
    to: number,
    atEof: boolean,
    rowOffset: number,
    out: Float64Array,
    base: number,
    stride: number,
    k: number,
  ): number {
    const columnMap = this.#columnMap;
    const nColumns = columnMap.length;
    let p = rowStart;
    let column = 0;
    for (;;) {
      const slot = column < nColumns ? columnMap[column]! : SKIP_SLOT;
      if (bytes[p] === QUOTE) {
        const after = this.#readQuotedField(bytes, p, lastLineFeed, to, atEof, rowOffset);
        if (after < 0) return after;
        this.#storeQuotedCell(slot, column, out, base, stride, k, rowOffset);
        p = after;
      } else if (slot >= 0) {
        // Inline fast path for the common cell, `[-]digits[.digits]` and nothing else, with a
        // mantissa and fraction small enough for one exact division. Anything else (blanks,
        // exponents, words, empty cells, long mantissas, text) is re-read by parseNumber.
        const cellStart = p;
        let c = bytes[p]!;
        const negative = c === MINUS;
        if (negative) c = bytes[++p]!;
        const digitsStart = p;
        let mantissa = 0;
        while (c - DIGIT_ZERO >>> 0 < 10) {
          mantissa = mantissa * 10 + (c - DIGIT_ZERO);
          c = bytes[++p]!;
        }
        let digitCount = p - digitsStart;
        let fractionDigits = 0;
        if (c === DOT) {
          const fractionStart = ++p;
          c = bytes[p]!;
          while (c - DIGIT_ZERO >>> 0 < 10) {
            mantissa = mantissa * 10 + (c - DIGIT_ZERO);
            c = bytes[++p]!;
          }
          fractionDigits = p - fractionStart;
          digitCount += fractionDigits;
        }
        if (
          (c === COMMA || c === LF || (c === CR && bytes[p + 1] === LF)) &&
          digitCount > 0 &&
          mantissa < MAX_EXACT_MANTISSA &&
          fractionDigits <= 22
        ) {
          const magnitude = fractionDigits === 0 ? mantissa : mantissa / EXACT_POWERS_OF_TEN[fractionDigits]!;
          out[base + slot * stride] = negative ? -magnitude : magnitude;
        } else {
          p = this.#parseUnusualNumber(bytes, cellStart, slot, column, out, base, stride, rowOffset, rowStart, lastLineFeed);
        }
      } else if (slot === LABEL_SLOT && this.#collectLabels) {
        p = this.#readLabel(bytes, p, k);
      } else {
        p = this.#skipField(bytes, p);
      }

      // p is on the cell's terminator: a comma, a line feed, or the CR of a CRLF
      const terminator = bytes[p];
      if (terminator === COMMA) {
        p++;
        column++;
        continue;
      }
      p += terminator === LF ? 1 : 2;
      break;
    }
    if (column + 1 !== nColumns) {
      if (bytes.subarray(rowStart, p).includes(QUOTE)) this.quoteSeen = true;
      throw new InputError(`expected ${nColumns} fields, found ${column + 1}`, { file: this.#layout.file, byteOffset: rowOffset });
    }
    return p;
  }

  /** A feature cell off the inline fast path: the full number grammar, then the checks. Returns the terminator. */
  #parseUnusualNumber(
    bytes: Uint8Array,
    start: number,
    slot: number,
    column: number,
    out: Float64Array,
    base: number,
    stride: number,
    rowOffset: number,
    rowStart: number,
    lastLineFeed: number,
  ): number {
    const value = parseNumber(bytes, start);
    const end = tokenEnd;
    const b = bytes[end];
    if (b === COMMA || b === LF || (b === CR && bytes[end + 1] === LF)) {
      out[base + slot * stride] = value;
      if (tokenUnusual) this.#countNonFinite(slot, value);
      return end;
    }
    return this.#notANumber(bytes, start, slot, column, out, base, stride, rowOffset, rowStart, lastLineFeed);
  }

  /** Unquoted field that is not read: move to its terminator. */
  #skipField(bytes: Uint8Array, start: number): number {
    let p = start;
    let c = bytes[p];
    while (c !== COMMA && c !== LF) {
      if (c === QUOTE) this.quoteSeen = true; // a literal quote inside a field
      c = bytes[++p];
    }
    return c === LF && p > start && bytes[p - 1] === CR ? p - 1 : p;
  }

  #readLabel(bytes: Uint8Array, start: number, k: number): number {
    const end = this.#skipField(bytes, start);
    this.#setLabel(k, this.#labelCode(bytes, start, end));
    return end;
  }

  #setLabel(k: number, code: number): void {
    if (k >= this.labelCodes.length) {
      const grown = new Int32Array(Math.max(2 * this.labelCodes.length, k + 1));
      grown.set(this.labelCodes);
      this.labelCodes = grown;
    }
    this.labelCodes[k] = code;
  }

  /** Dictionary code of the label bytes[start, end); each distinct label is decoded once. */
  #labelCode(bytes: Uint8Array, start: number, end: number): number {
    const last = this.#lastLabelCode;
    if (last >= 0 && sameBytes(bytes, start, end, this.#labelBytes[last]!)) return last; // runs of one label
    const hash = fnv1a(bytes, start, end);
    let codes = this.#labelsByHash.get(hash);
    if (codes) {
      for (const code of codes) {
        if (sameBytes(bytes, start, end, this.#labelBytes[code]!)) return (this.#lastLabelCode = code);
      }
    } else {
      codes = [];
      this.#labelsByHash.set(hash, codes);
    }
    const code = this.dictionary.length;
    const labelBytes = bytes.slice(start, end);
    this.#labelBytes.push(labelBytes);
    this.dictionary.push(decodeText(labelBytes));
    codes.push(code);
    return (this.#lastLabelCode = code);
  }

  /**
   * A quoted field (RFC 4180: `""` is a quote, commas and line ends inside are data). Its content
   * goes to #field; text after the closing quote, up to the terminator, is kept too (as pandas
   * does). Returns the terminator's index or ROW_INCOMPLETE / ROW_NEEDS_TAIL.
   */
  #readQuotedField(bytes: Uint8Array, start: number, lastLineFeed: number, to: number, atEof: boolean, rowOffset: number): number {
    this.quoteSeen = true;
    this.#fieldLength = 0;
    let p = start + 1;
    for (;;) {
      if (p >= to) {
        if (!atEof) return ROW_INCOMPLETE;
        throw new InputError('quoted field is not closed before the end of the file', { file: this.#layout.file, byteOffset: rowOffset });
      }
      const c = bytes[p]!;
      if (c === QUOTE) {
        if (p + 1 < to && bytes[p + 1] === QUOTE) {
          this.#pushFieldByte(QUOTE);
          p += 2;
          continue;
        }
        if (p + 1 >= to && !atEof) return ROW_INCOMPLETE; // `""` may straddle the buffer end
        p++;
        break;
      }
      this.#pushFieldByte(c);
      p++;
    }
    while (p < to) {
      const c = bytes[p]!;
      if (c === COMMA || c === LF || (c === CR && p + 1 < to && bytes[p + 1] === LF)) break;
      this.#pushFieldByte(c);
      p++;
    }
    // Past the last line feed nothing ends this row inside the buffer.
    if (p > lastLineFeed) return atEof ? ROW_NEEDS_TAIL : ROW_INCOMPLETE;
    return p;
  }

  #pushFieldByte(byte: number): void {
    if (this.#fieldLength + 1 >= this.#field.length) this.#field = grow(this.#field, this.#fieldLength, 2 * this.#field.length);
    this.#field[this.#fieldLength++] = byte;
  }

  #storeQuotedCell(slot: number, column: number, out: Float64Array, base: number, stride: number, k: number, rowOffset: number): void {
    const field = this.#field;
    const length = this.#fieldLength;
    field[length] = LF; // sentinel for parseNumber
    if (slot >= 0) {
      const value = parseNumber(field, 0);
      if (tokenEnd === length) {
        out[base + slot * stride] = value;
        if (tokenUnusual) this.#countNonFinite(slot, value);
      } else if (this.#coerce) {
        out[base + slot * stride] = NaN;
        this.#bumpQuality(slot, QUALITY_COERCED);
      } else {
        throw this.#notANumberError(field, 0, length, column, rowOffset);
      }
    } else if (slot === LABEL_SLOT && this.#collectLabels) {
      this.#setLabel(k, this.#labelCode(field, 0, length));
    }
  }

  /** A feature cell that is not a number: NaN when coercing, else an error. Returns the terminator. */
  #notANumber(
    bytes: Uint8Array,
    start: number,
    slot: number,
    column: number,
    out: Float64Array,
    base: number,
    stride: number,
    rowOffset: number,
    rowStart: number,
    lastLineFeed: number,
  ): number {
    const end = this.#skipField(bytes, start);
    if (this.#coerce) {
      out[base + slot * stride] = NaN;
      this.#bumpQuality(slot, QUALITY_COERCED);
      return end;
    }
    const rowEnd = bytes.indexOf(LF, start);
    if (bytes.subarray(rowStart, rowEnd < 0 ? lastLineFeed + 1 : rowEnd).includes(QUOTE)) this.quoteSeen = true;
    throw this.#notANumberError(bytes, start, end, column, rowOffset);
  }

  #notANumberError(bytes: Uint8Array, start: number, end: number, column: number, rowOffset: number): InputError {
    return new InputError(`expected a number, got "${excerpt(bytes.subarray(start, end))}"`, { file: this.#layout.file, column: this.#layout.names[column], byteOffset: rowOffset });
  }

  /** A value from the rare path: count it when it is NaN or infinite. */
  #countNonFinite(slot: number, value: number): void {
    if (value !== value) this.#bumpQuality(slot, QUALITY_NAN);
    else if (value === Infinity) this.#bumpQuality(slot, QUALITY_POS_INF);
    else if (value === -Infinity) this.#bumpQuality(slot, QUALITY_NEG_INF);
  }

  #bumpQuality(slot: number, kind: number): void {
    const index = 4 * slot + kind;
    this.quality[index] += 1;
    if (this.#rowQualityLogLength === this.#rowQualityLog.length) {
      const grown = new Int32Array(2 * this.#rowQualityLog.length);
      grown.set(this.#rowQualityLog);
      this.#rowQualityLog = grown;
    }
    this.#rowQualityLog[this.#rowQualityLogLength++] = index;
  }

  #undoRowQuality(): void {
    for (let i = 0; i < this.#rowQualityLogLength; i++) this.quality[this.#rowQualityLog[i]!] -= 1;
    this.#rowQualityLogLength = 0;
  }

  /** The quality counters as one record per feature slot. */
  qualityOf(slot: number): ColumnQuality {
    const q = this.quality;
    return { nan: q[4 * slot]!, posInf: q[4 * slot + 1]!, negInf: q[4 * slot + 2]!, coerced: q[4 * slot + 3]! };
  }
}

/** Index of the last `byte` in bytes[from, to), or from - 1. */
function lastIndexOf(bytes: Uint8Array, byte: number, from: number, to: number): number {
  if (to <= from) return from - 1;
  const index = bytes.lastIndexOf(byte, to - 1);
  return index >= from ? index : from - 1;
}

function grow(bytes: Uint8Array, keep: number, size: number): Uint8Array {
  const grown = new Uint8Array(size);
  grown.set(bytes.subarray(0, keep));
  return grown;
}

// ---------------------------------------------------------------------------------------------
// Byte ranges of a file
// ---------------------------------------------------------------------------------------------

/**
 * A sliding window over a file: bytes [fileStart, fileStart + length) are in `buffer`, those
 * before `pos` are consumed. Reads never go past `fileSize` (the size when the layout was read).
 */
export class FileWindow {
  buffer: Uint8Array;
  fileStart: number;
  length = 0;
  pos = 0;
  readonly file: string;
  readonly fileSize: number;

  constructor(layout: CsvLayout, buffer: Uint8Array, fileStart: number) {
    this.file = layout.file;
    this.buffer = buffer;
    this.fileStart = fileStart;
    this.fileSize = layout.fileSize;
  }

  get atEof(): boolean {
    return this.fileStart + this.length >= this.fileSize;
  }

  /** Drop consumed bytes; grow when one line fills the whole buffer. Returns the byte count to read. */
  makeRoom(): number {
    if (this.pos > 0) {
      this.buffer.copyWithin(0, this.pos, this.length);
      this.fileStart += this.pos;
      this.length -= this.pos;
      this.pos = 0;
    }
    if (this.length === this.buffer.length) this.buffer = grow(this.buffer, this.length, 2 * this.buffer.length);
    return Math.min(this.buffer.length - this.length, this.fileSize - this.fileStart - this.length);
  }

  /** Account for bytes read into buffer[length...]; a short read of 0 means the file shrank. */
  appended(bytesRead: number): void {
    if (bytesRead === 0) throw new InputError('file ended early (was it changed while being read?)', { file: this.file });
    this.length += bytesRead;
  }

  readSync(fd: number): void {
    const wanted = this.makeRoom();
    this.appended(fs.readSync(fd, this.buffer, this.length, wanted, this.fileStart + this.length));
  }

  async read(handle: fs.promises.FileHandle): Promise<void> {
    const wanted = this.makeRoom();
    this.appended((await handle.read(this.buffer, this.length, wanted, this.fileStart + this.length)).bytesRead);
  }
}

export interface ScanRangeOptions {
  layout: CsvLayout;
  /** byte range: the lines whose first byte lies in [start, end) are parsed */
  start: number;
  end: number;
  parser: CsvBlockParser;
  /** block to fill: feature f of row k at out[outBase + f * stride + k], up to `stride` rows */
  out: Float64Array;
  outBase: number;
  stride: number;
  /** called with the row count each time the block is full, and once at the end with the rest (if any) */
  onBlock: (rows: number) => void;
  /** label codes of the block's rows (index k), when the parser collects labels */
  labelsOut?: Int32Array;
  /** a buffer to read into (reused across calls); default 4 MiB */
  readBuffer?: Uint8Array;
}

/**
 * Parse the lines whose first byte lies in [start, end) into blocks, synchronously. A range that
 * starts after the data start skips to just after the first line feed at or after start - 1, so
 * consecutive ranges cover every line exactly once wherever the cut points fall.
 *
 * Quoted fields may hold line feeds, so a cut point can fall inside one and the next range would
 * misread it. The range that holds the opening quote always sees it (`parser.quoteSeen`): when any
 * range reports a quote, discard every range's results -- and errors from later ranges -- and
 * scan the file again as one range.
 *
 * Errors carry the absolute byte offset and, once located here, the line number.
 */
export function scanCsvRange(options: ScanRangeOptions): { rows: number } {
  const { layout, parser, out, outBase, stride, onBlock, labelsOut } = options;
  const end = Math.min(options.end, layout.fileSize);
  const fd = openSync(layout.file);
  try {
    const window = new FileWindow(layout, options.readBuffer ?? new Uint8Array(READ_BLOCK_BYTES), Math.max(options.start, layout.dataStart));
    if (options.start > layout.dataStart && !skipPartialLine(window, fd)) return { rows: 0 };
    let total = 0;
    let blockRows = 0;
    for (;;) {
      if (window.fileStart + window.pos >= end) break;
      const atEof = window.atEof;
      const lineStartLimit = end - window.fileStart;
      const { rows, next } = parser.parse(window.buffer, window.pos, window.length, atEof, window.fileStart, out, outBase + blockRows, stride, stride - blockRows, lineStartLimit);
      if (labelsOut && rows > 0) labelsOut.set(parser.labelCodes.subarray(0, rows), blockRows);
      window.pos = next;
      blockRows += rows;
      total += rows;
      if (blockRows === stride) {
        onBlock(blockRows);
        blockRows = 0;
        continue;
      }
      if (next >= lineStartLimit || atEof) break;
      window.readSync(fd);
    }
    if (blockRows > 0) onBlock(blockRows);
    return { rows: total };
  } catch (err) {
    throw locateError(err, layout.file);
  } finally {
    fs.closeSync(fd);
  }
}

/** Move the window to just after the first line feed at or after its start. False at EOF. */
function skipPartialLine(window: FileWindow, fd: number): boolean {
  window.fileStart -= 1;
  for (;;) {
    if (window.atEof && window.pos >= window.length) return false;
    window.readSync(fd);
    const lineFeed = window.buffer.subarray(0, window.length).indexOf(LF, window.pos);
    if (lineFeed >= 0) {
      window.pos = lineFeed + 1;
      return true;
    }
    window.pos = window.length;
  }
}

/** Fill in the line number of an error that only knows its byte offset. */
export function locateError(err: unknown, file: string): unknown {
  if (err instanceof DriftCatcherError && err.byteOffset !== undefined && err.line === undefined) {
    try {
      err.locate({ file: err.file ?? file, line: lineAtOffset(file, err.byteOffset) });
    } catch {
      // the location is a nicety; keep the original error
    }
  }
  return err;
}

/** 1-based line number of the line holding `byteOffset` (the header is line 1). */
export function lineAtOffset(file: string, byteOffset: number): number {
  const fd = openSync(file);
  try {
    const buffer = Buffer.allocUnsafe(READ_BLOCK_BYTES);
    let line = 1;
    let position = 0;
    while (position < byteOffset) {
      const bytesRead = fs.readSync(fd, buffer, 0, Math.min(buffer.length, byteOffset - position), position);
      if (bytesRead === 0) break;
      for (let i = buffer.indexOf(LF, 0); i >= 0 && i < bytesRead; i = buffer.indexOf(LF, i + 1)) line++;
      position += bytesRead;
    }
    return line;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Byte ranges covering [dataStart, fileSize), at most `parts` of them and none smaller than
 * `minBytes` (except a lone one). Cut points need not be at line ends: scanCsvRange handles that.
 */
export function splitCsvRanges(layout: CsvLayout, parts: number, minBytes = 8 * 1024 * 1024): Array<[number, number]> {
  const { dataStart, fileSize } = layout;
  const total = Math.max(0, fileSize - dataStart);
  const count = Math.max(1, Math.min(Math.floor(parts), Math.floor(total / Math.max(1, minBytes))));
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const start = dataStart + Math.floor((total * i) / count);
    const end = dataStart + Math.floor((total * (i + 1)) / count);
    ranges.push([start, end]);
  }
  return ranges;
}

// ---------------------------------------------------------------------------------------------
// Opening files
// ---------------------------------------------------------------------------------------------

export function openSync(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw fileError(file, err);
  }
  if (fs.fstatSync(fd).isDirectory()) {
    fs.closeSync(fd);
    throw fileError(file, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
  }
  return fd;
}

/** Open a file for reading; InputError for a missing file, a directory or no permission. */
export async function openFileHandle(file: string): Promise<fs.promises.FileHandle> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    throw fileError(file, err);
  }
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw fileError(file, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
  }
  return handle;
}

/** Turn an fs error into a one-line InputError. */
export function fileError(file: string, err: unknown): DriftCatcherError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const detail =
    code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : `cannot open (${code ?? String(err)})`;
  return new InputError(detail, { file }, { cause: err });
}
