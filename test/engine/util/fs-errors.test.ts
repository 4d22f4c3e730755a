/**
 * File-system failures the user can fix become one InputError naming the path and what is wrong,
 * from real failures (no mocks): a folder where a file goes, a file where a folder goes, a full
 * device (/dev/full), a name too long, a symbolic-link loop, no permission (when not root).
 * writeFileAtomic and the ledger go through it and leave no temp file behind.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ledger } from '../../../engine/tracking/index.js';
import { writeFileAtomic } from '../../../engine/util/index.js';
import { isDriftCatcherError } from '../../../engine/index.js';
import { fileSystemError, ensureDir, ensureParentDir } from '../../../engine/util/fs-errors.js';
import { tempDir } from '../../helpers.js';

const dir = tempDir('dc-fs-errors-');
const aFolder = join(dir, 'a-folder');
const aFile = join(dir, 'a-file');
mkdirSync(aFolder);
writeFileSync(aFile, 'x');

async function failure(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

async function inputError(work: () => Promise<unknown>): Promise<string> {
  const err = await failure(work);
  expect(isDriftCatcherError(err), String(err)).toBe(true);
  expect((err as unknown as { code: string }).code).toBe('DC_ERR_INPUT');
  expect(err.message).not.toMatch(/\n/);
  return err.message;
}

const noTempFiles = (folder: string) => expect(readdirSync(folder).filter((n) => n.endsWith('.tmp'))).toEqual([]);

describe('fileSystemError', () => {
  it('maps real errno failures to what is wrong with the path', async () => {
    const cases: [() => Promise<unknown>, string, RegExp][] = [
      [() => writeFile(aFolder, 'x'), aFolder, /: is a folder, expected a file$/],
      [() => writeFile(join(aFile, 'child.json'), 'x'), join(aFile, 'child.json'), /child\.json: .*a-file is a file, not a folder$/],
      [
        async () => {
          const full = await open('/dev/full', 'a');
          await full.write('x').finally(() => full.close());
        },
        '/dev/full',
        /^\/dev\/full: no space left on the device$/,
      ],
      [() => writeFile(join(dir, 'n'.repeat(300)), 'x'), join(dir, 'n'.repeat(300)), /: the path is too long$/],
    ];
    const loop = join(dir, 'loop');
    symlinkSync(join(dir, 'loop2'), loop);
    symlinkSync(loop, join(dir, 'loop2'));
    cases.push([() => writeFile(join(loop, 'x'), 'x'), join(loop, 'x'), /: too many levels of symbolic links in the path$/]);
    for (const [work, target, pattern] of cases) {
      const err = await failure(work);
      const mapped = fileSystemError(err, target);
      expect(mapped, String(err)).toBeDefined();
      expect(mapped!.code).toBe('DC_ERR_INPUT');
      expect(mapped!.file).toBe(target);
      expect(mapped!.message).toMatch(pattern);
    }
  });

  it('leaves other errors alone', async () => {
    expect(fileSystemError(new Error('boom'))).toBeUndefined();
    expect(fileSystemError(await failure(() => open(join(dir, 'missing.json'), 'r')))).toBeUndefined(); // ENOENT: not a path problem to report here
  });

  it('says what the path is for, and names the path given', async () => {
    expect(await inputError(() => ensureDir(join(aFile, 'runs'), 'the run ledger'))).toBe(`${join(aFile, 'runs')}: ${aFile} is a file, not a folder (the run ledger)`);
    expect(await inputError(() => ensureDir(aFile, 'the demo folder'))).toBe(`${aFile}: is a file, expected a folder (the demo folder)`);
    expect(await inputError(() => ensureParentDir(join(aFile, 'x', 'out.csv')))).toBe(`${join(aFile, 'x', 'out.csv')}: ${aFile} is a file, not a folder`);
  });

  it.skipIf(process.getuid?.() === 0)('permission denied (not as root, who may write anywhere)', async () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    try {
      expect(await inputError(() => writeFileAtomic(join(locked, 'p.json'), '{}'))).toBe(`${join(locked, 'p.json')}: permission denied`);
    } finally {
      chmodSync(locked, 0o755);
    }
  });
});

describe('writes of the tool', () => {
  it('writeFileAtomic: a folder, or a parent that is a file, is an InputError with no temp file left', async () => {
    expect(await inputError(() => writeFileAtomic(aFolder, '{}'))).toBe(`${aFolder}: is a folder, expected a file`);
    noTempFiles(dir);
    expect(await inputError(() => writeFileAtomic(join(aFile, 'p.json'), '{}'))).toBe(`${join(aFile, 'p.json')}: ${aFile} is a file, not a folder`);
    expect(existsSync(join(aFolder, 'p.json'))).toBe(false);
  });

  it('writeFileAtomic with `exists`: an existing file is kept as it was, even when many writers race for a new one', async () => {
    const kept = join(dir, 'kept.yml');
    writeFileSync(kept, 'mine\n');
    expect(await inputError(() => writeFileAtomic(kept, 'theirs\n', { exists: 'already exists' }))).toBe(`${kept}: already exists`);
    const raced = join(dir, 'raced', 'new.yml');
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => writeFileAtomic(raced, `writer ${i}\n`, { exists: 'already exists' })));
    const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    expect(readFileSync(raced, 'utf8')).toBe(`writer ${won[0]}\n`);
    expect(readFileSync(kept, 'utf8')).toBe('mine\n');
    expect(readdirSync(join(dir, 'raced'))).toEqual(['new.yml']);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('the ledger in a file, or under one', async () => {
    const run = { experiment: 'e', runName: 'r', startTime: Date.now() };
    expect(await inputError(() => new Ledger(aFile).create(run))).toBe(`${aFile}: is a file, expected a folder (the run ledger)`);
    expect(await inputError(() => new Ledger(join(aFile, 'ledger')).create(run))).toBe(`${join(aFile, 'ledger')}: ${aFile} is a file, not a folder (the run ledger)`);
  });
});
