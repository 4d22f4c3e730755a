/**
 * Parquet files without apache-arrow: the footer (schema, row groups, column chunk byte ranges),
 * and one column chunk decoded page by page into a Float64Array (numbers widened, nulls as NaN)
 * or into text (the label). Used on the main side (batches, scan plans) and in the scan workers.
 *
 * Columns: flat (not nested, not repeated) DOUBLE, FLOAT, INT32 and INT64 with no logical type or
 * an INTEGER one (signed or not); BYTE_ARRAY text. Others (DECIMAL, DATE, TIME, TIMESTAMP,
 * BOOLEAN, INT96, FIXED_LEN_BYTE_ARRAY, nested) are reported, never guessed. Pages: data pages v1
 * and v2, PLAIN and RLE_DICTIONARY/PLAIN_DICTIONARY values, and whatever else hyparquet's page
 * reader decodes (BYTE_STREAM_SPLIT, DELTA_*).
 */
import * as fs from 'node:fs';
import type { CompressionCodec, DataPageHeader, DecodedArray, FileMetaData, PageHeader, SchemaElement, SchemaTree } from 'hyparquet';
import { DriftCatcherError, excerpt, InputError, SchemaError } from '../../util/index.js';
import { fileError, openSync } from '../files.js';
import { parquetLibrary } from './library.js';

type ColumnDecoder = Parameters<ReturnType<typeof parquetLibrary>['readDataPageV2']>[2];
type Where = { file: string; column: string; group: number };

/** How a numeric column's values become f64. */
export type ValueKind = 'f64' | 'f32' | 'i32' | 'u32' | 'i64' | 'u64';

/** A top-level column of the file. */
export interface ParquetColumn {
  /** the name as written */
  name: string;
  /** its leaf's index among a row group's column chunks; -1 for a nested column */
  leaf: number;
  element: SchemaElement;
  /** numbers: how they widen to f64; `text`: a UTF-8 column; undefined: a type the reader does not read */
  kind: ValueKind | 'text' | undefined;
}

/** One column chunk: where it is in the file and how to decode it (plain data, structured-clonable). */
export interface ChunkRef {
  start: number;
  length: number;
  codec: CompressionCodec;
  rows: number;
  element: SchemaElement;
}

export interface ParquetLayout {
  file: string;
  columns: ParquetColumn[];
  /** rows of each row group */
  groupRows: number[];
  /** chunk(g, column): row group g's chunk of a column (by its `leaf`) */
  chunk(group: number, leaf: number): ChunkRef;
}

const MAGIC = 0x31524150; // 'PAR1' read as a little-endian u32

/** The file's footer: its schema's top-level columns and its row groups. InputError for a file that is not readable Parquet. */
export function readParquetLayout(file: string): ParquetLayout {
  const fd = openSync(file);
  let metadata: FileMetaData;
  let size: number;
  try {
    size = fs.fstatSync(fd).size;
    if (size < 12) throw notParquet(file, `${size} bytes, shorter than the smallest Parquet file`);
    const tail = Buffer.alloc(8);
    fs.readSync(fd, tail, 0, 8, size - 8);
    const footerLength = tail.readUInt32LE(0);
    if (tail.readUInt32LE(4) !== MAGIC) throw notParquet(file, 'no PAR1 at its end: truncated or not Parquet');
    if (footerLength + 12 > size) throw notParquet(file, `a footer of ${footerLength} bytes in a file of ${size}`);
    const footer = Buffer.alloc(footerLength + 8);
    fs.readSync(fd, footer, 0, footer.length, size - footer.length);
    try {
      metadata = parquetLibrary().parquetMetadata(footer.buffer.slice(footer.byteOffset, footer.byteOffset + footer.byteLength), { geoparquet: false });
    } catch (err) {
      throw notParquet(file, `its footer: ${reasonOf(err)}`, err);
    }
  } catch (err) {
    throw err instanceof DriftCatcherError ? err : fileError(file, err);
  } finally {
    fs.closeSync(fd);
  }
  return layoutOf(file, size, metadata);
}

