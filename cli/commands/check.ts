import { Command } from 'commander';
import { UsageError } from '../../engine/util/index.js';
import { addBaselineOptions, addDriftOptions, addTrackingOptions, baselineOptions, exitCodeFor, scanOptions, trackingOptions, type BaselineFlags, type DriftFlags, type TrackingFlags } from '../options.js';
import { printJson } from '../format.js';
import { renderDriftReport } from '../../engine/report/index.js';
import { driftText, skippedFeaturesWarning, smallSampleWarning } from '../render.js';

export function registerCheck(program: Command): void {
  addTrackingOptions(addDriftOptions(addBaselineOptions(
    program
      .command('check')
      .description('check one batch for drift against a baseline profile; prints features ranked by the drift method\'s score (PSI by default) and the verdict')
      .argument('[data]', 'current data: CSV, Arrow IPC or Parquet (or --summaries)')
      .requiredOption('--baseline <profile.json|data>', 'a baseline profile from `driftcatcher baseline`, or training data to build one from')
      .option('--summaries <summary.json...>', 'instead of data: the batch summaries of its shards (`scan --summary-out`), added into one verdict'),
    ' (when the baseline is built from data)',
  ))).action(async (data: string | undefined, flags: DriftFlags & TrackingFlags & BaselineFlags & { baseline: string; summaries?: string[] }) => {
    if ((data === undefined) === (flags.summaries === undefined)) throw new UsageError(data === undefined ? 'give the current data, or --summaries' : 'give the current data or --summaries, not both');
    const startTime = Date.now();
    const { resolveBaseline } = await import('../../engine/profile/index.js');
    const { checkDrift, checkSummaryFiles } = await import('../../engine/drift/index.js');
    const { profile } = await resolveBaseline(flags.baseline, baselineOptions(flags));
    const report = flags.summaries ? await checkSummaryFiles(profile, flags.summaries, scanOptions(flags)) : await checkDrift(profile, data!, scanOptions(flags));
    process.stderr.write(skippedFeaturesWarning(report));
    if (flags.json) printJson(report);
    else process.stdout.write(renderDriftReport(report, driftText(flags.top)) + '\n');
    process.stderr.write(smallSampleWarning(null, report.small_sample));
    process.exitCode = exitCodeFor(report.action, flags.failOn);
    // the run goes to the local ledger, then to MLflow when a server is configured
    if (flags.record === false) return;
    const { recordDriftCheck } = await import('../../engine/report/index.js');
    const recorded = await recordDriftCheck(report, { ...trackingOptions(flags), startTime });
    process.stderr.write(`driftcatcher: ${recorded.message}\n`);
  });
}
