import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { cronSchedule, SCHEDULE_DEFAULTS } from '../../engine/agent/index.js';
import { packageVersion } from '../../engine/util/index.js';

interface CheckFlags {
  every: string;
  baseline: string;
  data: string;
}

function every(text: string): string {
  try {
    return cronSchedule(text);
  } catch (err) {
    throw new InvalidArgumentError(`--every ${(err as Error).message.replace(/^every: /, '')}`);
  }
}

/** `--every`, `--baseline` and `--data`: what the scheduled check runs, when. */
function addCheckOptions(command: Command): Command {
  const d = SCHEDULE_DEFAULTS;
  return command
    .addOption(new Option('--every <when>', 'daily (06:00), hourly, or a cron expression "m h dom mon dow"').argParser(every).default(cronSchedule(d.every), d.every))
    .option('--baseline <profile.json>', 'the baseline profile the data is checked against', d.baseline)
    .option('--data <file>', 'the data to check (CSV, Arrow IPC or Parquet)', d.data);
}

export function registerInit(program: Command): void {
  const init = program.command('init').description('scheduled checks: a GitHub Actions workflow, or a crontab line');

  addCheckOptions(init.command('ci').description(`write a GitHub Actions workflow: a check on a schedule and on demand, the report as an artifact, the webhook on drift from the secret ${SCHEDULE_DEFAULTS.webhookSecret}`))
    .option('-o, --out <file>', 'the workflow file', SCHEDULE_DEFAULTS.workflowFile)
    .option('--force', 'overwrite the file when it exists')
    .option('--node <version>', 'Node.js version of the job', SCHEDULE_DEFAULTS.nodeVersion)
    .action(async (flags: CheckFlags & { out: string; force?: boolean; node: string }) => {
      const { ciWorkflow } = await import('../../engine/agent/index.js');
      const { writeFileAtomic } = await import('../../engine/util/index.js');
      const text = ciWorkflow({ every: flags.every, baseline: flags.baseline, data: flags.data, nodeVersion: flags.node, packageSpec: `driftcatcher@${packageVersion()}` });
      await writeFileAtomic(flags.out, text, flags.force ? {} : { exists: 'already exists, left as it is (--force overwrites it)' });
      process.stdout.write(`wrote ${flags.out}: checks ${flags.data} against ${flags.baseline} at "${flags.every}" (UTC) and on demand; set the repository secret ${SCHEDULE_DEFAULTS.webhookSecret} for alerts on drift\n`);
    });

  addCheckOptions(init.command('cron').description('print the crontab line of a scheduled check in this folder (its driftcatcher.toml applies); --install adds it to the crontab, replacing an earlier one of this folder'))
    .option('--install', 'add the line to the crontab (crontab -l, crontab -): once per folder, an earlier line replaced')
    .option('--log <file>', 'append the check\'s output to this file (default: cron mails it)')
    .option('--user <name>', 'the crontab of this user (crontab -u, as root)')
    .action(async (flags: CheckFlags & { install?: boolean; log?: string; user?: string }) => {
      const { cronLine, cronMarker, installCronLine } = await import('../../engine/agent/index.js');
      const cwd = process.cwd();
      const program = [process.execPath, resolve(process.argv[1] ?? 'driftcatcher')];
      const line = cronLine({ every: flags.every, baseline: flags.baseline, data: flags.data, cwd, program, log: flags.log === undefined ? undefined : resolve(flags.log) });
      process.stdout.write(line + '\n');
      const user = flags.user;
      if (!flags.install) return;
      const result = installCronLine(line, cronMarker(cwd), { user });
      const crontab = user ? `the crontab of ${user}` : 'the crontab';
      process.stderr.write(`driftcatcher: ${result.unchanged ? `${crontab} has this line already` : result.replaced ? `replaced the earlier line of this folder in ${crontab}` : `added the line to ${crontab}`}\n`);
    });
}
