/** Option parsers and the shared drift options, so that every command spells them the same way. */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { BaselineOptions, ScanOptions, Aggregation, Compat, KernelName } from '../engine/index.js';
import type { TrackingOptions } from '../engine/tracking/index.js';
// the choices and defaults `--help` lists, from the areas that define them (engine/index.js would
// load every area of the engine before the command line is even parsed)
import { AGGREGATIONS, AUTO, COMPATS, CORRECTIONS, DRIFT_DEFAULTS, DRIFT_METHODS, P_VALUE_POLICY, QUALITY_ACTIONS, type Correction, type QualityAction } from '../engine/drift/index.js';
import { REGISTRY_DEFAULTS } from '../engine/model/index.js';
import { maxWorkers, workerBoundText } from '../engine/drift/index.js';
import { IO_DEFAULTS, MAX_LINE_BYTES_LIMIT } from '../engine/io/index.js';
import { AGENT_DEFAULTS, ALERT_FORMATS, type AlertFormat } from '../engine/agent/index.js';
import { CONFIG_DEFAULTS } from './settings.js';
import { CATEGORICAL_DEFAULTS, MAX_CATEGORIES_LIMIT } from '../engine/profile/index.js';

export function integer(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
    return value;
  };
}

/** `--workers`-like options: an integer from 0 to the machine's bound (engine/parallel/limits.ts), named in the error. */
export function workersArg(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value) || value < 0) throw new InvalidArgumentError(`${name} must be an integer from 0 to ${maxWorkers()}, got "${text}"`);
    if (value > maxWorkers()) throw new InvalidArgumentError(`${name} ${value} is above the bound: ${workerBoundText()}`);
    return value;
  };
}

/** What `--help` says of a workers option, after its own words. */
export function workersHelp(what: string): string {
  return `${what}; ${workerBoundText()}; threads start as tasks come, never more than the input has`;
}

export function number(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError(`${name} must be a number, got "${text}"`);
    return value;
  };
}

export function list(text: string, previous: string[] = []): string[] {
  return previous.concat(text.split(',').map((s) => s.trim()).filter(Boolean));
}

export interface DriftFlags {
  compat?: Compat;
  method?: string;
  threshold?: number;
  epsilon?: number;
  aggregation?: Aggregation;
  driftShare?: number;
  correction?: Correction;
  retrainOverall?: number;
  retrainFeatures?: number;
  alertOverall?: number;
  missingThreshold?: number;
  outOfRangeThreshold?: number;
  constantThreshold?: number;
  newCategoryThreshold?: number;
  qualityAction?: QualityAction;
  workers?: number;
  kernel?: KernelName;
  coerce?: boolean;
  maxLineBytes?: number;
  failOn?: 'alert' | 'retrain';
  json?: boolean;
  top?: number;
}

/** `psi 0.2, jensenshannon 0.1, hellinger 0.1`: each method's default threshold. */
const methodThresholds = () => DRIFT_METHODS.map((m) => `${m.id} ${DRIFT_DEFAULTS.thresholds[m.id]}`).join(', ');

/** `--method` (setting drift.method: cli/settings.ts). */
export function methodOption(): Option {
  return new Option('--method <id>', 'drift method; auto: one per feature (categorical: chisquare on its categories; at most 5 distinct training values: chisquare; at most 1000 training values: ks; more: wasserstein)').choices([...DRIFT_METHODS.map((m) => m.id), AUTO]).default(DRIFT_DEFAULTS.method);
}

/** `--threshold` (setting drift.threshold, $DRIFT_THRESHOLD). */
export function thresholdOption(): Option {
  return new Option('--threshold <x>', `per-feature drift threshold (with auto: the p-value methods'; else $DRIFT_THRESHOLD, else the config file's drift.threshold; default: the method's: ${methodThresholds()})`).argParser(number('--threshold'));
}

/** `--reference-days` (setting reference.window_days, $REFERENCE_WINDOW_DAYS): days of production data a reference window covers. */
export function referenceDaysOption(): Option {
  return new Option('--reference-days <n>', `days of production data the reference window covers (default: $REFERENCE_WINDOW_DAYS, else ${CONFIG_DEFAULTS.referenceWindowDays})`).argParser(integer('--reference-days', 1, 36_600));
}

