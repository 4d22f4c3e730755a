/**
 * The report's main fields are the chosen method's (`method`, `score`, `overall_score`); PSI's
 * names (`overall_psi`, a feature's `psi`, `expected_psi`) appear only when PSI is the method, so
 * that a Hellinger report says nothing of PSI. Options resolve over DRIFT_DEFAULTS, and their
 * errors name the option, never a flag.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDrift, createBaseline, DRIFT_DEFAULTS, DRIFT_METHODS, resolveDriftOptions, type Profile } from '../../../engine/index.js';
import { rng, tempDir } from '../../helpers.js';

const dir = tempDir('dc-drift-report-');
let profile: Profile;
const files = { quiet: join(dir, 'quiet.csv'), shifted: join(dir, 'shifted.csv'), small: join(dir, 'small.csv') };

/** Rows of three features: x uniform, y skewed, z in five levels; `shift` moves x. */
function write(file: string, rows: number, seed: number, shift = 0): void {
  const random = rng(seed);
  const lines = ['x,y,z,Label'];
  for (let i = 0; i < rows; i++) lines.push(`${random() + shift},${random() ** 3},${Math.floor(random() * 5)},BENIGN`);
  writeFileSync(file, lines.join('\n') + '\n');
}

beforeAll(async () => {
  write(join(dir, 'train.csv'), 4000, 1);
  write(files.quiet, 3000, 2);
  write(files.shifted, 3000, 3, 0.3);
  write(files.small, 120, 4);
  profile = await createBaseline(join(dir, 'train.csv'));
});

const check = (file: string, options: Parameters<typeof checkDrift>[2] = {}) => checkDrift(profile, file, { workers: 0, ...options });

