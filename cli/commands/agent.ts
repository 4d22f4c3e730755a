import { Command, InvalidArgumentError, Option } from 'commander';
import type { AgentOptions, AlertFormat } from '../../engine/agent/index.js';
import { UsageError } from '../../engine/util/index.js';
// --interval is parsed with the command line, and --help shows the agent's defaults
import { AGENT_DEFAULTS, parseInterval } from '../../engine/agent/index.js';
import { addAlertOptions, addDriftOptions, addRegistryOptions, addTrackingOptions, exitCodeFor, integer, number, registryOptions, scanOptions, trackingOptions, workersArg, workersHelp, type DriftFlags, type RegistryFlags, type TrackingFlags } from '../options.js';
import { printJson } from '../format.js';
import { featureTable, smallSampleWarning } from '../render.js';
import { addSourceOptions, durationArg, sourceOptions, type SourceFlags } from '../sources.js';

// Each agent command has the options it uses and no others (test/cli/options.test.ts checks it).

/** Where the agent works: every agent command. */
interface PlaceFlags extends RegistryFlags {
  stateDir?: string;
  ledgerDir?: string;
}

interface RetrainFlags {
  minRetrainHours: number;
  baseData?: string;
  nEstimators: number;
  seed: number;
  trainWorkers?: number;
}

interface AlertFlags {
  alertCooldownHours: number;
  newData?: string[];
  /** the old spelling of --new-data, hidden */
  labeledData?: string[];
  webhookUrl?: string;
  alertFormat: AlertFormat;
  reportDir?: string;
}

interface LogFlags {
  quiet?: boolean;
}

type CheckFlags = PlaceFlags & RetrainFlags & AlertFlags & LogFlags & DriftFlags & TrackingFlags;

function addPlaceOptions(command: Command): Command {
  return addRegistryOptions(command, 'model registry (the champion\'s baseline is checked against)').option('--state-dir <dir>', 'state file and daily logs (default: <ledger>/agent)');
}

const minRetrainHours = () => new Option('--min-retrain-hours <h>', 'at least this long between retrains').argParser(number('--min-retrain-hours')).default(AGENT_DEFAULTS.minRetrainHours);
const alertCooldownHours = () => new Option('--alert-cooldown-hours <h>', 'at least this long between alerts').argParser(number('--alert-cooldown-hours')).default(AGENT_DEFAULTS.alertCooldownHours);

/**
 * `retrainOnly`: the command does nothing but train (`agent retrain`), so its threads are `--workers`
 * as in `train` (`--train-workers` hidden); `check` and `watch` scan with `--workers` and retrain
 * with `--train-workers`.
 */
function addRetrainOptions(command: Command, retrainOnly = false): Command {
  command
    .addOption(minRetrainHours())
    .option('--base-data <file>', 'the labelled data the model was trained on (retraining adds new files to it)')
    .option('--n-estimators <n>', 'trees when retraining', integer('--n-estimators', 1, 100_000), AGENT_DEFAULTS.nEstimators)
    .option('--seed <n>', 'seed when retraining', integer('--seed', 0), AGENT_DEFAULTS.seed);
  if (!retrainOnly) return command.option('--train-workers <n>', workersHelp('worker threads when retraining'), workersArg('--train-workers'));
  return command
    .option('--workers <n>', workersHelp('worker threads'), workersArg('--workers'))
    .addOption(new Option('--train-workers <n>', 'the old spelling of --workers').argParser(workersArg('--train-workers')).hideHelp());
}

/** What `check` and `watch` do with a verdict: alert, or retrain with labelled files. */
function addActionOptions(command: Command): Command {
  addRetrainOptions(command)
    .addOption(alertCooldownHours())
    .option('--new-data <files...>', 'new labelled files to retrain with on a retrain verdict (without them: alert)')
    .addOption(new Option('--labeled-data <files...>', 'the old spelling of --new-data').hideHelp())
    .option('--report-dir <dir>', "write each check's HTML report into this folder (<batch>.<time>.html); the alert names it, the run keeps it as drift_report.html");
  return addAlertOptions(command);
}

const addQuiet = (command: Command) => command.option('--quiet', 'do not echo log events on stderr');

function place(flags: PlaceFlags): Pick<AgentOptions, 'registry' | 'registeredModel' | 'stateDir'> {
  return { ...registryOptions(flags), stateDir: flags.stateDir };
}

function retrain(flags: RetrainFlags, workers = flags.trainWorkers): Pick<AgentOptions, 'minRetrainHours' | 'baseData' | 'train'> {
  return { minRetrainHours: flags.minRetrainHours, baseData: flags.baseData, train: { nEstimators: flags.nEstimators, seed: flags.seed, workers } };
}