export interface AlertFlags {
  webhookUrl?: string;
  alertFormat: AlertFormat;
  alertOnDrift?: boolean;
  alertOnTraining?: boolean;
}

/**
 * `--webhook-url` and `--alert-format` (settings alert.webhook_url, alert.format), and with `on` the
 * switch that makes a command alert: `--alert-on-drift` (check) or `--alert-on-training` (train),
 * each with its `--no-` form, so a flag can turn off what the environment or the file turned on.
 */
export function addAlertOptions(command: Command, on: ReadonlyArray<'drift' | 'training'> = []): Command {
  command
    .option('--webhook-url <url>', 'alert webhook (default: $ALERT_WEBHOOK_URL)')
    .addOption(new Option('--alert-format <format>', 'webhook payload').choices([...ALERT_FORMATS]).default(AGENT_DEFAULTS.alertFormat));
  if (on.includes('drift')) command.option('--alert-on-drift', 'post the verdict to the webhook when it is alert or retrain (default: $ALERT_ON_DRIFT, else off)').option('--no-alert-on-drift', 'do not, whatever $ALERT_ON_DRIFT or the config file say');
  if (on.includes('training')) command.option('--alert-on-training', 'post the new version and its test metrics to the webhook (default: $ALERT_ON_TRAINING, else off)').option('--no-alert-on-training', 'do not, whatever $ALERT_ON_TRAINING or the config file say');
  return command;
}

/** The drift and engine options `check` and `scan` share (defaults: DRIFT_DEFAULTS); `output: false` leaves out --fail-on, --top and --json. */
export function addDriftOptions(command: Command, { output = true }: { output?: boolean } = {}): Command {
  const policy = DRIFT_DEFAULTS.policy;
  const quality = DRIFT_DEFAULTS.quality;
  command
    .addOption(new Option('--compat <tool>', 'reproduce another tool exactly (driftcatcher: the original tool, PSI only)').choices([...COMPATS]))
    .addOption(methodOption())
    .addOption(thresholdOption())
    .option('--drift-share <x>', 'the dataset drifts (verdict retrain) when at least this share of the features drifted (Evidently: 0.5; default: the policy alone)', number('--drift-share'))
    .addOption(new Option('--correction <how>', "multiple-testing correction of the p-value methods' p-values (ks, chisquare)").choices([...CORRECTIONS]).default(DRIFT_DEFAULTS.correction))
    .option('--epsilon <x>', 'replaces zero proportions', number('--epsilon'), DRIFT_DEFAULTS.epsilon)
    .addOption(new Option('--aggregation <how>', 'feature scores -> overall score').choices([...AGGREGATIONS]).default(DRIFT_DEFAULTS.aggregation))
    .option('--retrain-overall <x>', `retrain when the overall score is above this (below, for a p-value; p-value methods: ${P_VALUE_POLICY.retrainOverall}, the features decide) (default: ${policy.retrainOverall})`, number('--retrain-overall'))
    .option('--retrain-features <n>', `retrain when more than n features drifted (default: ${policy.retrainDriftedFeatures})`, integer('--retrain-features', 0))
    .option('--alert-overall <x>', `alert when the overall score is above this (or any feature drifted; p-value methods: ${P_VALUE_POLICY.alertOverall}) (default: ${policy.alertOverall})`, number('--alert-overall'))
    .option('--missing-threshold <x>', `data quality: a feature's missing rate (non-finite values / rows) changing by more than this, absolute, is a breach (default: ${quality.missingThreshold})`, number('--missing-threshold'))
    .option('--out-of-range-threshold <x>', `data quality: more than this share of a feature's finite values outside the training range is a breach (default: ${quality.outOfRangeThreshold})`, number('--out-of-range-threshold'))
    .option('--constant-threshold <x>', `data quality: at least this share of a feature's values in one bin, where the baseline had less, is a breach (became constant) (default: ${quality.constantThreshold})`, number('--constant-threshold'))
    .option('--new-category-threshold <x>', `data quality: more than this share of a categorical feature's values in new categories is a breach (default: ${quality.newCategoryThreshold})`, number('--new-category-threshold'))
    .addOption(new Option('--quality-action <action>', 'what a data-quality breach makes the verdict at least (none: report only)').choices([...QUALITY_ACTIONS]).default(quality.action))
    .option('--workers <n>', workersHelp('worker threads (0 = run on the main thread; default: by input size, up to all cores)'), workersArg('--workers'))
    .addOption(new Option('--kernel <name>', 'force a histogram kernel').choices(['wasm-simd', 'wasm', 'js']))
    .option('--coerce', 'read non-numeric text in feature columns as NaN instead of failing')
    .addOption(maxLineBytesOption());
  if (!output) return command;
  return command
    .addOption(new Option('--fail-on <action>', 'exit 1 when the verdict is this or worse').choices(['alert', 'retrain']))
    .option('--top <n>', 'rows of the feature table', integer('--top', 1), 10)
    .option('--json', 'print one JSON object on stdout');
}