describe('the report speaks in the method chosen', () => {
  it('psi: score, overall_score, and the original names beside them with the same values', async () => {
    const report = await check(files.shifted);
    expect(report.method).toBe('psi');
    expect(report.overall_psi).toBe(report.overall_score);
    for (const f of report.features) expect(f.psi, f.name).toBe(f.score);
    expect(report.features[0]!.name).toBe('x');
    expect(report.features[0]!.drifted).toBe(true);
  });

  it('hellinger: nothing in the report says psi; the scores are the Hellinger distances of the shares it shows', async () => {
    const report = await check(files.shifted, { method: 'hellinger' });
    expect(report.method).toBe('hellinger');
    expect(report.settings).toMatchObject({ method: 'hellinger', score_kind: 'distance', threshold: 0.1 });
    // (`epsilon` contains the letters, not the word)
    expect(JSON.stringify(report).toLowerCase()).not.toMatch(/(^|[^a-z])psi([^a-z]|$)/);
    for (const f of report.features) {
      const p = f.expected.map((v) => v / f.expected.reduce((a, b) => a + b, 0));
      const q = f.actual.map((v) => v / f.actual.reduce((a, b) => a + b, 0));
      const h = Math.sqrt(p.reduce((sum, pi, i) => sum + (Math.sqrt(pi) - Math.sqrt(q[i]!)) ** 2, 0) / 2);
      expect(f.score, f.name).toBeCloseTo(h, 12);
    }
    const scores = report.features.map((f) => f.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(report.overall_score).toBeCloseTo(scores.reduce((a, b) => a + b, 0) / scores.length, 15);
  });

  it('a quiet batch waits under every method', async () => {
    // chisquare is the exception: it flags y on this batch (X^2 = 23.66 on 9 degrees of freedom, p = 0.0049, as
    // scipy.stats.chisquare gives on the same bins), the false positive a 5% test makes on one feature in twenty
    for (const m of DRIFT_METHODS.filter((m) => m.id !== 'chisquare')) expect((await check(files.quiet, { method: m.id })).action, m.id).toBe('wait');
    expect((await check(files.quiet, { method: 'chisquare' })).features.filter((f) => f.drifted).map((f) => f.name)).toEqual(['y']);
  });

  it("small samples are judged by the method's own noise floor and threshold", async () => {
    // 120 rows over 10 deciles: psi's floor 9/120 + 9/4000 = 0.077 is under 0.1, Hellinger's sqrt(0.077 / 8) = 0.098 is over 0.05
    const psi = await check(files.small);
    expect(psi.small_sample).toBeNull();
    const hellinger = await check(files.small, { method: 'hellinger' });
    expect(hellinger.small_sample).toMatchObject({ rows: 120, bins: 10, limit: 0.05 });
    expect(hellinger.small_sample!.expected_score).toBeCloseTo(Math.sqrt((9 / 120 + 9 / 4000) / 8), 12);
    expect(hellinger.small_sample!.message).toContain('expected hellinger of 0.098');
    expect(hellinger.small_sample!.rule).toContain('sqrt(S / 8)');
    expect(hellinger.small_sample).not.toHaveProperty('expected_psi');
    // 8 limit^2 = 0.02 in S: 9 / (0.02 - 9 / 4000) = 507.04 -> 508 rows
    expect(hellinger.small_sample!.min_rows).toBe(508);
    const tight = await check(files.small, { threshold: 0.1 });
    expect(tight.small_sample).toMatchObject({ limit: 0.05, expected_psi: tight.small_sample!.expected_score });
  });
});

describe('drift options', () => {
  it('resolve over DRIFT_DEFAULTS: the method, its threshold, epsilon, aggregation, policy', () => {
    expect(DRIFT_DEFAULTS).toMatchObject({ compat: null, method: 'psi', epsilon: 1e-4, aggregation: 'mean', policy: { retrainOverall: 0.2, retrainDriftedFeatures: 5, alertOverall: 0.1 } });
    expect(DRIFT_DEFAULTS.thresholds).toEqual(Object.fromEntries(DRIFT_METHODS.map((m) => [m.id, m.defaultThreshold])));
    expect(Object.isFrozen(DRIFT_DEFAULTS) && Object.isFrozen(DRIFT_DEFAULTS.policy)).toBe(true);
    expect(resolveDriftOptions(profile)).toMatchObject({ semantics: 'default', method: 'psi', threshold: 0.2, epsilon: 1e-4, aggregation: 'mean', bins: 10, policy: { retrain_overall: 0.2, retrain_drifted_features: 5, alert_overall: 0.1 } });
    expect(resolveDriftOptions(profile, { method: 'jensenshannon' }).threshold).toBe(0.1);
    // a policy field given as undefined keeps its default
    expect(resolveDriftOptions(profile, { policy: { retrainOverall: undefined, alertOverall: 0.05 } }).policy).toEqual({ retrain_overall: 0.2, retrain_drifted_features: 5, alert_overall: 0.05 });
  });

  it('errors name the option (field path), never a flag', () => {
    const cases: Array<[Parameters<typeof resolveDriftOptions>[1], string, string]> = [
      [{ epsilon: 2 }, 'epsilon', 'epsilon: must be between 0 and 1, got 2'],
      [{ threshold: Number.NaN }, 'threshold', 'threshold: must be a finite number, got NaN'],
      [{ method: 'kl' }, 'method', 'method: unknown drift method "kl": expected one of psi, jensenshannon, hellinger, ks, wasserstein, chisquare'],
      [{ compat: 'evidently' as never }, 'compat', 'compat: unknown semantics "evidently": expected driftcatcher'],
      [{ compat: 'driftcatcher', method: 'hellinger' }, 'method', 'method: compat "driftcatcher" is the original tool, which uses psi, not "hellinger": leave the method out'],
      [{ aggregation: 'sum' as never }, 'aggregation', 'aggregation: unknown aggregation "sum": expected one of mean, median, max'],
      [{ policy: { retrainOverall: Infinity } }, 'policy.retrainOverall', 'policy.retrainOverall: must be a finite number, got Infinity'],
      [{ policy: { retrainDriftedFeatures: 1.5 } }, 'policy.retrainDriftedFeatures', 'policy.retrainDriftedFeatures: must be a whole number of features, 0 or more, got 1.5'],
    ];
    for (const [options, option, message] of cases) {
      let caught: unknown;
      try {
        resolveDriftOptions(profile, options);
      } catch (err) {
        caught = err;
      }
      expect(caught, option).toMatchObject({ code: 'DC_ERR_USAGE', option, message });
      expect((caught as Error).message).not.toMatch(/--/);
    }
  });
});
