/**
 * The layering of docs/ARCHITECTURE.md, checked on the import graph (static imports, `import type`,
 * re-exports and dynamic `import()`): areas import only areas below them, and only through their
 * index.ts; the CLI only through the public entry points (package.json exports); worker threads load only what the design
 * allows. Also: each test file sits in the vitest project of what it needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MLFLOW_TESTS, POSTGRES_TESTS, REFERENCE_TESTS } from '../../vitest.config.js';
import { ROOT } from '../helpers.js';

/** engine's areas from the bottom up: each may import only those before it. */
export const AREAS = ['util', 'kernels', 'parallel', 'io', 'scan', 'synth', 'profile', 'quality', 'drift', 'model', 'monitor', 'sources', 'tracking', 'report', 'agent'] as const;
/** Files directly in engine/: above every area (the library's entry point, the demo's orchestration). */
const ROOT_FILES = ['engine/index.ts', 'engine/demo.ts'];
/** What a worker thread may load besides its own area. */
const WORKER_AREAS = ['util', 'kernels', 'parallel', 'io'];
const WORKERS = { 'engine/scan/worker.ts': 'scan', 'engine/model/train-worker.ts': 'model' } as const;

interface Edge {
  from: string;
  to: string;
  /** `import type` / `export type`: erased, never loaded */
  typeOnly: boolean;
  line: number;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function edgesOf(file: string): Edge[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const edges: Edge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const specifier = m[3] ?? m[4]!;
    const to = normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts');
    const line = text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0);
    edges.push({ from: file, to, typeOnly: m[2] !== undefined, line });
  }
  return edges;
}

const areaOf = (file: string): string | undefined => /^engine\/([a-z]+)\//.exec(file)?.[1];
const rank = (area: string): number => (AREAS as readonly string[]).indexOf(area);
const where = (e: Edge) => `${e.from}:${e.line} -> ${e.to}`;

const engineFiles = sourceFiles('engine');
const graph = new Map(engineFiles.map((file) => [file, edgesOf(file)]));

describe('the layering of engine/', () => {
  it('every file is in a known area or is a root file', () => {
    const strays = engineFiles.filter((file) => {
      const area = areaOf(file);
      return area === undefined ? !ROOT_FILES.includes(file) : rank(area) < 0;
    });
    expect(strays).toEqual([]);
  });

  it('an area imports only areas below it (no upward edge, so no cycle between areas)', () => {
    const upward: string[] = [];
    for (const edges of graph.values()) {
      for (const e of edges) {
        const from = areaOf(e.from);
        const to = areaOf(e.to);
        if (from === undefined || to === undefined || from === to) continue;
        if (rank(to) > rank(from)) upward.push(where(e));
      }
    }
    expect(upward).toEqual([]);
  });

  it("another area is reached only through its index.ts, the area's only export", () => {
    const internal: string[] = [];
    for (const edges of graph.values()) {
      for (const e of edges) {
        const to = areaOf(e.to);
        if (to === undefined || areaOf(e.from) === to) continue;
        if (e.to !== `engine/${to}/index.ts`) internal.push(where(e));
      }
    }
    expect(internal).toEqual([]);
  });

  it('the root files import area indexes only', () => {
    const bad = ROOT_FILES.flatMap((file) => (graph.get(file) ?? []).filter((e) => !/^engine\/[a-z]+\/index\.ts$/.test(e.to) && !ROOT_FILES.includes(e.to)).map(where));
    expect(bad).toEqual([]);
  });

  it('no import cycle between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      stack.push(file);
      for (const e of graph.get(file) ?? []) {
        if (e.typeOnly || !graph.has(e.to)) continue;
        if (state.get(e.to) === 'open') cycles.push([...stack.slice(stack.indexOf(e.to)), e.to].join(' -> '));
        else if (!state.has(e.to)) visit(e.to);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of engineFiles) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it.each(Object.entries(WORKERS))('the worker %s loads only util, kernels, parallel, io and its own area', (worker, own) => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const e of graph.get(file) ?? []) if (!e.typeOnly) visit(e.to);
    };
    visit(worker);
    const outside = [...seen].filter((file) => {
      const area = areaOf(file);
      return area === undefined || (area !== own && !WORKER_AREAS.includes(area));
    });
    expect(outside).toEqual([]);
  });
});

describe('the CLI', () => {
  const cliFiles = sourceFiles('cli');
  // the public entry points (package.json exports, as sources), and engine/util's index: the errors the
  // root re-exports, without loading the root's other areas before the command line is parsed
  const exportsMap = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).exports as Record<string, string | { default: string }>;
  const entryPoints = Object.values(exportsMap).flatMap((t) => (typeof t === 'object' ? [t.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts')] : []));
  const allowed = new Set([...entryPoints, 'engine/util/index.ts']);
  it('imports the engine only through its public entry points (package.json exports) and engine/util', () => {
    expect(entryPoints).toContain('engine/index.ts');
    const bad = cliFiles.flatMap((file) =>
      edgesOf(file)
        .filter((e) => e.to.startsWith('engine/') && !allowed.has(e.to))
        .map(where),
    );
    expect(bad).toEqual([]);
  });
});

describe('the tests', () => {
  const testFiles = sourceFiles('test').filter((file) => file.endsWith('.test.ts'));
  const matches = (file: string, globs: string[]) =>
    globs.some((glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(.*/)?').replace(/\*/g, '[^/]*')}$`).test(file));

  it('mirror engine/: test/engine/<area>/ exists only for an area of engine/', () => {
    const areas = new Set(testFiles.map((file) => /^test\/engine\/([a-z]+)\//.exec(file)?.[1]).filter((a) => a !== undefined));
    expect([...areas].filter((area) => rank(area!) < 0)).toEqual([]);
  });

  it('a test that needs the Python references, the MLflow server or the PostgreSQL server is in that project', () => {
    const [usesServer, usesPython, usesPostgres] = ['mlflowUri', 'pythonPath', 'postgresUrl'].map((key) => new RegExp(`\\binject\\(['"]${key}['"]\\)`));
    const misplaced = testFiles.filter((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      if (usesPostgres!.test(text)) return !matches(file, POSTGRES_TESTS);
      if (usesServer!.test(text)) return !matches(file, MLFLOW_TESTS);
      if (usesPython!.test(text)) return !matches(file, [...REFERENCE_TESTS, ...MLFLOW_TESTS]);
      return false;
    });
    expect(misplaced.map((file) => relative(ROOT, join(ROOT, file)))).toEqual([]);
  });
});