export function scanOptions(flags: DriftFlags): ScanOptions {
  return {
    compat: flags.compat ?? null,
    method: flags.method,
    threshold: flags.threshold,
    epsilon: flags.epsilon,
    aggregation: flags.aggregation,
    driftShare: flags.driftShare ?? null,
    correction: flags.correction,
    policy: { retrainOverall: flags.retrainOverall, retrainDriftedFeatures: flags.retrainFeatures, alertOverall: flags.alertOverall },
    quality: { missingThreshold: flags.missingThreshold, outOfRangeThreshold: flags.outOfRangeThreshold, constantThreshold: flags.constantThreshold, newCategoryThreshold: flags.newCategoryThreshold, action: flags.qualityAction },
    workers: flags.workers,
    kernel: flags.kernel,
    coerce: flags.coerce ?? false,
    maxLineBytes: flags.maxLineBytes,
  };
}

/** `--html <file>`: the self-contained HTML report beside the text (check, scan, monitor). */
export function htmlOption(): Option {
  return new Option('--html <file>', 'also write the HTML report (one self-contained file: plots per feature, sortable table; also an artifact of the run)');
}

/** `--max-line-bytes`: the CSV and log readers' line limit (ReadOptions.maxLineBytes). */
export function maxLineBytesOption(): Option {
  return new Option('--max-line-bytes <n>', `longest CSV or log line accepted, in bytes (header or row; default ${IO_DEFAULTS.maxLineBytes} = 1 MiB)`).argParser(integer('--max-line-bytes', 1, MAX_LINE_BYTES_LIMIT));
}

const SEVERITY = { wait: 0, alert: 1, retrain: 2 } as const;

/** Exit status for a verdict under --fail-on. */
export function exitCodeFor(action: 'wait' | 'alert' | 'retrain', failOn?: 'alert' | 'retrain'): number {
  return failOn && SEVERITY[action] >= SEVERITY[failOn] ? 1 : 0;
}

export interface TrackingFlags {
  /** false with --no-record */
  record?: boolean;
  trackingUri?: string;
  experiment?: string;
  ledgerDir?: string;
}

/** The tracking options commands that record runs share (`--experiment` only where a run is made). */
export function addTrackingOptions(command: Command, what: { experiment?: boolean } = { experiment: true }): Command {
  command
    .option('--tracking-uri <uri>', 'MLflow tracking server, http(s)://host:port (default: $MLFLOW_TRACKING_URI, else the config file\'s tracking.uri; none: runs stay in the local ledger)')
    .option('--ledger-dir <dir>', 'the local run ledger (default: $DRIFTCATCHER_HOME, else ./.driftcatcher)');
  if (what.experiment) {
    command
      .option('--experiment <name>', "MLflow experiment name (default: the command's own, e.g. drift_monitoring or training, after $DRIFTCATCHER_EXPERIMENT_PREFIX)")
      .option('--no-record', 'do not record the run (neither in the ledger nor in MLflow), e.g. for benchmarks');
  }
  return command;
}

