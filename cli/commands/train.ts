import { Command, Option } from 'commander';
import type { ModelChoice, NonFinitePolicy, KernelName } from '../../engine/index.js';
import { renderTraining, trainingJson } from '../../engine/report/index.js';
import { addTrackingOptions, integer, list, number, trackingOptions, workersArg, workersHelp, type TrackingFlags } from '../options.js';
import { printJson } from '../format.js';

interface TrainFlags {
  newData?: string[];
  model: ModelChoice;
  nEstimators: number;
  maxDepth?: number;
  minSamplesLeaf: number;
  maxFeatures: 'sqrt' | 'all' | number;
  testSize: number;
  seed: number;
  out: string;
  name: string;
  workers?: number;
  kernel?: KernelName;
  label: string;
  negative: string;
  exclude?: string[];
  coerce?: boolean;
  nonFinite: NonFinitePolicy;
  epochs?: number;
  baselineFrom: 'all' | 'new';
  json?: boolean;
}

function maxFeatures(text: string): 'sqrt' | 'all' | number {
  return text === 'sqrt' || text === 'all' ? text : integer('--max-features', 1)(text);
}

export function registerTrain(program: Command): void {
  addTrackingOptions(program
    .command('train')
    .description('train a classifier on labelled data, evaluate it on a held-out split and register it as the challenger')
    .argument('<data>', 'labelled training data: CSV or Arrow IPC')
    .option('--new-data <files...>', 'more labelled files to train on together with <data> (retrain on old + new)')
    .addOption(new Option('--model <kind>', 'random forest, TensorFlow.js logistic regression or MLP, or the best of them by validation ROC AUC').choices(['rf', 'logreg', 'mlp', 'auto']).default('rf'))
    .option('--n-estimators <n>', 'trees in the forest', integer('--n-estimators', 1, 100_000), 100)
    .option('--max-depth <n>', 'tree depth limit (default: none)', integer('--max-depth', 1, 10_000))
    .option('--min-samples-leaf <n>', 'rows each leaf keeps at least', integer('--min-samples-leaf', 1), 1)
    .option('--max-features <n|sqrt|all>', 'features tried per split', maxFeatures, 'sqrt' as const)
    .option('--test-size <x>', 'share of rows held out for the test metrics', number('--test-size'), 0.2)
    .option('--seed <n>', 'seed of the split, bootstrap, feature draws and network weights', integer('--seed', 0), 42)
    .option('-o, --out <dir>', 'model registry folder (versions go to <dir>/v<N>/)', 'models')
    .option('--name <model>', 'registered model name: one name holds every model family (rf, logreg, mlp), so champion and challenger can be any two; each version records its model_type', 'ddos_random_forest')
    .option('--workers <n>', workersHelp('worker threads (0 = the main thread; default: all cores)'), workersArg('--workers'))
    .addOption(new Option('--kernel <name>', 'force a tree kernel').choices(['wasm-simd', 'wasm', 'js']))
    .option('--label <name>', 'label column', 'Label')
    .option('--negative <value>', 'the negative class; every other label is positive', 'BENIGN')
    .option('--exclude <names>', 'comma-separated columns to leave out (ids, timestamps)', list)
    .option('--coerce', 'read non-numeric text in feature columns as NaN instead of failing')
    .addOption(new Option('--non-finite <policy>', 'rows with NaN/Infinity features: drop them (the original tool) or impute (median, max, min)').choices(['drop', 'impute']).default('drop'))
    .addOption(new Option('--baseline-from <which>', 'the baseline profile beside the model: the whole training split, or only the --new-data files').choices(['all', 'new']).default('all'))
    .option('--epochs <n>', 'network training epochs (logreg, mlp)', integer('--epochs', 1, 10_000))
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
        out: flags.out,
        registeredModel: flags.name,
        workers: flags.workers,
        kernel: flags.kernel,
        label: flags.label,
        negative: flags.negative,
        exclude: flags.exclude,
        coerce: flags.coerce,
        nonFinite: flags.nonFinite,
        epochs: flags.epochs,
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
