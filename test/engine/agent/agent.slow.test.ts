/**
 * The retrain agent: the locked state under parallel processes, webhook alerts against a real local
 * HTTP server (retries, failures never failing the check, the URL never logged), and the whole
 * story: v1 -> quiet -> drift alert then cooldown -> retrain -> v2 promoted -> quiet against v2 ->
 * monitor shows v2 better than v1 on the drifted data.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../../engine/synth/index.js';
import { trainModel, promoteModel, predictFile } from '../../../engine/model/index.js';
import { agentCheck, agentRetrain, agentStatus, agentWatch, readState, type AgentOptions } from '../../../engine/agent/index.js';
import { monitorPredictions } from '../../../engine/monitor/index.js';
import { cliArgs, tempDir } from '../../helpers.js';

const dir = tempDir('dc-agent-');
const registry = join(dir, 'models');
const files = { train: join(dir, 'train.csv'), quiet: join(dir, 'quiet.csv'), drifted: join(dir, 'drifted.csv'), labelled: join(dir, 'labelled-drifted.csv'), later: join(dir, 'later-drifted.csv') };

beforeAll(async () => {
  await synthesize({ rows: 2000, seed: 1, out: files.train });
  await synthesize({ rows: 1000, seed: 2, out: files.quiet });
  await synthesize({ rows: 1000, seed: 3, drift: 'severe', out: files.drifted });
  await synthesize({ rows: 10000, seed: 4, drift: 'severe', out: files.labelled });
  await synthesize({ rows: 1000, seed: 5, drift: 'severe', out: files.later });
  await trainModel({ data: files.train, registry: registry, nEstimators: 10, workers: 0, seed: 7 });
  await promoteModel(1, { registry });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function base(stateDir: string, extra: Partial<AgentOptions> = {}): AgentOptions {
  return { registry, stateDir, record: false, drift: { workers: 0 }, train: { nEstimators: 10, workers: 0, seed: 7 }, ...extra };
}

function logLines(stateDir: string): any[] {
  return readdirSync(stateDir).filter((n) => /^agent_\d{8}\.log$/.test(n)).flatMap((n) => readFileSync(join(stateDir, n), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
}

function run(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...cliArgs(), ...args], { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    child.on('close', (code) => resolve(code ?? -1));
  });
}

interface Received { body: any; }
function webhook(answer: (n: number) => number): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      received.push({ body: JSON.parse(text) });
      res.statusCode = answer(received.length);
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const port = (server.address() as { port: number }).port;
    resolve({ server, url: `http://127.0.0.1:${port}/hooks/SECRET-token-123`, received });
  }));
}

describe('agent', () => {
  it('six agents at once lose no count and leave valid JSON', async () => {
    const stateDir = join(dir, 'parallel');
    const codes = await Promise.all(Array.from({ length: 6 }, () => run(['agent', 'check', '--data', files.quiet, '--registry', registry, '--state-dir', stateDir, '--no-record', '--quiet', '--workers', '0'])));
    expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
    const state = JSON.parse(readFileSync(join(stateDir, 'agent_state.json'), 'utf8'));
    expect(state.total_checks).toBe(6);
    expect(state.drift_results).toHaveLength(6);
    expect(readdirSync(stateDir).filter((n) => n.endsWith('.lock'))).toEqual([]);
    expect(logLines(stateDir).filter((e) => e.event === 'CHECK_OK')).toHaveLength(6);
  });

  it('slack alert delivered after two failures; an always-failing webhook never fails the check; the URL is never logged', async () => {
    const flaky = await webhook((n) => (n <= 2 ? 503 : 200));
    const stateDir = join(dir, 'alerts');
    const first = await agentCheck(files.drifted, base(stateDir, { webhookUrl: flaky.url, alertFormat: 'slack', alertBackoffMs: 20 }));
    flaky.server.close();
    expect(first.taken).toBe('alert');
    expect(first.alert).toMatchObject({ delivered: true, attempts: 3 });
    expect(flaky.received).toHaveLength(3);
    const slack = flaky.received[2]!.body;
    expect(slack.text).toMatch(/RETRAIN/);
    expect(slack.text).toMatch(/overall psi \d\.\d{4} \(retrain above 0\.2, alert above 0\.1\), \d+\/\d+ features drifted \(psi above 0\.2\)/);
    expect(JSON.stringify(slack.blocks)).toMatch(/Top drifted features/);
    expect(JSON.stringify(slack.blocks)).toMatch(/reference \d+, current 1000/);

    const broken = await webhook(() => 500);
    const again = await agentCheck(files.drifted, base(join(dir, 'alerts-broken'), { webhookUrl: broken.url, alertFormat: 'generic', alertRetries: 2, alertBackoffMs: 10 }));
    broken.server.close();
    expect(again.alert).toMatchObject({ delivered: false, attempts: 3, status: 500 });
    expect(broken.received[0]!.body).toMatchObject({ source: 'driftcatcher', verdict: 'retrain', current_rows: 1000, model: { version: 1 } });
    expect(broken.received[0]!.body.top_drifted_features.length).toBeGreaterThan(0);
    const errors = logLines(join(dir, 'alerts-broken')).filter((e) => e.event === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/not delivered after 3 attempt\(s\): webhook answered HTTP 500/);
    for (const d of ['alerts', 'alerts-broken']) for (const line of logLines(join(dir, d))) expect(JSON.stringify(line)).not.toMatch(/SECRET|127\.0\.0\.1/);

    // with --report-dir: the check's HTML report is written there, and the alert names it
    const discord = await webhook(() => 204);
    const reportDir = join(dir, 'alerts-discord', 'reports');
    const withReport = await agentCheck(files.drifted, base(join(dir, 'alerts-discord'), { webhookUrl: discord.url, alertFormat: 'discord', reportDir }));
    discord.server.close();
    expect(discord.received[0]!.body.embeds[0].fields.map((f: any) => f.name)).toContain('Overall score (psi)');
    const [reportFile] = readdirSync(reportDir);
    expect(reportFile).toMatch(/^drifted\.csv\.\d{8}_\d{6}\.html$/);
    expect(withReport.report_html).toBe(join(reportDir, reportFile!));
    expect(discord.received[0]!.body.embeds[0].fields).toContainEqual({ name: 'HTML report', value: join(reportDir, reportFile!) });
    expect(readFileSync(join(reportDir, reportFile!), 'utf8')).toContain('<svg');
  });

  it('the whole story: wait, alert then cooldown, retrain and promote v2, quiet against v2, v2 better on drifted data', async () => {
    const stateDir = join(dir, 'story');
    const options = base(stateDir, { baseData: files.train });
    expect((await agentCheck(files.quiet, options)).taken).toBe('none');
    const alerted = await agentCheck(files.drifted, options);
    expect(alerted.action).toBe('retrain');
    expect(alerted.taken).toBe('alert'); // no labelled data configured yet
    expect((await agentCheck(files.drifted, options)).taken).toBe('cooldown');
    const retrained = await agentRetrain([files.labelled], options);
    expect(retrained).toMatchObject({ status: 'promoted', version: 2, champion_version: 1 });
    expect(retrained.challenger_score!).toBeGreaterThanOrEqual(retrained.champion_score!);
    const after = await agentCheck(files.later, options);
    expect(after.model).toMatchObject({ version: 2, alias: 'champion' });
    // v2's baseline is the recent labelled data: a batch like it is quiet
    expect(after.action).toBe('wait');
    expect(after.overall_score).toBeLessThan(alerted.overall_score / 10);
    // inside the retrain cooldown now
    expect((await agentRetrain([files.labelled], options)).status).toBe('cooldown');
    const status = await agentStatus(options);
    expect(status).toMatchObject({ total_checks: 4, total_alerts: 1, total_retrains: 1, champion: { version: 2 } });
    const events = logLines(stateDir).map((e) => e.event);
    for (const e of ['CHECK_START', 'CHECK_OK', 'ALERT', 'ALERT_COOLDOWN', 'RETRAIN_START', 'RETRAIN_SUCCESS', 'RETRAIN_COOLDOWN']) expect(events, e).toContain(e);
    const state = await readState(join(stateDir, 'agent_state.json'));
    expect(state.drift_results.map((r) => r.taken).slice(0, 3)).toEqual(['none', 'alert', 'cooldown']);
    expect(state.drift_results[3]!.model_version).toBe(2);

    const v1 = await predictFile({ model: `${registry}@1`, data: files.later, out: join(dir, 'p1.csv') });
    const v2 = await predictFile({ model: `${registry}@2`, data: files.later, out: join(dir, 'p2.csv') });
    expect(v1.labelled && v2.labelled).toBe(true);
    const m1 = await monitorPredictions(join(dir, 'p1.csv'), { registry });
    const m2 = await monitorPredictions(join(dir, 'p2.csv'), { registry });
    expect(m2.champion?.version).toBe(2);
    expect(m2.metrics.f1_score).toBeGreaterThan(m1.metrics.f1_score);
    expect(m2.metrics.accuracy).toBeGreaterThan(m1.metrics.accuracy);
  });

  it('status: the drift trend compares like with like (only results against the current baseline)', async () => {
    const models = join(dir, 'trend-models');
    await trainModel({ data: files.train, registry: models, nEstimators: 10, workers: 0, seed: 7 });
    await promoteModel(1, { registry: models });
    const options = base(join(dir, 'trend'), { registry: models, baseData: files.train });
    const before: number[] = [];
    for (const file of [files.quiet, files.quiet, files.quiet, files.drifted]) before.push((await agentCheck(file, options)).overall_score);
    expect(before[3]).toBeGreaterThan(0.3); // v1 saw drift
    expect((await agentRetrain([files.labelled], options)).status).toBe('promoted');
    const after: number[] = [];
    for (const file of [files.later, files.drifted]) after.push((await agentCheck(file, options)).overall_score);
    expect(Math.max(...after)).toBeLessThan(0.05); // the retrain fixed it
    const status = await agentStatus(options);
    // the PSIs against v1 and v2 are not mixed: 0.01 0.01 0.01 0.7 | 0.01 0.01 would read "rising"
    expect(status.trend, JSON.stringify({ before, after })).toEqual({ method: 'psi', recent: after, direction: 'flat', model_version: 2, baseline_id: expect.stringMatching(/^[0-9a-f]{64}$/), other_baselines: 4, other_methods: 0 });
    const state = await readState(join(dir, 'trend', 'agent_state.json'));
    const ids = state.drift_results.map((r) => r.baseline_id);
    expect(new Set(ids.slice(0, 4)).size).toBe(1);
    expect(ids[4]).toBe(status.trend.baseline_id);
    expect(ids[4]).not.toBe(ids[0]);
  });

  it('nothing assumes PSI: a hellinger check records, logs and trends hellinger; an earlier state\'s PSI results still read', async () => {
    const stateDir = join(dir, 'methods');
    mkdirSync(stateDir, { recursive: true });
    // a registry of its own: v1, trained on the quiet distribution
    const models = join(dir, 'methods-models');
    await trainModel({ data: files.train, registry: models, nEstimators: 10, workers: 0, seed: 7 });
    await promoteModel(1, { registry: models });
    const own = (at: string, extra: Partial<AgentOptions> = {}) => base(at, { registry: models, ...extra });
    const probe = await agentCheck(files.quiet, own(join(dir, 'methods-probe')));
    // a state file as earlier versions wrote it: results with overall_psi only
    const old = (psi: number, i: number) => ({ timestamp: `2025-01-0${i + 1}T00:00:00.000Z`, file: `old-${i}.csv`, overall_psi: psi, n_drifted_features: 0, action: 'wait', taken: 'none', model_version: probe.model.version, baseline_id: probe.report.baseline.id });
    writeFileSync(join(stateDir, 'agent_state.json'), JSON.stringify({ last_retrain_time: null, last_alert_time: null, total_checks: 2, total_alerts: 0, total_retrains: 0, drift_results: [old(0.01, 0), old(0.3, 1)], checked_files: {} }));
    const before = await agentStatus(own(stateDir));
    expect(before.trend).toMatchObject({ method: 'psi', recent: [0.01, 0.3], direction: 'rising', other_methods: 0 });
    expect(before.recent_results.map((r) => [r.method, r.overall_score])).toEqual([['psi', 0.01], ['psi', 0.3]]);

    const result = await agentCheck(files.drifted, own(stateDir, { drift: { workers: 0, method: 'hellinger' } }));
    expect(result).toMatchObject({ method: 'hellinger', overall_score: result.report.overall_score, action: 'retrain', taken: 'alert' });
    expect(result).not.toHaveProperty('overall_psi');
    const state = await readState(join(stateDir, 'agent_state.json'));
    const last = state.drift_results[state.drift_results.length - 1]!;
    expect(last).toMatchObject({ method: 'hellinger', overall_score: result.overall_score });
    expect(last).not.toHaveProperty('overall_psi');
    const lines = logLines(stateDir);
    const checkOk = lines.find((e) => e.event === 'CHECK_OK');
    expect(checkOk).toMatchObject({ method: 'hellinger', overall_score: result.overall_score });
    expect(checkOk.message).toContain(`(overall hellinger ${result.overall_score.toFixed(4)}, `);
    const alert = lines.find((e) => e.event === 'ALERT');
    expect(alert.message).toMatch(/^retrain: overall hellinger \d\.\d{4} \(retrain above 0\.2, alert above 0\.1\)/);
    for (const line of lines) expect(JSON.stringify(line), line.event).not.toMatch(/psi/i);
    // the trend follows the method now in use; the PSI results are left out and counted
    const after = await agentStatus(own(stateDir));
    expect(after.trend).toMatchObject({ method: 'hellinger', recent: [result.overall_score], direction: 'unknown', other_methods: 2 });
  });

  it('watch: a file that leaves the folder leaves the state (the state does not grow with the folder\'s history)', async () => {
    const stateDir = join(dir, 'watch-prune');
    const incoming = join(dir, 'incoming-prune');
    mkdirSync(incoming, { recursive: true });
    copyFileSync(files.quiet, join(incoming, 'a.csv'));
    copyFileSync(files.later, join(incoming, 'b.csv'));
    const stateFile = join(stateDir, 'agent_state.json');
    await agentWatch(incoming, { ...base(stateDir), maxPolls: 1, intervalMs: 1 });
    expect(Object.keys((await readState(stateFile)).checked_files).sort()).toEqual([join(incoming, 'a.csv'), join(incoming, 'b.csv')]);
    rmSync(join(incoming, 'a.csv'));
    await agentWatch(incoming, { ...base(stateDir), maxPolls: 1, intervalMs: 1 });
    const state = await readState(stateFile);
    expect(Object.keys(state.checked_files)).toEqual([join(incoming, 'b.csv')]);
    // b.csv was not checked again, and the counts of the checks stay
    expect(state.total_checks).toBe(2);
  });
});
