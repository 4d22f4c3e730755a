/**
 * The CLI's words around the engine's renderers (engine/report): what to do after a verdict
 * (naming the CLI's commands, so it is not the engine's to say), and the stderr lines of a drift
 * report with the CLI's `driftcatcher: ` prefix.
 */
import { renderFeatureTable, skippedFeaturesNote, smallSampleNote, type DriftTextOptions } from '../engine/report/index.js';
import type { DriftReport } from '../engine/index.js';
import { style } from './format.js';
import { writeFileAtomic } from '../engine/util/index.js';
import { basename, join } from 'node:path';

/**
 * Where a command's HTML report goes: `--html <file>`, else, when the reports folder is set
 * (`DRIFTCATCHER_REPORTS_DIR` or the config file's `reports.dir`), a new file there named after
 * the data and the time (`<data>.<YYYYMMDDTHHMMSSZ>.html`); else none.
 */
export async function htmlReportPath(flag: string | undefined, data: string): Promise<string | undefined> {
  if (flag) return flag;
  const { settingValue } = await import('./settings.js');
  const dir = await settingValue<string>('reports.dir');
  if (dir.source === 'default') return undefined;
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(dir.value, `${basename(data).replace(/[^A-Za-z0-9._-]/g, '_')}.${stamp}.html`);
}

/** Write an HTML report (temp + rename) and say where on stderr. */
export async function writeHtmlReport(file: string, html: string): Promise<void> {
  await writeFileAtomic(file, html);
  process.stderr.write(`driftcatcher: HTML report (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB) written to ${file}\n`);
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

/** How check and scan render their text: the CLI's style and next step. */
export function driftText(top: number | undefined): DriftTextOptions {
  return { top: top ?? 10, style, next: nextStep };
}

/** The warning for stderr when a report's sample is too small for its verdict (empty when it is not). */
export function smallSampleWarning(what: string | null, sample: { message: string } | null | undefined): string {
  const note = smallSampleNote(what, sample);
  return note ? `driftcatcher: warning: ${note}\n` : '';
}

/** The stderr line naming the baseline features a compat report skipped (empty when none). */
export function skippedFeaturesWarning(report: DriftReport, label?: string): string {
  const note = skippedFeaturesNote(report, label);
  return note ? `driftcatcher: ${note}\n` : '';
}

/** The `top` features by score in the CLI's style (agent check prints it). */
export function featureTable(report: DriftReport, top: number): string {
  return renderFeatureTable(report, top, style);
}
