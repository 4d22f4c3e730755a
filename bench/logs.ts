/**
 * `npm run bench -- logs --sequential <checkout> [--lines N] [--columns C] [--files F] [--workers W]`:
 * `check --from logs:` over a folder of JSON-lines prediction logs, N lines (default 2,000,000)
 * over 30 days in F files (default 30, one a day), each line a `features` object of C numbers
 * (default 8: half integers, half with six decimals, as a serving API logs them), the last third
 * drifted. The CLI of another checkout (`--sequential`: the parent commit's, built, whose logs
 * source reads the lines one at a time on the main thread) against this one's with --workers 0
 * and with --workers W (default 2), the same command line, two rounds alternating, the best of
 * each; the reference is the first day's rows. Prints a Markdown table and the load.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSource, referenceFromSource } from '../engine/sources/index.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Write the folder: line i at START + i * 30 days / N, in the file of its day. */
async function writeLogsFolder(dir: string, lines: number, columns: number, files: number): Promise<number> {
  let bytes = 0;
  const perFile = Math.ceil(lines / files);
  for (let f = 0; f < files; f++) {
    const out = createWriteStream(join(dir, `predictions-${String(f).padStart(3, '0')}.jsonl`));
    let chunk = '';
    for (let i = f * perFile; i < Math.min(lines, (f + 1) * perFile); i++) {
      const drift = i > (lines * 2) / 3 ? 1.3 : 1;
      const features: string[] = [];
      for (let c = 0; c < columns; c++) {
        const u = ((i * (2654435761 + c * 40503)) % 1000003) / 1000003;
        const v = c % 2 === 0 ? Math.round(u * 1000 * (c + 1) * drift) : Math.round(u * (c + 1) * drift * 1e6) / 1e6;
        features.push(`"f${c}": ${v}`);
      }
      const time = new Date(START + Math.floor((i * 30 * DAY) / lines)).toISOString();
      chunk += `{"timestamp": "${time}", "features": {${features.join(', ')}}, "prediction": ${i % 2}, "probability": ${((i % 97) / 97).toFixed(4)}, "model_version": "v3"}\n`;
      if (chunk.length > 1 << 20) {
        bytes += Buffer.byteLength(chunk);
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        chunk = '';
      }
    }
    bytes += Buffer.byteLength(chunk);
    out.end(chunk);
    await new Promise<void>((resolve) => out.once('finish', () => resolve()));
  }
  return bytes;
}

interface Way {
  name: string;
  main: string;
  extra: string[];
  best: number;
  report?: { overall_score: number; action: string; current: { rows: number } };
}