function layoutOf(file: string, size: number, metadata: FileMetaData): ParquetLayout {
  const schema = metadata.schema;
  const columns: ParquetColumn[] = [];
  let at = 1;
  let leaf = 0;
  const topLevel = schema[0]?.num_children ?? 0;
  for (let c = 0; c < topLevel; c++) {
    const element = schema[at];
    if (!element) throw notParquet(file, 'its schema ends before its columns');
    const leaves = countLeaves(schema, at);
    const flat = !element.num_children && element.repetition_type !== 'REPEATED';
    columns.push({ name: element.name, leaf: flat ? leaf : -1, element, kind: flat ? kindOf(element) : undefined });
    at = leaves.next;
    leaf += leaves.leaves;
  }
  const groups = metadata.row_groups;
  const groupRows = groups.map((group) => Number(group.num_rows));
  const chunk = (g: number, column: number): ChunkRef => {
    const group = groups[g]!;
    const meta = group.columns[column]?.meta_data;
    const name = columns.find((candidate) => candidate.leaf === column)?.name ?? String(column);
    if (!meta) throw notParquet(file, `row group ${g} has no metadata for column "${excerpt(name)}"`);
    const dictionary = meta.dictionary_page_offset === undefined ? undefined : Number(meta.dictionary_page_offset);
    const data = Number(meta.data_page_offset);
    const start = dictionary !== undefined && dictionary > 0 && dictionary < data ? dictionary : data;
    const length = Number(meta.total_compressed_size);
    if (!(start >= 4 && length >= 0 && start + length <= size - 8)) {
      throw notParquet(file, `row group ${g}, column "${excerpt(name)}": its pages (${start}+${length}) lie outside the file's ${size} bytes (truncated?)`);
    }
    return { start, length, codec: meta.codec, rows: groupRows[g]!, element: columns.find((candidate) => candidate.leaf === column)!.element };
  };
  return { file, columns, groupRows, chunk };
}

function countLeaves(schema: SchemaElement[], at: number): { leaves: number; next: number } {
  const element = schema[at]!;
  if (!element.num_children) return { leaves: 1, next: at + 1 };
  let leaves = 0;
  let next = at + 1;
  for (let c = 0; c < element.num_children; c++) {
    if (!schema[next]) break;
    const child = countLeaves(schema, next);
    leaves += child.leaves;
    next = child.next;
  }
  return { leaves, next };
}

/** How a column's values widen to f64, `text`, or undefined for a type this reader does not read. */
function kindOf(element: SchemaElement): ParquetColumn['kind'] {
  const logical = element.logical_type;
  const converted = element.converted_type;
  if (logical && logical.type !== 'INTEGER' && logical.type !== 'STRING' && logical.type !== 'ENUM') return undefined;
  const unsigned = (logical?.type === 'INTEGER' && !logical.isSigned) || (converted !== undefined && converted.startsWith('UINT_'));
  if (converted !== undefined && !/^U?INT_|^UTF8$|^ENUM$/.test(converted)) return undefined;
  switch (element.type) {
    case 'DOUBLE':
      return logical || converted ? undefined : 'f64';
    case 'FLOAT':
      return logical || converted ? undefined : 'f32';
    case 'INT32':
      return unsigned ? 'u32' : 'i32';
    case 'INT64':
      return unsigned ? 'u64' : 'i64';
    case 'BYTE_ARRAY':
      return logical?.type === 'INTEGER' || (converted !== undefined && converted.includes('INT')) ? undefined : 'text';
    default:
      return undefined;
  }
}

/** The column's type in words, for messages: `BYTE_ARRAY (STRING)`, `INT32 (DATE)`. */
export function describeType(column: ParquetColumn): string {
  const { element } = column;
  if (column.leaf < 0) return 'a nested column';
  const extra = element.logical_type?.type ?? element.converted_type;
  return `${element.type ?? 'group'}${extra ? ` (${extra})` : ''}`;
}

