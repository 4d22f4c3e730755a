/**
 * The public API is what package.json `exports` names, and each entry point's names are kept in
 * a snapshot (test/engine/__snapshots__/api.slow.test.ts.snap): adding, renaming or dropping a promised
 * name fails here until the snapshot is updated on purpose (`npx vitest run --project integration -u test/engine/api.slow.test.ts`).
 * The names are read by the TypeScript compiler from the sources, types included, as a user's
 * editor sees them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

type Exports = Record<string, string | { types: string; default: string }>;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Exports; main: string; types: string };

/** `./dist/engine/tracking/index.js` -> `engine/tracking/index.ts` */
const sourceOf = (built: string) => built.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');
const entries = Object.entries(pkg.exports)
  .filter((entry): entry is [string, { types: string; default: string }] => typeof entry[1] === 'object')
  .map(([subpath, target]) => ({ name: subpath === '.' ? 'driftcatcher' : `driftcatcher/${subpath.slice(2)}`, target, source: sourceOf(target.default) }));

function exportedNames(): Record<string, { values: string[]; types: string[] }> {
  const program = ts.createProgram(
    entries.map((e) => join(ROOT, e.source)),
    { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, noEmit: true, noLib: true, types: [], noResolve: false },
  );
  const checker = program.getTypeChecker();
  const out: Record<string, { values: string[]; types: string[] }> = {};
  for (const entry of entries) {
    const file = program.getSourceFile(join(ROOT, entry.source));
    const symbol = file && checker.getSymbolAtLocation(file);
    if (!symbol) throw new Error(`${entry.source}: not a module`);
    const values: string[] = [];
    const types: string[] = [];
    for (const exported of checker.getExportsOfModule(symbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      (target.flags & ts.SymbolFlags.Value ? values : types).push(exported.name);
    }
    out[entry.name] = { values: values.sort(), types: types.sort() };
  }
  return out;
}

describe('the public API', () => {
  it('package.json: main and types are the root entry point; every subpath maps dist/ onto a source file of the same path', () => {
    const root = pkg.exports['.'] as { types: string; default: string };
    expect(`./${pkg.main}`).toBe(root.default);
    expect(`./${pkg.types}`).toBe(root.types);
    for (const entry of entries) {
      expect(entry.target.types).toBe(entry.target.default.replace(/\.js$/, '.d.ts'));
      expect(() => readFileSync(join(ROOT, entry.source))).not.toThrow();
    }
  });

  it('internal areas have no entry point: scan, parallel, kernels, util', () => {
    const internal = entries.filter((e) => /^engine\/(scan|parallel|kernels|util)\//.test(e.source));
    expect(internal).toEqual([]);
  });

  it('the names of each entry point, values and types, are the snapshot', () => {
    const names = exportedNames();
    // the root stays small: what a pipeline embedding a drift check needs
    expect(names['driftcatcher']!.values.length).toBeLessThan(40);
    expect(names).toMatchSnapshot();
  });
});