export function trackingOptions(flags: TrackingFlags): TrackingOptions {
  const debug = process.argv.includes('--debug');
  return {
    ...(flags.trackingUri !== undefined ? { trackingUri: flags.trackingUri } : {}),
    experiment: flags.experiment,
    ledgerDir: flags.ledgerDir,
    log: debug ? (line) => process.stderr.write(`driftcatcher: ${line}\n`) : undefined,
  };
}

export interface BaselineFlags {
  bins: number;
  resolution?: number;
  label: string;
  exclude?: string[];
  categorical?: string[];
  maxCategories?: number;
  coerce?: boolean;
  maxLineBytes?: number;
  workers?: number;
}

/** How a baseline is built from training data (`baseline`, and `scan --baseline <data>`). */
export function addBaselineOptions(command: Command, when = ''): Command {
  return command
    .option('--bins <n>', `quantile bins (10 = deciles)${when}`, integer('--bins', 1, 1000), 10)
    .option('--resolution <n>', `the fine summary's quantile grid, q = i / n, a multiple of --bins (default 1000 for deciles, else the next multiple of bins; ks and wasserstein read it)${when}`, integer('--resolution', 1, 100000))
    .option('--label <name>', `label column, left out of the features${when}`, 'Label')
    .option('--exclude <names>', `comma-separated columns to leave out (ids, timestamps)${when}`, list)
    .option(
      '--categorical <names>',
      `comma-separated columns to profile as categorical (value counts; every method but ks and wasserstein compares their category shares); numeric columns with at most ${CATEGORICAL_DEFAULTS.maxDistinct} distinct values are categorical too (chisquare and auto use their categories)${when}`,
      list,
    )
    .option('--max-categories <n>', `categories a categorical column keeps, the most frequent; the rest count as "other" (default ${CATEGORICAL_DEFAULTS.maxCategories})${when}`, integer('--max-categories', 1, MAX_CATEGORIES_LIMIT));
}

export function baselineOptions(flags: BaselineFlags): BaselineOptions {
  return {
    bins: flags.bins,
    resolution: flags.resolution,
    label: flags.label,
    exclude: flags.exclude,
    categorical: flags.categorical,
    maxCategories: flags.maxCategories,
    coerce: flags.coerce,
    maxLineBytes: flags.maxLineBytes,
    workers: flags.workers,
  };
}

/**
 * The flag of a library option named in an error (UsageError `option`, a field path such as
 * `policy.retrainOverall`): the engine's messages name the option, the CLI shows its own flag.
 * Options whose flag is not the kebab-case of the field's last part are listed.
 */
const OPTION_FLAGS: Record<string, string> = {
  'policy.retrainOverall': '--retrain-overall',
  'policy.retrainDriftedFeatures': '--retrain-features',
  'policy.alertOverall': '--alert-overall',
  'quality.action': '--quality-action',
  'thresholds.minAccuracy': '--min-accuracy',
  'thresholds.minPrecision': '--min-precision',
  'thresholds.minRecall': '--min-recall',
  'thresholds.maxFalsePositiveRate': '--max-fpr',
  'thresholds.maxFalseNegativeRate': '--max-fnr',
};

export function flagOf(option: string): string {
  const known = OPTION_FLAGS[option];
  if (known) return known;
  // the gbt parameters come in through `--param name=value` (their names are in the message)
  if (option === 'gbt' || option.startsWith('gbt.')) return '--param';
  const last = option.slice(option.lastIndexOf('.') + 1);
  return `--${last.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export interface RegistryFlags {
  registry: string;
  name: string;
}

/** `--registry` and `--name`: the model registry and registered model, one spelling in every command. */
export function addRegistryOptions(command: Command, what = 'model registry folder'): Command {
  return command
    .option('--registry <dir>', what, REGISTRY_DEFAULTS.registry)
    .option('--name <model>', 'registered model name: one name holds every model family, so champion and challenger can be any two', REGISTRY_DEFAULTS.registeredModel);
}

/** The engine's registry options from the flags. */
export function registryOptions(flags: RegistryFlags): { registry: string; registeredModel: string } {
  return { registry: flags.registry, registeredModel: flags.name };
}
