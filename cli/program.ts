/**
 * The command tree: every command group registered on one commander program, each command
 * turning its usage errors into one line (`driftcatcher: ... (see --help)`). cli/main.ts parses
 * argv with it; test/cli/options.test.ts walks it (every option of every command must be used by
 * its action, or be one of GLOBAL_OPTIONS).
 */
import { Command } from 'commander';
import { packageVersion } from '../engine/util/index.js';
import { registerBaseline } from './commands/baseline.js';
import { registerCheck } from './commands/check.js';
import { registerScan } from './commands/scan.js';
import { registerSynth } from './commands/synth.js';
import { registerDemo } from './commands/demo.js';
import { registerMlflow } from './commands/mlflow.js';
import { registerTrain } from './commands/train.js';
import { registerPredict } from './commands/predict.js';
import { registerModels } from './commands/models.js';
import { registerMonitor } from './commands/monitor.js';
import { registerAgent } from './commands/agent.js';
import { registerProfile } from './commands/profile.js';
import { registerConfig } from './commands/config.js';
import { registerInit } from './commands/init.js';
import { applySettings } from './settings.js';
import { registerRuns } from './commands/runs.js';
import { registerAbTest } from './commands/abtest.js';
import { registerReport } from './commands/report.js';
import { registerReference } from './commands/reference.js';

/** Options of the program itself, read before any command runs (main.ts reads --debug from argv). */
export const GLOBAL_OPTIONS = ['--debug', '--version'] as const;

export function buildProgram(): Command {
  const program = new Command('driftcatcher')
    .description('fast drift monitoring for tabular ML: baselines, PSI drift checks, bulk scans')
    .version(packageVersion())
    .option('--debug', 'print stack traces')
    .exitOverride();
  for (const register of [registerBaseline, registerCheck, registerScan, registerSynth, registerDemo, registerMlflow, registerTrain, registerPredict, registerModels, registerMonitor, registerAgent, registerProfile, registerConfig, registerInit, registerRuns, registerAbTest, registerReport, registerReference]) register(program);
  // flag > environment > config file > default, for every command's settings (cli/settings.ts)
  program.hook('preAction', (_program, actionCommand) => applySettings(actionCommand));
  // commander's own usage errors: one line, in the same form as ours
  const output = { outputError: (text: string, write: (s: string) => void) => write(`driftcatcher: ${unprefixed(text.replace(/^error: /, '').trim())} (see --help)\n`) };
  for (const command of everyCommand(program)) command.exitOverride().configureOutput(output);
  return program;
}

/** The CLI prints `driftcatcher: ` once; a message that starts with it loses it. */
export function unprefixed(text: string): string {
  return text.replace(/^(?:\s*driftcatcher:\s*)+/i, '');
}

export function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}