/** SchemaError for a feature column that is not a number. */
export function notNumeric(file: string, column: ParquetColumn, name: string): SchemaError {
  return new SchemaError(`column is ${describeType(column)}, expected a number (exclude it if it is not a feature)`, { file, column: name });
}

/** A reusable byte buffer for column chunks (one per thread: the chunks are read one at a time). */
let chunkBuffer = new Uint8Array(0);

/** pread a column chunk's bytes (the returned view is reused by the next call, unless `into` is given). */
export function readChunkBytes(fd: number, file: string, chunk: Pick<ChunkRef, 'start' | 'length'>, into?: Uint8Array): Uint8Array {
  if (!into && chunkBuffer.length < chunk.length) chunkBuffer = new Uint8Array(Math.max(chunk.length, chunkBuffer.length * 2));
  const bytes = into ?? chunkBuffer.subarray(0, chunk.length);
  let done = 0;
  try {
    while (done < chunk.length) {
      const n = fs.readSync(fd, bytes, done, chunk.length - done, chunk.start + done);
      if (n === 0) throw notParquet(file, `a column chunk at byte ${chunk.start} ends past the end of the file (truncated?)`);
      done += n;
    }
  } catch (err) {
    throw err instanceof DriftCatcherError ? err : fileError(file, err);
  }
  return bytes;
}

/** Where a column chunk's pages are: its dictionary page (and its number of values), and each data page's byte offset and first row. */
export interface ChunkPages {
  dictionary: { start: number; length: number; values: number } | undefined;
  /** byte offset of each data page (its header) in the file, ascending */
  starts: number[];
  /** the first row of each data page */
  rows: number[];
  /** the byte just past the last data page */
  end: number;
}

/** Bytes of a page header read at a time; a header that does not fit is read again with more. */
const HEADER_BYTES = 1024;

/**
 * Walk a column chunk's page headers (pread, no page read or decompressed) to find its pages:
 * what a whole-row unit of part of a row group needs to read only the pages that hold its rows.
 */
export function chunkPages(fd: number, chunk: ChunkRef, where: Where): ChunkPages {
  const lib = parquetLibrary();
  const end = chunk.start + chunk.length;
  const pages: ChunkPages = { dictionary: undefined, starts: [], rows: [], end: chunk.start };
  let header = new Uint8Array(HEADER_BYTES);
  let at = chunk.start;
  let row = 0;
  try {
    while (row < chunk.rows) {
      if (at >= end) throw corrupt(where, `its pages end after ${row} of its ${chunk.rows} rows`);
      let parsed: { header: PageHeader; bytes: number } | undefined;
      for (;;) {
        const n = Math.min(header.length, end - at);
        const bytes = header.subarray(0, n);
        readChunkBytes(fd, where.file, { start: at, length: n }, bytes);
        const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
        try {
          parsed = { header: lib.parquetHeader(reader), bytes: reader.offset };
          if (parsed.bytes <= n) break;
        } catch (err) {
          if (n < header.length || !(err instanceof RangeError)) throw corrupt(where, `a page header at byte ${at} that does not parse (${reasonOf(err)})`, err);
        }
        if (n < header.length) throw corrupt(where, 'a page header runs past its column chunk');
        header = new Uint8Array(header.length * 4);
      }
      const size = parsed.header.compressed_page_size;
      const length = parsed.bytes + size;
      if (!(size >= 0 && at + length <= end)) throw corrupt(where, `a page of ${size} bytes runs past its column chunk`);
      if (parsed.header.type === 'DICTIONARY_PAGE') {
        const values = parsed.header.dictionary_page_header?.num_values ?? -1;
        if (!(values >= 0)) throw corrupt(where, `a dictionary page of ${values} values`);
        pages.dictionary = { start: at, length, values };
      }
      else if (parsed.header.type === 'DATA_PAGE' || parsed.header.type === 'DATA_PAGE_V2') {
        const values = (parsed.header.type === 'DATA_PAGE' ? parsed.header.data_page_header : parsed.header.data_page_header_v2)!.num_values;
        pages.starts.push(at);
        pages.rows.push(row);
        row += rowsOf(values, row, chunk.rows, where);
        pages.end = at + length;
      }
      at += length;
    }
  } catch (err) {
    if (err instanceof DriftCatcherError) throw err;
    throw corrupt(where, reasonOf(err), err);
  }
  return pages;
}

