/** The CLI end to end: baseline, check (--json contract, --fail-on), scan, synth (.csv and .arrow), demo. */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { DRIFT_DEFAULTS, DRIFT_METHODS } from '../../engine/drift/index.js';
import { HEAD_9998, ROOT, cli, readCsvText, tempDir, writeCsvText, editColumns } from '../helpers.js';

const dir = tempDir('dc-cli-');
let profile: string;
let drifted: string;

beforeAll(() => {
  profile = join(dir, 'profile.json');
  const made = cli(['baseline', HEAD_9998, '-o', profile, '--json']);
  expect(made.code, made.stderr).toBe(0);
  const csv = readCsvText(HEAD_9998);
  drifted = writeCsvText(
    join(dir, 'drifted.csv'),
    editColumns(csv, Object.fromEntries(['Flow Duration', 'Total Fwd Packets', 'Fwd IAT Total', 'Packet Length Mean', 'Average Packet Size', 'Init_Win_bytes_backward', 'Flow IAT Max'].map((n) => [n, (c: string) => String(Number(c) * 4 + 9)]))),
  );
});

describe('driftcatcher CLI', () => {
  it('the bin runs as a program (shebang and executable bit), as `npx driftcatcher` runs it', () => {
    const result = spawnSync(join(ROOT, 'dist', 'cli', 'main.js'), ['--version'], { encoding: 'utf8' });
    expect(result.error, String(result.error)).toBeUndefined();
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('baseline writes a versioned profile and summarises it', () => {
    const saved = JSON.parse(readFileSync(profile, 'utf8'));
    expect(saved.format).toBe('driftcatcher-profile');
    expect(saved.version).toBe(2);
    expect(saved.resolution).toBe(1000);
    expect(saved.rows).toBe(9998);
    expect(saved.features).toHaveLength(78);
    // rows with an Infinity / NaN feature cell are not complete (counted here from the text)
    const incomplete = readCsvText(HEAD_9998).rows.filter((line) => line.split(',').slice(0, -1).some((c) => !Number.isFinite(Number(c)))).length;
    expect(incomplete).toBeGreaterThan(0);
    expect(saved.complete_rows).toBe(9998 - incomplete);
    const names = saved.features.map((f: any) => f.name);
    expect(names).toContain('Fwd Header Length.1');
    expect(names).not.toContain('Label');
  });

  it('check --json prints one object with the documented fields', () => {
    const result = cli(['check', '--baseline', profile, drifted, '--json', '--workers', '2']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(typeof report.overall_psi).toBe('number');
    expect(report.total_features).toBe(78);
    expect(report.n_drifted_features).toBe(report.features.filter((f: any) => f.drifted).length);
    expect(['retrain', 'alert', 'wait']).toContain(report.action);
    expect(report.action).toBe('retrain');
    for (const f of report.features) expect(Object.keys(f)).toEqual(expect.arrayContaining(['name', 'psi', 'drifted']));
    const psis = report.features.map((f: any) => f.psi);
    expect(psis).toEqual([...psis].sort((a: number, b: number) => b - a));
    expect(report.settings).toMatchObject({ semantics: 'default', method: 'psi', threshold: 0.2, epsilon: 1e-4, bins: 10, aggregation: 'mean' });
  });

  it('check --method hellinger: the report, its text and its recorded run speak of the method chosen, never of PSI', () => {
    const psiWord = /(^|[^a-z])psi([^a-z]|$)/i; // the word, not the letters of `epsilon`
    const json = cli(['check', '--baseline', profile, drifted, '--json', '--method', 'hellinger', '--no-record']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ method: 'hellinger', settings: { method: 'hellinger', threshold: 0.1 } });
    expect(typeof report.overall_score).toBe('number');
    expect(json.stdout).not.toMatch(psiWord);
    const scores = report.features.map((f: any) => f.score);
    expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));
    const text = cli(['check', '--baseline', profile, drifted, '--method', 'hellinger', '--no-record']);
    expect(text.stdout.split('\n')[0]!.trim().split(/\s+/)).toEqual(['#', 'feature', 'hellinger', 'verdict']);
    expect(text.stdout).toMatch(/overall hellinger \(mean\) \d\.\d{4}/);
    expect(text.stdout + text.stderr).not.toMatch(psiWord);
    const ledgerDir = join(dir, 'ledger-hellinger');
    expect(cli(['check', '--baseline', profile, drifted, '--method', 'hellinger', '--ledger-dir', ledgerDir]).code).toBe(0);
    const [run] = readdirSync(join(ledgerDir, 'runs'));
    expect(readdirSync(join(ledgerDir, 'runs', run!, 'artifacts')).sort()).toEqual(['drift_feature_hellinger.json', 'drift_report.json']);
    const record = readFileSync(join(ledgerDir, 'runs', run!, 'run.json'), 'utf8');
    expect(record).toContain('"overall_hellinger"');
    expect(record).not.toMatch(psiWord);
  });

  it("check --help shows the drift defaults (DRIFT_DEFAULTS), each method's threshold among them", () => {
    const help = cli(['check', '--help']).stdout.replace(/\s+/g, ' ');
    const d = DRIFT_DEFAULTS;
    expect(help).toContain(`default: the method's: ${DRIFT_METHODS.map((m) => `${m.id} ${d.thresholds[m.id]}`).join(', ')})`);
    expect(help).toContain(`replaces zero proportions (default: ${d.epsilon})`);
    expect(help).toContain(`default: "${d.method}")`);
    expect(help).toContain(`default: "${d.aggregation}")`);
    for (const value of [d.policy.retrainOverall, d.policy.retrainDriftedFeatures, d.policy.alertOverall]) expect(help).toContain(`(default: ${value})`);
  });

  it('check prints a ranked table and the verdict; --fail-on sets exit 1', () => {
    const table = cli(['check', '--baseline', profile, drifted, '--top', '3']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/verdict: retrain/);
    expect(table.stdout.split('\n').filter((l) => /^\s*\d+\s/.test(l))).toHaveLength(3);
    expect(cli(['check', '--baseline', profile, drifted, '--fail-on', 'retrain']).code).toBe(1);
    expect(cli(['check', '--baseline', profile, HEAD_9998, '--fail-on', 'alert']).code).toBe(0);
  });

  it('check --compat driftcatcher states its semantics', () => {
    const report = JSON.parse(cli(['check', '--baseline', profile, drifted, '--json', '--compat', 'driftcatcher']).stdout);
    expect(report.settings.semantics).toBe('compat:driftcatcher');
    expect(report.features[0].expected).toHaveLength(10);
  });

  it('scan: one row per file plus the combined row, from a profile or from training data', () => {
    const fromProfile = cli(['scan', '--baseline', profile, HEAD_9998, drifted, '--json', '--workers', '2']);
    expect(fromProfile.code, fromProfile.stderr).toBe(0);
    const scan = JSON.parse(fromProfile.stdout);
    expect(scan.files.map((f: any) => f.action)).toEqual(['wait', 'retrain']);
    expect(scan.combined.current.rows).toBe(2 * 9998);
    const fromData = JSON.parse(cli(['scan', '--baseline', HEAD_9998, HEAD_9998, drifted, '--json']).stdout);
    expect(fromData.combined.features).toEqual(scan.combined.features);
    const human = cli(['scan', '--baseline', profile, HEAD_9998, drifted]);
    expect(human.stdout).toMatch(/combined/);
  });

  it('synth writes CSV and Arrow that scan to the same result', () => {
    const csv = join(dir, 'synth.csv');
    const arrow = join(dir, 'synth.arrow');
    expect(cli(['synth', '--rows', '5000', '--seed', '3', '--drift', 'mild', '-o', csv]).code).toBe(0);
    expect(cli(['synth', '--rows', '5000', '--seed', '3', '--drift', 'mild', '-o', arrow]).code).toBe(0);
    const train = join(dir, 'synth-train.csv');
    expect(cli(['synth', '--rows', '8000', '--seed', '4', '-o', train]).code).toBe(0);
    const synthProfile = join(dir, 'synth-profile.json');
    expect(cli(['baseline', train, '-o', synthProfile]).code).toBe(0);
    const a = JSON.parse(cli(['check', '--baseline', synthProfile, csv, '--json']).stdout);
    const b = JSON.parse(cli(['check', '--baseline', synthProfile, arrow, '--json', '--workers', '2']).stdout);
    expect(b.features).toEqual(a.features.map((f: any) => ({ ...f })));
    expect(a.action).toBe('alert');
  });

  it('demo prints the three verdicts wait, alert, retrain with the top drifted features', () => {
    const result = cli(['demo', '--dir', join(dir, 'demo'), '--train-rows', '20000', '--batch-rows', '20000']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/batch none\s+-> wait/);
    expect(result.stdout).toMatch(/batch mild\s+-> alert/);
    expect(result.stdout).toMatch(/batch severe\s+-> retrain\s+overall psi [0-9.]+, \d+\/78 features drifted: \S/);
    expect(existsSync(join(dir, 'demo', 'profile.json'))).toBe(true);
  });

  it('quoted fields parse the same, also when byte ranges cut through them', () => {
    const csv = readCsvText(HEAD_9998);
    // quote every Flow Duration cell and give the label a quoted newline
    const quoted = editColumns(csv, { 'Flow Duration': (c) => `"${c}"`, Label: (c, r) => (r % 100 === 0 ? `"${c}\nwith, a comma"` : c) });
    const file = writeCsvText(join(dir, 'quoted.csv'), quoted);
    writeFileSync(join(dir, 'noop'), '');
    const plain = JSON.parse(cli(['check', '--baseline', profile, HEAD_9998, '--json', '--workers', '0']).stdout);
    const result = cli(['check', '--baseline', profile, file, '--json', '--workers', '2']);
    expect(result.code, result.stderr).toBe(0);
    const fromQuoted = JSON.parse(result.stdout);
    expect(fromQuoted.current.rows).toBe(9998);
    expect(fromQuoted.features).toEqual(plain.features);
  });
});
