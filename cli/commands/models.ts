import { Command } from 'commander';
import { listModels, promoteModel } from '../../engine/index.js';
import { fixed, printJson, table } from '../format.js';

export function registerModels(program: Command): void {
  const models = program.command('models').description('the model registry: list versions, promote one to champion');
  models
    .command('promote')
    .description('point the champion alias at a version (rollback: promote an older one)')
    .argument('<version>', 'version number (or an alias such as challenger)')
    .option('--registry <dir>', 'model registry folder', 'models')
    .option('--json', 'print the result as JSON')
    .action(async (version: string, flags: { registry: string; json?: boolean }) => {
      const result = await promoteModel(/^\d+$/.test(version) ? Number(version) : version, { registry: flags.registry });
      if (flags.json) printJson({ champion: result.version.version, previous: result.previous, registry: result.registry });
      else process.stdout.write(`champion -> v${result.version.version}${result.previous !== null ? ` (was v${result.previous})` : ''}\n`);
    });
  models
    .command('list')
    .description('versions, their test metrics and aliases')
    .option('--registry <dir>', 'model registry folder', 'models')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { registry: string; json?: boolean }) => {
      const result = await listModels({ registry: flags.registry });
      if (flags.json) return printJson(result);
      const aliasesOf = (v: number) => Object.entries(result.aliases).filter(([, n]) => n === v).map(([a]) => a).join(', ');
      const rows = result.versions.map((v) => [`v${v.version}`, v.model_type, fixed(v.metrics['roc_auc'] ?? NaN, 6), fixed(v.metrics['accuracy'] ?? NaN, 6), v.created, aliasesOf(v.version)]);
      process.stdout.write(table(['version', 'model', 'roc_auc', 'accuracy', 'created', 'aliases'], rows, [false, false, true, true, false, false]) + '\n');
    });
}
