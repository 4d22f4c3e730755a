/**
 * The data rows' grammar where the block parser needs it outside its hot loop: blank lines, the
 * end of a row (quotes included), its length without the line end, and the line limit's error
 * for a row.
 *
 * Quoting in data rows: a quote at the start of a field opens it, `""` inside is a quote, the next
 * lone quote closes it; a quote anywhere else is a byte like any other.
 */
import type { InputError } from '../../util/index.js';
import type { CsvLayout } from '../types.js';
import { BYTE } from './bytes.js';

const { COMMA, CR, LF, QUOTE } = BYTE;
import { lineTooLongError } from './limits.js';

/**
 * The end of the blank lines (LF, CRLF, and a CR that is the file's last byte) starting at
 * bytes[start] whose first byte is before `limit`: the index after the last of them.
 */
export function blankLinesEnd(bytes: Uint8Array, start: number, limit: number, to: number, atEof: boolean): number {
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
export function lineLength(bytes: Uint8Array, start: number, end: number): number {
  return end > start && bytes[end - 1] === CR ? end - 1 - start : end - start;
}

/**
 * Index of the line feed that ends the data row starting at bytes[rowStart]; -1 when it is not
 * in bytes[rowStart, to) (a `""` split by `to` counts as not known unless atEof).
 */
export function rowEndOf(bytes: Uint8Array, rowStart: number, to: number, atEof: boolean): number {
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
export function rowTooLongError(layout: CsvLayout, maxLineBytes: number, bytes: Uint8Array, rowStart: number, to: number, rowOffset: number): InputError {
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
