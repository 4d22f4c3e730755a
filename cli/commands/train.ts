import { Command, Option } from 'commander';
import type { ModelChoice, NonFinitePolicy, Scoring, SearchMethod, TrainOptions } from '../../engine/model/index.js';
import type { KernelName } from '../../engine/index.js';
import { GBT_DEFAULTS, GBT_PARAM_SCHEMA, MIN_SAMPLE_ROWS, MODEL_CHOICES, SAMPLE_ROWS, parseGbtParam, SCORINGS, SEARCH_DEFAULTS, SEARCH_METHODS, SEARCH_SPACES, TRAIN_DEFAULTS, type GbtParams } from '../../engine/model/index.js';
import { UsageError } from '../../engine/util/index.js';
import { renderTraining, trainingJson } from '../../engine/report/index.js';
import { addAlertOptions, addRegistryOptions, addTrackingOptions, integer, list, number, registryOptions, trackingOptions, workersArg, workersHelp, type AlertFlags, type RegistryFlags, type TrackingFlags } from '../options.js';
import { alertIfOn } from '../alerting.js';
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
  sampleRows?: number;
  baselineFrom: 'all' | 'new';
  search?: SearchMethod;
  trials?: number;
  cv?: number;
  scoring?: Scoring;
  param?: string[];
  json?: boolean;
}

function collect(text: string, previous: string[] = []): string[] {
  return [...previous, text];
}

/** The default space of each family, for --help. */
function spacesHelp(): string {
  return Object.values(SEARCH_SPACES)
    .map((space) => `${space.family}: ${space.params.map((p) => `${p.name}=${p.grid.map((v) => v ?? 'none').join(',')}${p.range ? ` (random ${p.range.lo}:${p.range.hi})` : ''}`).join(' ')}`)
    .join('; ');
}

function maxFeatures(text: string): 'sqrt' | 'all' | number {
  return text === 'sqrt' || text === 'all' ? text : integer('--max-features', 1)(text);
}

/** `--param name=value` pairs -> the gbt parameters (names and ranges from GBT_PARAM_SCHEMA). */
function gbtParams(pairs: readonly string[] | undefined, model: ModelChoice): Partial<GbtParams> {
  const out: Partial<GbtParams> = {};
  if (pairs?.length && model !== 'gbt' && model !== 'auto') throw new UsageError(`without --search, --param sets gradient-boosted trees' parameters: use it with --model gbt (or auto), not ${model}`, { option: 'gbt' });
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--param takes name=value, got ${JSON.stringify(pair)}`, { option: 'gbt' });
    const { key, value } = parseGbtParam(pair.slice(0, at).trim(), pair.slice(at + 1));
    (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

const paramHelp = `one gbt parameter, name=value (defaults: scikit-learn HistGradientBoosting's): ${GBT_PARAM_SCHEMA.map((p) => `${p.name}=${String(GBT_DEFAULTS[p.key] ?? 'none')}`).join(', ')}`;

export function registerTrain(program: Command): void {
  addAlertOptions(addTrackingOptions(addRegistryOptions(program
    .command('train')
    .description('train a classifier on labelled data, evaluate it on a held-out split and register it as the challenger')
    .argument('<data>', 'labelled training data: CSV, Arrow IPC or Parquet')
    .option('--new-data <files...>', 'more labelled files to train on together with <data> (retrain on old + new)')
    .addOption(new Option('--model <kind>', 'random forest, TensorFlow.js logistic regression or MLP, gradient-boosted trees, one decision tree, or the best of them by validation ROC AUC').choices([...MODEL_CHOICES]).default(TRAIN_DEFAULTS.model))
    .option('--n-estimators <n>', 'trees in the forest', integer('--n-estimators', 1, 100_000), TRAIN_DEFAULTS.nEstimators)
    .option('--sample-rows <n>', `rows of the bounded sample read beside the u8 bins (bin edges, NaN fill, baseline, auto/--search selection, networks; every training row when fewer; default ${SAMPLE_ROWS})`, integer('--sample-rows', MIN_SAMPLE_ROWS, 10_000_000))
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
    .addOption(new Option('--search <method>', 'hyper-parameter search of --model (auto: every family) by stratified K-fold on the training split; the best is refitted and registered').choices([...SEARCH_METHODS]))
    .option('--trials <n>', `--search random: trials drawn (default ${SEARCH_DEFAULTS.trials})`, integer('--trials', 1, 10_000))
    .option('--cv <k>', `--search: folds of the stratified K-fold (default ${SEARCH_DEFAULTS.cv})`, integer('--cv', 2, 100))
    .addOption(new Option('--scoring <metric>', `--search: what the folds score (default ${SEARCH_DEFAULTS.scoring}; log_loss: lower is better)`).choices([...SCORINGS]))
    .option('--param <name=values>', `repeatable. With --search: a parameter's values, name=v1,v2 or (random) name=lo:hi (defaults: ${spacesHelp()}). Without: ${paramHelp}`, collect)
    .option('--json', 'print the result as JSON')), ['training'])
    .action(async (data: string, flags: TrainFlags & TrackingFlags & AlertFlags) => {
      const { trainModel } = await import('../../engine/model/index.js');
      const request: TrainOptions = {
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
        sampleRows: flags.sampleRows,
        // --param: the search's space with --search, else gbt's parameters
        gbt: flags.search ? {} : gbtParams(flags.param, flags.model),
        baselineFrom: flags.baselineFrom,
        search: flags.search,
        trials: flags.trials,
        cv: flags.cv,
        scoring: flags.scoring,
        param: flags.search ? flags.param : undefined,
        onProgress: process.stderr.isTTY ? (line) => process.stderr.write(`${line}\n`) : undefined,
      };
      const started = Date.now();
      let result;
      try {
        result = await trainModel(request);
      } catch (err) {
        // a training that ran and failed is a FAILED run (a usage error never started one); the
        // error stays the one line on stderr unless the run went to (or could not reach) a server
        const code = (err as { code?: unknown } | null)?.code;
        if (flags.record !== false && code !== 'DC_ERR_USAGE') {
          const { recordFailedTraining } = await import('../../engine/report/index.js');
          await recordFailedTraining(err, request, { ...trackingOptions(flags), startTime: started })
            .then((recorded) => recorded.state !== 'local' && process.stderr.write(`driftcatcher: failed ${recorded.message}\n`))
            .catch((recordError: unknown) => process.stderr.write(`driftcatcher: the failed run was not recorded: ${recordError instanceof Error ? recordError.message : String(recordError)}\n`));
        }
        throw err;
      }
      if (flags.json) printJson(trainingJson(result));
      else process.stdout.write(renderTraining(result) + '\n');
      // ALERT_ON_TRAINING: the new version and its test metrics to the webhook
      await alertIfOn({ on: flags.alertOnTraining, webhookUrl: flags.webhookUrl, alertFormat: flags.alertFormat, setting: 'ALERT_ON_TRAINING' }, async () => (await import('../../engine/agent/index.js')).trainingAlertContent(result));
      // the run (metrics, params, model, profile) goes to the ledger, then to MLflow when configured
      if (flags.record === false) return;
      const { recordTraining } = await import('../../engine/report/index.js');
      const recorded = await recordTraining(result, trackingOptions(flags));
      process.stderr.write(`driftcatcher: ${recorded.message}\n`);
    });
}
