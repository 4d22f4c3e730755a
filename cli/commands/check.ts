import { basename } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../engine/util/index.js';
import { addAlertOptions, addBaselineOptions, addDriftOptions, addTrackingOptions, baselineOptions, exitCodeFor, htmlOption, integer, scanOptions, trackingOptions, type AlertFlags, type BaselineFlags, type DriftFlags, type TrackingFlags } from '../options.js';
import { alertIfOn } from '../alerting.js';
import { printJson, table, fixed } from '../format.js';
import { REGISTRY_DEFAULTS } from '../../engine/model/index.js';
import { renderDriftReport } from '../../engine/report/index.js';
import { driftText, skippedFeaturesWarning, smallSampleWarning, writeHtmlReport, htmlReportPath } from '../render.js';
import { addSourceOptions, durationArg, sourceOptions, type SourceFlags } from '../sources.js';
import { DAY_MS, SOURCE_DEFAULTS, windowEnding } from '../../engine/sources/index.js';
import type { DriftReport, Profile } from '../../engine/index.js';

type CheckFlags = DriftFlags & TrackingFlags & BaselineFlags & SourceFlags & AlertFlags & { baseline?: string; summaries?: string[]; predictions?: boolean; predictionColumn?: string; model: string; window: number; chunk?: number; referenceDays?: number; pull?: boolean; html?: string };

export function registerCheck(program: Command): void {
  const check = addSourceOptions(
    addAlertOptions(addTrackingOptions(addDriftOptions(addBaselineOptions(
      program
        .command('check')
        .description('check one batch (a file, or the latest window of a source: --from) for drift against a baseline profile; prints features ranked by the drift method\'s score (PSI by default) and the verdict')
        .argument('[data]', 'current data: CSV, Arrow IPC or Parquet (or --summaries, or --from)')
        .option('--baseline <profile.json|data>', 'a baseline profile from `driftcatcher baseline` or `reference create`, or training data to build one from (with --from: or --reference-days)')
        .option('--summaries <summary.json...>', 'instead of data: the batch summaries of its shards (`scan --summary-out`), added into one verdict')
        .option('--predictions', "prediction drift too: score the batch with --model and compare its y_prob and predicted positive rate with the model's prediction profile (drifted predictions make the verdict at least alert)")
        .option('--prediction-column <name>', "prediction drift from a column of the batch that already holds the model's y_prob (the model is not run; its prediction profile is the reference)")
        .option('--model <ref>', 'the model of --predictions: a registry folder (champion, else the latest; DIR@alias or DIR@version for another), a version folder or a model.json', REGISTRY_DEFAULTS.registry)
        .addOption(htmlOption()),
      ' (when the baseline is built from data)',
    ))), ['drift']),
    { required: false },
  )
    .option('--window <duration>', 'with --from: the window checked, [until - window, until) UTC (30m, 12h, 1d, 2w)', durationArg('--window'), DAY_MS)
    .option('--chunk <duration>', 'with --from: one check per chunk of the window (e.g. --window 30d --chunk 1d), a history', durationArg('--chunk'))
    .option('--reference-days <n>', 'with --from, instead of --baseline: the reference is the n days before the window', integer('--reference-days', 1, 36_600))
    .option('--pull', 'with a database --from: pull the rows and count them here instead of one aggregate query in the database (slower; a cross-check)');
  check.action(async (data: string | undefined, flags: CheckFlags, command: Command) => {
    if (flags.from !== undefined) return checkFromSource(data, flags, command);
    for (const [given, flag] of [[flags.chunk, '--chunk'], [flags.referenceDays, '--reference-days'], [flags.until, '--until'], [flags.pull, '--pull']] as const) {
      if (given !== undefined) throw new UsageError(`${flag} goes with --from <source>`);
    }
    if (flags.baseline === undefined) throw new UsageError("required option '--baseline <profile.json|data>' not specified");
    if ((data === undefined) === (flags.summaries === undefined)) throw new UsageError(data === undefined ? 'give the current data, or --summaries' : 'give the current data or --summaries, not both');
    const withPredictions = flags.predictions === true || flags.predictionColumn !== undefined;
    if (withPredictions && flags.summaries) throw new UsageError('--predictions and --prediction-column need the batch itself, not --summaries');
    const startTime = Date.now();
    const { resolveBaseline } = await import('../../engine/profile/index.js');
    const { profile } = await resolveBaseline(flags.baseline, baselineOptions(flags));
    const report = flags.summaries
      ? await (await import('../../engine/drift/index.js')).checkSummaryFiles(profile, flags.summaries, scanOptions(flags))
      : withPredictions
        ? await (await import('../../engine/monitor/index.js')).checkDriftWithPredictions(profile, data!, { ...scanOptions(flags), predictions: { model: flags.model, predictionColumn: flags.predictionColumn, coerce: flags.coerce } })
        : await (await import('../../engine/drift/index.js')).checkDrift(profile, data!, scanOptions(flags));
    await finish(report, flags, startTime, null, profile, data ?? 'summaries');
  });
}

