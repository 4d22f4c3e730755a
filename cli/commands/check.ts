import { basename } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../engine/util/index.js';
import { addAlertOptions, addBaselineOptions, addDriftOptions, addTrackingOptions, baselineOptions, htmlOption, exitCodeFor, scanOptions, trackingOptions, type AlertFlags, type BaselineFlags, type DriftFlags, type TrackingFlags } from '../options.js';
import { alertIfOn } from '../alerting.js';
import { printJson } from '../format.js';
import { REGISTRY_DEFAULTS } from '../../engine/model/index.js';
import { renderDriftReport } from '../../engine/report/index.js';
import { driftText, skippedFeaturesWarning, smallSampleWarning, writeHtmlReport, htmlReportPath } from '../render.js';

export function registerCheck(program: Command): void {
  addAlertOptions(addTrackingOptions(addDriftOptions(addBaselineOptions(
    program
      .command('check')
      .description('check one batch for drift against a baseline profile; prints features ranked by the drift method\'s score (PSI by default) and the verdict')
      .argument('[data]', 'current data: CSV, Arrow IPC or Parquet (or --summaries)')
      .requiredOption('--baseline <profile.json|data>', 'a baseline profile from `driftcatcher baseline`, or training data to build one from')
      .option('--summaries <summary.json...>', 'instead of data: the batch summaries of its shards (`scan --summary-out`), added into one verdict')
      .option('--predictions', "prediction drift too: score the batch with --model and compare its y_prob and predicted positive rate with the model's prediction profile (drifted predictions make the verdict at least alert)")
      .option('--prediction-column <name>', "prediction drift from a column of the batch that already holds the model's y_prob (the model is not run; its prediction profile is the reference)")
      .option('--model <ref>', 'the model of --predictions: a registry folder (champion, else the latest; DIR@alias or DIR@version for another), a version folder or a model.json', REGISTRY_DEFAULTS.registry)
      .addOption(htmlOption()),
    ' (when the baseline is built from data)',
  ))), ['drift']).action(async (data: string | undefined, flags: DriftFlags & TrackingFlags & BaselineFlags & AlertFlags & { baseline: string; summaries?: string[]; predictions?: boolean; predictionColumn?: string; model: string; html?: string }) => {
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
    process.stderr.write(skippedFeaturesWarning(report));
    if (flags.json) printJson(report);
    else process.stdout.write(renderDriftReport(report, driftText(flags.top)) + '\n');
    process.stderr.write(smallSampleWarning(null, report.small_sample));
    process.stderr.write(smallSampleWarning('prediction drift', report.prediction_drift?.small_sample));
    process.exitCode = exitCodeFor(report.action, flags.failOn);
    const htmlPath = await htmlReportPath(flags.html, data ?? 'summaries');
    const html = htmlPath ? await (await import('../../engine/report/index.js')).renderDriftHtml(report, { profile }) : undefined;
    if (htmlPath) await writeHtmlReport(htmlPath, html!);
    // ALERT_ON_DRIFT: the verdict to the webhook when it is alert or retrain
    const alert = { on: flags.alertOnDrift, webhookUrl: flags.webhookUrl, alertFormat: flags.alertFormat, setting: 'ALERT_ON_DRIFT' };
    if (report.action !== 'wait') await alertIfOn(alert, async () => (await import('../../engine/agent/index.js')).alertContent(report, { name: basename(flags.baseline), version: null }));
    // the run goes to the local ledger, then to MLflow when a server is configured
    if (flags.record === false) return;
    const { recordDriftCheck } = await import('../../engine/report/index.js');
    const recorded = await recordDriftCheck(report, { ...trackingOptions(flags), startTime, html });
    process.stderr.write(`driftcatcher: ${recorded.message}\n`);
  });
}