function logTo(flags: LogFlags): AgentOptions['onLog'] {
  return flags.quiet ? undefined : (entry) => process.stderr.write(`driftcatcher agent: ${entry.event} ${entry.message}\n`);
}

/** `check` and `watch`: everything. */
function checkOptions(flags: CheckFlags): AgentOptions {
  return {
    ...place(flags),
    ...retrain(flags),
    alertCooldownHours: flags.alertCooldownHours,
    labeledData: flags.newData ?? flags.labeledData,
    webhookUrl: flags.webhookUrl,
    alertFormat: flags.alertFormat,
    reportDir: flags.reportDir,
    drift: scanOptions(flags),
    tracking: trackingOptions(flags),
    record: flags.record,
    onLog: logTo(flags),
  };
}

function interval(text: string): number {
  try {
    return parseInterval(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function registerAgent(program: Command): void {
  const agent = program.command('agent').description('the retrain agent: drift checks against the champion, alerts and retraining under cooldowns');

  addQuiet(addActionOptions(addPlaceOptions(addTrackingOptions(addDriftOptions(agent.command('check').description('check a batch against the champion\'s baseline and act (alert, retrain or cooldown)'))))))
    .argument('[data]', 'current data: CSV, Arrow IPC or Parquet')
    .addOption(new Option('--data <file>', 'the old spelling of the data argument').hideHelp())
    .action(async (positional: string | undefined, flags: CheckFlags & { data?: string }) => {
      const data = positional ?? flags.data;
      if (data === undefined) throw new UsageError('agent check needs the data to check: agent check FILE');
      const { agentCheck } = await import('../../engine/agent/index.js');
      const result = await agentCheck(data, checkOptions(flags));
      const { report, ...rest } = result;
      const top = report.features.slice(0, flags.top ?? 10);
      // a feature's psi is there only when PSI is the method (JSON leaves an undefined key out)
      if (flags.json) printJson({ ...rest, top_features: top.map((f) => ({ name: f.name, score: f.score, psi: f.psi, drifted: f.drifted })) });
      else {
        process.stdout.write(`${result.file}: ${result.action} (overall ${result.method} ${result.overall_score.toFixed(4)}, ${result.n_drifted_features} drifted) against ${result.model.name} v${result.model.version} (${result.model.alias}) -> ${result.taken}${result.alert ? ` (alert ${result.alert.delivered ? 'sent' : `not delivered: ${result.alert.error}`})` : ''}${result.retrain ? ` (v${result.retrain.version} ${result.retrain.status})` : ''}\n`);
        process.stdout.write(featureTable(report, top.length) + '\n');
      }
      process.stderr.write(smallSampleWarning(null, result.small_sample));
      process.exitCode = exitCodeFor(result.action, flags.failOn);
    });

  addQuiet(addRetrainOptions(addPlaceOptions(addTrackingOptions(agent.command('retrain').description('retrain on the base data + new labelled files, register the challenger, promote it when it is not worse on a holdout'))), true))
    .option('--new-data <files...>', 'new labelled files')
    .addOption(new Option('--new-labeled-data <files...>', 'the old spelling of --new-data').hideHelp())
    .option('--force', 'ignore the retrain cooldown')
    .option('--json', 'print the result as JSON')
    .action(async (flags: PlaceFlags & RetrainFlags & LogFlags & TrackingFlags & { workers?: number; newData?: string[]; newLabeledData?: string[]; force?: boolean; json?: boolean }) => {
      const { agentRetrain } = await import('../../engine/agent/index.js');
      const result = await agentRetrain(flags.newData ?? flags.newLabeledData ?? [], { ...place(flags), ...retrain(flags, flags.trainWorkers ?? flags.workers), tracking: trackingOptions(flags), record: flags.record, onLog: logTo(flags), force: flags.force });
      if (flags.json) printJson(result);
      else if (result.status === 'cooldown') process.stdout.write('retrain skipped: inside the retrain cooldown (--force ignores it)\n');
      else if (result.status === 'busy') process.stdout.write(`retrain skipped: another retrain is running (pid ${result.running?.pid}, started ${result.running?.since})\n`);
      else process.stdout.write(`v${result.version}: ${result.metric} ${result.challenger_score?.toFixed(4)} vs champion ${result.champion_version === null ? 'none' : `v${result.champion_version} ${result.champion_score?.toFixed(4)}`} on ${result.holdout_rows} holdout rows -> ${result.status}\n`);
    });

  addPlaceOptions(agent.command('status').description('cooldowns, counts, the champion version and the drift trend (against the current baseline)'))
    .option('--ledger-dir <dir>', 'the local run ledger, whose agent/ folder holds the state without --state-dir (default: $DRIFTCATCHER_HOME, else ./.driftcatcher)')
    .addOption(minRetrainHours())
    .addOption(alertCooldownHours())
    .option('--json', 'print the status as JSON')
    .action(async (flags: PlaceFlags & { minRetrainHours: number; alertCooldownHours: number; json?: boolean }) => {
      const { agentStatus } = await import('../../engine/agent/index.js');
      const status = await agentStatus({ ...place(flags), tracking: { ledgerDir: flags.ledgerDir }, minRetrainHours: flags.minRetrainHours, alertCooldownHours: flags.alertCooldownHours });
      if (flags.json) return printJson(status);
      const t = status.trend;
      const running = status.retrain_running;
      const lines = [
        `champion: ${status.champion ? `${status.champion.name} v${status.champion.version} (${status.champion.alias})` : 'none'}`,
        `checks ${status.total_checks}, alerts ${status.total_alerts}, retrains ${status.total_retrains}`,
        `last alert: ${status.last_alert_time ?? 'never'} (cooldown left ${status.alert_cooldown_left_hours.toFixed(1)} h)`,
        `last retrain: ${status.last_retrain_time ?? 'never'} (cooldown left ${status.retrain_cooldown_left_hours.toFixed(1)} h)`,
        ...(running ? [`retrain running: pid ${running.pid} since ${running.since}${running.alive ? '' : ' (process gone: the next check gives the slot back)'}`] : []),
        `drift trend${t.method ? ` (${t.method})` : ''}: ${t.direction} (${t.recent.map((x) => x.toFixed(3)).join(' ') || (t.other_baselines ? 'no checks against this baseline yet' : 'no checks yet')})${t.model_version !== null ? ` against v${t.model_version}` : ''}${t.other_baselines ? `; ${t.other_baselines} check(s) against earlier baselines left out` : ''}${t.other_methods ? `; ${t.other_methods} check(s) with another method left out` : ''}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });

  addSourceOptions(addQuiet(addActionOptions(addPlaceOptions(addTrackingOptions(addDriftOptions(agent.command('watch').description('check each new data file in a folder (and unchecked ones already there), or each new window of a source (--from), until SIGINT/SIGTERM'), { output: false }))))), { required: false, until: false })
    .argument('[dir]', 'folder to watch (or --from)')
    .addOption(new Option('--interval <time>', 'time between polls: 30s, 15m, 1h').argParser(interval).default(AGENT_DEFAULTS.watchIntervalMs, `${AGENT_DEFAULTS.watchIntervalMs / 3_600_000}h`))
    .option('--every <duration>', 'with --from: the window length; windows are whole UTC periods (1h: whole hours, 1d: UTC days), [from, until), each checked once when it is complete; polls every --every unless --interval is given (default 1h)', durationArg('--every'))
    .action(async (dir: string | undefined, flags: CheckFlags & SourceFlags & { interval: number; every?: number }, command: Command) => {
      if ((dir === undefined) === (flags.from === undefined)) throw new UsageError(dir === undefined ? 'agent watch needs a folder to watch, or --from <source>' : 'give a folder to watch or --from <source>, not both');
      if (flags.from === undefined && flags.every !== undefined) throw new UsageError('--every goes with --from <source>');
      if (flags.from === undefined && flags.maxLineBytes !== undefined) throw new UsageError('--max-line-bytes goes with --from <source>');
      const { agentWatch, agentWatchSource } = await import('../../engine/agent/index.js');
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const every = flags.every ?? AGENT_DEFAULTS.watchIntervalMs;
        const options = {
          ...checkOptions(flags),
          intervalMs: flags.from !== undefined && command.getOptionValueSource('interval') === 'default' ? every : flags.interval,
          signal: controller.signal,
          onCheck: (result: { file: string; small_sample: Parameters<typeof smallSampleWarning>[1] }) => process.stderr.write(smallSampleWarning(result.file, result.small_sample)),
        };
        const summary = flags.from !== undefined ? await agentWatchSource(flags.from, { ...options, windowMs: every, source: sourceOptions(flags, undefined) }) : await agentWatch(dir!, options);
        process.stdout.write(`stopped: ${summary.polls} poll(s), ${summary.checked} checked, ${summary.failed} failed\n`);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
