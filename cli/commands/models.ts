import { Command } from 'commander';
import { addRegistryOptions, addTrackingOptions, registryOptions, trackingOptions, type RegistryFlags, type TrackingFlags } from '../options.js';
import { fixed, printJson, table } from '../format.js';

export function registerModels(program: Command): void {
  const models = program.command('models').description('the model registry: list versions, promote one to champion');
  addTrackingOptions(
    addRegistryOptions(
      models
        .command('promote')
        .description('point the champion alias at a version (rollback: promote an older one); on the MLflow server too when one is set (queued for `mlflow sync` when the server cannot take it now)')
        .argument('<version>', 'version number (or an alias such as challenger)'),
    ).option('--json', 'print the result as JSON'),
    { experiment: false },
  ).action(async (version: string, flags: TrackingFlags & RegistryFlags & { json?: boolean }) => {
    const { promoteModel } = await import('../../engine/model/index.js');
    const { moveModelAlias } = await import('../../engine/tracking/index.js');
    const result = await promoteModel(/^\d+$/.test(version) ? Number(version) : version, registryOptions(flags));
    const server = await moveModelAlias(flags.name, 'champion', result.version.version, trackingOptions(flags));
    if (flags.json) printJson({ champion: result.version.version, previous: result.previous, registry: result.registry, mlflow: server });
    else process.stdout.write(`champion -> v${result.version.version}${result.previous !== null ? ` (was v${result.previous})` : ''}\n`);
    process.stderr.write(`driftcatcher: ${server.message}\n`);
  });
  addRegistryOptions(models.command('list').description('versions, their test metrics and aliases'))
    .option('--json', 'print the result as JSON')
    .action(async (flags: RegistryFlags & { json?: boolean }) => {
      const { listModels } = await import('../../engine/model/index.js');
      const result = await listModels(registryOptions(flags));
      if (flags.json) return printJson(result);
      const aliasesOf = (v: number) => Object.entries(result.aliases).filter(([, n]) => n === v).map(([a]) => a).join(', ');
      const rows = result.versions.map((v) => [`v${v.version}`, v.model_type, fixed(v.metrics['roc_auc'] ?? NaN, 6), fixed(v.metrics['accuracy'] ?? NaN, 6), v.created, aliasesOf(v.version)]);
      process.stdout.write(table(['version', 'model', 'roc_auc', 'accuracy', 'created', 'aliases'], rows, [false, false, true, true, false, false]) + '\n');
    });
}
