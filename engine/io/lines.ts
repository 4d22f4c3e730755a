/**
 * A text file's lines, streamed (JSON-lines logs): one chunk in memory at a time plus the line
 * being read, which may not be longer than the line limit (`maxLineBytes`, an InputError naming
 * the line). Line ends: LF or CRLF; text: UTF-8, else windows-1252, as every reader decodes it.
 */
import { resolveMaxLineBytes } from './defaults.js';
import { openFileHandle } from './files.js';
import { BYTE, grow } from './csv/bytes.js';
import { lineTooLongError } from './csv/limits.js';
import { decodeText } from './csv/text.js';

export interface TextLine {
  /** 1-based line number */
  line: number;
  /** the line without its line end */
  text: string;
}

export interface TextLinesOptions {
  /** the longest line accepted, in bytes without its line end (default IO_DEFAULTS.maxLineBytes) */
  maxLineBytes?: number | undefined;
}

const CHUNK_BYTES = 64 * 1024;
const { CR, LF } = BYTE;

/** Every line of a file, empty ones included (a last line without a line end too; none after a final line end). */
export async function* readTextLines(file: string, options: TextLinesOptions = {}): AsyncGenerator<TextLine> {
  const maxLineBytes = resolveMaxLineBytes(options.maxLineBytes);
  const handle = await openFileHandle(file);
  try {
    const chunk = new Uint8Array(CHUNK_BYTES);
    /** the start of a line that ran past a chunk's end (at most the limit + 1 bytes: a CR may follow) */
    let carry: Uint8Array = new Uint8Array(Math.min(maxLineBytes + 1, 4096));
    let carryLength = 0;
    let line = 1;
    let position = 0;
    const tooLong = () => lineTooLongError(file, 'line', maxLineBytes, { line });
    const keep = (from: Uint8Array, start: number, end: number) => {
      const length = carryLength + end - start;
      if (length > maxLineBytes + 1) throw tooLong();
      if (length > carry.length) carry = grow(carry, carryLength, Math.min(Math.max(2 * carry.length, length), maxLineBytes + 1));
      carry.set(from.subarray(start, end), carryLength);
      carryLength = length;
    };
    const text = (bytes: Uint8Array): string => {
      const length = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
      if (length > maxLineBytes) throw tooLong();
      return decodeText(bytes.subarray(0, length));
    };
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      let start = 0;
      for (let lineFeed = chunk.indexOf(LF, start); lineFeed >= 0 && lineFeed < bytesRead; lineFeed = chunk.indexOf(LF, start)) {
        let bytes: Uint8Array;
        if (carryLength > 0) {
          keep(chunk, start, lineFeed);
          bytes = carry.subarray(0, carryLength);
        } else {
          bytes = chunk.subarray(start, lineFeed);
        }
        const current = { line, text: text(bytes) };
        carryLength = 0;
        start = lineFeed + 1;
        line++;
        yield current;
      }
      keep(chunk, start, bytesRead);
    }
    if (carryLength > 0) yield { line, text: text(carry.subarray(0, carryLength)) };
  } finally {
    await handle.close();
  }
}
