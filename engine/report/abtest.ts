/**
 * The A/B test report kind. What `abtest` records: experiment `ab_testing`, run
 * `ab_test_YYYYMMDD_HHMMSS`; params `model_a`, `model_b` (the references as given, with their
 * versions and types), `metric`, `rows`, `alpha`, `bootstrap`, `seed`, `data`; metrics
 * `model_a_<m>`, `model_b_<m>`, their interval bounds `model_<x>_<m>_ci_low|high`,
 * `difference_<m>` with its bounds, `bootstrap_p_value_<m>` for m in f1, accuracy, auc, then
 * `improvement` (B - A on the chosen metric), `relative_improvement`, `p_value` (the chosen
 * metric's test), `mcnemar_p_value`, `delong_p_value`; tags `winner` (the winning reference or
 * `tie`), `significant`, `decision_test`; the report as the artifact `abtest_report.json`.
 * What the CLI prints: one row per metric with both models, the difference and its interval,
 * the tests, and the decision.
 */
import { basename } from 'node:path';
import { EXPERIMENTS, recordRun, type NewRun, type RecordOutcome, type TrackingOptions } from '../tracking/index.js';
import type { AbTestReport } from '../monitor/index.js';
import { compactLocal } from './drift.js';
import { PLAIN, fixed, jsonText, table, type TextStyle } from './text.js';

export const ABTEST_ARTIFACT = 'abtest_report.json';
const METRICS = ['f1', 'accuracy', 'auc'] as const;

/** The winner's reference (`tie` when neither is better). */
export function winnerOf(report: AbTestReport): string {
  const side = report.decision.winner;
  return side === 'tie' ? 'tie' : report.models[side].ref;
}

export function abTestRun(report: AbTestReport, now = new Date()): NewRun {
  const time = now.getTime();
  const metrics: Array<{ key: string; value: number }> = [];
  for (const m of METRICS) {
    const c = report.metrics[m];
    metrics.push(
      { key: `model_a_${m}`, value: c.a },
      { key: `model_b_${m}`, value: c.b },
      { key: `model_a_${m}_ci_low`, value: c.ci_a.low },
      { key: `model_a_${m}_ci_high`, value: c.ci_a.high },
      { key: `model_b_${m}_ci_low`, value: c.ci_b.low },
      { key: `model_b_${m}_ci_high`, value: c.ci_b.high },
      { key: `difference_${m}`, value: c.difference },
      { key: `difference_${m}_ci_low`, value: c.ci_difference.low },
      { key: `difference_${m}_ci_high`, value: c.ci_difference.high },
      { key: `bootstrap_p_value_${m}`, value: c.bootstrap_p_value },
    );
  }
  const d = report.decision;
  metrics.push(
    { key: 'improvement', value: d.improvement },
    { key: 'relative_improvement', value: d.relative_improvement },
    { key: 'p_value', value: d.p_value },
    { key: 'mcnemar_p_value', value: report.mcnemar.p_value },
    ...(report.delong ? [{ key: 'delong_p_value', value: report.delong.p_value }] : []),
  );
  const { a, b } = report.models;
  return {
    experiment: EXPERIMENTS.abTesting,
    runName: `ab_test_${compactLocal(now)}`,
    startTime: time - Math.round(report.seconds * 1000),
    endTime: time,
    params: {
      model_a: a.ref,
      model_b: b.ref,
      ...(a.version !== null ? { model_a_version: a.version } : {}),
      ...(b.version !== null ? { model_b_version: b.version } : {}),
      model_a_type: a.model_type,
      model_b_type: b.model_type,
      metric: d.metric,
      rows: report.rows,
      alpha: report.options.alpha,
      bootstrap: report.options.bootstrap,
      seed: report.options.seed,
      data: basename(report.file),
    },
    metrics: metrics.map((x) => ({ ...x, timestamp: time, step: 0 })),
    tags: { winner: winnerOf(report), significant: String(d.significant), decision_test: d.test, timestamp: report.timestamp, 'driftcatcher.command': 'abtest' },
    artifacts: [{ path: ABTEST_ARTIFACT, content: jsonText(report) }],
  };
}

export async function recordAbTest(report: AbTestReport, options: TrackingOptions & { now?: Date } = {}): Promise<RecordOutcome> {
  return recordRun(abTestRun(report, options.now), options);
}

const interval = (i: { low: number; high: number }) => `[${fixed(i.low)}, ${fixed(i.high)}]`;
const pValue = (p: number) => (p === 0 ? '0 (below the smallest double)' : Number.isFinite(p) && p < 1e-4 ? p.toExponential(2) : fixed(p));

/** The text of an A/B test: the models, one row per metric, the tests, the decision. */
export function renderAbTest(report: AbTestReport, style: TextStyle = PLAIN): string {
  const { a, b } = report.models;
  const name = (m: typeof a) => `${m.ref}${m.version !== null ? ` (v${m.version}, ${m.model_type})` : ` (${m.model_type})`}`;
  const level = `${Math.round(report.confidence * 1000) / 10}%`;
  const rows = METRICS.map((m) => {
    const c = report.metrics[m];
    const chosen = m === report.decision.metric ? '*' : '';
    return [`${m}${chosen}`, fixed(c.a), interval(c.ci_a), fixed(c.b), interval(c.ci_b), fixed(c.difference), interval(c.ci_difference), pValue(c.bootstrap_p_value)];
  });
  const d = report.decision;
  const winner = d.winner === 'tie' ? 'tie (no difference)' : `${winnerOf(report)} (model ${d.winner.toUpperCase()})`;
  const verdict = d.significant ? style.green(style.bold('significant')) : style.yellow(style.bold('not significant'));
  return [
    `${report.file}: ${report.rows} labelled rows (${report.positives} positive); A = ${name(a)}, B = ${name(b)}`,
    '',
    table(['metric', 'A', `A ${level} CI`, 'B', `B ${level} CI`, 'B - A', `B - A ${level} CI`, 'bootstrap p'], rows, [false, true, true, true, true, true, true, true]),
    '',
    `McNemar exact (accuracy): A only right ${report.mcnemar.a_only_correct}, B only right ${report.mcnemar.b_only_correct}, p = ${pValue(report.mcnemar.p_value)}`,
    report.delong ? `DeLong (auc): z = ${fixed(report.delong.z)}, p = ${pValue(report.delong.p_value)}` : 'DeLong (auc): not defined (the labels hold one class only)',
    `bootstrap: ${report.bootstrap.rounds} paired rounds, seed ${report.bootstrap.seed}`,
    `winner on ${d.metric}: ${winner}; improvement ${fixed(d.improvement)} (${Number.isFinite(d.relative_improvement) ? `${(d.relative_improvement * 100).toFixed(2)}%` : 'n/a'}); ${d.test} p = ${pValue(d.p_value)}: ${verdict} at alpha ${d.alpha}`,
  ].join('\n');
}
