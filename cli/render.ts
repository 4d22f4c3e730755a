import type { DriftReport, ScanReport } from '../engine/index.js';
import { actionText, bold, fixed, red, table } from './format.js';

/** The warning for stderr when a report's sample is too small for its verdict (empty when it is not). */
export function smallSampleWarning(what: string | null, sample: { message: string } | null | undefined): string {
  return sample ? `driftcatcher: warning: ${what ? `${what}: ` : ''}${sample.message}\n` : '';
}

/** The `top` features, most drifted first: rank, name, the method's score, drifted. */
export function featureTable(report: DriftReport, top: number): string {
  const rows = report.features.slice(0, top).map((f, i) => [String(i + 1), f.name, fixed(f.score), f.drifted ? red('drifted') : 'stable']);
  return table(['#', 'feature', report.settings.method, 'verdict'], rows, [true, false, true, false]);
}

export function renderDriftReport(report: DriftReport, top: number): string {
  const s = report.settings;
  const lines = [
    featureTable(report, top),
    '',
    `${bold('verdict')}: ${actionText(report.action)}   overall ${s.method} (${s.aggregation}) ${fixed(report.overall_score)}   drifted features ${report.n_drifted_features}/${report.total_features}   rows ${report.current.rows}`,
    `settings: ${s.semantics}, ${s.bins} bins, threshold ${s.threshold}, epsilon ${s.epsilon}; retrain if overall > ${s.policy.retrainOverall} or drifted > ${s.policy.retrainDriftedFeatures}, alert if overall > ${s.policy.alertOverall} or any drifted`,
  ];
  const next = nextStep(report.action);
  if (next) lines.push(next);
  return lines.join('\n');
}

/** What a user does after an `alert` or `retrain` verdict (nothing to do after `wait`). */
export function nextStep(action: DriftReport['action']): string | undefined {
  if (action === 'retrain') {
    return 'next: the model no longer sees the data it was trained on. Retrain with recent labelled data (`driftcatcher train train.csv --new-data recent.csv`, or `driftcatcher agent retrain --new-labeled-data recent.csv --base-data train.csv` to promote only if the new model is not worse), then check again against its baseline.';
  }
  if (action === 'alert') {
    return 'next: look at the drifted features above (`--json` has every feature\'s bins); if the change is real and lasting, collect labels and retrain; `driftcatcher agent check` acts on verdicts under cooldowns.';
  }
  return undefined;
}

/** The per-file table, then the `top` features of all files combined. */
export function renderScanReport(scan: ScanReport, top: number): string {
  const row = (name: string, r: DriftReport) => [name, String(r.current.rows), fixed(r.overall_score), `${r.n_drifted_features}/${r.total_features}`, actionText(r.action), r.features.filter((f) => f.drifted).slice(0, 3).map((f) => f.name).join(', ')];
  const rows = scan.files.map((r) => row(r.current.files[0]!, r));
  rows.push(row(bold('combined'), scan.combined));
  const next = nextStep(scan.combined.action);
  return [
    table(['file', 'rows', `overall ${scan.combined.settings.method}`, 'drifted', 'verdict', 'top drifted'], rows, [false, true, true, true, false, false]),
    '',
    `${bold('combined')}, top ${Math.min(top, scan.combined.features.length)} features:`,
    featureTable(scan.combined, top),
    '',
    `${scan.files.length} file(s), ${scan.combined.current.rows} rows in ${scan.seconds.toFixed(2)} s ${scan.workers === 0 ? 'on the main thread' : `on ${scan.workers} worker thread${scan.workers === 1 ? '' : 's'}`}, kernel ${scan.kernel}; settings: ${scan.combined.settings.semantics}, threshold ${scan.combined.settings.threshold}, epsilon ${scan.combined.settings.epsilon}`,
    ...(next ? [next] : []),
  ].join('\n');
}

/** Text for a one-line message: quoted, control characters (C0, DEL, C1) escaped. */
function quoted(text: string): string {
  // eslint-disable-next-line no-control-regex
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const SKIP_REASONS = { not_in_batch: 'not in the data', no_finite_values: 'no finite value' } as const;

/** The stderr line naming the baseline features a compat report skipped, or undefined when none. */
export function skippedFeaturesNote(report: DriftReport, label?: string): string | undefined {
  const skipped = report.skipped_features;
  if (skipped.length === 0) return undefined;
  const list = skipped.map((s) => `${quoted(s.name)} (${SKIP_REASONS[s.reason]})`).join(', ');
  return `driftcatcher: ${label ? `${quoted(label)}: ` : ''}skipped ${skipped.length} of the baseline's features, as the original tool does (not counted in total_features or the overall score): ${list}`;
}
