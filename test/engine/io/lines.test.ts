/**
 * readTextLines (engine/io/lines.ts) against splitting the whole text: lines that straddle the
 * 64 KiB read chunks, CRLF cut between chunks, empty lines, a last line without a line end, and
 * the line limit at exactly its size and one byte over.
 */
import { describe, expect, it } from 'vitest';
import { readTextLines } from '../../../engine/io/index.js';
import { seededRandom, writeTemp } from './fixtures.js';

async function lines(file: string, maxLineBytes?: number): Promise<Array<[number, string]>> {
  const out: Array<[number, string]> = [];
  for await (const { line, text } of readTextLines(file, { maxLineBytes })) out.push([line, text]);
  return out;
}

/** The same text split in one go: LF or CRLF ends a line, no line after a final line end. */
function split(text: string): Array<[number, string]> {
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((part, i) => [i + 1, part.endsWith('\r') ? part.slice(0, -1) : part]);
}

describe('readTextLines', () => {
  it('gives the lines of splitting the whole text, whatever the chunk boundaries', async () => {
    const random = seededRandom(7);
    for (let round = 0; round < 6; round++) {
      const parts: string[] = [];
      let length = 0;
      while (length < 300_000) {
        // mostly short lines, some around and above the 64 KiB chunk size
        const size = random() < 0.1 ? Math.floor(random() * 140_000) : Math.floor(random() * 80);
        const eol = random() < 0.5 ? '\r\n' : '\n';
        const line = 'x'.repeat(size) + eol;
        parts.push(line);
        length += line.length;
      }
      const text = parts.join('') + (round % 2 ? 'last line without a line end' : '');
      const file = writeTemp(`lines-${round}.txt`, text);
      expect(await lines(file)).toEqual(split(text));
    }
  });

  it('cuts CRLF between two chunks and keeps empty lines', async () => {
    const text = 'a'.repeat(65_535) + '\r\n\n\r\nb\r\n';
    const file = writeTemp('crlf-cut.txt', text);
    expect(await lines(file)).toEqual([
      [1, 'a'.repeat(65_535)],
      [2, ''],
      [3, ''],
      [4, 'b'],
    ]);
  });

  it('accepts a line of exactly the limit (its CRLF not counted) and refuses one byte more, at its line', async () => {
    const file = writeTemp('limit.txt', `short\r\n${'y'.repeat(100)}\r\n${'z'.repeat(101)}\n`);
    await expect(lines(file, 100)).rejects.toMatchObject({ code: 'DC_ERR_INPUT', line: 3, option: 'maxLineBytes', message: `maxLineBytes: ${file}:3: line longer than 100 bytes (the line limit)` });
    const ok = writeTemp('limit-ok.txt', `short\r\n${'y'.repeat(100)}\r\n`);
    expect((await lines(ok, 100)).map(([, text]) => text.length)).toEqual([5, 100]);
  });
});
