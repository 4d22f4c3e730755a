/**
 * The drift report kind: the run record tracking sends and the text the CLI prints, for the method
 * actually chosen. With PSI the record keeps the original tool's names (test/engine/tracking/
 * ledger.test.ts pins them); with another method the same shapes are named after it and nothing
 * says PSI. Texts take a TextStyle for colour and stay aligned under it.
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDrift, createBaseline, scanDrift, type DriftReport, type Profile, type ScanReport } from '../../../engine/index.js';
import { driftCheckRun, featureMetricKeys, verdictReason, renderDemo, renderDriftReport, renderScanReport, skippedFeaturesNote, smallSampleNote, PLAIN, type TextStyle } from '../../../engine/report/index.js';
import { rng, tempDir } from '../../helpers.js';

const dir = tempDir('dc-report-drift-');
let profile: Profile;
const files = { shifted: join(dir, 'shifted.csv'), quiet: join(dir, 'quiet.csv') };

function write(file: string, rows: number, seed: number, shift = 0): void {
  const random = rng(seed);
  const lines = ['x,y,z,w,Label'];
  for (let i = 0; i < rows; i++) lines.push(`${random() + shift},${random() ** 3 + shift},${Math.floor(random() * 5)},${random()},BENIGN`);
  writeFileSync(file, lines.join('\n') + '\n');
}

beforeAll(async () => {
  write(join(dir, 'train.csv'), 4000, 1);
  write(files.shifted, 3000, 3, 0.3);
  write(files.quiet, 3000, 4);
  profile = await createBaseline(join(dir, 'train.csv'));
});

const check = (method: string): Promise<DriftReport> => checkDrift(profile, files.shifted, { workers: 0, method });
/** The word psi, not the letters of `epsilon`. */
const PSI_WORD = /(^|[^a-z])psi([^a-z]|$)/i;
const now = new Date(2025, 5, 6, 7, 8, 9);

/** the data-quality metrics every check logs, then one per breach (here: x and y shifted beyond the training maximum) */
const QUALITY_KEYS = ['quality_breaches', 'quality_missing_rate', 'quality_missing_rate_change', 'quality_out_of_range_share', 'quality/out_of_range_share/x', 'quality/out_of_range_share/y'];

