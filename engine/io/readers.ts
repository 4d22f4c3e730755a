/**
 * Every reader, in one list. A reader is one file in engine/io named after its format; adding a
 * format is that file plus one line here (test/engine/io/readers.test.ts checks that every
 * reader file is listed). Nothing here loads apache-arrow: readers load it on first use.
 */
import * as path from 'node:path';
import { internalError } from '../util/index.js';
import { arrowReader } from './arrow.js';
import { csvReader } from './csv.js';
import { readHead } from './files.js';
import { logsScanner } from './logs.js';
import { parquetReader } from './parquet.js';
import type { Reader, UnitScanner } from './types.js';

export const READERS = [csvReader, arrowReader, parquetReader] as const;
const readers: readonly Reader[] = READERS;

/** The reader of a file whose name and bytes no reader claims. */
export const FALLBACK_READER: Reader = csvReader;

/** A format's name, as the readers know them. */
export type FileFormat = (typeof READERS)[number]['format'];

/** Bytes of a file's head that `sniff` sees. */
export const SNIFF_BYTES = 16;

/**
 * The reader for a file: the one whose `extensions` hold the name's extension; for any other name
 * the first whose `sniff` claims the file's first bytes; else FALLBACK_READER (CSV). Only a name
 * without a known extension makes this read the file.
 */
export function readerFor(file: string): Reader {
  const extension = path.extname(file).toLowerCase();
  const named = readers.find((reader) => reader.extensions.includes(extension));
  if (named) return named;
  const head = readHead(file, SNIFF_BYTES);
  return readers.find((reader) => reader.sniff(file, head, extension)) ?? FALLBACK_READER;
}

/** The reader of a format (a worker gets the format's name with each unit of work). */
export function readerOf(format: string): Reader {
  const reader = readers.find((candidate) => candidate.format === format);
  if (!reader) throw internalError(`no reader for the format "${format}"`);
  return reader;
}

/** Scans that are not a reader's (no file is read through them by name): JSON-lines logs. */
const UNIT_SCANNERS: readonly UnitScanner[] = [logsScanner];

/** The worker side of a scan of `format`: a reader's, else a unit scanner's. */
export function unitScannerOf(format: string): UnitScanner {
  return readers.find((candidate) => candidate.format === format) ?? UNIT_SCANNERS.find((candidate) => candidate.format === format) ?? readerOf(format);
}

/** The format of a file (see readerFor). */
export function detectFormat(file: string): FileFormat {
  return readerFor(file).format as FileFormat;
}
