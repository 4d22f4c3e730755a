/**
 * The scan of JSON-lines prediction logs: every file cut into byte ranges that the workers read,
 * parse and bin themselves, keeping the lines whose time is in a half-open window (main side:
 * `planLogScan`; worker side: `scanLogUnit`). A range holds the lines whose first byte lies in
 * it, as a CSV range does. Lines go through the fast scanner (fast.ts), and whatever it leaves
 * (and every line in error) through parseLogRecord, so the counts and the errors are the
 * sequential reader's; an error names file:line (located from its byte offset) and field.
 */
import * as fs from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputError } from '../../util/index.js';
import { IO_DEFAULTS } from '../defaults.js';
import { fileError, openSync } from '../files.js';
import { emptyQuality, QUALITY, qualityIndex } from '../quality.js';
import type { ScanPlan, ScanTarget, ScanUnitResult } from '../types.js';
import { BYTE, grow } from '../csv/bytes.js';
import { lineTooLongError } from '../csv/limits.js';
import { locateError, splitCsvRanges } from '../csv/ranges.js';
import { decodeText } from '../csv/text.js';
import { BLANK, FALLBACK, FastLogScanner } from './fast.js';
import { logNumber, parseLogRecord, type LogFields } from './record.js';

const { LF, CR } = BYTE;

/** One byte range of a log file: its lines in the window [from, until) counted on the features. */
export interface LogRangeUnit {
  file: string;
  fileSize: number;
  /** the lines whose first byte lies in [start, end) */
  start: number;
  end: number;
  fields: LogFields;
  /** the features, in the order of the slot's columns */
  features: string[];
  /** the window, Unix ms, half-open */
  from: number;
  until: number;
  maxLineBytes: number;
}

export interface LogScanRequest {
  /** the log files, in the order their units are judged (a failure in an earlier one wins) */
  files: readonly string[];
  fields: LogFields;
  features: string[];
  from: number;
  until: number;
  /** bytes per unit, about (default IO_DEFAULTS.csvRangeBytes) */
  unitBytes?: number | undefined;
  maxLineBytes: number;
  /** the error for a window without rows */
  noRows(): InputError;
}

/** Ranges are never cut smaller than this (unless the file is, or unitBytes asks for less). */
const MIN_RANGE_BYTES = 1024 * 1024;
/** Past the end of its range, a unit reads its last line in steps from this size, doubling. */
const READ_BEYOND_RANGE_BYTES = 64 * 1024;

/** Main side: the files' byte ranges, in file order. */
export async function planLogScan(request: LogScanRequest): Promise<ScanPlan<LogRangeUnit>> {
  const sizes = await Promise.all(
    request.files.map(async (file) => {
      try {
        return (await stat(file)).size;
      } catch (err) {
        throw fileError(file, err);
      }
    }),
  );
  const rangeBytes = request.unitBytes ?? IO_DEFAULTS.csvRangeBytes;
  const { fields, features, from, until, maxLineBytes } = request;
  return {
    async *steps() {
      for (let i = 0; i < request.files.length; i++) {
        const file = request.files[i]!;
        const fileSize = sizes[i]!;
        if (fileSize === 0) continue;
        const ranges = splitCsvRanges({ dataStart: 0, fileSize }, Math.ceil(fileSize / rangeBytes), Math.min(rangeBytes, MIN_RANGE_BYTES));
        for (const [start, end] of ranges) yield { read: { file, fileSize, start, end, fields, features, from, until, maxLineBytes } };
      }
    },
    absent: () => [],
    quality: 'units',
    noRows: () => request.noRows(),
    close() {},
  };
}