describe('the run record of a check', () => {
  it('psi: overall_psi, the counts, overall_score, psi_rank_<i>_* of the drifted features in rank order, drift_feature_psi.json', async () => {
    const report = await check('psi');
    const run = driftCheckRun(report, { experiment: 'drift_monitoring', now });
    const keys = run.metrics!.map((m) => m.key);
    const drifted = report.features.filter((f) => f.drifted);
    expect(drifted.length).toBe(2);
    expect(keys).toEqual(['overall_psi', 'n_drifted_features', 'total_features', 'overall_score', ...drifted.map((f, i) => `psi_rank_${i + 1}_${f.name}`), ...QUALITY_KEYS, ...report.features.map((f) => `drift/${f.name.replaceAll('/', '_')}`)]);
    // x and y moved up by 0.3: 30% of their values above the training maximum, each a breach with its own metric
    const share = (name: string) => report.features.find((f) => f.name === name)!.quality.out_of_range!.share;
    expect(share('x')).toBeCloseTo(0.3, 1);
    expect(run.metrics!.map((m) => m.value)).toEqual([report.overall_score, 2, 4, report.overall_score, ...drifted.map((f) => f.score), 2, 0, 0, report.quality.out_of_range.share, share('x'), share('y'), ...report.features.map((f) => f.score)]);
    expect(run.artifacts!.map((a) => a.path)).toEqual(['drift_feature_psi.json', 'drift_report.json']);
    expect(JSON.parse(run.artifacts![0]!.content as string)).toEqual(Object.fromEntries(report.features.map((f) => [f.name, f.score])));
    // the whole report, as `check --json` prints it: what `driftcatcher report <run-id>` renders again
    expect(JSON.parse(run.artifacts![1]!.content as string)).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('hellinger: the same shapes named after the method, and nothing says psi', async () => {
    const report = await check('hellinger');
    const run = driftCheckRun(report, { experiment: 'drift_monitoring', now });
    const drifted = report.features.filter((f) => f.drifted);
    expect(drifted.length).toBeGreaterThan(0);
    expect(run.metrics!.map((m) => m.key)).toEqual(['overall_hellinger', 'n_drifted_features', 'total_features', 'overall_score', ...drifted.map((f, i) => `hellinger_rank_${i + 1}_${f.name}`), ...QUALITY_KEYS, ...report.features.map((f) => `drift/${f.name.replaceAll('/', '_')}`)]);
    expect(run.metrics![0]!.value).toBe(report.overall_score);
    expect(run.artifacts!.map((a) => a.path)).toEqual(['drift_feature_hellinger.json', 'drift_report.json']);
    expect(JSON.parse(run.artifacts![0]!.content as string)).toEqual(Object.fromEntries(report.features.map((f) => [f.name, f.score])));
    expect(run.params).toMatchObject({ method: 'hellinger', score_kind: 'distance', threshold: 0.1 });
    expect(JSON.stringify(run)).not.toMatch(PSI_WORD);
  });
});

describe('the run as MLflow shows it', () => {
  it('drift/<feature> for every feature: a "/" in a name becomes "_", names that then coincide are numbered in feature order', () => {
    expect(featureMetricKeys(['Flow Bytes/s', 'Flow Bytes_s', 'a/b/c', 'calm', 'Flow Bytes/s'])).toEqual(['drift/Flow Bytes_s', 'drift/Flow Bytes_s_2', 'drift/a_b_c', 'drift/calm', 'drift/Flow Bytes_s_3']);
    // characters MLflow refuses in a key are replaced too; the prefix is the only group
    expect(featureMetricKeys(['x\u0000y', 'π (rad)'])).toEqual(['drift/x_y', 'drift/π _rad_']);
  });

  it('starts when the work started: startTime, else now - seconds', async () => {
    const report = await check('psi');
    expect(driftCheckRun(report, { experiment: 'e', now, seconds: 2.5 }).startTime).toBe(now.getTime() - 2500);
    expect(driftCheckRun(report, { experiment: 'e', now, startTime: now.getTime() - 1234 }).startTime).toBe(now.getTime() - 1234);
    expect(driftCheckRun(report, { experiment: 'e', now }).startTime).toBe(now.getTime());
  });

  it('the note says the verdict, the rule that fired and the top features; the inputs are the baseline and the batch', async () => {
    const report = await check('psi');
    const run = driftCheckRun(report, { experiment: 'e', now, model: { name: 'ddos_rf', version: 3, alias: 'champion', loggedModelId: 'm-123' } });
    const note = run.tags!['mlflow.note.content']!;
    expect(report.action).toBe('retrain');
    expect(report.overall_score).toBeGreaterThan(0.2);
    expect(note.split('\n')[0]).toBe(`**Verdict: retrain**. Overall psi ${report.overall_score.toFixed(4)} > 0.2 (the retrain threshold).`);
    expect(note).toContain(`| 1 | ${report.features[0]!.name} | psi | ${report.features[0]!.score.toFixed(4)} | yes |`);
    expect(note).toContain('of model ddos\\_rf v3 (champion)');
    expect(run.tags).toMatchObject({ 'driftcatcher.model': 'ddos_rf', 'driftcatcher.model_version': '3', 'driftcatcher.model_alias': 'champion' });
    expect(run.modelInputs).toEqual(['m-123']);
    expect(run.inputs!.map((d) => [d.context, d.name, d.digest.length])).toEqual([['reference', report.baseline.file, 16], ['production', basename(files.shifted), 16]]);
    expect(run.inputs![0]!.digest).toBe(report.baseline.id.slice(0, 16));
    // the batch's digest follows what was counted of it
    const again = driftCheckRun(await check('psi'), { experiment: 'e', now });
    const other = driftCheckRun(await checkDrift(profile, files.quiet, { workers: 0 }), { experiment: 'e', now });
    expect(again.inputs![1]!.digest).toBe(run.inputs![1]!.digest);
    expect(other.inputs![1]!.digest).not.toBe(run.inputs![1]!.digest);
  });

  it('names the rule for each verdict', async () => {
    const report = await check('psi');
    const withAction = (action: DriftReport['action'], over: Partial<DriftReport> = {}) => verdictReason({ ...report, ...over, action });
    expect(withAction('retrain', { overall_score: 0.5 })).toBe('Overall psi 0.5000 > 0.2 (the retrain threshold).');
    expect(withAction('retrain', { overall_score: 0.01, n_drifted_features: 6 })).toBe('6 drifted features > 5 (the retrain count).');
    expect(withAction('alert', { overall_score: 0.15 })).toBe('Overall psi 0.1500 > 0.1 (the alert threshold).');
    expect(withAction('wait', { overall_score: 0.01, n_drifted_features: 0 })).toBe('No rule fired: overall psi 0.0100 within 0.1 and no feature drifted.');
  });
});

/** ANSI marks, as the CLI's style on a terminal adds them. */
const ANSI: TextStyle = { bold: (t) => `\u001b[1m${t}\u001b[0m`, red: (t) => `\u001b[31m${t}\u001b[0m`, yellow: (t) => `\u001b[33m${t}\u001b[0m`, green: (t) => `\u001b[32m${t}\u001b[0m` };
const unstyled = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

describe('the text of a check and a scan', () => {
  it("names the method's score column and overall score; a hellinger text says nothing of psi", async () => {
    const hellinger = renderDriftReport(await check('hellinger'), { top: 3 });
    const [header, rule, ...rows] = hellinger.split('\n');
    expect(header!.trim().split(/\s+/)).toEqual(['#', 'feature', 'hellinger', 'verdict']);
    expect(rule).toMatch(/^-+(\s+-+){3}$/);
    expect(rows.slice(0, 3).every((r) => /^\s*\d\s+\S+\s+\d\.\d{4}\s+(drifted|stable)$/.test(r))).toBe(true);
    expect(hellinger).toMatch(/verdict: \w+ {3}overall hellinger \(mean\) \d\.\d{4}/);
    expect(hellinger).not.toMatch(PSI_WORD);
    const psi = renderDriftReport(await check('psi'));
    expect(psi.split('\n')[0]!.trim().split(/\s+/)).toEqual(['#', 'feature', 'psi', 'verdict']);
    expect(psi).toMatch(/overall psi \(mean\)/);
  });

  it('the next step is the caller\'s to say; the style marks words and the columns stay aligned', async () => {
    const report = await check('psi');
    const plain = renderDriftReport(report, { next: (action) => `next after ${action}` });
    expect(plain.split('\n').at(-1)).toBe(`next after ${report.action}`);
    expect(plain).not.toContain('\u001b');
    const styled = renderDriftReport(report, { style: ANSI, next: (action) => `next after ${action}` });
    expect(styled).toContain('\u001b[31mdrifted\u001b[0m');
    expect(unstyled(styled)).toBe(plain);
    expect(renderDriftReport(report, { style: PLAIN })).toBe(renderDriftReport(report));
  });

  it('a scan: one row per file and the combined one, under the method\'s name', async () => {
    const scan: ScanReport = await scanDrift(profile, [files.shifted, files.quiet], { workers: 0, method: 'jensenshannon' });
    const text = renderScanReport(scan, { top: 2, style: ANSI });
    const lines = unstyled(text).split('\n');
    expect(lines[0]!.trim().split(/\s{2,}/)).toEqual(['file', 'rows', 'overall jensenshannon', 'drifted', 'verdict', 'top drifted']);
    expect(lines[2]).toMatch(new RegExp(`^${files.shifted}\\s+3000\\s+\\d\\.\\d{4}\\s+\\d/4\\s+(alert|retrain)\\s+\\w`));
    expect(lines[4]).toMatch(/^combined\s+6000\s/);
    expect(unstyled(text)).toContain('combined, top 2 features:');
    expect(unstyled(text)).toMatch(/2 file\(s\), 6000 rows in [0-9.]+ s on the main thread, kernel \S+; settings: default, threshold 0.1, epsilon 0.0001$/);
    expect(text).not.toMatch(PSI_WORD);
  });

  it('the notes for stderr: skipped features (quoted, escaped) and a small sample', async () => {
    const report = await check('psi');
    expect(skippedFeaturesNote(report)).toBeUndefined();
    const skipped = { ...report, skipped_features: [{ name: 'a\u001bb', reason: 'not_in_batch' as const }, { name: 'c', reason: 'no_finite_values' as const }] };
    expect(skippedFeaturesNote(skipped, 'day 1.csv')).toBe(`"day 1.csv": skipped 2 of the baseline's features, as the original tool does (not counted in total_features or the overall score): "a\\u001bb" (not in the data), "c" (no finite value)`);
    expect(smallSampleNote(null, null)).toBeUndefined();
    expect(smallSampleNote('f.csv', { message: 'too small' })).toBe('f.csv: too small');
  });

  it('the demo: a line per batch with its verdict and the top drifted features by score', async () => {
    const report = await check('hellinger');
    const text = renderDemo({ dir, profile: 'p.json', batches: [{ drift: 'severe', file: files.shifted, report }], seconds: 1.25 }, { next: 'next: look' });
    const top = report.features.filter((f) => f.drifted).map((f) => `${f.name} (${f.score.toFixed(2)})`).join(', ');
    expect(text.split('\n')).toEqual(['', 'driftcatcher demo: baseline p.json', `  batch severe -> ${report.action.padEnd(7)}  overall hellinger ${report.overall_score.toFixed(4)}, ${report.n_drifted_features}/4 features drifted: ${top}`, `files in ${dir}; finished in 1.3 s`, 'next: look']);
  });
});
