import { Command } from 'commander';
import { addBaselineOptions, addDriftOptions, addTrackingOptions, baselineOptions, htmlOption, exitCodeFor, scanOptions, trackingOptions, type BaselineFlags, type DriftFlags, type TrackingFlags } from '../options.js';
import { printJson } from '../format.js';
import { renderScanReport } from '../../engine/report/index.js';
import { driftText, skippedFeaturesWarning, smallSampleWarning, writeHtmlReport, htmlReportPath } from '../render.js';

export function registerScan(program: Command): void {
  addTrackingOptions(addDriftOptions(addBaselineOptions(
    program
      .command('scan')
      .description('bulk drift scan: one row per file plus the combined row, work spread over worker threads')
      .argument('<files...>', 'current data files: CSV, Arrow IPC or Parquet')
      .requiredOption('--baseline <profile.json|data>', 'a baseline profile, or training data to build one from')
      .option('--summary-out <part.json>', 'also write the batch summary of all the files (their counts on the baseline\'s bins) for `check --summaries`')
      .addOption(htmlOption()),
    ' (when the baseline is built from data)',
  ))).action(async (files: string[], flags: DriftFlags & TrackingFlags & BaselineFlags & { baseline: string; summaryOut?: string; html?: string }) => {
    const { resolveBaseline } = await import('../../engine/profile/index.js');
    const { scanDriftSummary, saveSummary } = await import('../../engine/drift/index.js');
    const { profile } = await resolveBaseline(flags.baseline, baselineOptions(flags));
    const { scan, summary } = await scanDriftSummary(profile, files, scanOptions(flags));
    if (flags.summaryOut) {
      await saveSummary(summary, flags.summaryOut);
      process.stderr.write(`driftcatcher: batch summary of ${files.length} file(s), ${summary.rows} rows, written to ${flags.summaryOut}\n`);
    }
    scan.files.forEach((r, i) => process.stderr.write(skippedFeaturesWarning(r, files[i])));
    if (scan.files.length > 1) process.stderr.write(skippedFeaturesWarning(scan.combined, 'combined'));
    if (flags.json) printJson(scan);
    else process.stdout.write(renderScanReport(scan, driftText(flags.top)) + '\n');
    for (const report of scan.files) process.stderr.write(smallSampleWarning(report.current.files[0]!, report.small_sample));
    if (scan.files.length > 1) process.stderr.write(smallSampleWarning('combined', scan.combined.small_sample));
    process.exitCode = exitCodeFor(scan.combined.action, flags.failOn);
    const htmlPath = await htmlReportPath(flags.html, files.length === 1 ? files[0]! : 'scan');
    const html = htmlPath ? await (await import('../../engine/report/index.js')).renderScanHtml(scan, { profile }) : undefined;
    if (htmlPath) await writeHtmlReport(htmlPath, html!);
    // a parent run (all files combined) with one child run per file: ledger first, then MLflow
    if (flags.record === false) return;
    const { recordDriftScan } = await import('../../engine/report/index.js');
    const recorded = await recordDriftScan(scan, { ...trackingOptions(flags), html });
    process.stderr.write(`driftcatcher: ${recorded.message}\n`);
  });
}
