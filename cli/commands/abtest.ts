import { Command, InvalidArgumentError, Option } from 'commander';
import { ABTEST_DEFAULTS, AB_METRICS, type AbMetric } from '../../engine/monitor/index.js';
import { addRegistryOptions, addTrackingOptions, integer, number, registryOptions, trackingOptions, type RegistryFlags, type TrackingFlags } from '../options.js';
import { printJson, style } from '../format.js';

interface AbTestFlags extends RegistryFlags, TrackingFlags {
  modelA: string;
  modelB: string;
  metric: AbMetric;
  alpha: number;
  bootstrap: number;
  seed: number;
  coerce?: boolean;
  json?: boolean;
}

function alphaArg(text: string): number {
  const value = number('--alpha')(text);
  if (!(value > 0 && value < 1)) throw new InvalidArgumentError(`--alpha must be between 0 and 1 (exclusive), got "${text}"`);
  return value;
}

export function registerAbTest(program: Command): void {
  addTrackingOptions(
    addRegistryOptions(
      program
        .command('abtest')
        .description(
          'A/B test two model versions on the same labelled rows: each metric (f1, accuracy, auc) with a paired bootstrap confidence interval, McNemar\'s exact test (accuracy), DeLong\'s test (auc), the winner on --metric and whether the difference is significant at --alpha; recorded in the ab_testing experiment',
        )
        .argument('<data>', 'labelled data both models score: CSV, Arrow IPC or Parquet')
        .option('--model-a <ref>', 'model A (the incumbent): an alias or version of --registry, DIR@alias, a version folder or a model.json', 'champion')
        .option('--model-b <ref>', 'model B (the candidate), as --model-a', 'challenger'),
    )
      .addOption(new Option('--metric <name>', 'the metric that picks the winner (its test: f1 paired bootstrap, accuracy McNemar exact, auc DeLong)').choices([...AB_METRICS]).default(ABTEST_DEFAULTS.metric))
      .option('--alpha <x>', 'significance level; the intervals are at confidence 1 - alpha', alphaArg, ABTEST_DEFAULTS.alpha)
      .option('--bootstrap <n>', 'paired bootstrap rounds', integer('--bootstrap', 1, 1_000_000), ABTEST_DEFAULTS.bootstrap)
      .option('--seed <n>', 'seed of the bootstrap resamples', integer('--seed', 0), ABTEST_DEFAULTS.seed)
      .option('--coerce', 'read non-numeric text in feature columns as NaN instead of failing')
      .option('--json', 'print one JSON object on stdout'),
  ).action(async (data: string, flags: AbTestFlags) => {
    const { abTest } = await import('../../engine/monitor/index.js');
    const { recordAbTest, renderAbTest } = await import('../../engine/report/index.js');
    const report = await abTest({ ...registryOptions(flags), modelA: flags.modelA, modelB: flags.modelB, data, metric: flags.metric, alpha: flags.alpha, bootstrap: flags.bootstrap, seed: flags.seed, coerce: flags.coerce, onProgress: process.stderr.isTTY ? (line) => process.stderr.write(`driftcatcher: ${line}\n`) : undefined });
    if (flags.json) printJson(report);
    else process.stdout.write(renderAbTest(report, style) + '\n');
    if (flags.record === false) return;
    const recorded = await recordAbTest(report, trackingOptions(flags));
    process.stderr.write(`driftcatcher: ${recorded.message}\n`);
  });
}
