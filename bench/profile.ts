/**
 * `npm run bench -- profile [--rows 2830743] [--workers 2] [--input csv|arrow] [--top 15]`:
 * runs the CLI scan of the benchmark batch (`--compat driftcatcher`, as `compare` does) under
 * `node --cpu-prof` and prints, for the main thread and each worker thread, the functions with
 * the most self time. The .cpuprofile files stay in bench/results/profile-<timestamp>/ (open them
 * in Chrome DevTools or speedscope). `--from <dir>` summarises the profiles already in a folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createBaseline, saveProfile } from '../engine/index.js';
import { packageRoot } from '../engine/util/paths.js';
import { ensureData, TRAIN_ROWS } from './data.js';
import { table } from './stats.js';
import { scanExtraArgs } from './compare.js';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  share: number;
}

/** Self time per function (by name and location), largest first; total = the profile's span. */
export function selfTimes(profile: CpuProfile): { totalMs: number; functions: SelfTime[] } {
  const byNode = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) byNode.set(profile.samples[i]!, (byNode.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const root = packageRoot();
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const location = (callFrame: CpuProfile['nodes'][number]['callFrame']) => {
    const path = callFrame.url.startsWith('file://') ? relative(root, new URL(callFrame.url).pathname) : callFrame.url;
    return path ? `${path}:${callFrame.lineNumber + 1}` : '';
  };
  const byFunction = new Map<string, SelfTime>();
  for (const node of profile.nodes) {
    const us = byNode.get(node.id);
    if (!us) continue;
    const { functionName, url } = node.callFrame;
    let where = location(node.callFrame);
    if (url.startsWith('wasm://')) {
      // anonymous WASM functions: name the JavaScript function that called into the module
      let up = parent.get(node.id);
      // (past the JS-to-WASM wrapper frames, which have no script)
      while (up !== undefined && (nodes.get(up)!.callFrame.url === '' || nodes.get(up)!.callFrame.url.startsWith('wasm://'))) up = parent.get(up);
      const caller = up === undefined ? undefined : nodes.get(up)!.callFrame;
      if (caller && caller.functionName) where += ` (called by ${caller.functionName} ${location(caller)})`;
    }
    const key = `${functionName}@${where}`;
    const entry = byFunction.get(key) ?? { name: functionName || '(anonymous)', where, ms: 0, share: 0 };
    entry.ms += us / 1000;
    byFunction.set(key, entry);
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const functions = [...byFunction.values()].sort((a, b) => b.ms - a.ms);
  for (const f of functions) f.share = f.ms / totalMs;
  return { totalMs, functions };
}

export async function benchProfile(args: string[]): Promise<void> {
  const value = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1]! : fallback;
  };
  const from = value('--from', '');
  const top = Number(value('--top', '15'));
  if (from) return summariseProfiles(from, top);
  const rows = Number(value('--rows', '2830743'));
  const workers = value('--workers', '2');
  const input = value('--input', 'csv');
  const train = await ensureData({ rows: TRAIN_ROWS, seed: 1, drift: 'none', format: 'csv' });
  const profilePath = join(packageRoot(), 'bench', 'data', `profile-train-${TRAIN_ROWS}.json`);
  await saveProfile(await createBaseline(train), profilePath);
  const batch = await ensureData({ rows, seed: 2, drift: 'mild', format: input === 'arrow' ? 'arrow' : 'csv' });
  const dir = join(packageRoot(), 'bench', 'results', `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const command = ['--cpu-prof', '--cpu-prof-dir', dir, join(packageRoot(), 'dist', 'cli', 'main.js'), 'scan', '--baseline', profilePath, batch, '--compat', 'driftcatcher', '--json', '--workers', workers, ...scanExtraArgs()];
  const started = performance.now();
  const run = spawnSync(process.execPath, command, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`bench profile: the scan failed: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as { seconds: number; workers: number };
  console.log(`scan of ${relative(packageRoot(), batch)} (${rows} rows), ${report.workers} workers, under --cpu-prof: ${wall.toFixed(2)} s wall, ${report.seconds.toFixed(2)} s in the scan`);
  summariseProfiles(dir, top);
  console.error(`profiles: ${relative(packageRoot(), dir)}`);
}

/** Print the top self-time functions of every .cpuprofile in `dir`, longest profile first. */
function summariseProfiles(dir: string, top: number): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const summaries = files.map((file) => ({ file, ...selfTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile) }));
  // the main thread is the profile that starts first
  summaries.sort((a, b) => b.totalMs - a.totalMs);
  for (const s of summaries) {
    console.log(`\n${s.file}: ${(s.totalMs / 1000).toFixed(2)} s profiled`);
    console.log(table(['self ms', 'share', 'function', 'where'], s.functions.slice(0, top).map((f) => [f.ms.toFixed(0), `${(f.share * 100).toFixed(1)}%`, f.name, f.where])));
  }
}