/** Per column: counts of non-finite values (NaN, null included, +Inf, -Inf), added to. */
export interface NonFiniteCounts {
  nan: number;
  posInf: number;
  negInf: number;
}

/**
 * Decode a numeric column chunk into `out` (at least `chunk.rows` long): values widened to f64,
 * nulls as NaN; `dictionary`: the chunk's dictionary, decoded before (decodeDictionaryPage; the
 * bytes then hold its data pages only). InputError naming the file and column for a chunk that
 * does not decode.
 */
export function decodeNumericChunk(bytes: Uint8Array, chunk: ChunkRef, kind: ValueKind, out: Float64Array, where: { file: string; column: string; group: number }, dictionary?: Float64Array): void {
  pages(bytes, chunk, where, {
    dictionary(values) {
      // a copy: the page's values may be a view of the decompressor's memory, which the next page overwrites
      dictionary = widen(values, kind, new Float64Array(values.length));
    },
    data(values, definitionLevels, encoding, at, n) {
      const dense = encoding.endsWith('_DICTIONARY') ? lookUp(values, dictionary, where) : widen(values, kind);
      place(dense, definitionLevels, out, at, n, where);
    },
    fastPage(page, header, maxDefinition, at, n) {
      return decodePageV1(page, header, maxDefinition, kind, dictionary, out, at, n, where);
    },
  });
}

/**
 * Decode a column chunk's dictionary page (`bytes`: that page only) into `into`, which is as long
 * as the page's values (ChunkPages.dictionary.values). InputError naming the file and column for
 * a page that does not decode.
 */
export function decodeDictionaryPage(bytes: Uint8Array, chunk: ChunkRef, kind: ValueKind, into: Float64Array, where: Where): void {
  const lib = parquetLibrary();
  try {
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
    const header: PageHeader = lib.parquetHeader(reader);
    if (header.type !== 'DICTIONARY_PAGE') throw corrupt(where, `a ${header.type} page where its dictionary page was`);
    const size = header.compressed_page_size;
    if (!(size >= 0 && reader.offset + size <= bytes.length)) throw corrupt(where, `a page of ${size} bytes runs past its column chunk`);
    const values = dictionaryValues(bytes.subarray(reader.offset, reader.offset + size), header, chunk);
    if (values.length !== into.length) throw corrupt(where, `a dictionary page of ${values.length} values where its header said ${into.length}`);
    widen(values, kind, into);
  } catch (err) {
    if (err instanceof DriftCatcherError) throw err;
    throw corrupt(where, reasonOf(err), err);
  }
}

/** Scratch for definition levels and dictionary indexes (one page at a time per thread). */
let levelScratch = new Int32Array(0);
let indexScratch = new Int32Array(0);

const WIDTH: Record<ValueKind, number> = { f64: 8, f32: 4, i32: 4, u32: 4, i64: 8, u64: 8 };
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
/** An aligned copy of a page's values whose offset in their buffer is not a multiple of their width. */
let alignScratch = new Uint8Array(0);

/**
 * The common v1 data pages of a flat numeric column, decoded straight into `out`: definition
 * levels (bit width 1) and dictionary indexes through readHybrid into Int32Arrays, PLAIN values
 * read in place. False for other encodings (hyparquet's page reader takes them).
 */
