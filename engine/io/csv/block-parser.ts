/**
 * The block parser: whole CSV lines of a byte window -> a column-major Float64 block, plus
 * dictionary codes of the text columns (the label) and, when asked, each row's file offset.
 *
 * Its interface is two objects: a `ByteWindow` it reads (and moves `pos` along) and a `RowBlock`
 * it writes (and moves `rows` along); `FileWindow` (ranges.ts) is a window over a file.
 */
import { DriftCatcherError, excerpt, InputError, internalError } from '../../util/index.js';
import type { CsvScanKernel } from '../../kernels/index.js';
import { IO_DEFAULTS } from '../defaults.js';
import { emptyQuality, QUALITY, qualityIndex, qualityOf } from '../quality.js';
import { LABEL_SLOT as LABEL, SKIP_SLOT as SKIP } from '../schema.js';
import type { ColumnQuality, CsvLayout } from '../types.js';
import { BYTE, grow, lastIndexOf } from './bytes.js';
import { EXACT_POWERS_OF_TEN as POWERS_OF_TEN, MAX_EXACT_MANTISSA as EXACT_MANTISSA_LIMIT, NumberToken, parseNumber } from './numbers.js';
import { blankLinesEnd, lineLength, rowEndOf, rowTooLongError } from './rows.js';
import { decodeText, fnv1a, sameBytes } from './text.js';

// Module constants, not imported bindings, in the hot loop (see bytes.ts).
const { COMMA, CR, DIGIT_ZERO, DOT, LF, MINUS, QUOTE } = BYTE;
const LABEL_SLOT = LABEL;
const SKIP_SLOT = SKIP;
const EXACT_POWERS_OF_TEN = POWERS_OF_TEN;
const MAX_EXACT_MANTISSA = EXACT_MANTISSA_LIMIT;

/** Bytes in memory for the parser: buffer[pos, length) are not parsed yet; buffer[0] is at file offset `fileStart`. */
export interface ByteWindow {
  buffer: Uint8Array;
  /** the next byte to parse; `parse` moves it past the lines it consumed */
  pos: number;
  /** bytes in the buffer */
  length: number;
  /** file offset of buffer[0], for errors */
  fileStart: number;
  /** the buffer holds the end of the file: a last line without a line feed is complete */
  readonly atEof: boolean;
}

/** Where parsed rows go. */
export interface RowBlock {
  /** feature slot f of row k at values[base + f * stride + k] */
  values: Float64Array;
  base: number;
  stride: number;
  /** rows in the block so far: the next row is row `rows`; `parse` adds the rows it writes */
  rows: number;
  /** the most rows the block holds (at most `stride`): parsing stops there */
  capacity: number;
  /** text column t's dictionary code of row k at text[t][k] (t = 0: the label), one array each; needed when the parser collects text */
  text?: Int32Array[] | undefined;
  /** the file offset of row k's first byte at rowOffsets[k], when given (the WASM scanner is then not used) */
  rowOffsets?: Float64Array | undefined;
}

export interface CsvParserOptions {
  /** non-numeric text in a feature column becomes NaN (counted) instead of an error */
  coerce?: boolean | undefined;
  /**
   * The WASM scanner for the common rows, used when the bytes and the output block are views of
   * its memory (`buffer`) and text is not collected; `columnMapPtr` is the byte address of a
   * copy of the column map (i32 each) in that memory.
   */
  accelerator?: { kernel: CsvScanKernel; buffer: ArrayBufferLike; columnMapPtr: number } | undefined;
  /** dictionary-encode the text columns (column map entries `textSlot(t)`, the label is `LABEL_SLOT`) into `RowBlock.text` */
  collectLabels?: boolean | undefined;
}

/** #parseRow outcomes besides a position. */
const ROW_INCOMPLETE = -1; // the row goes past the bytes given and more will come
const ROW_NEEDS_TAIL = -2; // the row is the file's last and has no line feed: re-run on a copy

