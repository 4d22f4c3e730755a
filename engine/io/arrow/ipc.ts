/**
 * Arrow IPC files without apache-arrow: the footer (schema and record batch blocks) and each
 * record batch's metadata (field nodes, buffers, compression) decoded straight from their
 * flatbuffers, and the worker-side reader that preads numeric column buffers into the shared
 * memory. The Arrow reader's scan plan (./scan.ts) hands workers these file offsets instead of
 * bytes; record batch bodies are never read on the main side.
 *
 * Layouts follow format/File.fbs, Message.fbs and Schema.fbs of the Arrow specification. Every
 * read is bounds-checked, so a truncated or corrupt file is a one-line InputError naming it.
 * Big-endian files, metadata before V4 and layouts this reader does not know (unions, views,
 * run-end encoding, the Null type) are reported as not `supported` so that the caller can use
 * apache-arrow instead.
 */
import * as fs from 'node:fs';
import { InputError, internalError } from '../../util/index.js';
import { openSync } from '../files.js';

/** The flatbuffer `Type` union's ids (Schema.fbs). */
export const IpcType = {
  Null: 1,
  Int: 2,
  FloatingPoint: 3,
  Binary: 4,
  Utf8: 5,
  Bool: 6,
  Decimal: 7,
  Date: 8,
  Time: 9,
  Timestamp: 10,
  Interval: 11,
  List: 12,
  Struct: 13,
  Union: 14,
  FixedSizeBinary: 15,
  FixedSizeList: 16,
  Map: 17,
  Duration: 18,
  LargeBinary: 19,
  LargeUtf8: 20,
  LargeList: 21,
  RunEndEncoded: 22,
  BinaryView: 23,
  Utf8View: 24,
  ListView: 25,
  LargeListView: 26,
} as const;

/** FloatingPoint precision (Schema.fbs). */
export const IpcPrecision = { Half: 0, Single: 1, Double: 2 } as const;

// Field ids (vtable slots) of the flatbuffer tables read here, in their order in the .fbs files.
// A union field takes two ids: its type tag (`...Type`), then the value.
/** File.fbs `Footer` */
const Footer = { version: 0, schema: 1, dictionaries: 2, recordBatches: 3, customMetadata: 4 } as const;
/** Schema.fbs `Schema` */
const SchemaTable = { endianness: 0, fields: 1, customMetadata: 2, features: 3 } as const;
/** Schema.fbs `Field` */
const FieldTable = { name: 0, nullable: 1, typeType: 2, type: 3, dictionary: 4, children: 5, customMetadata: 6 } as const;
/** Schema.fbs `Int` */
const IntTable = { bitWidth: 0, isSigned: 1 } as const;
/** Schema.fbs `FloatingPoint` */
const FloatingPointTable = { precision: 0 } as const;
/** Message.fbs `Message` */
const MessageTable = { version: 0, headerType: 1, header: 2, bodyLength: 3, customMetadata: 4 } as const;
/** Message.fbs `RecordBatch` */
const RecordBatchTable = { length: 0, nodes: 1, buffers: 2, compression: 3, variadicBufferCounts: 4 } as const;
/** Schema.fbs `Endianness` */
const Endianness = { Little: 0, Big: 1 } as const;
/** Message.fbs `MessageHeader` union tag */
const MessageHeader = { Schema: 1, DictionaryBatch: 2, RecordBatch: 3 } as const;

// Byte layouts of the flatbuffer structs read here (offsets within one element, and its size).
/** File.fbs `Block`: offset (long), metaDataLength (int, padded), bodyLength (long) */
const BlockStruct = { offset: 0, metaDataLength: 8, bodyLength: 16, bytes: 24 } as const;
/** Message.fbs `FieldNode`: length, null_count (longs) */
const FieldNodeStruct = { length: 0, nullCount: 8, bytes: 16 } as const;
/** Schema.fbs `Buffer`: offset, length (longs) */
const BufferStruct = { offset: 0, length: 8, bytes: 16 } as const;
/** a vector of tables or strings: one uoffset per element */
const OFFSET_BYTES = 4;

