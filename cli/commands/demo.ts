import { Command } from 'commander';
import { integer, workersArg, workersHelp } from '../options.js';
import { renderDemo } from '../../engine/report/index.js';
import { printJson, style } from '../format.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('generate a training set and three production batches (no drift, mild, severe), build the baseline and check each')
    .option('--dir <folder>', 'where the generated files go', 'driftcatcher-demo')
    .option('--train-rows <n>', 'training rows', integer('--train-rows', 100), 100_000)
    .option('--batch-rows <n>', 'rows per production batch', integer('--batch-rows', 100), 50_000)
    .option('--workers <n>', workersHelp('worker threads'), workersArg('--workers'))
    .option('--json', 'print the three reports as JSON')
    .action(async (flags: { dir: string; trainRows: number; batchRows: number; workers?: number; json?: boolean }) => {
      const { runDemo } = await import('../../engine/demo.js');
      const result = await runDemo({ dir: flags.dir, trainRows: flags.trainRows, batchRows: flags.batchRows, workers: flags.workers, log: flags.json ? undefined : (line) => process.stderr.write(`${line}\n`) });
      if (flags.json) {
        printJson(result);
        return;
      }
      const next = `next: driftcatcher check --baseline ${result.profile} ${result.batches[2]!.file}`;
      process.stdout.write(renderDemo(result, { style, next }) + '\n');
    });
}
