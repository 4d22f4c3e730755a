import { Command } from 'commander';
import { addBaselineOptions, baselineOptions, maxLineBytesOption, workersArg, workersHelp, type BaselineFlags } from '../options.js';
import { counted, printJson } from '../format.js';

export function registerBaseline(program: Command): void {
  addBaselineOptions(
    program
      .command('baseline')
      .description('build the baseline profile of training data (per-feature quantile edges, proportions, statistics)')
      .argument('<data>', 'training data: CSV, Arrow IPC or Parquet')
      .requiredOption('-o, --out <profile.json>', 'where to write the profile'),
  )
    .option('--coerce', 'read non-numeric text in feature columns as NaN instead of failing')
    .addOption(maxLineBytesOption())
    .option('--workers <n>', workersHelp('worker threads of the baseline passes (CSV, Arrow, Parquet; 0 = run on the main thread; default: by input size, up to all cores)'), workersArg('--workers'))
    .option('--json', 'print the profile summary as JSON')
    .action(async (data: string, flags: BaselineFlags & { out: string; json?: boolean }) => {
      const { createBaseline, saveProfile } = await import('../../engine/profile/index.js');
      const profile = await createBaseline(data, baselineOptions(flags));
      await saveProfile(profile, flags.out);
      const nonFinite = profile.features.reduce((n, f) => n + f.missing, 0);
      const summary = { profile: flags.out, id: profile.id, rows: profile.rows, complete_rows: profile.complete_rows, features: profile.features.length, bins: profile.bins, non_finite_values: nonFinite };
      if (flags.json) printJson(summary);
      else
        process.stdout.write(
          `wrote ${flags.out}: ${counted(summary.features, 'feature')}, ${counted(summary.rows, 'row')} (${summary.complete_rows} with every feature finite), ${counted(summary.bins, 'bin')}, ${counted(nonFinite, 'non-finite value')}\n`,
        );
    });
}
