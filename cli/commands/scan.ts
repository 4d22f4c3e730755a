import { Command } from 'commander';
import { addBaselineOptions, addDriftOptions, addTrackingOptions, baselineOptions, exitCodeFor, scanOptions, trackingOptions, type BaselineFlags, type DriftFlags, type TrackingFlags } from '../options.js';
import { printJson } from '../format.js';
import { renderScanReport } from '../../engine/report/index.js';
import { driftText, skippedFeaturesWarning, smallSampleWarning } from '../render.js';

export function registerScan(program: Command): void {
  addTrackingOptions(addDriftOptions(addBaselineOptions(
    program
      .command('scan')
      .description('bulk drift scan: one row per file plus the combined row, work spread over worker threads')
      .argument('<files...>', 'current data files: CSV, Arrow IPC or Parquet')
      .requiredOption('--baseline <profile.json|data>', 'a baseline profile, or training data to build one from'),
    ' (when the baseline is built from data)',
  ))).action(async (files: string[], flags: DriftFlags & TrackingFlags & BaselineFlags & { baseline: string }) => {
    const { resolveBaseline } = await import('../../engine/profile/index.js');
    const { scanDrift } = await import('../../engine/drift/index.js');
    const { profile } = await resolveBaseline(flags.baseline, baselineOptions(flags));
    const scan = await scanDrift(profile, files, scanOptions(flags));
    scan.files.forEach((r, i) => process.stderr.write(skippedFeaturesWarning(r, files[i])));
    if (scan.files.length > 1) process.stderr.write(skippedFeaturesWarning(scan.combined, 'combined'));
    if (flags.json) printJson(scan);
    else process.stdout.write(renderScanReport(scan, driftText(flags.top)) + '\n');
    for (const report of scan.files) process.stderr.write(smallSampleWarning(report.current.files[0]!, report.small_sample));
    if (scan.files.length > 1) process.stderr.write(smallSampleWarning('combined', scan.combined.small_sample));
    process.exitCode = exitCodeFor(scan.combined.action, flags.failOn);
    // a parent run (all files combined) with one child run per file: ledger first, then MLflow
    if (flags.record === false) return;
    const { recordDriftScan } = await import('../../engine/report/index.js');
    const recorded = await recordDriftScan(scan, trackingOptions(flags));
    process.stderr.write(`driftcatcher: ${recorded.message}\n`);
  });
}
