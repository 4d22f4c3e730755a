/** Text from CSV bytes: labels, header names, excerpts for messages. */

// ignoreBOM: a U+FEFF at the start of a label is part of it, as in pandas (only the file's own
// BOM, before the header, is dropped); by default TextDecoder would drop it, so `\ufeffBENIGN`
// read as `BENIGN`
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** windows-1252 code points of bytes 0x80..0x9f (0 where the byte is undefined: kept as C1). */
const WINDOWS_1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

/**
 * UTF-8 when the bytes are valid UTF-8, else windows-1252 (the CICIDS labels' 0x96 is an
 * en dash there), so that no input byte sequence makes the reader fail.
 */
export function decodeText(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    let text = '';
    for (const byte of bytes) {
      const high = byte >= 0x80 && byte <= 0x9f ? WINDOWS_1252_HIGH[byte - 0x80]! : 0;
      text += String.fromCharCode(high || byte);
    }
    return text;
  }
}

/** bytes[start, end) as Latin-1 text (number tokens, which are ASCII). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  // a long token (a cell of a million digits) in one go: characters appended one by one would
  // make a million-piece string for the garbage collector
  if (end - start > 64) return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/** FNV-1a hash of bytes[start, end): the label dictionary's bucket. */
export function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

/** bytes[start, end) equal `other`. */
export function sameBytes(bytes: Uint8Array, start: number, end: number, other: Uint8Array): boolean {
  if (end - start !== other.length) return false;
  for (let i = 0; i < other.length; i++) if (bytes[start + i] !== other[i]) return false;
  return true;
}