function decodePageV1(page: Uint8Array, header: DataPageHeader, maxDefinition: number, kind: ValueKind, dictionary: Float64Array | undefined, out: Float64Array, at: number, n: number, where: Where): boolean {
  const encoding = header.encoding;
  const dictionaryEncoded = encoding === 'RLE_DICTIONARY' || encoding === 'PLAIN_DICTIONARY';
  if (!dictionaryEncoded && encoding !== 'PLAIN') return false;
  const reader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
  let levels: Int32Array | undefined;
  let present = n;
  if (maxDefinition > 0) {
    if (levelScratch.length < n) levelScratch = new Int32Array(Math.max(n, 2 * levelScratch.length));
    levels = levelScratch.subarray(0, n);
    readHybrid(page, reader, 1, levels, undefined, where);
    present = 0;
    for (let i = 0; i < n; i++) present += levels[i]!;
    if (present === n) levels = undefined;
  }
  if (dictionaryEncoded) {
    if (!dictionary) throw corrupt(where, 'a dictionary-encoded page without a dictionary');
    if (reader.offset >= page.length && present > 0) throw corrupt(where, 'a data page ends before its values');
    const bitWidth = present > 0 ? page[reader.offset++]! : 0;
    if (indexScratch.length < present) indexScratch = new Int32Array(Math.max(present, 2 * indexScratch.length));
    const indexes = indexScratch.subarray(0, present);
    if (bitWidth > 32) throw corrupt(where, `dictionary indexes of ${bitWidth} bits`);
    if (bitWidth > 0) readHybrid(page, reader, bitWidth, indexes, page.length - reader.offset, where);
    else indexes.fill(0);
    const size = dictionary.length;
    if (!levels) {
      for (let i = 0; i < n; i++) {
        const index = indexes[i]!;
        if (index >>> 0 >= size) throw corrupt(where, `a dictionary index ${index >>> 0} past the dictionary's ${size} values`);
        out[at + i] = dictionary[index]!;
      }
      return true;
    }
    let j = 0;
    for (let i = 0; i < n; i++) {
      if (levels && levels[i] === 0) {
        out[at + i] = NaN;
        continue;
      }
      const index = indexes[j++]!;
      if (index >>> 0 >= size) throw corrupt(where, `a dictionary index ${index >>> 0} past the dictionary's ${size} values`);
      out[at + i] = dictionary[index]!;
    }
    return true;
  }
  const width = WIDTH[kind];
  if (reader.offset + present * width > page.length) throw corrupt(where, `a data page of ${page.length} bytes for ${present} values of ${width} bytes`);
  if (!levels && LITTLE_ENDIAN && kind !== 'i64' && kind !== 'u64') {
    // no nulls: the values as a typed array over the page (or an aligned copy), widened by set()
    let buffer: ArrayBufferLike = page.buffer;
    let from = page.byteOffset + reader.offset;
    if (from % width !== 0) {
      if (alignScratch.length < n * width) alignScratch = new Uint8Array(Math.max(n * width, 2 * alignScratch.length));
      alignScratch.set(page.subarray(reader.offset, reader.offset + n * width));
      buffer = alignScratch.buffer;
      from = 0;
    }
    out.set(kind === 'f64' ? new Float64Array(buffer, from, n) : kind === 'f32' ? new Float32Array(buffer, from, n) : kind === 'i32' ? new Int32Array(buffer, from, n) : new Uint32Array(buffer, from, n), at);
    return true;
  }
  const view = reader.view;
  let offset = reader.offset;
  for (let i = 0; i < n; i++) {
    if (levels && levels[i] === 0) {
      out[at + i] = NaN;
      continue;
    }
    switch (kind) {
      case 'f64': out[at + i] = view.getFloat64(offset, true); break;
      case 'f32': out[at + i] = view.getFloat32(offset, true); break;
      case 'i32': out[at + i] = view.getInt32(offset, true); break;
      case 'u32': out[at + i] = view.getUint32(offset, true); break;
      case 'i64': out[at + i] = int64At(view, offset, true); break;
      case 'u64': out[at + i] = int64At(view, offset, false); break;
    }
    offset += width;
  }
  return true;
}

