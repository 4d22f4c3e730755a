/**
 * CSV parsing, byte level: the part the parallel workers load (no Apache Arrow import, so a
 * worker starts fast). csv.ts builds Arrow RecordBatches on top of it.
 *
 * The hot path never builds a string for a numeric cell: digits are accumulated straight from the
 * bytes and turned into the correctly rounded double with Clinger's fast path; only rare cells
 * (more than 15-16 significant digits, large exponents) go through `Number()` on a short slice.
 */
import * as fs from 'node:fs';
import { DriftCatcherError, excerpt, InputError, UsageError } from '../util/index.js';
import { LABEL_SLOT, normaliseNames, SKIP_SLOT } from './schema.js';
import type { ColumnQuality, CsvLayout } from './types.js';
import type { CsvScanKernel } from '../kernels/index.js';

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
/**
 * The longest line (header or data row, its line end not counted; a quoted field's line ends
 * count) a reader accepts by default: generous for real CSV (a CICIDS row is ~500 bytes), small
 * enough that no input makes a reader hold more than a few of them. A longer line is an
 * InputError naming file, line and column as soon as its first bytes over the limit are read.
 * `ReadOptions.maxLineBytes` / `--max-line-bytes` raise it.
 */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
/** The largest `maxLineBytes` accepted (1 GiB). */
export const MAX_LINE_BYTES_LIMIT = 1024 * 1024 * 1024;
/** Past the end of its byte range, a range scanner reads its last line in steps from this size, doubling. */
const READ_BEYOND_RANGE_BYTES = 64 * 1024;

/** `maxLineBytes` as given (UsageError when it is not an integer from 1 to 1 GiB), or the default. */
export function resolveMaxLineBytes(maxLineBytes: number | undefined): number {
  if (maxLineBytes === undefined) return DEFAULT_MAX_LINE_BYTES;
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1 || maxLineBytes > MAX_LINE_BYTES_LIMIT) {
    throw new UsageError(`maxLineBytes must be an integer from 1 to ${MAX_LINE_BYTES_LIMIT}, got ${maxLineBytes}`);
  }
  return maxLineBytes;
}

/** The error for a line longer than the limit; `column` is where the limit is crossed. */
function lineTooLongError(file: string, what: 'header line' | 'line', maxLineBytes: number, where: { line?: number; byteOffset?: number; column?: string | number }): InputError {
  return new InputError(`${what} longer than ${maxLineBytes} bytes (the line limit; raise it with --max-line-bytes or maxLineBytes)`, { file, ...where });
}

// ---------------------------------------------------------------------------------------------
// Layout: the header line
// ---------------------------------------------------------------------------------------------

export interface CsvFileLayout extends CsvLayout {
  /** false when nothing but blank lines follows the header */
  hasData: boolean;
}

export interface LayoutOptions {
  /** the longest header line accepted, in bytes (default DEFAULT_MAX_LINE_BYTES); kept in the layout for the data rows */
  maxLineBytes?: number;
}

