/**
 * A small protobuf writer: just what the ONNX messages of engine/model/onnx.ts need (varints,
 * strings and bytes, nested messages, packed repeated scalars, fixed32 floats). Field numbers and
 * wire types are the caller's; nothing here knows ONNX. Numbers written as varints must be
 * non-negative integers below 2^53 (ids, counts, enum values, versions).
 */
import { internalError } from '../util/index.js';

const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;
const FIXED32 = 5;

const utf8 = new TextEncoder();

/** A protobuf message being written; `bytes()` gives its encoding. */
export class ProtoWriter {
  #buffer = new Uint8Array(256);
  #view = new DataView(this.#buffer.buffer);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
    this.#view = new DataView(grown.buffer);
  }

  #varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw internalError(`protobuf varint out of range: ${value}`);
    this.#reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.#buffer[this.#length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buffer[this.#length++] = v;
  }

  #key(field: number, wire: number): void {
    this.#varint(field * 8 + wire);
  }

  #raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** int32 / int64 / enum / bool field (non-negative). */
  uint(field: number, value: number): this {
    this.#key(field, VARINT);
    this.#varint(value);
    return this;
  }

  /** `float` field (fixed32). */
  float(field: number, value: number): this {
    this.#key(field, FIXED32);
    this.#reserve(4);
    this.#view.setFloat32(this.#length, value, true);
    this.#length += 4;
    return this;
  }

  /** `double` field (fixed64). */
  double(field: number, value: number): this {
    this.#key(field, FIXED64);
    this.#reserve(8);
    this.#view.setFloat64(this.#length, value, true);
    this.#length += 8;
    return this;
  }

  /** `bytes` field. */
  bytes(field: number, value: Uint8Array): this {
    this.#key(field, LENGTH);
    this.#varint(value.length);
    this.#raw(value);
    return this;
  }

  /** `string` field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** An embedded message field. */
  message(field: number, message: ProtoWriter): this {
    this.#key(field, LENGTH);
    this.#varint(message.#length);
    this.#raw(message.#buffer.subarray(0, message.#length));
    return this;
  }

  /** A packed repeated int32/int64 field (non-negative values). */
  packedUints(field: number, values: ArrayLike<number>): this {
    const body = new ProtoWriter();
    for (let i = 0; i < values.length; i++) body.#varint(values[i]!);
    this.#key(field, LENGTH);
    this.#varint(body.#length);
    this.#raw(body.#buffer.subarray(0, body.#length));
    return this;
  }

  /** A packed repeated `float` field. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    return this.bytes(field, bytes);
  }

  /** The encoded message. */
  bytesOut(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}

/** Little-endian bytes of float64 values (an ONNX tensor's raw_data). */
export function float64Bytes(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  return bytes;
}