export interface IpcField {
  name: string;
  nullable: boolean;
  /** the `Type` union id (IpcType); 0 when absent */
  typeId: number;
  /** Int: bits (8, 16, 32, 64) */
  bitWidth: number;
  /** Int: signed */
  signed: boolean;
  /** FloatingPoint: IpcPrecision */
  precision: number;
  /** dictionary-encoded (the batches hold integer indices) */
  dictionary: boolean;
  children: IpcField[];
}

/** Where one record batch is (File.fbs `Block`). */
export interface IpcBlock {
  /** absolute offset of the batch's message (prefix included) */
  offset: number;
  /** bytes of the message: prefix, flatbuffer and padding; the body follows */
  metaDataLength: number;
  bodyLength: number;
}

/** One record batch's layout, metadata only. */
export interface IpcBatchLayout {
  /** rows */
  length: number;
  /** per field node (pre-order over the schema): length, null count (read with nodeLength, nodeNullCount) */
  nodes: Float64Array;
  /** per buffer (pre-order): absolute file offset, length in bytes (read with bufferOffset, bufferLength) */
  buffers: Float64Array;
  /** the body is compressed (BodyCompression present) */
  compressed: boolean;
}

/** Rows of field node `node` of a batch. */
export function nodeLength(batch: IpcBatchLayout, node: number): number {
  return batch.nodes[2 * node]!;
}

/** Nulls in field node `node` of a batch. */
export function nodeNullCount(batch: IpcBatchLayout, node: number): number {
  return batch.nodes[2 * node + 1]!;
}

/** Absolute file offset of buffer `buffer` of a batch. */
export function bufferOffset(batch: IpcBatchLayout, buffer: number): number {
  return batch.buffers[2 * buffer]!;
}

/** Length in bytes of buffer `buffer` of a batch. */
export function bufferLength(batch: IpcBatchLayout, buffer: number): number {
  return batch.buffers[2 * buffer + 1]!;
}

/** Where a top-level column's node and first buffer (its validity bitmap) are in every batch. */
export interface IpcColumnLayout {
  node: number;
  buffer: number;
}

const MAGIC = 'ARROW1';
/** Footer flatbuffer length (int32) plus the closing magic. */
const TAIL_BYTES = 4 + MAGIC.length;
/** Opening magic padded to 8 bytes. */
const HEAD_BYTES = 8;
/** MetadataVersion V4: the first with today's layouts (V5 only changed unions). */
const METADATA_V4 = 3;
/** A record batch message larger than this is taken as corrupt rather than read. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const MAX_NESTING = 64;

/**
 * An Arrow IPC file (`ARROW1` ... footer ... `ARROW1`) opened for its metadata. `open` returns
 * undefined for anything that does not start like the file format (e.g. the stream format).
 */
export class ArrowIpcFile {
  readonly file: string;
  readonly size: number;
  readonly fields: IpcField[];
  /** MetadataVersion of the footer (V1 = 0 ... V5 = 4) */
  readonly version: number;
  readonly bigEndian: boolean;
  readonly batchCount: number;
  readonly #fd: number;
  readonly #footer: FlatReader;
  /** position of the footer's recordBatches vector (first element) */
  readonly #batchesAt: number;
  /** where the footer starts: every block must end before it */
  readonly #footerStart: number;
  #scratch = Buffer.alloc(0);
  #closed = false;