/**
 * Parquet's RLE / bit-packed hybrid encoding of `out.length` values of `width` bits (1 to 32)
 * from page[reader.offset...] (`length` bytes; undefined: a 4-byte length first), as hyparquet's
 * readRleBitPackedHybrid reads it, but a bit-packed value from one 32-bit gather of the bytes
 * that hold it rather than a byte and a bit at a time (that reader was a tenth of a Parquet
 * baseline's time). A last group cut short by the writer is read as zeros past the page's end.
 */
export function readHybrid(page: Uint8Array, reader: { offset: number }, width: number, out: Int32Array, length: number | undefined, where: Where): void {
  if (length === undefined) {
    if (reader.offset + 4 > page.length) throw corrupt(where, 'a page ends before its levels');
    length = page[reader.offset]! | (page[reader.offset + 1]! << 8) | (page[reader.offset + 2]! << 16) | (page[reader.offset + 3]! << 24);
    reader.offset += 4;
  }
  const start = reader.offset;
  const end = Math.min(page.length, start + length);
  const mask = width >= 32 ? -1 : (1 << width) - 1;
  const bytes = (width + 7) >>> 3;
  let at = start;
  let seen = 0;
  while (seen < out.length) {
    // the run's header: a varint
    let header = 0;
    let shift = 0;
    for (;;) {
      if (at >= end) throw corrupt(where, `its encoded values end after ${seen} of ${out.length}`);
      const byte = page[at++]!;
      header += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
      shift += 7;
      if (shift > 35) throw corrupt(where, 'a run header longer than 5 bytes');
    }
    if (header % 2 === 0) {
      // a run of one value, in `bytes` little-endian bytes
      const count = Math.min(header / 2, out.length - seen);
      if (at + bytes > end) throw corrupt(where, 'a run of repeats ends past its page');
      let value = 0;
      for (let i = 0; i < bytes; i++) value |= page[at + i]! << (8 * i);
      at += bytes;
      out.fill(value & mask, seen, seen + count);
      seen += count;
      continue;
    }
    // groups of 8 bit-packed values, least significant bit first
    const groups = (header - 1) / 2;
    if (at >= end && mask !== 0) throw corrupt(where, `bit-packed values at byte ${at} past the page's end`);
    const count = Math.min(8 * groups, out.length - seen);
    for (let i = 0, bit = 0; i < count; i++, bit += width) {
      const b = at + (bit >>> 3);
      const s = bit & 7;
      let value = ((page[b]! | (page[b + 1]! << 8) | (page[b + 2]! << 16) | (page[b + 3]! << 24)) >>> s);
      if (s + width > 32) value |= page[b + 4]! << (32 - s);
      out[seen + i] = value & mask;
    }
    seen += count;
    at += groups * width;
  }
  reader.offset = start + length;
}

/** Decode a text column chunk: its values as strings, nulls as null. */
export function decodeTextChunk(bytes: Uint8Array, chunk: ChunkRef, where: { file: string; column: string; group: number }): (string | null)[] {
  const decoder = new TextDecoder('utf-8');
  const out: (string | null)[] = new Array<string | null>(chunk.rows).fill(null);
  let dictionary: string[] | undefined;
  const text = (values: DecodedArray): string[] => Array.from(values as ArrayLike<Uint8Array | string>, (value) => (typeof value === 'string' ? value : decoder.decode(value)));
  pages(bytes, chunk, where, {
    dictionary(values) {
      dictionary = text(values);
    },
    data(values, definitionLevels, encoding, at, n) {
      let dense: string[];
      if (encoding.endsWith('_DICTIONARY')) {
        if (!dictionary) throw corrupt(where, 'a dictionary-encoded page without a dictionary');
        const dict = dictionary;
        dense = Array.from(values as ArrayLike<number>, (index) => {
          const value = dict[index];
          if (value === undefined) throw corrupt(where, `a dictionary index ${index} past the dictionary's ${dict.length} values`);
          return value;
        });
      } else dense = text(values);
      let j = 0;
      for (let i = 0; i < n; i++) out[at + i] = definitionLevels.length === 0 || definitionLevels[i] === 1 ? (dense[j++] ?? null) : null;
    },
  });
  return out;
}