/** The distinct values of one text column, each decoded once; codes in order of first appearance. */
class TextDictionary {
  readonly strings: string[] = [];
  readonly #bytes: Uint8Array[] = [];
  readonly #byHash = new Map<number, number[]>();
  #last = -1;

  /** Dictionary code of bytes[start, end). */
  code(bytes: Uint8Array, start: number, end: number): number {
    const last = this.#last;
    if (last >= 0 && sameBytes(bytes, start, end, this.#bytes[last]!)) return last; // runs of one label
    const hash = fnv1a(bytes, start, end);
    let codes = this.#byHash.get(hash);
    if (codes) {
      for (const code of codes) {
        if (sameBytes(bytes, start, end, this.#bytes[code]!)) return (this.#last = code);
      }
    } else {
      codes = [];
      this.#byHash.set(hash, codes);
    }
    const code = this.strings.length;
    const textBytes = bytes.slice(start, end);
    this.#bytes.push(textBytes);
    this.strings.push(decodeText(textBytes));
    codes.push(code);
    return (this.#last = code);
  }
}

/**
 * Parses whole CSV lines into a column-major Float64 block. One parser per scan: it keeps the
 * quality counts and the text dictionaries across calls.
 */
export class CsvBlockParser {
  /** a `"` was met in a data row: byte-range cut points may then fall inside quotes */
  quoteSeen = false;
  /** per feature slot: the QUALITY counters (empty cells count as nan) */
  readonly quality: Float64Array;
  /** per text column (t = 0: the label): its values by code */
  readonly dictionaries: string[][];
  /** rows the WASM scanner parsed (the rest went through the JavaScript code) */
  scannedRows = 0;

  readonly #layout: CsvLayout;
  readonly #columnMap: Int32Array;
  readonly #nFeatures: number;
  readonly #coerce: boolean;
  readonly #text: TextDictionary[];
  readonly #accelerator: CsvParserOptions['accelerator'];
  readonly #maxLineBytes: number;
  readonly #number = new NumberToken();

  /** quality counters bumped in the current row, undone if the row turns out incomplete */
  #rowQualityLog = new Int32Array(16);
  #rowQualityLogLength = 0;
  /** unescaped content of the current quoted field, followed by a line feed sentinel */
  #field: Uint8Array = new Uint8Array(256);
  #fieldLength = 0;
  /** the file's last line copied with a line feed appended */
  #tail: Uint8Array = new Uint8Array(256);

  // The bytes being parsed (the window's buffer, or the tail copy): rows that start at or before
  // #lastLineFeed end inside them, so their unquoted bytes are scanned without bounds checks.
  #bytes: Uint8Array = new Uint8Array(0);
  #to = 0;
  #lastLineFeed = -1;
  #atEof = false;
  // The block being written and the current row: feature slot f goes to #values[#rowBase + f * #stride].
  #values: Float64Array = new Float64Array(0);
  #stride = 0;
  #textOut: Int32Array[] | undefined;
  #rowBase = 0;
  #row = 0;
  #rowStart = 0;
  #rowOffset = 0;

  constructor(layout: CsvLayout, columnMap: Int32Array, nFeatures: number, options: CsvParserOptions = {}) {
    if (columnMap.length !== layout.names.length) throw internalError(`column map has ${columnMap.length} entries for ${layout.names.length} columns`);
    this.#layout = layout;
    this.#columnMap = columnMap;
    this.#nFeatures = nFeatures;
    this.#coerce = options.coerce ?? false;
    let textColumns = 0;
    if (options.collectLabels) for (const slot of columnMap) if (slot <= LABEL_SLOT) textColumns = Math.max(textColumns, LABEL_SLOT - slot + 1);
    this.#text = Array.from({ length: textColumns }, () => new TextDictionary());
    this.dictionaries = this.#text.map((dictionary) => dictionary.strings);
    this.#accelerator = options.collectLabels ? undefined : options.accelerator;
    this.#maxLineBytes = layout.maxLineBytes ?? IO_DEFAULTS.maxLineBytes;
    this.quality = emptyQuality(nFeatures);
  }

  get nFeatures(): number {
    return this.#nFeatures;
  }

  /** The label's values by code (text column 0). */
  get dictionary(): string[] {
    return this.dictionaries[0] ?? [];
  }

  /**
   * Parse whole lines of window.buffer[pos, length) into `block`: up to its capacity, stopping
   * before an incomplete last line (parsed only when the window is at the end of the file) and
   * before any line whose first byte is at or after the file offset `endOffset`. Moves
   * `window.pos` past the lines consumed and `block.rows` past the rows written; returns the rows.
   *
   * A row longer than the layout's `maxLineBytes` is an error whatever else is wrong with it: it
   * is reported as soon as more than the limit of its bytes are here, ended or not; a row with
   * another error is reported once its end shows that it is within the limit (until then the
   * call stops before it, as before an incomplete row).
   */
  parse(window: ByteWindow, block: RowBlock, endOffset = Infinity): number {
    const bytes = window.buffer;
    const to = window.length;
    const atEof = window.atEof;
    const fileOffset = window.fileStart;
    const lineStartLimit = endOffset - fileOffset;
    const first = block.rows;
    const maxRows = block.capacity - first;
    const out = block.values;
    this.#checkBlock(block);
    this.#values = out;
    this.#stride = block.stride;
    this.#textOut = block.text;
    const offsets = block.rowOffsets;
    this.#setSpan(bytes, to, lastIndexOf(bytes, LF, window.pos, to), atEof);
    const lastLineFeed = this.#lastLineFeed;
    let pos = window.pos;
    let rows = 0;
    const accelerator = this.#accelerator;
    const accelerated = accelerator !== undefined && offsets === undefined && bytes.buffer === accelerator.buffer && out.buffer === accelerator.buffer;
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
          out.byteOffset + (block.base + first + rows) * 8,
          block.stride * 8,
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
      const row = first + rows;
      if (pos > lastLineFeed) {
        if (!atEof) {
          if (to - pos > maxLineBytes + 1) throw this.#lineTooLong(bytes, pos, to, fileOffset);
          break;
        }
        this.#parseTailRow(bytes, pos, to, fileOffset, block.base + row, row);
        if (offsets) offsets[row] = fileOffset + pos;
        pos = to;
        rows++;
        continue;
      }
      this.#rowQualityLogLength = 0;
      let next: number;
      try {
        next = this.#parseRow(pos, fileOffset + pos, block.base + row, row);
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
        this.#parseTailRow(bytes, pos, to, fileOffset, block.base + row, row);
        if (offsets) offsets[row] = fileOffset + pos;
        pos = to;
      } else {
        if (next - pos - 1 > maxLineBytes && lineLength(bytes, pos, next - 1) > maxLineBytes) {
          this.#undoRowQuality();
          throw this.#lineTooLong(bytes, pos, to, fileOffset);
        }
        if (offsets) offsets[row] = fileOffset + pos;
        pos = next;
      }
      rows++;
    }
    window.pos = pos;
    block.rows = first + rows;
    return rows;
  }

  /** A block that cannot take what this parser writes is a bug of the caller. */
  #checkBlock(block: RowBlock): void {
    if (block.capacity > block.stride || block.base + (this.#nFeatures - 1) * block.stride + block.capacity > block.values.length) {
      throw internalError(`CSV block of ${block.values.length} values is too small for ${this.#nFeatures} features of ${block.capacity} rows (stride ${block.stride}, base ${block.base})`);
    }
    for (let t = 0; t < this.#text.length; t++) {
      if ((block.text?.[t]?.length ?? 0) < block.capacity) throw internalError(`CSV block has no room for the codes of text column ${t}`);
    }
    if (block.rowOffsets !== undefined && block.rowOffsets.length < block.capacity) throw internalError('CSV block has no room for its row offsets');
  }

  #setSpan(bytes: Uint8Array, to: number, lastLineFeed: number, atEof: boolean): void {
    this.#bytes = bytes;
    this.#to = to;
    this.#lastLineFeed = lastLineFeed;
    this.#atEof = atEof;
  }

  /** The error for the row at bytes[rowStart], longer than the limit (bytes up to `to` are known). */
  #lineTooLong(bytes: Uint8Array, rowStart: number, to: number, fileOffset: number): InputError {
    return rowTooLongError(this.#layout, this.#maxLineBytes, bytes, rowStart, to, fileOffset + rowStart);
  }

  /** The unterminated last line of the file, parsed from a copy that ends in a line feed. */
  #parseTailRow(bytes: Uint8Array, start: number, to: number, fileOffset: number, rowBase: number, row: number): void {
    if (lineLength(bytes, start, to) > this.#maxLineBytes) throw this.#lineTooLong(bytes, start, to, fileOffset);
    const length = to - start;
    if (this.#tail.length < length + 1) this.#tail = new Uint8Array(2 * (length + 1));
    const tail = this.#tail;
    tail.set(bytes.subarray(start, to));
    tail[length] = LF;
    this.#rowQualityLogLength = 0;
    const span = [this.#bytes, this.#to, this.#lastLineFeed, this.#atEof] as const;
    this.#setSpan(tail, length + 1, length, true);
    try {
      const next = this.#parseRow(0, fileOffset + start, rowBase, row);
      if (next < 0) throw new DriftCatcherError('DC_ERR_INTERNAL', 'CSV tail row did not end', { file: this.#layout.file, byteOffset: fileOffset + start });
    } finally {
      this.#setSpan(...span);
    }
  }

  /**
   * One row starting at #bytes[rowStart] (not blank), written at #values[rowBase + slot * #stride].
   * Returns the index after its line end, or ROW_INCOMPLETE / ROW_NEEDS_TAIL when a quoted field
   * carries it past the last line feed.
   */
  #parseRow(rowStart: number, rowOffset: number, rowBase: number, row: number): number {
    this.#rowStart = rowStart;
    this.#rowOffset = rowOffset;
    this.#rowBase = rowBase;
    this.#row = row;
    const bytes = this.#bytes;
    const out = this.#values;
    const stride = this.#stride;
    const columnMap = this.#columnMap;
    const nColumns = columnMap.length;
    let p = rowStart;
    let column = 0;
    for (;;) {
      const slot = column < nColumns ? columnMap[column]! : SKIP_SLOT;
      if (bytes[p] === QUOTE) {
        const after = this.#readQuotedField(p);
        if (after < 0) return after;
        this.#storeQuotedCell(slot, column);
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
          out[rowBase + slot * stride] = negative ? -magnitude : magnitude;
        } else {
          p = this.#parseUnusualNumber(bytes, cellStart, slot, column);
        }
      } else if (slot <= LABEL_SLOT && slot > LABEL_SLOT - this.#text.length) {
        p = this.#readText(bytes, p, LABEL_SLOT - slot);
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
  #parseUnusualNumber(bytes: Uint8Array, start: number, slot: number, column: number): number {
    const token = this.#number;
    const value = parseNumber(bytes, start, token);
    const end = token.end;
    const b = bytes[end];
    if (b === COMMA || b === LF || (b === CR && bytes[end + 1] === LF)) {
      this.#values[this.#rowBase + slot * this.#stride] = value;
      if (token.unusual) this.#countNonFinite(slot, value);
      return end;
    }
    return this.#notANumber(bytes, start, slot, column);
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

  /** An unquoted text cell: its dictionary code into the block. Returns the terminator. */
  #readText(bytes: Uint8Array, start: number, textColumn: number): number {
    const end = this.#skipField(bytes, start);
    this.#textOut![textColumn]![this.#row] = this.#text[textColumn]!.code(bytes, start, end);
    return end;
  }

  /**
   * A quoted field (RFC 4180: `""` is a quote, commas and line ends inside are data). Its content
   * goes to #field; text after the closing quote, up to the terminator, is kept too (as pandas
   * does). Returns the terminator's index or ROW_INCOMPLETE / ROW_NEEDS_TAIL.
   */
  #readQuotedField(start: number): number {
    const bytes = this.#bytes;
    const to = this.#to;
    const atEof = this.#atEof;
    this.quoteSeen = true;
    this.#fieldLength = 0;
    let p = start + 1;
    for (;;) {
      if (p >= to) {
        if (!atEof) return ROW_INCOMPLETE;
        throw new InputError('quoted field is not closed before the end of the file', { file: this.#layout.file, byteOffset: this.#rowOffset });
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
    if (p > this.#lastLineFeed) return atEof ? ROW_NEEDS_TAIL : ROW_INCOMPLETE;
    return p;
  }

  #pushFieldByte(byte: number): void {
    if (this.#fieldLength + 1 >= this.#field.length) this.#field = grow(this.#field, this.#fieldLength, 2 * this.#field.length);
    this.#field[this.#fieldLength++] = byte;
  }

  #storeQuotedCell(slot: number, column: number): void {
    const field = this.#field;
    const length = this.#fieldLength;
    field[length] = LF; // sentinel for parseNumber
    if (slot >= 0) {
      const token = this.#number;
      const value = parseNumber(field, 0, token);
      if (token.end === length) {
        this.#values[this.#rowBase + slot * this.#stride] = value;
        if (token.unusual) this.#countNonFinite(slot, value);
      } else if (this.#coerce) {
        this.#values[this.#rowBase + slot * this.#stride] = NaN;
        this.#bumpQuality(slot, QUALITY.coerced);
      } else {
        throw this.#notANumberError(field, 0, length, column);
      }
    } else if (slot <= LABEL_SLOT && slot > LABEL_SLOT - this.#text.length) {
      const textColumn = LABEL_SLOT - slot;
      this.#textOut![textColumn]![this.#row] = this.#text[textColumn]!.code(field, 0, length);
    }
  }

  /** A feature cell that is not a number: NaN when coercing, else an error. Returns the terminator. */
  #notANumber(bytes: Uint8Array, start: number, slot: number, column: number): number {
    const end = this.#skipField(bytes, start);
    if (this.#coerce) {
      this.#values[this.#rowBase + slot * this.#stride] = NaN;
      this.#bumpQuality(slot, QUALITY.coerced);
      return end;
    }
    const rowEnd = bytes.indexOf(LF, start);
    if (bytes.subarray(this.#rowStart, rowEnd < 0 ? this.#lastLineFeed + 1 : rowEnd).includes(QUOTE)) this.quoteSeen = true;
    throw this.#notANumberError(bytes, start, end, column);
  }

  #notANumberError(bytes: Uint8Array, start: number, end: number, column: number): InputError {
    return new InputError(`expected a number, got "${excerpt(bytes.subarray(start, end))}"`, { file: this.#layout.file, column: this.#layout.names[column], byteOffset: this.#rowOffset });
  }

  /** A value from the rare path: count it when it is NaN or infinite. */
  #countNonFinite(slot: number, value: number): void {
    if (value !== value) this.#bumpQuality(slot, QUALITY.nan);
    else if (value === Infinity) this.#bumpQuality(slot, QUALITY.posInf);
    else if (value === -Infinity) this.#bumpQuality(slot, QUALITY.negInf);
  }

  #bumpQuality(slot: number, kind: number): void {
    const index = qualityIndex(slot, kind);
    this.quality[index]! += 1;
    if (this.#rowQualityLogLength === this.#rowQualityLog.length) {
      const grown = new Int32Array(2 * this.#rowQualityLog.length);
      grown.set(this.#rowQualityLog);
      this.#rowQualityLog = grown;
    }
    this.#rowQualityLog[this.#rowQualityLogLength++] = index;
  }

  #undoRowQuality(): void {
    for (let i = 0; i < this.#rowQualityLogLength; i++) this.quality[this.#rowQualityLog[i]!]! -= 1;
    this.#rowQualityLogLength = 0;
  }

  /** The quality counters of one feature slot. */
  qualityOf(slot: number): ColumnQuality {
    return qualityOf(this.quality, slot);
  }
}