  static open(file: string): ArrowIpcFile | undefined {
    const fd = openSync(file);
    try {
      const size = fs.fstatSync(fd).size;
      const head = Buffer.alloc(HEAD_BYTES);
      const headBytes = readAt(fd, file, head, 0, Math.min(HEAD_BYTES, size), 0);
      if (headBytes < MAGIC.length || head.toString('latin1', 0, MAGIC.length) !== MAGIC) {
        fs.closeSync(fd);
        return undefined;
      }
      return new ArrowIpcFile(file, fd, size);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  private constructor(file: string, fd: number, size: number) {
    this.file = file;
    this.#fd = fd;
    this.size = size;
    if (size < HEAD_BYTES + TAIL_BYTES) throw corrupt(file, `truncated: ${size} bytes, no footer`);
    const tail = Buffer.alloc(TAIL_BYTES);
    readAt(fd, file, tail, 0, TAIL_BYTES, size - TAIL_BYTES, true);
    if (tail.toString('latin1', 4) !== MAGIC) throw corrupt(file, 'truncated or corrupt: no ARROW1 footer at the end');
    const footerLength = tail.readInt32LE(0);
    if (footerLength <= 0 || footerLength > size - HEAD_BYTES - TAIL_BYTES) throw corrupt(file, `corrupt footer length ${footerLength}`);
    this.#footerStart = size - TAIL_BYTES - footerLength;
    const footerBytes = Buffer.alloc(footerLength);
    readAt(fd, file, footerBytes, 0, footerLength, this.#footerStart, true);
    const footer = new FlatReader(footerBytes, file, 'footer');
    this.#footer = footer;
    const root = footer.root();
    this.version = footer.fieldI16(root, Footer.version, 0);
    const schema = footer.fieldTable(root, Footer.schema);
    if (schema === 0) throw corrupt(file, 'footer has no schema');
    this.bigEndian = footer.fieldI16(schema, SchemaTable.endianness, Endianness.Little) === Endianness.Big;
    this.fields = readFields(footer, schema, SchemaTable.fields, 0);
    const batches = footer.fieldVector(root, Footer.recordBatches, BlockStruct.bytes);
    this.#batchesAt = batches.start;
    this.batchCount = batches.length;
  }

  /** The block of record batch `index` (footer order). */
  batchBlock(index: number): IpcBlock {
    const at = this.#batchesAt + index * BlockStruct.bytes;
    const footer = this.#footer;
    const block = { offset: footer.i64(at + BlockStruct.offset), metaDataLength: footer.i32(at + BlockStruct.metaDataLength), bodyLength: footer.i64(at + BlockStruct.bodyLength) };
    if (block.offset < HEAD_BYTES || block.metaDataLength < 8 || block.metaDataLength > MAX_MESSAGE_BYTES || block.bodyLength < 0 || block.offset + block.metaDataLength + block.bodyLength > this.#footerStart) {
      throw corrupt(this.file, `record batch ${index} lies outside the file (offset ${block.offset}, ${block.metaDataLength} + ${block.bodyLength} bytes)`);
    }
    return block;
  }

  /** Read record batch `index`'s message (not its body): rows, field nodes, absolute buffer ranges. */
  readBatch(index: number): IpcBatchLayout {
    const block = this.batchBlock(index);
    if (this.#scratch.length < block.metaDataLength) this.#scratch = Buffer.alloc(Math.max(block.metaDataLength, 2 * this.#scratch.length));
    const bytes = this.#scratch.subarray(0, block.metaDataLength);
    readAt(this.#fd, this.file, bytes, 0, block.metaDataLength, block.offset, true);
    // encapsulated message: [0xFFFFFFFF] int32 size, flatbuffer (the marker is absent before 0.15)
    let prefix = 4;
    let messageLength = bytes.readInt32LE(0);
    if (messageLength === -1) {
      prefix = 8;
      messageLength = bytes.readInt32LE(4);
    }
    const what = `record batch ${index}`;
    if (messageLength <= 0 || prefix + messageLength > block.metaDataLength) throw corrupt(this.file, `${what}: message length ${messageLength} does not fit its block`);
    const message = new FlatReader(bytes.subarray(prefix, prefix + messageLength), this.file, what);
    const root = message.root();
    if (message.fieldU8(root, MessageTable.headerType, 0) !== MessageHeader.RecordBatch) throw corrupt(this.file, `${what}: the footer points at a message that is not a record batch`);
    const header = message.fieldTable(root, MessageTable.header);
    if (header === 0) throw corrupt(this.file, `${what}: message has no header`);
    const bodyLength = message.fieldI64(root, MessageTable.bodyLength, block.bodyLength);
    const bodyStart = block.offset + block.metaDataLength;
    if (bodyStart + bodyLength > this.#footerStart) throw corrupt(this.file, `${what}: body of ${bodyLength} bytes runs past the end of the data`);

    const length = message.fieldI64(header, RecordBatchTable.length, 0);
    const nodeVector = message.fieldVector(header, RecordBatchTable.nodes, FieldNodeStruct.bytes);
    const nodes = new Float64Array(2 * nodeVector.length);
    for (let i = 0; i < nodeVector.length; i++) {
      const at = nodeVector.start + FieldNodeStruct.bytes * i;
      nodes[2 * i] = message.i64(at + FieldNodeStruct.length);
      nodes[2 * i + 1] = message.i64(at + FieldNodeStruct.nullCount);
    }
    const bufferVector = message.fieldVector(header, RecordBatchTable.buffers, BufferStruct.bytes);
    const buffers = new Float64Array(2 * bufferVector.length);
    for (let i = 0; i < bufferVector.length; i++) {
      const at = bufferVector.start + BufferStruct.bytes * i;
      const offset = message.i64(at + BufferStruct.offset);
      const bufferLength = message.i64(at + BufferStruct.length);
      if (offset < 0 || bufferLength < 0 || offset + bufferLength > bodyLength) throw corrupt(this.file, `${what}: buffer ${i} (${offset} + ${bufferLength}) lies outside the ${bodyLength}-byte body`);
      buffers[2 * i] = bodyStart + offset;
      buffers[2 * i + 1] = bufferLength;
    }
    return { length, nodes, buffers, compressed: message.fieldTable(header, RecordBatchTable.compression) !== 0 };
  }

  /**
   * Node and first-buffer index of each top-level column, or undefined when the schema has a
   * type whose buffer layout this reader does not know (then the caller should not use it).
   */
  columnLayouts(): IpcColumnLayout[] | undefined {
    const layouts: IpcColumnLayout[] = [];
    const at = { node: 0, buffer: 0 };
    for (const field of this.fields) {
      layouts.push({ node: at.node, buffer: at.buffer });
      if (!advance(field, at)) return undefined;
    }
    return layouts;
  }

  /** Nodes and buffers every batch must have for this schema (undefined: unknown layout). */
  expectedCounts(): { nodes: number; buffers: number } | undefined {
    const at = { node: 0, buffer: 0 };
    for (const field of this.fields) if (!advance(field, at)) return undefined;
    return { nodes: at.node, buffers: at.buffer };
  }

  /** True when the metadata version and byte order are ones this reader's layouts apply to. */
  get supported(): boolean {
    return !this.bigEndian && this.version >= METADATA_V4 && this.columnLayouts() !== undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    fs.closeSync(this.#fd);
  }
}

/** Step `at` past one field's nodes and buffers; false for a layout not handled here. */
function advance(field: IpcField, at: { node: number; buffer: number }): boolean {
  at.node += 1;
  if (field.dictionary) {
    at.buffer += 2; // validity + indices; the dictionary's values travel in dictionary batches
    return true;
  }
  switch (field.typeId) {
    case IpcType.Int:
    case IpcType.FloatingPoint:
    case IpcType.Bool:
    case IpcType.Decimal:
    case IpcType.Date:
    case IpcType.Time:
    case IpcType.Timestamp:
    case IpcType.Interval:
    case IpcType.FixedSizeBinary:
    case IpcType.Duration:
      at.buffer += 2;
      return true;
    case IpcType.Binary:
    case IpcType.Utf8:
    case IpcType.LargeBinary:
    case IpcType.LargeUtf8:
      at.buffer += 3;
      return true;
    case IpcType.List:
    case IpcType.LargeList:
    case IpcType.Map:
      at.buffer += 2;
      break;
    case IpcType.ListView:
    case IpcType.LargeListView:
      at.buffer += 3;
      break;
    case IpcType.Struct:
    case IpcType.FixedSizeList:
      at.buffer += 1;
      break;
    default:
      return false; // Null, Union, RunEndEncoded, BinaryView, Utf8View, unknown
  }
  for (const child of field.children) if (!advance(child, at)) return false;
  return true;
}

function readFields(fb: FlatReader, table: number, id: number, depth: number): IpcField[] {
  if (depth > MAX_NESTING) throw corrupt(fb.file, `schema nested more than ${MAX_NESTING} levels`);
  const vector = fb.fieldVector(table, id, OFFSET_BYTES);
  const fields: IpcField[] = [];
  for (let i = 0; i < vector.length; i++) {
    const field = fb.indirect(vector.start + OFFSET_BYTES * i);
    const typeId = fb.fieldU8(field, FieldTable.typeType, 0);
    const type = fb.fieldTable(field, FieldTable.type);
    fields.push({
      name: fb.fieldString(field, FieldTable.name),
      nullable: fb.fieldU8(field, FieldTable.nullable, 0) !== 0,
      typeId,
      bitWidth: typeId === IpcType.Int && type !== 0 ? fb.fieldI32(type, IntTable.bitWidth, 0) : 0,
      signed: typeId === IpcType.Int && type !== 0 ? fb.fieldU8(type, IntTable.isSigned, 0) !== 0 : false,
      precision: typeId === IpcType.FloatingPoint && type !== 0 ? fb.fieldI16(type, FloatingPointTable.precision, 0) : -1,
      dictionary: fb.fieldTable(field, FieldTable.dictionary) !== 0,
      children: readFields(fb, field, FieldTable.children, depth + 1),
    });
  }
  return fields;
}

function corrupt(file: string, reason: string): InputError {
  return new InputError(`not a readable Arrow IPC file (${reason})`, { file });
}

/** Read `length` bytes at `position` into `into[offset...]`; with `exact`, fewer is a truncation. */
function readAt(fd: number, file: string, into: Uint8Array, offset: number, length: number, position: number, exact = false): number {
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = fs.readSync(fd, into, offset + done, length - done, position + done);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      throw new InputError(`read failed at byte ${position + done} (${code ?? String(err)})`, { file }, { cause: err });
    }
    if (n === 0) break;
    done += n;
  }
  if (exact && done < length) throw corrupt(file, `truncated: ${length} bytes expected at byte ${position}, the file ends after ${done}`);
  return done;
}

/** Bounds-checked reads of one flatbuffer (little-endian, as the format has it). */
class FlatReader {
  readonly file: string;
  readonly #view: DataView;
  readonly #bytes: Uint8Array;
  readonly #what: string;

  constructor(bytes: Uint8Array, file: string, what: string) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.file = file;
    this.#what = what;
  }

  #check(pos: number, size: number): void {
    if (!(pos >= 0 && pos + size <= this.#view.byteLength)) throw corrupt(this.file, `${this.#what} is corrupt (reference to byte ${pos} of ${this.#view.byteLength})`);
  }

  u8(pos: number): number {
    this.#check(pos, 1);
    return this.#view.getUint8(pos);
  }

  i16(pos: number): number {
    this.#check(pos, 2);
    return this.#view.getInt16(pos, true);
  }

  u16(pos: number): number {
    this.#check(pos, 2);
    return this.#view.getUint16(pos, true);
  }

  i32(pos: number): number {
    this.#check(pos, 4);
    return this.#view.getInt32(pos, true);
  }

  u32(pos: number): number {
    this.#check(pos, 4);
    return this.#view.getUint32(pos, true);
  }

  /** A 64-bit integer as a number; beyond 2^53 it cannot be an offset or a length of a real file. */
  i64(pos: number): number {
    this.#check(pos, 8);
    const value = this.#view.getInt32(pos + 4, true) * 4294967296 + this.#view.getUint32(pos, true);
    if (!Number.isSafeInteger(value)) throw corrupt(this.file, `${this.#what} is corrupt (64-bit value out of range)`);
    return value;
  }

  /** The root table's position. */
  root(): number {
    return this.indirect(0);
  }

  /** Follow the uoffset stored at `pos`. */
  indirect(pos: number): number {
    return pos + this.u32(pos);
  }

  /** Position of field `id` of the table at `table`, or 0 when the field is absent. */
  #field(table: number, id: number): number {
    const vtable = table - this.i32(table);
    const vtableSize = this.u16(vtable);
    const slot = 4 + 2 * id;
    if (slot + 2 > vtableSize) return 0;
    const offset = this.u16(vtable + slot);
    return offset === 0 ? 0 : table + offset;
  }

  fieldU8(table: number, id: number, fallback: number): number {
    const pos = this.#field(table, id);
    return pos === 0 ? fallback : this.u8(pos);
  }

  fieldI16(table: number, id: number, fallback: number): number {
    const pos = this.#field(table, id);
    return pos === 0 ? fallback : this.i16(pos);
  }

  fieldI32(table: number, id: number, fallback: number): number {
    const pos = this.#field(table, id);
    return pos === 0 ? fallback : this.i32(pos);
  }

  fieldI64(table: number, id: number, fallback: number): number {
    const pos = this.#field(table, id);
    return pos === 0 ? fallback : this.i64(pos);
  }

  /** Position of a sub-table, or 0 when absent. */
  fieldTable(table: number, id: number): number {
    const pos = this.#field(table, id);
    return pos === 0 ? 0 : this.indirect(pos);
  }

  /** A vector of `elementBytes`-sized elements: where the first is and how many (0 when absent). */
  fieldVector(table: number, id: number, elementBytes: number): { start: number; length: number } {
    const pos = this.#field(table, id);
    if (pos === 0) return { start: 0, length: 0 };
    const vector = this.indirect(pos);
    const length = this.u32(vector);
    this.#check(vector + 4, length * elementBytes);
    return { start: vector + 4, length };
  }

  fieldString(table: number, id: number): string {
    const { start, length } = this.fieldVector(table, id, 1);
    return length === 0 ? '' : utf8.decode(this.#bytes.subarray(start, start + length));
  }
}

const utf8 = new TextDecoder('utf-8');

// ---------------------------------------------------------------------------------------------
// Worker side: numeric column buffers straight into the shared memory
// ---------------------------------------------------------------------------------------------

/** How a numeric column's values are stored; the worker widens them to f64 in place. */
export const IpcValueKind = {
  Float64: 0,
  Float32: 1,
  Int8: 2,
  Int16: 3,
  Int32: 4,
  Int64: 5,
  Uint8: 6,
  Uint16: 7,
  Uint32: 8,
  Uint64: 9,
} as const;

const VALUE_BYTES = [8, 4, 1, 2, 4, 8, 1, 2, 4, 8] as const;

/** Bytes per value of a kind. */
export function valueBytes(kind: number): number {
  return VALUE_BYTES[kind]!;
}

/** The value kind of a plain (not dictionary-encoded) numeric field, or -1 (e.g. half floats). */
export function valueKindOf(field: IpcField): number {
  if (field.dictionary) return -1;
  if (field.typeId === IpcType.FloatingPoint) {
    if (field.precision === IpcPrecision.Double) return IpcValueKind.Float64;
    if (field.precision === IpcPrecision.Single) return IpcValueKind.Float32;
    return -1;
  }
  if (field.typeId !== IpcType.Int) return -1;
  switch (field.bitWidth) {
    case 8:
      return field.signed ? IpcValueKind.Int8 : IpcValueKind.Uint8;
    case 16:
      return field.signed ? IpcValueKind.Int16 : IpcValueKind.Uint16;
    case 32:
      return field.signed ? IpcValueKind.Int32 : IpcValueKind.Uint32;
    case 64:
      return field.signed ? IpcValueKind.Int64 : IpcValueKind.Uint64;
    default:
      return -1;
  }
}

/**
 * A column segment as numbers in a Float64Array of segments (SEGMENT_FIELDS each): the feature it
 * is binned as, its value kind (IpcValueKind), rows, the absolute file offset of its values and
 * of its validity bitmap (-1 when the segment has no nulls).
 */
export const Segment = { feature: 0, kind: 1, rows: 2, valuesAt: 3, validityAt: 4 } as const;
export const SEGMENT_FIELDS = 5;

/** Write segment number `index` into `segments`. */
export function setSegment(segments: Float64Array, index: number, feature: number, kind: number, rows: number, valuesAt: number, validityAt: number): void {
  const at = index * SEGMENT_FIELDS;
  segments[at + Segment.feature] = feature;
  segments[at + Segment.kind] = kind;
  segments[at + Segment.rows] = rows;
  segments[at + Segment.valuesAt] = valuesAt;
  segments[at + Segment.validityAt] = validityAt;
}

/** Where a task may put what it reads: a region of the shared memory (8-byte aligned). */
export interface ReadRegion {
  buffer: ArrayBufferLike;
  ptr: number;
  bytes: number;
}

/**
 * Read each segment's values into `region` in pieces, as f64 (nulls as NaN), and hand each
 * piece to `bin(feature, valuesPtr, rows)`: one pread per piece of values (and of validity),
 * nothing allocated per value. Float64 segments without nulls that lie back to back in the file
 * (columns of one batch) are read with one pread as long as they fit the region together.
 */
export function readSegments(file: string, segments: Float64Array, region: ReadRegion, bin: (feature: number, valuesPtr: number, rows: number) => void): void {
  if (region.ptr % 8 !== 0) throw internalError('read region must be 8-byte aligned');
  const fd = openSync(file);
  try {
    const bytes = new Uint8Array(region.buffer);
    const f64 = new Float64Array(region.buffer);
    const plainRows = Math.floor(region.bytes / 8);
    // with nulls, room for the values and their bitmap; a multiple of 64 keeps bitmaps byte-aligned
    const nullableRows = Math.floor((region.bytes * 8) / 65 / 64) * 64;
    if (nullableRows === 0) throw internalError('read region too small');
    for (let s = 0; s < segments.length; s += SEGMENT_FIELDS) {
      const feature = segments[s + Segment.feature]!;
      const kind = segments[s + Segment.kind]!;
      const rows = segments[s + Segment.rows]!;
      const valuesAt = segments[s + Segment.valuesAt]!;
      const validityAt = segments[s + Segment.validityAt]!;
      const width = VALUE_BYTES[kind]!;
      const pieceRows = validityAt >= 0 ? nullableRows : plainRows;

      // Float64 segments without nulls, back to back up to padding: one pread for all of them
      if (kind === IpcValueKind.Float64 && validityAt < 0) {
        let end = s + SEGMENT_FIELDS;
        let spanEnd = valuesAt + rows * 8;
        while (end < segments.length && segments[end + Segment.kind] === IpcValueKind.Float64 && segments[end + Segment.validityAt]! < 0) {
          const nextAt = segments[end + Segment.valuesAt]!;
          const nextEnd = nextAt + segments[end + Segment.rows]! * 8;
          if (nextAt < spanEnd || nextAt - spanEnd > 64 || nextEnd - valuesAt > region.bytes || (nextAt - valuesAt) % 8 !== 0) break;
          spanEnd = nextEnd;
          end += SEGMENT_FIELDS;
        }
        if (end > s + SEGMENT_FIELDS) {
          readAt(fd, file, bytes, region.ptr, spanEnd - valuesAt, valuesAt, true);
          for (let t = s; t < end; t += SEGMENT_FIELDS) {
            const at = region.ptr + (segments[t + Segment.valuesAt]! - valuesAt);
            const segmentRows = segments[t + Segment.rows]!;
            if (segmentRows > 0) bin(segments[t + Segment.feature]!, at, segmentRows);
          }
          s = end - SEGMENT_FIELDS;
          continue;
        }
      }

      for (let first = 0; first < rows; first += pieceRows) {
        const n = Math.min(pieceRows, rows - first);
        readAt(fd, file, bytes, region.ptr, n * width, valuesAt + first * width, true);
        if (kind !== IpcValueKind.Float64) widen(region.buffer, region.ptr, kind, n);
        if (validityAt >= 0) {
          const bitmapPtr = region.ptr + nullableRows * 8;
          const bitmapBytes = Math.ceil(n / 8);
          readAt(fd, file, bytes, bitmapPtr, bitmapBytes, validityAt + first / 8, true);
          nullsToNaN(bytes, bitmapPtr, f64, region.ptr >>> 3, n);
        }
        bin(feature, region.ptr, n);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Widen n values of `kind` at `ptr` to f64 in place (back to front, so nothing unread is overwritten). */
function widen(buffer: ArrayBufferLike, ptr: number, kind: number, n: number): void {
  const out = new Float64Array(buffer, ptr, n);
  switch (kind) {
    case IpcValueKind.Float32:
      copyBackwards(new Float32Array(buffer, ptr, n), out, n);
      return;
    case IpcValueKind.Int8:
      copyBackwards(new Int8Array(buffer, ptr, n), out, n);
      return;
    case IpcValueKind.Int16:
      copyBackwards(new Int16Array(buffer, ptr, n), out, n);
      return;
    case IpcValueKind.Int32:
      copyBackwards(new Int32Array(buffer, ptr, n), out, n);
      return;
    case IpcValueKind.Uint8:
      copyBackwards(new Uint8Array(buffer, ptr, n), out, n);
      return;
    case IpcValueKind.Uint16:
      copyBackwards(new Uint16Array(buffer, ptr, n), out, n);
      return;
    case IpcValueKind.Uint32:
      copyBackwards(new Uint32Array(buffer, ptr, n), out, n);
      return;
    case IpcValueKind.Int64:
    case IpcValueKind.Uint64: {
      // hi * 2^32 is exact and the one addition rounds the exact value once: Number(bigint)
      const lo = new Uint32Array(buffer, ptr, 2 * n);
      const hiSigned = new Int32Array(buffer, ptr, 2 * n);
      const signed = kind === IpcValueKind.Int64;
      for (let i = 0; i < n; i++) out[i] = (signed ? hiSigned[2 * i + 1]! : lo[2 * i + 1]!) * 4294967296 + lo[2 * i]!;
      return;
    }
    default:
      throw internalError(`unknown value kind ${kind}`);
  }
}

function copyBackwards(from: ArrayLike<number>, to: Float64Array, n: number): void {
  for (let i = n - 1; i >= 0; i--) to[i] = from[i]!;
}

/** Set the values whose validity bit is 0 to NaN (as apache-arrow's reading path does). */
function nullsToNaN(bytes: Uint8Array, bitmapPtr: number, f64: Float64Array, valuesIndex: number, n: number): void {
  const fullBytes = n >>> 3;
  for (let b = 0; b < fullBytes; b++) {
    const bits = bytes[bitmapPtr + b]!;
    if (bits === 0xff) continue;
    for (let j = 0; j < 8; j++) if ((bits & (1 << j)) === 0) f64[valuesIndex + 8 * b + j] = NaN;
  }
  const rest = n & 7;
  if (rest === 0) return;
  const bits = bytes[bitmapPtr + fullBytes]!;
  for (let j = 0; j < rest; j++) if ((bits & (1 << j)) === 0) f64[valuesIndex + 8 * fullBytes + j] = NaN;
}