interface PageSink {
  dictionary(values: DecodedArray): void;
  /** a data page's `n` rows from row `at`: its non-null values, and its definition levels (empty when none is null) */
  data(values: DecodedArray, definitionLevels: ArrayLike<number>, encoding: string, at: number, n: number): void;
  /** a v1 data page's `n` rows from row `at`, decoded by the sink itself; false: not handled (the page goes to `data`) */
  fastPage?(page: Uint8Array, header: DataPageHeader, maxDefinition: number, at: number, n: number): boolean;
}

/** Walk a column chunk's pages until its rows are read. */
function pages(bytes: Uint8Array, chunk: ChunkRef, where: { file: string; column: string; group: number }, sink: PageSink): void {
  const lib = parquetLibrary();
  const element = chunk.element;
  const decoder: ColumnDecoder = {
    pathInSchema: [element.name],
    type: element.type!,
    element,
    schemaPath: [schemaTree({ name: 'schema', num_children: 1 }), schemaTree(element)],
    codec: chunk.codec,
    parsers: undefined as never,
    compressors: lib.compressors,
  };
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  let row = 0;
  try {
    while (row < chunk.rows) {
      if (reader.offset >= bytes.length) throw corrupt(where, `its pages end after ${row} of its ${chunk.rows} rows`);
      const header: PageHeader = lib.parquetHeader(reader);
      const size = header.compressed_page_size;
      if (!(size >= 0 && reader.offset + size <= bytes.length)) throw corrupt(where, `a page of ${size} bytes runs past its column chunk`);
      const compressed = bytes.subarray(reader.offset, reader.offset + size);
      reader.offset += size;
      if (header.type === 'DICTIONARY_PAGE') {
        sink.dictionary(dictionaryValues(compressed, header, chunk));
      } else if (header.type === 'DATA_PAGE') {
        const pageHeader: DataPageHeader = header.data_page_header!;
        const page = lib.decompressPage(compressed, header.uncompressed_page_size, chunk.codec, lib.compressors);
        const n = rowsOf(pageHeader.num_values, row, chunk.rows, where);
        if (!sink.fastPage?.(page, pageHeader, element.repetition_type === 'REQUIRED' ? 0 : 1, row, n)) {
          const { definitionLevels, dataPage } = lib.readDataPage(page, pageHeader, decoder);
          sink.data(dataPage, definitionLevels ?? [], pageHeader.encoding, row, n);
        }
        row += n;
      } else if (header.type === 'DATA_PAGE_V2') {
        const pageHeader = header.data_page_header_v2!;
        const n = rowsOf(pageHeader.num_values, row, chunk.rows, where);
        const { definitionLevels, dataPage } = lib.readDataPageV2(compressed, header, decoder);
        const levels = definitionLevels ?? [];
        sink.data(dataPage, pageHeader.num_nulls === 0 ? [] : levels, pageHeader.encoding, row, n);
        row += n;
      }
      // index pages carry no values
    }
  } catch (err) {
    if (err instanceof DriftCatcherError) throw err;
    throw corrupt(where, reasonOf(err), err);
  }
}

/** A dictionary page's values (`compressed`: its bytes after the header), as the page holds them: a view of the decompressor's memory that the next page overwrites. */
function dictionaryValues(compressed: Uint8Array, header: PageHeader, chunk: ChunkRef): DecodedArray {
  const lib = parquetLibrary();
  const page = lib.decompressPage(compressed, header.uncompressed_page_size, chunk.codec, lib.compressors);
  return lib.readPlain({ view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 }, chunk.element.type!, header.dictionary_page_header!.num_values, chunk.element.type_length);
}