export async function benchLogs(args: string[]): Promise<void> {
  const lines = Number(argValue(args, '--lines') ?? 2_000_000);
  const columns = Number(argValue(args, '--columns') ?? 8);
  const files = Number(argValue(args, '--files') ?? 30);
  const workers = argValue(args, '--workers') ?? '2';
  const sequential = argValue(args, '--sequential');
  if (!sequential) throw new Error('bench logs: --sequential <checkout> names a built checkout of the parent commit (its dist/cli/main.js)');
  const loadStart = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'dc-bench-logs-'));
  try {
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    let started = performance.now();
    const bytes = await writeLogsFolder(logs, lines, columns, files);
    console.error(`bench logs: wrote ${lines} lines (${(bytes / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const source = await openSource(`logs:${logs}`, { workers: 0 });
    const reference = join(dir, 'reference.json');
    try {
      writeFileSync(reference, JSON.stringify(await referenceFromSource(source, { from: new Date(START), until: new Date(START + DAY) }, { maxRows: lines })));
    } finally {
      await source.close();
    }
    const here = fileURLToPath(new URL('../cli/main.js', import.meta.url));
    const ways: Way[] = [
      { name: `sequential reader (${sequential})`, main: join(sequential, 'dist', 'cli', 'main.js'), extra: [], best: Infinity },
      { name: 'scan, --workers 0', main: here, extra: ['--workers', '0'], best: Infinity },
      { name: `scan, --workers ${workers}`, main: here, extra: ['--workers', workers], best: Infinity },
    ];
    const command = ['check', '--from', `logs:${logs}`, '--baseline', reference, '--window', '30d', '--until', new Date(START + 30 * DAY).toISOString(), '--json', '--no-record'];
    for (let round = 0; round < 2; round++) {
      for (const way of ways) {
        started = performance.now();
        const run = spawnSync(process.execPath, [way.main, ...command, ...way.extra], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
        const seconds = (performance.now() - started) / 1000;
        if (run.status !== 0 && run.status !== 1) throw new Error(`bench logs: ${way.name}: exit ${run.status}: ${run.stderr}`);
        way.best = Math.min(way.best, seconds);
        way.report = JSON.parse(run.stdout);
        console.error(`bench logs: ${way.name}: ${seconds.toFixed(2)} s (${way.report!.current.rows} rows, ${way.report!.action})`);
      }
    }
    const first = ways[0]!.report!;
    const same = (w: Way) => w.report!.overall_score === first.overall_score && w.report!.action === first.action && w.report!.current.rows === first.current.rows;
    const out = [
      `| reader | lines (${(bytes / 2 ** 20).toFixed(0)} MiB, ${files} files, ${columns} features) | check --window 30d | lines/s | vs sequential | same verdict |`,
      '|---|---:|---:|---:|---:|---|',
      ...ways.map((w) => `| ${w.name} | ${lines.toLocaleString('en-US')} | ${w.best.toFixed(2)} s | ${Math.round(lines / w.best).toLocaleString('en-US')} | ${(ways[0]!.best / w.best).toFixed(2)}x | ${same(w) ? 'yes' : 'NO'} |`),
      '',
      ...(await referenceCreate(sequential, here, logs, dir, lines, files)),
      '',
      `load average ${loadStart.map((l) => l.toFixed(2)).join(' ')} at start, ${loadavg().map((l) => l.toFixed(2)).join(' ')} at end`,
    ];
    console.log(out.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `reference create --from logs:` on the first day, by the other checkout's CLI and by this one's:
 * the reference pulls the window's rows through the line reader (JSON.parse of every line of the
 * folder, then the window's fields), the path `monitor --from logs:` reads its rows by too. Two
 * rounds alternating, the best of each; the profiles must be the same (their `created` aside).
 */
async function referenceCreate(other: string, here: string, logs: string, dir: string, lines: number, files: number): Promise<string[]> {
  const ways = [
    { name: `other checkout (${other})`, main: join(other, 'dist', 'cli', 'main.js'), best: Infinity, profile: '' },
    { name: 'this checkout', main: here, best: Infinity, profile: '' },
  ];
  for (let round = 0; round < 2; round++) {
    for (const [i, way] of ways.entries()) {
      const out = join(dir, `reference-${i}.json`);
      const started = performance.now();
      const run = spawnSync(process.execPath, [way.main, 'reference', 'create', '--from', `logs:${logs}`, '--days', '1', '--until', new Date(START + DAY).toISOString(), '-o', out], { encoding: 'utf8' });
      const seconds = (performance.now() - started) / 1000;
      if (run.status !== 0) throw new Error(`bench logs: reference create, ${way.name}: exit ${run.status}: ${run.stderr}`);
      way.best = Math.min(way.best, seconds);
      const { created: _created, ...profile } = JSON.parse(readFileSync(out, 'utf8')) as { created?: string };
      way.profile = JSON.stringify(profile);
      console.error(`bench logs: reference create, ${way.name}: ${seconds.toFixed(2)} s`);
    }
  }
  const [theirs, ours] = ways as [typeof ways[0], typeof ways[0]];
  return [
    `| reference create --from logs: --days 1 (every line of the ${files} files read, ${lines.toLocaleString('en-US')} lines) | s | vs other checkout | same profile |`,
    '|---|---:|---:|---|',
    ...ways.map((w) => `| ${w.name} | ${w.best.toFixed(2)} | ${(theirs.best / w.best).toFixed(2)}x | ${w.profile === ours.profile ? 'yes' : 'NO'} |`),
  ];
}
