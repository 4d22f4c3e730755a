/**
 * The A/B test's statistics against independent references (test/reference/abtest_reference.py):
 * statsmodels' `mcnemar(exact=True)`, DeLong's test restated from the paper's pairwise
 * definition (numpy, scipy's normal tail), scikit-learn's accuracy, F1 and ROC AUC, numpy's
 * percentile bootstrap on the same resample indices, scipy's binomial CDF. The models are trained
 * by `driftcatcher train` on the real CICIDS rows (HEAD_9998 relabelled: learnable, not
 * perfectly) and scored on held-out rows of the same file; `abtest --json` is checked against
 * the same references.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadModelRef, scoreFile, type ScoredFile } from '../../engine/model/index.js';
import { AB_METRICS, binomialHalfCdf, compareScored, resampleIndices, type AbStatistics } from '../../engine/monitor/index.js';
import { cli, splitRelabelledHead, tempDir } from '../helpers.js';

const SCRIPT = join(import.meta.dirname, 'abtest_reference.py');
const dir = tempDir('dc-abtest-ref-');
const registry = join(dir, 'models');
const train = join(dir, 'train.csv');
const held = join(dir, 'held.csv');
const ROUNDS = 200;
const SEED = 9;

function python(args: string[]): any {
  const run = spawnSync(inject('pythonPath'), [SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

function trainCli(args: string[]): void {
  const result = cli(['train', train, '--registry', registry, '--workers', '0', '--no-record', ...args]);
  expect(result.code, result.stderr).toBe(0);
}

const scored: Record<string, ScoredFile> = {};

beforeAll(async () => {
  splitRelabelledHead(dir, 3);
  // v1: a tiny forest; v2: a bigger one; v3: v1's settings with another seed (close to v1)
  trainCli(['--n-estimators', '3', '--max-depth', '3', '--seed', '1']);
  trainCli(['--n-estimators', '20', '--seed', '2']);
  trainCli(['--n-estimators', '3', '--max-depth', '3', '--seed', '4']);
  for (const version of ['1', '2', '3']) scored[version] = await scoreFile((await loadModelRef(version, { registry })).model, held);
}, 600_000);

/** Our statistics and the reference's on one pair, with the bootstrap's resample indices shared. */
function comparePair(a: string, b: string): { ours: AbStatistics; ref: any } {
  const folder = join(dir, `pair-${a}-${b}`);
  mkdirSync(folder, { recursive: true });
  const A = scored[a]!;
  const B = scored[b]!;
  const n = A.rows;
  writeFileSync(join(folder, 'y_true.u8'), A.yTrue!);
  writeFileSync(join(folder, 'a_pred.u8'), A.pred);
  writeFileSync(join(folder, 'b_pred.u8'), B.pred);
  writeFileSync(join(folder, 'a_prob.f64'), A.proba);
  writeFileSync(join(folder, 'b_prob.f64'), B.proba);
  const indices = new Uint32Array(ROUNDS * n);
  for (let r = 0; r < ROUNDS; r++) indices.set(resampleIndices(n, SEED, r), r * n);
  writeFileSync(join(folder, 'indices.u32'), indices);
  const ours = compareScored(A.yTrue!, A, B, { bootstrap: ROUNDS, seed: SEED, confidence: 0.95 });
  return { ours, ref: python(['compare', folder, String(ROUNDS), '0.95']) };
}

const close = (ours: number, theirs: number, relative: number, what: string) => expect(Math.abs(ours - theirs), `${what}: ours ${ours}, reference ${theirs}`).toBeLessThanOrEqual(relative * Math.max(Math.abs(theirs), 1e-300));

