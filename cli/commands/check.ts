import { Command } from 'commander';
import { addDriftOptions, addTrackingOptions, exitCodeFor, scanOptions, trackingOptions, type DriftFlags, type TrackingFlags } from '../options.js';
import { printJson } from '../format.js';
import { renderDriftReport, skippedFeaturesNote } from '../render.js';

export function registerCheck(program: Command): void {
  addTrackingOptions(addDriftOptions(
    program
      .command('check')
      .description('check one batch for drift against a baseline profile; prints features ranked by PSI and the verdict')
      .argument('<data>', 'current data: CSV or Arrow IPC')
      .requiredOption('--baseline <profile.json>', 'baseline profile from `driftcatcher baseline`'),
  )).action(async (data: string, flags: DriftFlags & TrackingFlags & { baseline: string }) => {
    const { loadProfile } = await import('../../engine/profile/index.js');
    const { checkDrift } = await import('../../engine/drift/index.js');
    const profile = await loadProfile(flags.baseline);
    const report = await checkDrift(profile, data, scanOptions(flags));
    const skipped = skippedFeaturesNote(report);
    if (skipped) process.stderr.write(`${skipped}\n`);
    if (flags.json) printJson(report);
    else process.stdout.write(renderDriftReport(report, flags.top ?? 10) + '\n');
    process.exitCode = exitCodeFor(report.action, flags.failOn);
    // the run goes to the local ledger, then to MLflow when a server is configured
    if (flags.record === false) return;
    const { recordDriftCheck } = await import('../../engine/tracking/index.js');
    const recorded = await recordDriftCheck(report, trackingOptions(flags));
    process.stderr.write(`driftcatcher: ${recorded.message}\n`);
  });
}
