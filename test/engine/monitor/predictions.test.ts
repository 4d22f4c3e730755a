/**
 * Prediction files through engine/io: CSV by the CSV reader (quoted fields, other columns of any
 * kind, CRLF, the line limit), JSON lines streamed a line at a time under the same limit; every
 * problem one line naming file, line and column.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPredictions } from '../../../engine/monitor/index.js';
import { tempDir } from '../../helpers.js';

const dir = tempDir('dc-predictions-');

function write(name: string, text: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function errorOf(run: () => Promise<unknown>): Promise<Error & { code?: string; line?: number; column?: string; option?: string }> {
  try {
    await run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('readPredictions, CSV', () => {
  it('reads quoted fields and other columns holding commas, quotes and line feeds', async () => {
    const file = write(
      'quoted.csv',
      'id,"note, free text",y_true,y_pred,y_prob\r\n' +
        'a,"says ""hi"", twice",1,"1",0.75\r\n' +
        'b,"two\nlines",0,0,"0.125"\r\n' +
        '\r\n' +
        'c,plain, true ,false,1e-1\r\n',
    );
    const read = await readPredictions(file);
    expect(read).toMatchObject({ format: 'csv', rows: 3 });
    expect(Array.from(read.yTrue)).toEqual([1, 0, 1]);
    expect(Array.from(read.yPred)).toEqual([1, 0, 0]);
    expect(Array.from(read.yProb!)).toEqual([0.75, 0.125, 0.1]);
  });

  it('names the file, line and column of a bad label or probability, lines counted as written', async () => {
    const labels = write('bad-label.csv', 'y_true,y_pred,note\n1,1,"a\nb"\n0,0,x\n1,yes,x\n');
    expect((await errorOf(() => readPredictions(labels))).message).toBe(`${labels}:5: column "y_pred": y_pred must be 0 or 1, got "yes"`);
    const prob = write('bad-prob.csv', 'y_true,y_pred,y_prob\n1,1,0.5\n0,0,\n');
    expect((await errorOf(() => readPredictions(prob))).message).toBe(`${prob}:3: column "y_prob": y_prob must be a probability from 0 to 1, got NaN`);
    const text = write('text-prob.csv', 'y_true,y_pred,y_prob\n1,1,high\n');
    expect((await errorOf(() => readPredictions(text))).message).toBe(`${text}:2: column "y_prob": expected a number, got "high"`);
  });

  it('holds every line to the line limit, in one line naming the option', async () => {
    const file = write('long.csv', `y_true,y_pred,note\n1,1,${'x'.repeat(300)}\n`);
    expect((await readPredictions(file)).rows).toBe(1);
    const err = await errorOf(() => readPredictions(file, { maxLineBytes: 100 }));
    expect(err).toMatchObject({ code: 'DC_ERR_INPUT', line: 2, column: 'note', option: 'maxLineBytes' });
    expect(err.message).not.toContain('\n');
  });
});

describe('readPredictions, JSON lines', () => {
  it('reads CRLF lines and skips blank ones', async () => {
    const file = write('p.jsonl', '{"y_true":1,"y_pred":true,"y_prob":0.9}\r\n\r\n{"y_true":"0","y_pred":0,"y_prob":0.2}');
    const read = await readPredictions(file);
    expect(read).toMatchObject({ format: 'jsonl', rows: 2 });
    expect(Array.from(read.yPred)).toEqual([1, 0]);
    expect(Array.from(read.yProb!)).toEqual([0.9, 0.2]);
  });

  it('reads a line at a time: a line over the limit is an error at its line, found without reading the rest', async () => {
    // 2 good lines, then one of 8 MiB: with the default 1 MiB limit it fails at line 3
    const good = '{"y_true":1,"y_pred":1}\n'.repeat(2);
    const file = write('huge-line.jsonl', good + `{"y_true":1,"y_pred":1,"pad":"${'x'.repeat(8 * 1024 * 1024)}"}\n`);
    const err = await errorOf(() => readPredictions(file));
    expect(err).toMatchObject({ code: 'DC_ERR_INPUT', line: 3, option: 'maxLineBytes' });
    expect(err.message).toBe(`maxLineBytes: ${file}:3: line longer than 1048576 bytes (the line limit)`);
    const small = write('small-limit.jsonl', good);
    expect((await errorOf(() => readPredictions(small, { maxLineBytes: 10 }))).message).toBe(`maxLineBytes: ${small}:1: line longer than 10 bytes (the line limit)`);
  });

  it('decodes bytes that are not UTF-8 instead of failing, and reports bad JSON at its line', async () => {
    const file = write('latin.jsonl', Buffer.concat([Buffer.from('{"y_true":1,"y_pred":0,"note":"a'), Buffer.from([0x96]), Buffer.from('b"}\nnot json\n')]));
    expect((await errorOf(() => readPredictions(file))).message).toBe(`${file}:2: not a JSON object`);
  });
});
