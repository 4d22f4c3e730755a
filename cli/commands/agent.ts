import { Command, InvalidArgumentError, Option } from 'commander';
import type { AgentOptions, AlertFormat } from '../../engine/index.js';
// --interval is parsed with the command line; watch.js loads the rest of the agent when a watch starts
import { parseInterval } from '../../engine/agent/watch.js';
import { addDriftOptions, addTrackingOptions, integer, number, scanOptions, workersArg, workersHelp, trackingOptions, type DriftFlags, type TrackingFlags } from '../options.js';
import { printJson } from '../format.js';

interface AgentFlags extends DriftFlags, TrackingFlags {
  registry: string;
  name: string;
  stateDir?: string;
  minRetrainHours: number;
  alertCooldownHours: number;
  baseData?: string;
  labeledData?: string[];
  webhookUrl?: string;
  alertFormat: AlertFormat;
  nEstimators: number;
  seed: number;
  trainWorkers?: number;
  quiet?: boolean;
}

function addAgentOptions(command: Command): Command {
  return addTrackingOptions(command)
    .option('--registry <dir>', 'model registry (the champion\'s baseline is checked against)', 'models')
    .option('--name <model>', 'registered model name', 'ddos_random_forest')
    .option('--state-dir <dir>', 'state file and daily logs (default: <ledger>/agent)')
    .option('--min-retrain-hours <h>', 'at least this long between retrains', number('--min-retrain-hours'), 24)
    .option('--alert-cooldown-hours <h>', 'at least this long between alerts', number('--alert-cooldown-hours'), 6)
    .option('--base-data <file>', 'the labelled data the model was trained on (retraining adds new files to it)')
    .option('--labeled-data <files...>', '`check`: labelled files to retrain with on a retrain verdict')
    .option('--webhook-url <url>', 'alert webhook (default: $ALERT_WEBHOOK_URL)')
    .addOption(new Option('--alert-format <format>', 'webhook payload').choices(['slack', 'discord', 'generic']).default('generic'))
    .option('--n-estimators <n>', 'trees when retraining', integer('--n-estimators', 1, 100_000), 100)
    .option('--seed <n>', 'seed when retraining', integer('--seed', 0), 42)
    .option('--train-workers <n>', workersHelp('worker threads when retraining'), workersArg('--train-workers'))
    .option('--quiet', 'do not echo log events on stderr');
}

function agentOptions(flags: AgentFlags): AgentOptions {
  return {
    registry: flags.registry,
    registeredModel: flags.name,
    stateDir: flags.stateDir,
    minRetrainHours: flags.minRetrainHours,
    alertCooldownHours: flags.alertCooldownHours,
    baseData: flags.baseData,
    labeledData: flags.labeledData,
    webhookUrl: flags.webhookUrl,
    alertFormat: flags.alertFormat,
    drift: scanOptions(flags),
    train: { nEstimators: flags.nEstimators, seed: flags.seed, workers: flags.trainWorkers },
    tracking: trackingOptions(flags),
    record: flags.record,
    onLog: flags.quiet ? undefined : (entry) => process.stderr.write(`driftcatcher agent: ${entry.event} ${entry.message}\n`),
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

  addAgentOptions(addDriftOptions(agent.command('check').description('check a batch against the champion\'s baseline and act (alert, retrain or cooldown)')))
    .requiredOption('--data <file>', 'current data: CSV or Arrow IPC')
    .action(async (flags: AgentFlags & { data: string }) => {
      const { agentCheck } = await import('../../engine/agent/index.js');
      const result = await agentCheck(flags.data, agentOptions(flags));
      const { report: _report, ...rest } = result;
      if (flags.json) printJson(rest);
      else process.stdout.write(`${result.file}: ${result.action} (overall PSI ${result.overall_psi.toFixed(4)}, ${result.n_drifted_features} drifted) against ${result.model.name} v${result.model.version} (${result.model.alias}) -> ${result.taken}${result.alert ? ` (alert ${result.alert.delivered ? 'sent' : `not delivered: ${result.alert.error}`})` : ''}${result.retrain ? ` (v${result.retrain.version} ${result.retrain.status})` : ''}\n`);
    });

  addAgentOptions(agent.command('retrain').description('retrain on the base data + new labelled files, register the challenger, promote it when it is not worse on a holdout'))
    .requiredOption('--new-labeled-data <files...>', 'new labelled files')
    .option('--force', 'ignore the retrain cooldown')
    .option('--json', 'print the result as JSON')
    .action(async (flags: AgentFlags & { newLabeledData: string[]; force?: boolean }) => {
      const { agentRetrain } = await import('../../engine/agent/index.js');
      const result = await agentRetrain(flags.newLabeledData, { ...agentOptions(flags), force: flags.force });
      if (flags.json) printJson(result);
      else if (result.status === 'cooldown') process.stdout.write('retrain skipped: inside the retrain cooldown (--force ignores it)\n');
      else process.stdout.write(`v${result.version}: ${result.metric} ${result.challenger_score?.toFixed(4)} vs champion ${result.champion_version === null ? 'none' : `v${result.champion_version} ${result.champion_score?.toFixed(4)}`} on ${result.holdout_rows} holdout rows -> ${result.status}\n`);
    });

  addAgentOptions(agent.command('status').description('cooldowns, counts, the champion version and the drift trend'))
    .option('--json', 'print the status as JSON')
    .action(async (flags: AgentFlags) => {
      const { agentStatus } = await import('../../engine/agent/index.js');
      const status = await agentStatus(agentOptions(flags));
      if (flags.json) return printJson(status);
      const lines = [
        `champion: ${status.champion ? `${status.champion.name} v${status.champion.version} (${status.champion.alias})` : 'none'}`,
        `checks ${status.total_checks}, alerts ${status.total_alerts}, retrains ${status.total_retrains}`,
        `last alert: ${status.last_alert_time ?? 'never'} (cooldown left ${status.alert_cooldown_left_hours.toFixed(1)} h)`,
        `last retrain: ${status.last_retrain_time ?? 'never'} (cooldown left ${status.retrain_cooldown_left_hours.toFixed(1)} h)`,
        `drift trend: ${status.trend.direction} (${status.trend.recent.map((x) => x.toFixed(3)).join(' ') || 'no checks yet'})`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });

  addAgentOptions(addDriftOptions(agent.command('watch').description('check each new data file in a folder (and unchecked ones already there) until SIGINT/SIGTERM')))
    .argument('<dir>', 'folder to watch')
    .option('--interval <time>', 'time between polls: 30s, 15m, 1h', interval, 3_600_000)
    .action(async (dir: string, flags: AgentFlags & { interval: number }) => {
      const { agentWatch } = await import('../../engine/agent/index.js');
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const summary = await agentWatch(dir, { ...agentOptions(flags), intervalMs: flags.interval, signal: controller.signal });
        process.stdout.write(`stopped: ${summary.polls} poll(s), ${summary.checked} checked, ${summary.failed} failed\n`);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