/** Worker side: the range's lines in the window, a block of rows at a time into the slot, each block binned. */
export function scanLogUnit(unit: LogRangeUnit, target: ScanTarget): ScanUnitResult {
  const nFeatures = unit.features.length;
  const quality = emptyQuality(nFeatures);
  const scanner = new FastLogScanner(unit.features, unit.fields);
  const columns = new Float64Array(target.memory.buffer);
  const base = target.columnsPtr >>> 3;
  const stride = target.blockRows;
  const { file, from, until, maxLineBytes } = unit;
  const end = Math.min(unit.end, unit.fileSize);
  let block = 0;
  let rows = 0;
  const put = (f: number, value: number) => {
    columns[base + f * stride + block] = value;
    if (!Number.isFinite(value)) quality[qualityIndex(f, Number.isNaN(value) ? QUALITY.nan : value > 0 ? QUALITY.posInf : QUALITY.negInf)]!++;
  };
  const rowDone = () => {
    rows++;
    if (++block === stride) {
      target.binBlock(block);
      block = 0;
    }
  };
  const fd = openSync(file);
  try {
    const window = new LineWindow(fd, unit, new Uint8Array(target.memory.buffer, target.read.ptr, target.read.bytes));
    if (unit.start > 0 && !window.skipPartialLine(end)) return { rows: 0, quality };
    const bytes = () => window.buffer;
    for (;;) {
      const line = window.nextLine(end);
      if (line < 0) break;
      const buffer = bytes();
      const lineStart = window.lineStart;
      let textEnd = window.lineEnd;
      if (textEnd > lineStart && buffer[textEnd - 1] === CR) textEnd--;
      if (textEnd - lineStart > maxLineBytes) throw lineTooLongError(file, 'line', maxLineBytes, { byteOffset: window.offsetOf(lineStart) });
      const parsed = scanner.parse(buffer, lineStart, window.lineEnd);
      if (parsed === BLANK) continue;
      if (parsed !== FALLBACK) {
        const time = scanner.time;
        if (time < from || time >= until) continue;
        let f = 0;
        for (; f < nFeatures; f++) {
          const value = scanner.value(f);
          if (value === undefined) break;
          put(f, value);
        }
        if (f === nFeatures) {
          rowDone();
          continue;
        }
      }
      // the line as JSON.parse reads it: what the fast scanner left, and every error (a copy:
      // TextDecoder does not read shared memory)
      const where = { file, byteOffset: window.offsetOf(lineStart) };
      const record = parseLogRecord(decodeText(buffer.slice(lineStart, textEnd)), unit.fields, where);
      if (record === null || record.time < from || record.time >= until) continue;
      for (let f = 0; f < nFeatures; f++) put(f, logNumber(record.field(unit.features[f]!), where, unit.features[f]!));
      rowDone();
    }
    if (block > 0) target.binBlock(block);
    return { rows, quality };
  } catch (err) {
    throw locateError(err, file);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A sliding window over one range of a file, a line at a time: bytes [fileStart, fileStart +
 * length) are in `buffer`. Up to the range's end it reads in buffer-sized pieces, past it (the
 * range's last line) in steps of 64 KiB doubling. The buffer grows only while one line fills it,
 * and a line longer than the limit is an error as soon as that is known.
 */
class LineWindow {
  buffer: Uint8Array;
  /** the current line, buffer[lineStart, lineEnd) without its line feed */
  lineStart = 0;
  lineEnd = 0;
  #fileStart: number;
  #length = 0;
  /** buffer index where the next line starts */
  #next = 0;
  #beyond = READ_BEYOND_RANGE_BYTES;
  readonly #fd: number;
  readonly #unit: LogRangeUnit;

  constructor(fd: number, unit: LogRangeUnit, buffer: Uint8Array) {
    this.#fd = fd;
    this.#unit = unit;
    this.buffer = buffer;
    this.#fileStart = unit.start > 0 ? unit.start - 1 : 0;
  }

  offsetOf(index: number): number {
    return this.#fileStart + index;
  }

  /** Move to the first line that starts in the range (just after the first line feed at or after start - 1); false when none does. */
  skipPartialLine(end: number): boolean {
    for (;;) {
      const lineFeed = this.buffer.subarray(0, this.#length).indexOf(LF, this.#next);
      if (lineFeed >= 0) {
        this.#next = lineFeed + 1;
        return this.offsetOf(this.#next) < end;
      }
      this.#next = this.#length;
      if (this.offsetOf(this.#length) >= end - 1 || !this.#read(end)) return false;
    }
  }

  /** The next line that starts before `end` (lineStart, lineEnd); -1 when there is none. */
  nextLine(end: number): number {
    if (this.offsetOf(this.#next) >= end || this.offsetOf(this.#next) >= this.#unit.fileSize) return -1;
    let searched = this.#next;
    for (;;) {
      const lineFeed = this.buffer.subarray(0, this.#length).indexOf(LF, searched);
      if (lineFeed >= 0) {
        this.lineStart = this.#next;
        this.lineEnd = lineFeed;
        this.#next = lineFeed + 1;
        return this.lineStart;
      }
      const { maxLineBytes, file } = this.#unit;
      if (this.#length - this.#next > maxLineBytes + 1) throw lineTooLongError(file, 'line', maxLineBytes, { byteOffset: this.offsetOf(this.#next) });
      const shift = this.#next;
      searched = this.#length - shift;
      if (!this.#read(end)) {
        // the file's last line, without a line feed
        this.lineStart = this.#next;
        this.lineEnd = this.#length;
        this.#next = this.#length;
        return this.lineStart < this.lineEnd ? this.lineStart : -1;
      }
    }
  }

  /** Drop the bytes before the next line, read more (up to `end`, then past it by steps); false at the end of the file. */
  #read(end: number): boolean {
    if (this.#next > 0) {
      this.buffer.copyWithin(0, this.#next, this.#length);
      this.#fileStart += this.#next;
      this.#length -= this.#next;
      this.#next = 0;
    }
    if (this.#length === this.buffer.length) this.buffer = grow(this.buffer, this.#length, Math.min(2 * this.buffer.length, this.#unit.maxLineBytes + 2));
    const at = this.#fileStart + this.#length;
    let upTo = end;
    if (at >= end) {
      upTo = at + this.#beyond;
      this.#beyond = Math.min(2 * this.#beyond, IO_DEFAULTS.readBlockBytes);
    }
    const wanted = Math.min(this.buffer.length - this.#length, this.#unit.fileSize - at, upTo - at);
    if (wanted <= 0) return false;
    const bytesRead = fs.readSync(this.#fd, this.buffer, this.#length, wanted, at);
    if (bytesRead === 0) throw new InputError('file ended early (was it changed while being read?)', { file: this.#unit.file });
    this.#length += bytesRead;
    return true;
  }
}