function rowsOf(values: number, row: number, rows: number, where: { file: string; column: string; group: number }): number {
  if (!(values >= 0 && row + values <= rows)) throw corrupt(where, `its pages hold more than its ${rows} rows`);
  return values;
}

function schemaTree(element: SchemaElement): SchemaTree {
  return { children: [], count: 1, element, path: [element.name] };
}

/**
 * The little-endian 64-bit integer at `offset` as the nearest double, from its two 32-bit halves:
 * hi * 2^32 is exact and the one addition rounds as Number(BigInt) does (to nearest, ties to
 * even), without a BigInt a value.
 */
function int64At(view: DataView, offset: number, signed: boolean): number {
  return (signed ? view.getInt32(offset + 4, true) : view.getUint32(offset + 4, true)) * 4294967296 + view.getUint32(offset, true);
}

/** Values of a page (or dictionary) as f64: `values` itself when they are, or `into` (n values long) when given. */
function widen(values: DecodedArray, kind: ValueKind, into?: Float64Array): Float64Array {
  if (values instanceof Float64Array && !into) return values;
  const n = values.length;
  const out = into ?? new Float64Array(n);
  if (values instanceof Float64Array) {
    out.set(values);
    return out;
  }
  if (kind === 'u32') {
    const source = values as ArrayLike<number>;
    for (let i = 0; i < n; i++) out[i] = source[i]! >>> 0;
  } else if ((kind === 'u64' || kind === 'i64') && (values instanceof BigInt64Array || values instanceof BigUint64Array)) {
    const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
    const signed = kind === 'i64';
    for (let i = 0; i < n; i++) out[i] = int64At(view, 8 * i, signed);
  } else if (kind === 'u64') {
    const source = values as ArrayLike<bigint>;
    for (let i = 0; i < n; i++) out[i] = Number(BigInt.asUintN(64, source[i]!));
  } else if (kind === 'i64') {
    const source = values as ArrayLike<bigint>;
    for (let i = 0; i < n; i++) out[i] = Number(source[i]!);
  } else {
    const source = values as ArrayLike<number>;
    for (let i = 0; i < n; i++) out[i] = source[i]!;
  }
  return out;
}

function lookUp(indexes: DecodedArray, dictionary: Float64Array | undefined, where: { file: string; column: string; group: number }): Float64Array {
  if (!dictionary) throw corrupt(where, 'a dictionary-encoded page without a dictionary');
  const source = indexes as ArrayLike<number>;
  const n = source.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const value = dictionary[source[i]!];
    if (value === undefined) throw corrupt(where, `a dictionary index ${source[i]} past the dictionary's ${dictionary.length} values`);
    out[i] = value;
  }
  return out;
}

/** A page's values into out[at, at + n): in order where no value is null, else by definition level (1: a value, 0: null -> NaN). */
function place(dense: Float64Array, definitionLevels: ArrayLike<number>, out: Float64Array, at: number, n: number, where: { file: string; column: string; group: number }): void {
  if (definitionLevels.length === 0) {
    if (dense.length !== n) throw corrupt(where, `a page with ${dense.length} values for ${n} rows`);
    out.set(dense, at);
    return;
  }
  let j = 0;
  for (let i = 0; i < n; i++) out[at + i] = definitionLevels[i] === 1 ? dense[j++]! : NaN;
  if (j !== dense.length) throw corrupt(where, `a page with ${dense.length} values for ${j} non-null rows`);
}

function corrupt(where: { file: string; column: string; group: number }, reason: string, cause?: unknown): InputError {
  return new InputError(`not a readable Parquet file (row group ${where.group}: ${reason})`, { file: where.file, column: where.column }, cause === undefined ? undefined : { cause });
}

function notParquet(file: string, reason: string, cause?: unknown): InputError {
  return new InputError(`not a readable Parquet file (${reason})`, { file }, cause === undefined ? undefined : { cause });
}

function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return excerpt(message.split('\n')[0] ?? '');
}
