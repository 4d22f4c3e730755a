/**
 * The reader registry (engine/io/readers.ts): every reader in engine/io is in the one list, named
 * after its format, with its own extensions; a file goes to its reader by extension, else by its
 * first bytes, else to CSV; and the registry, which every scan worker loads, loads no apache-arrow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FALLBACK_READER, READERS, detectFormat, readerFor, readerOf, type Reader } from '../../../engine/io/index.js';
import { ROOT } from '../../helpers.js';
import { HEAD_9998, writeTemp } from './fixtures.js';

const IO = join(ROOT, 'engine', 'io');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function isReader(value: unknown): value is Reader {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate['format'] === 'string' && Array.isArray(candidate['extensions']) && ['sniff', 'open', 'planScan', 'scanUnit'].every((method) => typeof candidate[method] === 'function');
}

describe('the reader registry', () => {
  it('lists every reader defined in engine/io, each in the file named after its format', async () => {
    const found: Array<{ file: string; reader: Reader }> = [];
    for (const file of sourceFiles(IO)) {
      const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      for (const value of Object.values(module)) if (isReader(value)) found.push({ file: relative(IO, file), reader: value });
    }
    const listed = new Set<Reader>(READERS);
    const unlisted = found.filter(({ reader }) => !listed.has(reader)).map(({ file, reader }) => `${file}: ${reader.format}`);
    expect(unlisted).toEqual([]);
    // where each listed reader is defined (index.ts re-exports them, readers.ts names the fallback)
    const home = (reader: Reader) => found.filter(({ file, reader: r }) => r === reader && file !== 'index.ts' && file !== 'readers.ts').map(({ file }) => file);
    for (const reader of READERS) expect(home(reader), reader.format).toEqual([`${reader.format}.ts`]);
  });

  it('gives each format one reader and each extension one format', () => {
    const formats = READERS.map((reader) => reader.format);
    expect(new Set(formats).size).toBe(formats.length);
    const extensions = READERS.flatMap((reader) => [...reader.extensions]);
    expect(new Set(extensions).size).toBe(extensions.length);
    for (const extension of extensions) expect(extension).toMatch(/^\.[a-z0-9]+$/);
    for (const reader of READERS) expect(readerOf(reader.format)).toBe(reader);
    expect(() => readerOf('xlsx')).toThrow(expect.objectContaining({ code: 'DC_ERR_INTERNAL' }));
  });

  it('picks a reader by extension whatever the bytes, else by the first bytes, else CSV', () => {
    const arrowMagic = writeTemp('named.csv', 'ARROW1\0\0');
    expect(readerFor(arrowMagic).format).toBe('csv');
    expect(readerFor(writeTemp('data.FEATHER', 'a,b\n1,2\n')).format).toBe('arrow');
    expect(detectFormat(writeTemp('no-extension', 'ARROW1\0\0rest'))).toBe('arrow');
    expect(detectFormat(writeTemp('stream.bin', Buffer.from([0xff, 0xff, 0xff, 0xff, 8, 0, 0, 0])))).toBe('arrow');
    expect(detectFormat(writeTemp('columns.dat', 'PAR1....'))).toBe('parquet');
    expect(readerFor(writeTemp('table.txt', 'a,b\n1,2\n'))).toBe(FALLBACK_READER);
    expect(readerFor(HEAD_9998)).toBe(FALLBACK_READER);
    // a name with a known extension is never opened: a missing one still has a format
    expect(detectFormat(join(IO, 'missing.arrow'))).toBe('arrow');
    expect(() => detectFormat(join(IO, 'missing'))).toThrow(expect.objectContaining({ code: 'DC_ERR_INPUT', message: `${join(IO, 'missing')}: no such file` }));
  });

  it('loads no apache-arrow (nor hyparquet) with the registry (the scan workers load it): readers load it on first use', () => {
    const imports = (file: string) => {
      const text = readFileSync(file, 'utf8');
      // static imports that load something (not `import type`, not `import(...)`)
      return [...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    };
    const seen = new Set<string>();
    const loadsArrow: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of imports(file)) {
        if (specifier === 'apache-arrow' || specifier.startsWith('hyparquet')) loadsArrow.push(relative(ROOT, file));
        else if (specifier.startsWith('.')) visit(normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts'));
      }
    };
    visit(join(IO, 'index.ts'));
    expect(seen.has(join(IO, 'readers.ts'))).toBe(true);
    expect(loadsArrow).toEqual([]);
  });
});
