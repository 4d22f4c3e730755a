/**
 * The header line of a CSV file: names, where the data starts, whether there is any. Read in
 * bounded chunks whatever the file holds, by one generator of read requests that the async and
 * the sync (worker) variants drive.
 */
import * as fs from 'node:fs';
import { InputError } from '../../util/index.js';
import { resolveMaxLineBytes } from '../defaults.js';
import { openFileHandle, openSync } from '../files.js';
import { normaliseNames } from '../schema.js';
import type { CsvLayout } from '../types.js';
import { BYTE, grow } from './bytes.js';
import { lineTooLongError } from './limits.js';
import { decodeText } from './text.js';

const { COMMA, CR, LF, QUOTE } = BYTE;

export interface CsvFileLayout extends CsvLayout {
  /** false when nothing but blank lines follows the header */
  hasData: boolean;
  /** the line limit the layout was read with, which the data rows are held to */
  maxLineBytes: number;
}

export interface LayoutOptions {
  /** the longest header line accepted, in bytes (default IO_DEFAULTS.maxLineBytes); kept in the layout for the data rows */
  maxLineBytes?: number | undefined;
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