describe.each([
  ['1', '2', 'a tiny forest vs a bigger one'],
  ['1', '3', 'two tiny forests, different seeds'],
])('A/B test statistics of v%s vs v%s (%s) = statsmodels / scipy / scikit-learn', (a, b) => {
  let ours: AbStatistics;
  let ref: any;
  beforeAll(() => ({ ours, ref } = comparePair(a, b)), 300_000);

  it('the metrics of both models are scikit-learn\'s', () => {
    for (const metric of AB_METRICS) {
      close(ours.metrics[metric].a, ref.metrics.a[metric], 1e-12, `A ${metric}`);
      close(ours.metrics[metric].b, ref.metrics.b[metric], 1e-12, `B ${metric}`);
    }
  });

  it("McNemar's exact test is statsmodels' mcnemar(exact=True)", () => {
    expect(ours.mcnemar.a_only_correct).toBe(ref.mcnemar.b);
    expect(ours.mcnemar.b_only_correct).toBe(ref.mcnemar.c);
    expect(ours.mcnemar.statistic).toBe(ref.mcnemar.statistic);
    expect(ours.mcnemar.a_only_correct + ours.mcnemar.b_only_correct).toBeGreaterThan(0);
    close(ours.mcnemar.p_value, ref.mcnemar.p_value, 1e-9, 'McNemar p');
  });

  it("DeLong's test (midranks) equals the paper's pairwise definition", () => {
    const d = ours.delong!;
    close(d.auc_a, ref.delong.auc_a, 1e-12, 'AUC A');
    close(d.auc_b, ref.delong.auc_b, 1e-12, 'AUC B');
    close(d.variance, ref.delong.variance, 1e-9, 'variance');
    close(d.z, ref.delong.z, 1e-9, 'z');
    close(d.p_value, ref.delong.p_value, 1e-7, 'DeLong p');
  });

  it("the bootstrap intervals are numpy's percentiles of scikit-learn's metrics on the same resamples", () => {
    for (const metric of AB_METRICS) {
      const m = ours.metrics[metric];
      const r = ref.bootstrap[metric];
      expect(m.valid_rounds).toBe(r.valid);
      close(m.ci_a.low, r.a[0], 1e-12, `${metric} A low`);
      close(m.ci_a.high, r.a[1], 1e-12, `${metric} A high`);
      close(m.ci_b.low, r.b[0], 1e-12, `${metric} B low`);
      close(m.ci_b.high, r.b[1], 1e-12, `${metric} B high`);
      expect(Math.abs(m.ci_difference.low - r.difference[0])).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(m.ci_difference.high - r.difference[1])).toBeLessThanOrEqual(1e-12);
      expect(m.bootstrap_p_value).toBe(r.p_value);
      // each interval holds its point estimate
      expect(m.ci_a.low <= m.a && m.a <= m.ci_a.high, `${metric} A in its interval`).toBe(true);
    }
  });
});

describe('the exact binomial tail', () => {
  it('binomialHalfCdf(k, n) = scipy.stats.binom.cdf(k, n, 0.5), small and large n', () => {
    const cases: Array<[number, number]> = [[0, 0], [0, 1], [1, 1], [3, 10], [5, 10], [7, 10], [10, 25], [100, 250], [124, 250], [1000, 2500], [4990, 10000], [5000, 10000], [10, 100000], [49_700, 100_000]];
    const scipy = python(['binom', JSON.stringify(cases)]) as number[];
    cases.forEach(([k, n], i) => {
      const theirs = scipy[i]!;
      if (theirs < 1e-300) expect(binomialHalfCdf(k, n)).toBeLessThan(1e-290);
      else close(binomialHalfCdf(k, n), theirs, 1e-9, `cdf(${k}, ${n})`);
    });
  });
});

describe('driftcatcher abtest --json', () => {
  it("reports statsmodels' McNemar p, the paper's DeLong p and the winner on the chosen metric", () => {
    const { ref } = comparePair('1', '2');
    const result = cli(['abtest', held, '--registry', registry, '--model-a', '1', '--model-b', '2', '--metric', 'accuracy', '--bootstrap', '50', '--json', '--no-record']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    close(report.mcnemar.p_value, ref.mcnemar.p_value, 1e-9, 'McNemar p');
    close(report.delong.p_value, ref.delong.p_value, 1e-7, 'DeLong p');
    expect(report.decision).toMatchObject({ metric: 'accuracy', test: 'mcnemar_exact', p_value: report.mcnemar.p_value });
    const better = ref.metrics.b.accuracy > ref.metrics.a.accuracy ? 'b' : 'a';
    expect(report.decision.winner).toBe(better);
    expect(report.decision.significant).toBe(ref.mcnemar.p_value < 0.05);
  });
});
