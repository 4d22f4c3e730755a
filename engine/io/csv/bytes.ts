/**
 * The bytes the CSV grammar is made of, and small helpers over byte buffers.
 *
 * Hot loops copy the constants they use into constants of their own module
 * (`const { LF, CR } = BYTE;`): V8 reads an imported binding through its module cell, with a
 * hole check, on every use, which made the blank-line run of the block parser 1.7x slower.
 */
export const BYTE = {
  LF: 0x0a,
  CR: 0x0d,
  COMMA: 0x2c,
  QUOTE: 0x22,
  SPACE: 0x20,
  TAB: 0x09,
  PLUS: 0x2b,
  MINUS: 0x2d,
  DOT: 0x2e,
  DIGIT_ZERO: 0x30,
  /** `c | LOWER_CASE_BIT` is the lower case of an ASCII letter */
  LOWER_CASE_BIT: 0x20,
} as const;

/** A copy of bytes[0, keep) in a buffer of `size` bytes. */
export function grow(bytes: Uint8Array, keep: number, size: number): Uint8Array {
  const grown = new Uint8Array(size);
  grown.set(bytes.subarray(0, keep));
  return grown;
}

/** Index of the last `byte` in bytes[from, to), or from - 1. */
export function lastIndexOf(bytes: Uint8Array, byte: number, from: number, to: number): number {
  if (to <= from) return from - 1;
  const index = bytes.lastIndexOf(byte, to - 1);
  return index >= from ? index : from - 1;
}
