/**
 * CSV files by byte range: a sliding window over a file, the synchronous range scanner the
 * parallel workers run, the split of a file into ranges, and line numbers for errors that only
 * know their byte offset.
 */
import * as fs from 'node:fs';
import { DriftCatcherError, InputError } from '../../util/index.js';
import { IO_DEFAULTS } from '../defaults.js';
import { openSync } from '../files.js';
import type { CsvLayout } from '../types.js';
import type { ByteWindow, CsvBlockParser, RowBlock } from './block-parser.js';
import { BYTE, grow } from './bytes.js';
import { rowTooLongError } from './rows.js';

const { LF } = BYTE;

/** Past the end of its byte range, a range scanner reads its last line in steps from this size, doubling. */
const READ_BEYOND_RANGE_BYTES = 64 * 1024;

/**
 * A sliding window over a file: bytes [fileStart, fileStart + length) are in `buffer`, those
 * before `pos` are consumed. Reads never go past `fileSize` (the size when the layout was read).
 * The buffer grows only while one row fills it, and never past the line limit (+2 for a CRLF):
 * a row that fills a buffer of that size is longer than the limit, an InputError.
 */
export class FileWindow implements ByteWindow {
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
    this.maxLineBytes = layout.maxLineBytes ?? IO_DEFAULTS.maxLineBytes;
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
  /** the block to fill, from row 0 up to its capacity; emptied (`rows` = 0) after each `onBlock` */
  block: RowBlock;
  /** called with the row count each time the block is full, and once at the end with the rest (if any) */
  onBlock: (rows: number) => void;
  /** a buffer to read into (reused across calls); default IO_DEFAULTS.readBlockBytes */
  readBuffer?: Uint8Array | undefined;
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
  const { layout, parser, block, onBlock } = options;
  const end = Math.min(options.end, layout.fileSize);
  block.rows = 0;
  const fd = openSync(layout.file);
  try {
    const window = new FileWindow(layout, options.readBuffer ?? new Uint8Array(IO_DEFAULTS.readBlockBytes), Math.max(options.start, layout.dataStart));
    if (options.start > layout.dataStart && !skipPartialLine(window, fd, end)) return { rows: 0 };
    let total = 0;
    let beyond = READ_BEYOND_RANGE_BYTES;
    for (;;) {
      if (window.fileStart + window.pos >= end) break;
      const atEof = window.atEof;
      total += parser.parse(window, block, end);
      if (block.rows === block.capacity) {
        onBlock(block.rows);
        block.rows = 0;
        continue;
      }
      if (window.fileStart + window.pos >= end || atEof) break;
      if (window.end < end) {
        window.readSync(fd, end);
      } else {
        window.readSync(fd, window.end + beyond);
        beyond = Math.min(2 * beyond, IO_DEFAULTS.readBlockBytes);
      }
    }
    if (block.rows > 0) onBlock(block.rows);
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
    const buffer = Buffer.allocUnsafe(IO_DEFAULTS.readBlockBytes);
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
export function splitCsvRanges(layout: Pick<CsvLayout, 'dataStart' | 'fileSize'>, parts: number, minBytes = 8 * 1024 * 1024): Array<[number, number]> {
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
