/**
 * Training in bounded memory (engine/model/stream.ts), measured on the built CLI as shipped: the
 * peak RSS of `driftcatcher train` (worker threads included, process.resourceUsage().maxRSS of
 * the child, written by a preload at exit) at 150,000 and 650,000 generated CICIDS-shaped rows
 * (80 features). What a row adds is at most 200 bytes (the whole Float64 table alone is 640),
 * so the 2.83M-row CICIDS set trains in under 1 GB. A peak RSS moves by tens of MiB from run to
 * run (when the collector runs): each size is trained twice and its lower peak kept, and the sizes
 * are 500,000 rows apart, so that this noise is a small part of the slope.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_CLI, tempDir } from '../../helpers.js';

const dir = tempDir('dc-train-memory-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BYTES_PER_ROW = 200;
const CICIDS_ROWS = 2_830_743;

/** Run the built CLI with a preload that writes the process's peak RSS (bytes) to a file. */
function cliWithPeak(args: string[]): { code: number | null; stdout: string; stderr: string; peak: number } {
  const peakFile = join(dir, 'peak.txt');
  const preload = join(dir, 'peak.mjs');
  writeFileSync(preload, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(peakFile)}, String(process.resourceUsage().maxRSS * 1024)));\n`);
  const result = spawnSync(process.execPath, ['--import', preload, BUILT_CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, peak: Number(readFileSync(peakFile, 'utf8')) };
}

function synth(rows: number): string {
  const file = join(dir, `synth-${rows}.csv`);
  const made = spawnSync(process.execPath, [BUILT_CLI, 'synth', '--rows', String(rows), '--seed', '7', '-o', file], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  return file;
}

describe('train in bounded memory', () => {
  it('a training row costs at most 200 bytes of peak RSS (rf and gbt), so 2.83M rows fit in 1 GB', () => {
    const small = synth(150_000);
    const LARGE = 650_000;
    const large = synth(LARGE);
    const train = (file: string, model: string, extra: string[]) => {
      const run = cliWithPeak(['train', file, '--model', model, '--workers', '2', '--registry', join(dir, `models-${model}`), '--json', ...extra]);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as { data: { rows_read: number; train_rows: number; train_sample_rows: number }; metrics: { accuracy: number } };
      return { ...run, result };
    };
    const lower = <T extends { peak: number }>(a: T, b: T): T => (a.peak <= b.peak ? a : b);
    const rfOf = (file: string) => lower(train(file, 'rf', ['--n-estimators', '4']), train(file, 'rf', ['--n-estimators', '4']));
    const rf = [rfOf(small), rfOf(large)];
    expect(rf[1]!.result.data.rows_read).toBe(LARGE);
    // the sample is bounded: both runs hold the same number of sampled rows (the fixed part)
    expect(rf[1]!.result.data.train_sample_rows).toBeLessThan(100_000);
    expect(rf[1]!.result.data.train_sample_rows).toBeGreaterThan(70_000);
    expect(rf[1]!.result.metrics.accuracy).toBeGreaterThan(0.99);
    const slope = (rf[1]!.peak - rf[0]!.peak) / (LARGE - 150_000);
    const at = (rows: number) => rf[0]!.peak + Math.max(0, slope) * (rows - 150_000);
    const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
    const summary = `rf peak ${mib(rf[0]!.peak)} at 150k rows, ${mib(rf[1]!.peak)} at ${LARGE / 1000}k: ${slope.toFixed(0)} bytes a row, ${mib(at(CICIDS_ROWS))} at ${CICIDS_ROWS}`;
    expect(slope, summary).toBeLessThanOrEqual(BYTES_PER_ROW);
    expect(at(CICIDS_ROWS), summary).toBeLessThan(1 << 30);
    // the boosting has a memory of its own (gradients, histograms): within the same bound
    const gbt = train(large, 'gbt', ['--param', 'max_iter=5']);
    expect(gbt.peak, `gbt peak ${mib(gbt.peak)} at ${LARGE / 1000}k rows; ${summary}`).toBeLessThanOrEqual(rf[0]!.peak + BYTES_PER_ROW * (LARGE - 150_000));
  }, 900_000);
});
