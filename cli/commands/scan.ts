import { Command } from 'commander';
import { createBaseline, loadProfile, recordDriftScan, scanDrift, type Profile } from '../../engine/index.js';
import { addDriftOptions, addTrackingOptions, exitCodeFor, integer, list, scanOptions, trackingOptions, type DriftFlags, type TrackingFlags } from '../options.js';
import { printJson } from '../format.js';
import { renderScanReport } from '../render.js';

export function registerScan(program: Command): void {
  addTrackingOptions(addDriftOptions(
    program
      .command('scan')
      .description('bulk drift scan: one row per file plus the combined row, work spread over worker threads')
      .argument('<files...>', 'current data files: CSV or Arrow IPC')
      .requiredOption('--baseline <profile.json|data>', 'a baseline profile, or training data to build one from')
      .option('--bins <n>', 'quantile bins when the baseline is built from data', integer('--bins', 1, 1000), 10)
      .option('--label <name>', 'label column when the baseline is built from data', 'Label')
      .option('--exclude <names>', 'comma-separated columns to leave out when the baseline is built from data', list),
  )).action(async (files: string[], flags: DriftFlags & TrackingFlags & { baseline: string; bins: number; label: string; exclude?: string[] }) => {
    const profile: Profile = flags.baseline.toLowerCase().endsWith('.json')
      ? await loadProfile(flags.baseline)
      : await createBaseline(flags.baseline, { bins: flags.bins, label: flags.label, exclude: flags.exclude, coerce: flags.coerce });
    const scan = await scanDrift(profile, files, scanOptions(flags));
    if (flags.json) printJson(scan);
    else process.stdout.write(renderScanReport(scan) + '\n');
    process.exitCode = exitCodeFor(scan.combined.action, flags.failOn);
    // a parent run (all files combined) with one child run per file: ledger first, then MLflow
    if (flags.record === false) return;
    const recorded = await recordDriftScan(scan, trackingOptions(flags));
    process.stderr.write(`driftcatcher: ${recorded.message}\n`);
  });
}
