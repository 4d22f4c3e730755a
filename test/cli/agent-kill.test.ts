/**
 * `agent check` killed with SIGKILL while it retrains (a real child process, killed once its
 * RETRAIN_START is logged and its work folder holds the rows it trains on): the next `agent check` is not
 * in the retrain cooldown, logs RETRAIN_FAILED for the dead run, leaves no work folder or temp file
 * behind, and registers the next version number.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../engine/synth/index.js';
import { promoteModel, trainModel } from '../../engine/model/index.js';
import { NEW_TRAIN_FILE } from '../../engine/agent/index.js';
import { cliArgs, tempDir } from '../helpers.js';
import { cliAsync } from '../engine/tracking/support.js';

const dir = tempDir('dc-cli-agent-kill-');
const models = join(dir, 'models');
const stateDir = join(dir, 'state');
const files = { train: join(dir, 'train.csv'), drifted: join(dir, 'drifted.csv'), labelled: join(dir, 'labelled.csv') };

beforeAll(async () => {
  await synthesize({ rows: 2000, seed: 21, out: files.train });
  await synthesize({ rows: 600, seed: 22, drift: 'severe', out: files.drifted });
  await synthesize({ rows: 4000, seed: 23, drift: 'severe', out: files.labelled });
  await trainModel({ data: files.train, registry: models, nEstimators: 10, workers: 0, seed: 7 });
  await promoteModel(1, { registry: models });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function logLines(): any[] {
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir)
    .filter((n) => /^agent_\d{8}\.log$/.test(n))
    .sort()
    .flatMap((n) => readFileSync(join(stateDir, n), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l)));
}

const workFolders = () => (existsSync(join(stateDir, 'retrain')) ? readdirSync(join(stateDir, 'retrain')) : []);

/** Every file under `root` whose name ends in .tmp (recursively). */
function tempFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((n) => n.endsWith('.tmp'));
}

async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!probe()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const args = (trees: number) => ['agent', 'check', '--data', files.drifted, '--json', '--registry', models, '--state-dir', stateDir, '--no-record', '--workers', '0', '--labeled-data', files.labelled, '--base-data', files.train, '--n-estimators', String(trees), '--train-workers', '0', '--seed', '7'];

describe('agent check under kill -9', () => {
  it('a retrain killed with SIGKILL does not burn the cooldown, is logged as RETRAIN_FAILED and leaves nothing behind', async () => {
    // enough trees that the retrain is still running when the kill comes
    const child = spawn(process.execPath, [...cliArgs(), ...args(20_000)], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    try {
      await until('RETRAIN_START', () => logLines().some((e) => e.event === 'RETRAIN_START'));
      // training has begun once its new rows are written into the work folder (the holdout stays in memory)
      await until('the work folder', () => workFolders().some((w) => existsSync(join(stateDir, 'retrain', w, NEW_TRAIN_FILE))));
      await new Promise((r) => setTimeout(r, 300));
      expect(child.exitCode, stderr).toBeNull(); // still training
    } finally {
      child.kill('SIGKILL');
    }
    expect(await closed).toBe('SIGKILL');
    const started = logLines().find((e) => e.event === 'RETRAIN_START');
    expect(logLines().map((e) => e.event)).not.toContain('RETRAIN_FAILED');
    expect(workFolders()).toHaveLength(1); // what the dead retrain left
    // status already sees that the retrain's process is gone: no cooldown
    const status = await cliAsync(['agent', 'status', '--json', '--registry', models, '--state-dir', stateDir]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ retrain_running: { pid: child.pid, alive: false }, retrain_cooldown_left_hours: 0, last_retrain_time: null });

    // the next check: no cooldown, the dead run logged, its leftovers gone, v2 registered
    const next = await cliAsync(args(10));
    expect(next.code, next.stderr).toBe(0);
    const result = JSON.parse(next.stdout);
    expect(result).toMatchObject({ action: 'retrain', taken: 'retrain', retrain: { status: 'promoted', version: 2, champion_version: 1 } });
    const failed = logLines().filter((e) => e.event === 'RETRAIN_FAILED');
    expect(failed).toHaveLength(1);
    expect(failed[0].pid).toBe(started.pid);
    expect(failed[0].pid).toBe(child.pid);
    expect(failed[0].message).toMatch(new RegExp(`^the retrain started at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z by pid ${child.pid} did not finish \\(process gone\\)`));
    expect(next.stderr).toMatch(/RETRAIN_FAILED the retrain started at .* by pid \d+ did not finish \(process gone\)/);
    // RETRAIN_FAILED for the dead run comes before the new check starts
    const events = logLines().map((e) => e.event);
    expect(events.indexOf('RETRAIN_FAILED')).toBeLessThan(events.lastIndexOf('CHECK_START'));

    expect(workFolders()).toEqual([]);
    expect(tempFiles(stateDir)).toEqual([]);
    expect(tempFiles(models)).toEqual([]);
    const registry = JSON.parse(readFileSync(join(models, 'registry.json'), 'utf8'));
    expect(registry.versions.map((v: any) => v.version)).toEqual([1, 2]);
    expect(registry.aliases.champion).toBe(2);
    expect(readdirSync(models).filter((n) => /^v\d+$/.test(n)).sort()).toEqual(['v1', 'v2']);
    const state = JSON.parse(readFileSync(join(stateDir, 'agent_state.json'), 'utf8'));
    expect(state).toMatchObject({ total_checks: 2, total_retrains: 1, retrain_claim: null });
    expect(state.drift_results.map((r: any) => r.taken)).toEqual(['retrain', 'retrain']);
  }, 30_000);
});