/** Print a report (text or JSON), set the exit code, record the run. */
async function finish(report: DriftReport, flags: CheckFlags, startTime: number, window: object | null, profile: Profile, data: string): Promise<void> {
  process.stderr.write(skippedFeaturesWarning(report));
  if (flags.json) printJson(window ? { window, ...report } : report);
  else process.stdout.write(renderDriftReport(report, driftText(flags.top)) + '\n');
  process.stderr.write(smallSampleWarning(null, report.small_sample));
  process.stderr.write(smallSampleWarning('prediction drift', report.prediction_drift?.small_sample));
  process.exitCode = Math.max(Number(process.exitCode ?? 0), exitCodeFor(report.action, flags.failOn));
  const htmlPath = await htmlReportPath(flags.html, data);
  const html = htmlPath ? await (await import('../../engine/report/index.js')).renderDriftHtml(report, { profile }) : undefined;
  if (htmlPath) await writeHtmlReport(htmlPath, html!);
  // ALERT_ON_DRIFT: the verdict to the webhook when it is alert or retrain
  const alert = { on: flags.alertOnDrift, webhookUrl: flags.webhookUrl, alertFormat: flags.alertFormat, setting: 'ALERT_ON_DRIFT' };
  const reference = flags.baseline !== undefined ? basename(flags.baseline) : `reference of the ${flags.referenceDays} days before`;
  if (report.action !== 'wait') await alertIfOn(alert, async () => (await import('../../engine/agent/index.js')).alertContent(report, { name: reference, version: null }));
  await record(report, flags, startTime, html);
}

async function record(report: DriftReport, flags: CheckFlags, startTime: number, html?: string): Promise<void> {
  // the run goes to the local ledger, then to MLflow when a server is configured
  if (flags.record === false) return;
  const { recordDriftCheck } = await import('../../engine/report/index.js');
  const recorded = await recordDriftCheck(report, { ...trackingOptions(flags), startTime, html });
  process.stderr.write(`driftcatcher: ${recorded.message}\n`);
}

/** `check --from <source>`: the latest window (or each chunk of it) against --baseline or the --reference-days before it. */
async function checkFromSource(data: string | undefined, flags: CheckFlags, command: Command): Promise<void> {
  if (data !== undefined || flags.summaries) throw new UsageError('give --from <source> or the current data (--summaries), not both');
  if (flags.predictions || flags.predictionColumn !== undefined) throw new UsageError('--predictions and --prediction-column read a data file; with --from the prediction columns are left out of the features');
  if ((flags.baseline === undefined) === (flags.referenceDays === undefined)) throw new UsageError(flags.baseline === undefined ? 'with --from, give --baseline <reference.json> or --reference-days <n>' : 'give --baseline or --reference-days, not both');
  const startTime = Date.now();
  const until = flags.until ?? new Date();
  const window = windowEnding(until, flags.window);
  // the CLI's --label default (Label, the CICIDS files' column) is not the sources' (label)
  const label = command.getOptionValueSource('label') === 'default' ? SOURCE_DEFAULTS.labelColumn : flags.label;
  // logs: the scan's workers, kernel and line limit, as a file check's
  const options = { ...sourceOptions(flags, label, flags.exclude), workers: flags.workers, kernel: flags.kernel, maxLineBytes: flags.maxLineBytes };
  const sources = await import('../../engine/sources/index.js');
  const source = await sources.openSource(flags.from!, options);
  try {
    let profile;
    if (flags.baseline !== undefined) {
      const { resolveBaseline } = await import('../../engine/profile/index.js');
      profile = (await resolveBaseline(flags.baseline, baselineOptions(flags))).profile;
    } else {
      const referenceWindow = windowEnding(window.from, flags.referenceDays! * DAY_MS);
      profile = await sources.referenceFromSource(source, referenceWindow, { ...options, bins: flags.bins, resolution: flags.resolution, categorical: flags.categorical, maxCategories: flags.maxCategories });
      process.stderr.write(`driftcatcher: reference: ${profile.rows} rows in ${sources.windowText(referenceWindow)} UTC\n`);
    }
    const checkOptions = { ...scanOptions(flags), pull: flags.pull === true };
    if (flags.chunk === undefined) {
      const checked = await sources.checkSourceWindow(source, profile, window, checkOptions);
      if (!flags.json) process.stdout.write(`window ${sources.windowText(window)} UTC: ${checked.report.current.rows} rows of ${source.description}\n`);
      await finish(checked.report, flags, startTime, checked.window, profile, 'window');
      return;
    }
    const chunks = await sources.checkSourceChunks(source, profile, window, flags.chunk, checkOptions);
    let worst = 0;
    for (const chunk of chunks) {
      if (!chunk.report) continue;
      worst = Math.max(worst, exitCodeFor(chunk.report.action, flags.failOn));
      await record(chunk.report, flags, startTime);
    }
    if (flags.json) printJson({ source: source.description, window: sources.windowJson(window), chunks });
    else {
      const rows = chunks.map((c) => [c.window.from, c.window.until, String(c.report ? c.report.current.rows : 0), c.report ? fixed(c.report.overall_score) : '-', c.report ? `${c.report.n_drifted_features}/${c.report.total_features}` : '-', c.report ? c.report.action : 'no rows']);
      process.stdout.write(`${chunks.length} chunks of ${source.description}, [from, until) UTC:\n${table(['from', 'until', 'rows', 'overall', 'drifted', 'action'], rows, [false, false, true, true, true, false])}\n`);
    }
    process.exitCode = worst;
  } finally {
    await source.close();
  }
}
