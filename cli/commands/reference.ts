import { Command } from 'commander';
import { addSourceOptions, durationArg, sourceOptions, type SourceFlags } from '../sources.js';
import { integer, list } from '../options.js';
import { counted, printJson, table, fixed } from '../format.js';
import { CATEGORICAL_DEFAULTS, MAX_CATEGORIES_LIMIT } from '../../engine/profile/index.js';
import { SOURCE_DEFAULTS, DAY_MS, windowEnding, windowText } from '../../engine/sources/index.js';

interface CreateFlags extends SourceFlags {
  days?: number;
  window?: number;
  out: string;
  bins: number;
  resolution?: number;
  categorical?: string[];
  maxCategories?: number;
  json?: boolean;
  label: string;
}

export function registerReference(program: Command): void {
  const reference = program.command('reference').description('reference profiles from windows of production data (prediction logs, PostgreSQL, DuckDB)');
  addSourceOptions(
    reference
      .command('create')
      .description('build a baseline profile from the rows of a time window [until - days, until) of a source (UTC, half-open)')
      .option('--days <n>', 'the window: this many days before --until', integer('--days', 1, 36_600))
      .option('--window <duration>', 'the window as a duration (30m, 12h, 7d, 2w) instead of --days', durationArg('--window'))
      .requiredOption('-o, --out <reference.json>', 'where to write the profile')
      .option('--bins <n>', 'quantile bins (10 = deciles)', integer('--bins', 1, 1000), 10)
      .option('--resolution <n>', "the fine summary's quantile grid, q = i / n, a multiple of --bins (default 1000 for deciles)", integer('--resolution', 1, 100000))
      .option('--label <name>', 'the true label\'s column (log field): not a feature, named in the profile', SOURCE_DEFAULTS.labelColumn)
      .option('--exclude <names>', 'comma-separated columns to leave out (ids)', list)
      .option('--categorical <names>', `comma-separated columns to profile as categorical (numeric columns with at most ${CATEGORICAL_DEFAULTS.maxDistinct} distinct values are too)`, list)
      .option('--max-categories <n>', `categories a categorical column keeps (default ${CATEGORICAL_DEFAULTS.maxCategories})`, integer('--max-categories', 1, MAX_CATEGORIES_LIMIT))
      .option('--json', 'print the profile summary as JSON'),
    { required: true },
  ).action(async (flags: CreateFlags) => {
    const { UsageError } = await import('../../engine/util/index.js');
    if (flags.days !== undefined && flags.window !== undefined) throw new UsageError('give --days or --window, not both');
    const duration = flags.window ?? (flags.days ?? 30) * DAY_MS;
    const window = windowEnding(flags.until ?? new Date(), duration);
    const { openSource, referenceFromSource } = await import('../../engine/sources/index.js');
    const { saveProfile } = await import('../../engine/profile/index.js');
    const options = sourceOptions(flags, flags.label);
    const source = await openSource(flags.from!, options);
    try {
      const profile = await referenceFromSource(source, window, { ...options, bins: flags.bins, resolution: flags.resolution, categorical: flags.categorical, maxCategories: flags.maxCategories });
      await saveProfile(profile, flags.out);
      const summary = { profile: flags.out, id: profile.id, source: source.description, window: profile.window, rows: profile.rows, complete_rows: profile.complete_rows, features: profile.features.length, bins: profile.bins };
      if (flags.json) printJson(summary);
      else process.stdout.write(`wrote ${flags.out}: ${counted(summary.features, 'feature')}, ${counted(summary.rows, 'row')} of ${source.description} in ${windowText(window)} UTC\n`);
    } finally {
      await source.close();
    }
  });
  reference
    .command('stats')
    .description('what a reference profile holds: rows, period, per-feature summary')
    .argument('<reference.json>', 'a profile from `reference create` (or `baseline`)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (file: string, flags: { json?: boolean }) => {
      const { loadProfile } = await import('../../engine/profile/index.js');
      const { referenceStats } = await import('../../engine/sources/index.js');
      const stats = referenceStats(await loadProfile(file));
      if (flags.json) {
        printJson(stats);
        return;
      }
      const period = stats.period ? `[${stats.period.from}, ${stats.period.until}) UTC on ${stats.period.time_column}` : 'not a window (built from a file)';
      const num = (v: number | null) => (v === null ? '-' : fixed(v, 4));
      const rows = stats.features.map((f) => [f.name, String(f.count), String(f.missing), num(f.min), num(f.median), num(f.max), num(f.mean), num(f.std), f.categorical ? 'yes' : '']);
      process.stdout.write(
        [
          `reference ${file} (id ${stats.id.slice(0, 12)})`,
          `source:   ${stats.source}`,
          `period:   ${period}`,
          `rows:     ${stats.rows} (${stats.complete_rows} with every feature finite), ${counted(stats.features.length, 'feature')}, ${counted(stats.bins, 'bin')}`,
          '',
          table(['feature', 'finite', 'missing', 'min', 'median', 'max', 'mean', 'std', 'categorical'], rows, [false, true, true, true, true, true, true, true, false]),
        ].join('\n') + '\n',
      );
    });
}