/** Read the header of a CSV file: names, where the data starts, whether there is any. */
export async function readCsvLayout(file: string, options: LayoutOptions = {}): Promise<CsvFileLayout> {
  const maxLineBytes = resolveMaxLineBytes(options.maxLineBytes);
  const handle = await openFileHandle(file);
  try {
    const steps = layoutSteps(file, (await handle.stat()).size, maxLineBytes);
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
export function readCsvLayoutSync(file: string, options: LayoutOptions = {}): CsvFileLayout {
  const maxLineBytes = resolveMaxLineBytes(options.maxLineBytes);
  const fd = openSync(file);
  try {
    const steps = layoutSteps(file, fs.fstatSync(fd).size, maxLineBytes);
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

/** Bytes the header reader asks for per read. */
const LAYOUT_CHUNK_BYTES = 64 * 1024;

/**
 * The header logic as a generator of read requests (yield: "fill this buffer from this file
 * position", resumed with the byte count), so the sync and async variants share it.
 *
 * The file is read in 64 KiB chunks: a UTF-8 BOM and leading blank lines are skipped without
 * being kept (as pandas does), then the header line's bytes are kept up to its line feed outside
 * quotes, never more than `maxLineBytes` (+1 for the CR of a CRLF): memory stays bounded whatever
 * the file holds, and a header without a line end fails once the limit is passed.
 */
function* layoutSteps(file: string, fileSize: number, maxLineBytes: number): Generator<ReadRequest, CsvFileLayout, number> {
  const chunk = new Uint8Array(Math.min(Math.max(fileSize, 1), LAYOUT_CHUNK_BYTES));
  let line: Uint8Array = new Uint8Array(Math.min(maxLineBytes + 1, 4096));
  let lineLength = 0;
  /** the header's line number: 1 plus the blank lines before it */
  let lineNumber = 1;
  let started = false;
  let inQuotes = false;
  let position = 0;
  let dataStart = -1;
  while (dataStart < 0 && position < fileSize) {
    const bytesRead: number = yield { buffer: chunk, position };
    if (bytesRead === 0) break;
    let i = position === 0 && bytesRead >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
    for (; i < bytesRead; i++) {
      const c = chunk[i]!;
      if (!started) {
        if (c === LF) lineNumber++;
        if (c === LF || c === CR) continue;
        started = true;
      }
      // a quote opens or closes quoting wherever it is in a header field, and `""` toggles twice
      if (c === QUOTE) inQuotes = !inQuotes;
      else if (c === LF && !inQuotes) {
        dataStart = position + i + 1;
        break;
      }
      if (lineLength === line.length) {
        if (lineLength > maxLineBytes) throw headerTooLong(file, line, maxLineBytes, lineNumber);
        line = grow(line, lineLength, Math.min(2 * line.length, maxLineBytes + 1));
      }
      line[lineLength++] = c;
    }
    position += bytesRead;
  }
  if (!started) throw new InputError('empty file, expected a header line', { file });
  // the CR of a CRLF (or of a last line ending in CR) is not part of the line
  if (lineLength > maxLineBytes && !(lineLength === maxLineBytes + 1 && line[lineLength - 1] === CR && !inQuotes)) {
    throw headerTooLong(file, line, maxLineBytes, lineNumber);
  }
  if (dataStart < 0) dataStart = Math.min(position, fileSize);

  const rawNames = headerFields(line, lineLength);
  const layout: CsvFileLayout = {
    file,
    rawNames,
    names: normaliseNames(rawNames),
    dataStart,
    fileSize,
    delimiter: COMMA,
    hasData: false,
    maxLineBytes,
  };

  // hasData: is there any byte after the header other than line ends?
  position = dataStart;
  const probe = chunk;
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

/** The error for a header line over the limit: its column is the field holding the first byte over it (1-based). */
function headerTooLong(file: string, line: Uint8Array, maxLineBytes: number, lineNumber: number): InputError {
  let column = 1;
  let inQuotes = false;
  for (let p = 0; p < maxLineBytes; p++) {
    if (line[p] === QUOTE) inQuotes = !inQuotes;
    else if (line[p] === COMMA && !inQuotes) column++;
  }
  return lineTooLongError(file, 'header line', maxLineBytes, { line: lineNumber, column });
}

/**
 * Split the header line (its bytes without the line feed): quoted names allowed (a quote opens
 * quoting anywhere in a field, `""` inside quotes is a quote), a CR ending the last field dropped.
 */
function headerFields(bytes: Uint8Array, length: number): string[] {
  const fields: string[] = [];
  const field = new Uint8Array(length);
  let fieldLength = 0;
  let inQuotes = false;
  for (let p = 0; p < length; p++) {
    const c = bytes[p]!;
    if (inQuotes) {
      if (c !== QUOTE) field[fieldLength++] = c;
      else if (p + 1 < length && bytes[p + 1] === QUOTE) field[fieldLength++] = bytes[++p]!;
      else inQuotes = false;
    } else if (c === QUOTE) {
      inQuotes = true;
    } else if (c === COMMA) {
      fields.push(decodeText(field.slice(0, fieldLength)));
      fieldLength = 0;
    } else {
      field[fieldLength++] = c;
    }
  }
  if (fieldLength > 0 && field[fieldLength - 1] === CR && !inQuotes) fieldLength--;
  fields.push(decodeText(field.slice(0, fieldLength)));
  return fields;
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
  // a long token (a cell of a million digits) in one go: characters appended one by one would
  // make a million-piece string for the garbage collector
  if (end - start > 64) return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Text (labels, header names, error messages)
// ---------------------------------------------------------------------------------------------

// ignoreBOM: a U+FEFF at the start of a label is part of it, as in pandas (only the file's own
// BOM, before the header, is dropped); by default TextDecoder would drop it, so `\ufeffBENIGN`
// read as `BENIGN`
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
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
  readonly #maxLineBytes: number;

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
    this.#maxLineBytes = layout.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
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
   *
   * A row longer than the layout's `maxLineBytes` is an error whatever else is wrong with it: it
   * is reported as soon as more than the limit of its bytes are here, ended or not; a row with
   * another error is reported once its end shows that it is within the limit (until then the
   * call stops before it, as before an incomplete row).
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
    const maxLineBytes = this.#maxLineBytes;
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
          maxLineBytes,
        );
        if (done > 0) {
          rows += done;
          this.scannedRows += done;
          pos += accelerator.kernel.consumed();
          continue;
        }
      }
      const c = bytes[pos];
      if (c === LF || c === CR) {
        // blank lines, a run of them at once (not one scanner call each: 200 MB of line feeds took 13 s)
        const after = blankLinesEnd(bytes, pos, Math.min(to, lineStartLimit), to, atEof);
        if (after > pos) {
          pos = after;
          continue;
        }
      }
      if (pos > lastLineFeed) {
        if (!atEof) {
          if (to - pos > maxLineBytes + 1) throw this.#lineTooLong(bytes, pos, to, fileOffset);
          break;
        }
        this.#parseTailRow(bytes, pos, to, fileOffset, out, outBase + rows, stride, rows);
        pos = to;
        rows++;
        continue;
      }
      this.#rowQualityLogLength = 0;
      let next: number;
      try {
        next = this.#parseRow(bytes, pos, lastLineFeed, to, atEof, fileOffset + pos, out, outBase + rows, stride, rows);
      } catch (err) {
        this.#undoRowQuality();
        // the line limit comes first: is this row within it?
        const rowEnd = rowEndOf(bytes, pos, to, atEof);
        const rowLength = rowEnd >= 0 ? lineLength(bytes, pos, rowEnd) : atEof ? lineLength(bytes, pos, to) : to - pos;
        if (rowLength > maxLineBytes + (rowEnd < 0 && !atEof ? 1 : 0)) throw this.#lineTooLong(bytes, pos, to, fileOffset);
        if (rowEnd < 0 && !atEof) break; // its end, and so whether it is too long, is not here yet
        throw err;
      }
      if (next === ROW_INCOMPLETE) {
        this.#undoRowQuality();
        if (to - pos > maxLineBytes + 1) throw this.#lineTooLong(bytes, pos, to, fileOffset);
        break;
      }
      if (next === ROW_NEEDS_TAIL) {
        this.#undoRowQuality();
        this.#parseTailRow(bytes, pos, to, fileOffset, out, outBase + rows, stride, rows);
        pos = to;
      } else {
        if (next - pos - 1 > maxLineBytes && lineLength(bytes, pos, next - 1) > maxLineBytes) {
          this.#undoRowQuality();
          throw this.#lineTooLong(bytes, pos, to, fileOffset);
        }
        pos = next;
      }
      rows++;
    }
    return { rows, next: pos };
  }

  /** The error for the row at bytes[rowStart], longer than the limit (bytes up to `to` are known). */
  #lineTooLong(bytes: Uint8Array, rowStart: number, to: number, fileOffset: number): InputError {
    return rowTooLongError(this.#layout, this.#maxLineBytes, bytes, rowStart, to, fileOffset + rowStart);
  }

  /** The unterminated last line of the file, parsed from a copy that ends in a line feed. */
  #parseTailRow(bytes: Uint8Array, start: number, to: number, fileOffset: number, out: Float64Array, base: number, stride: number, k: number): void {
    if (lineLength(bytes, start, to) > this.#maxLineBytes) throw this.#lineTooLong(bytes, start, to, fileOffset);
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

/**
 * The end of the blank lines (LF, CRLF, and a CR that is the file's last byte) starting at
 * bytes[start] whose first byte is before `limit`: the index after the last of them.
 */
function blankLinesEnd(bytes: Uint8Array, start: number, limit: number, to: number, atEof: boolean): number {
  let p = start;
  while (p < limit) {
    const c = bytes[p];
    if (c === LF) p++;
    else if (c === CR && p + 1 < to && bytes[p + 1] === LF) p += 2;
    else if (c === CR && p + 1 === to && atEof) p++;
    else break;
  }
  return p;
}

/** Bytes of the line bytes[start, end) without the CR of a CRLF (`end`: its line feed, or the end of the file). */
function lineLength(bytes: Uint8Array, start: number, end: number): number {
  return end > start && bytes[end - 1] === CR ? end - 1 - start : end - start;
}

/**
 * Index of the line feed that ends the data row starting at bytes[rowStart], by the data rows'
 * quoting rule (a quote at the start of a field opens it, `""` inside is a quote, the next lone
 * quote closes it, a quote anywhere else is a byte like any other); -1 when it is not in
 * bytes[rowStart, to) (a `""` split by `to` counts as not known unless atEof).
 */
function rowEndOf(bytes: Uint8Array, rowStart: number, to: number, atEof: boolean): number {
  let fieldStart = true;
  for (let p = rowStart; p < to; p++) {
    const c = bytes[p]!;
    if (fieldStart && c === QUOTE) {
      for (p++; ; p++) {
        if (p >= to) return -1;
        if (bytes[p] !== QUOTE) continue;
        if (p + 1 >= to && !atEof) return -1;
        if (bytes[p + 1] !== QUOTE) break;
        p++;
      }
      fieldStart = false;
      continue;
    }
    if (c === LF) return p;
    fieldStart = c === COMMA;
  }
  return -1;
}

/**
 * The error for a data row longer than the limit: at its line (the byte offset, located later),
 * in the column that holds its first byte over the limit (bytes up to `to` are known).
 */
function rowTooLongError(layout: CsvLayout, maxLineBytes: number, bytes: Uint8Array, rowStart: number, to: number, rowOffset: number): InputError {
  const over = Math.min(to, rowStart + maxLineBytes);
  let column = 0;
  let fieldStart = true;
  for (let p = rowStart; p < over; p++) {
    const c = bytes[p]!;
    if (fieldStart && c === QUOTE) {
      for (p++; p < over && !(bytes[p] === QUOTE && bytes[p + 1] !== QUOTE); p += bytes[p] === QUOTE ? 2 : 1);
      fieldStart = false;
      continue;
    }
    if (c === COMMA) column++;
    fieldStart = c === COMMA;
  }
  const name = layout.names[column];
  return lineTooLongError(layout.file, 'line', maxLineBytes, { byteOffset: rowOffset, column: name ?? column + 1 });
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
 * The buffer grows only while one row fills it, and never past the line limit (+2 for a CRLF):
 * a row that fills a buffer of that size is longer than the limit, an InputError.
 */
export class FileWindow {
  buffer: Uint8Array;
  fileStart: number;
  length = 0;
  pos = 0;
  readonly file: string;
  readonly fileSize: number;
  readonly maxLineBytes: number;
  readonly #layout: CsvLayout;

  constructor(layout: CsvLayout, buffer: Uint8Array, fileStart: number) {
    this.#layout = layout;
    this.file = layout.file;
    this.buffer = buffer;
    this.fileStart = fileStart;
    this.fileSize = layout.fileSize;
    this.maxLineBytes = layout.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  get atEof(): boolean {
    return this.fileStart + this.length >= this.fileSize;
  }

  /** The file offset just after the last byte in the buffer. */
  get end(): number {
    return this.fileStart + this.length;
  }

  /** Drop consumed bytes; grow when one row fills the whole buffer. Returns the byte count to read. */
  makeRoom(): number {
    if (this.pos > 0) {
      this.buffer.copyWithin(0, this.pos, this.length);
      this.fileStart += this.pos;
      this.length -= this.pos;
      this.pos = 0;
    }
    if (this.length === this.buffer.length) {
      const most = this.maxLineBytes + 2;
      if (this.buffer.length >= most) throw rowTooLongError(this.#layout, this.maxLineBytes, this.buffer, 0, this.length, this.fileStart);
      this.buffer = grow(this.buffer, this.length, Math.min(Math.max(2 * this.buffer.length, 1), most));
    }
    return Math.min(this.buffer.length - this.length, this.fileSize - this.fileStart - this.length);
  }

  /** Account for bytes read into buffer[length...]; a short read of 0 means the file shrank. */
  appended(bytesRead: number): void {
    if (bytesRead === 0) throw new InputError('file ended early (was it changed while being read?)', { file: this.file });
    this.length += bytesRead;
  }

  /** Read more, up to the file offset `upTo` at most (which must be past `end`). */
  readSync(fd: number, upTo = this.fileSize): void {
    const wanted = Math.min(this.makeRoom(), upTo - this.end);
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
 * consecutive ranges cover every line exactly once wherever the cut points fall. It looks for
 * that line feed in its own bytes only: a range that holds no line start (it lies inside one long
 * line) is empty after reading its own bytes, never the rest of the line (the range that holds
 * the line's start reads it, once). Past `end`, only the range's last line is read, in steps of
 * 64 KiB doubling, so small ranges read little more than their own bytes.
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
    if (options.start > layout.dataStart && !skipPartialLine(window, fd, end)) return { rows: 0 };
    let total = 0;
    let blockRows = 0;
    let beyond = READ_BEYOND_RANGE_BYTES;
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
      if (window.end < end) {
        window.readSync(fd, end);
      } else {
        window.readSync(fd, window.end + beyond);
        beyond = Math.min(2 * beyond, READ_BLOCK_BYTES);
      }
    }
    if (blockRows > 0) onBlock(blockRows);
    return { rows: total };
  } catch (err) {
    throw locateError(err, layout.file);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Move the window (which starts at the range's start) to the first line start in the range: just
 * after the first line feed at or after start - 1 and before end - 1. False when there is none;
 * only the range's own bytes are read, and of them at most the line limit + 2: a range whose
 * first limit + 2 bytes hold no line feed lies inside a line longer than the limit, which the
 * range holding its start reports (it comes first in file order), so its own rows do not matter.
 */
function skipPartialLine(window: FileWindow, fd: number, end: number): boolean {
  window.fileStart -= 1;
  const searchEnd = Math.min(end - 1, window.fileStart + window.maxLineBytes + 2);
  for (;;) {
    if (window.end >= searchEnd) return false;
    window.pos = window.length;
    window.readSync(fd, searchEnd);
    const lineFeed = window.buffer.subarray(0, window.length).indexOf(LF, window.pos);
    if (lineFeed >= 0) {
      window.pos = lineFeed + 1;
      return true;
    }
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
