import { Command } from 'commander';
import { counted, printJson } from '../format.js';

/** `driftcatcher profile merge a.json b.json -o all.json`: one baseline from baselines built on shards (docs/PROFILE.md "Merged profiles"). */
export function registerProfile(program: Command): void {
  const group = program.command('profile').description('work with baseline profiles');
  group
    .command('merge')
    .description('merge baseline profiles built on separate shards of the training data into one (counts add exactly; quantiles within a stated rank error)')
    .argument('<profiles...>', 'profiles from `driftcatcher baseline`, same --bins, --resolution, label and columns')
    .requiredOption('-o, --out <profile.json>', 'where to write the merged profile')
    .option('--json', 'print the merged profile summary as JSON')
    .action(async (files: string[], flags: { out: string; json?: boolean }) => {
      const { mergeProfileFiles, saveProfile } = await import('../../engine/profile/index.js');
      const profile = await mergeProfileFiles(files);
      await saveProfile(profile, flags.out);
      let worst = { name: '', rank_error: 0 };
      for (const f of profile.features) if ((f.merged?.rank_error ?? 0) > worst.rank_error) worst = { name: f.name, rank_error: f.merged!.rank_error };
      const exact = profile.features.filter((f) => f.merged?.counts_exact ?? true).length;
      const summary = { profile: flags.out, id: profile.id, shards: files.length, rows: profile.rows, features: profile.features.length, worst_rank_error: worst.rank_error, worst_rank_error_feature: worst.name || null, counts_exact_features: exact };
      if (flags.json) printJson(summary);
      else
        process.stdout.write(
          `wrote ${flags.out}: ${files.length} profiles merged, ${counted(summary.features, 'feature')}, ${counted(summary.rows, 'row')}; quantile rank error at most ${worst.rank_error.toPrecision(3)}${worst.name ? ` (${worst.name})` : ''}; counts on the merged edges exact for ${exact} of ${summary.features} features\n`,
        );
    });
}
