import { Command, Option } from 'commander';
import type { ModelChoice, NonFinitePolicy } from '../../engine/model/index.js';
import type { KernelName } from '../../engine/index.js';
import { GBT_DEFAULTS, GBT_PARAM_SCHEMA, MODEL_CHOICES, parseGbtParam, TRAIN_DEFAULTS, type GbtParams } from '../../engine/model/index.js';
import { UsageError } from '../../engine/util/index.js';
import { renderTraining, trainingJson } from '../../engine/report/index.js';
import { addRegistryOptions, addTrackingOptions, integer, list, number, registryOptions, trackingOptions, workersArg, workersHelp, type RegistryFlags, type TrackingFlags } from '../options.js';
import { printJson } from '../format.js';

interface TrainFlags extends RegistryFlags {
  newData?: string[];
  model: ModelChoice;
  nEstimators: number;
  maxDepth?: number;
  minSamplesLeaf: number;
  maxFeatures: 'sqrt' | 'all' | number;
  testSize: number;
  seed: number;
  /** the old spelling of --registry (hidden, kept for one release) */
  out?: string;
  workers?: number;
  kernel?: KernelName;
  label: string;
  negative: string;
  exclude?: string[];
  coerce?: boolean;
  nonFinite: NonFinitePolicy;
  epochs?: number;
  param?: string[];
  baselineFrom: 'all' | 'new';
  json?: boolean;
}

function maxFeatures(text: string): 'sqrt' | 'all' | number {
  return text === 'sqrt' || text === 'all' ? text : integer('--max-features', 1)(text);
}

/** `--param name=value` pairs -> the gbt parameters (names and ranges from GBT_PARAM_SCHEMA). */
function gbtParams(pairs: readonly string[] | undefined): Partial<GbtParams> {
  const out: Partial<GbtParams> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--param takes name=value, got ${JSON.stringify(pair)}`, { option: 'gbt' });
    const { key, value } = parseGbtParam(pair.slice(0, at).trim(), pair.slice(at + 1));
    (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

const paramHelp = `gbt parameter, repeatable (defaults: scikit-learn HistGradientBoosting's): ${GBT_PARAM_SCHEMA.map((p) => `${p.name}=${String(GBT_DEFAULTS[p.key] ?? 'none')}`).join(', ')}`;

export function registerTrain(program: Command): void {
  addTrackingOptions(addRegistryOptions(program
    .command('train')
    .description('train a classifier on labelled data, evaluate it on a held-out split and register it as the challenger')
    .argument('<data>', 'labelled training data: CSV, Arrow IPC or Parquet')
    .option('--new-data <files...>', 'more labelled files to train on together with <data> (retrain on old + new)')
    .addOption(new Option('--model <kind>', 'random forest, TensorFlow.js logistic regression or MLP, gradient-boosted trees, one decision tree, or the best of them by validation ROC AUC').choices([...MODEL_CHOICES]).default(TRAIN_DEFAULTS.model))
    .option('--n-estimators <n>', 'trees in the forest', integer('--n-estimators', 1, 100_000), TRAIN_DEFAULTS.nEstimators)
    .option('--max-depth <n>', 'tree depth limit of rf and tree (default: none; gbt: --param max_depth=N)', integer('--max-depth', 1, 10_000))
    .option('--min-samples-leaf <n>', 'rows each leaf keeps at least', integer('--min-samples-leaf', 1), TRAIN_DEFAULTS.minSamplesLeaf)
    .option('--max-features <n|sqrt|all>', 'features tried per split', maxFeatures, TRAIN_DEFAULTS.maxFeatures)
    .option('--test-size <x>', 'share of rows held out for the test metrics', number('--test-size'), TRAIN_DEFAULTS.testSize)
    .option('--seed <n>', 'seed of the split, bootstrap, feature draws and network weights', integer('--seed', 0), TRAIN_DEFAULTS.seed), 'model registry folder (versions go to <dir>/v<N>/)')
    .addOption(new Option('-o, --out <dir>', 'the old spelling of --registry').hideHelp())
    .option('--workers <n>', workersHelp('worker threads (0 = the main thread; default: all cores)'), workersArg('--workers'))
    .addOption(new Option('--kernel <name>', 'force a tree kernel').choices(['wasm-simd', 'wasm', 'js']))
    .option('--label <name>', 'label column', TRAIN_DEFAULTS.label)
    .option('--negative <value>', 'the negative class; every other label is positive', TRAIN_DEFAULTS.negative)
    .option('--exclude <names>', 'comma-separated columns to leave out (ids, timestamps)', list)
    .option('--coerce', 'read non-numeric text in feature columns as NaN instead of failing')
    .addOption(new Option('--non-finite <policy>', 'rows with NaN/Infinity features: drop them (the original tool) or impute (median, max, min)').choices(['drop', 'impute']).default(TRAIN_DEFAULTS.nonFinite))
    .addOption(new Option('--baseline-from <which>', 'the baseline profile beside the model: the whole training split, or only the --new-data files').choices(['all', 'new']).default(TRAIN_DEFAULTS.baselineFrom))
    .option('--epochs <n>', 'network training epochs (logreg, mlp)', integer('--epochs', 1, 10_000))
    .option('--param <name=value...>', paramHelp)
    .option('--json', 'print the result as JSON'))
    .action(async (data: string, flags: TrainFlags & TrackingFlags) => {
      const { trainModel } = await import('../../engine/model/index.js');
      const result = await trainModel({
        data,
        newData: flags.newData,
        model: flags.model,
        nEstimators: flags.nEstimators,
        maxDepth: flags.maxDepth ?? null,
        minSamplesLeaf: flags.minSamplesLeaf,
        maxFeatures: flags.maxFeatures,
        testSize: flags.testSize,
        seed: flags.seed,
        ...registryOptions({ registry: flags.out ?? flags.registry, name: flags.name }),
        workers: flags.workers,
        kernel: flags.kernel,
        label: flags.label,
        negative: flags.negative,
        exclude: flags.exclude,
        coerce: flags.coerce,
        nonFinite: flags.nonFinite,
        epochs: flags.epochs,
        gbt: gbtParams(flags.param),
        baselineFrom: flags.baselineFrom,
        onProgress: process.stderr.isTTY ? (line) => process.stderr.write(`${line}\n`) : undefined,
      });
      if (flags.json) printJson(trainingJson(result));
      else process.stdout.write(renderTraining(result) + '\n');
      // the run (metrics, params, model, profile) goes to the ledger, then to MLflow when configured
      if (flags.record === false) return;
      const { recordTraining } = await import('../../engine/report/index.js');
      const recorded = await recordTraining(result, trackingOptions(flags));
      process.stderr.write(`driftcatcher: ${recorded.message}\n`);
    });
}
