import { Command } from 'commander';
import { addRegistryOptions, addTrackingOptions, list, registryOptions, trackingOptions, type RegistryFlags, type TrackingFlags } from '../options.js';
import { REGISTRY_DEFAULTS } from '../../engine/model/index.js';
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
  models
    .command('profile')
    .description("write the prediction profile (prediction_profile.json: the model's y_prob on its test split) of a model trained before train wrote one, from its training data; `check --predictions` compares with it")
    .option('--model <ref>', 'the model: a registry folder (champion, else the latest; DIR@alias or DIR@version for another), a version folder or a model.json', REGISTRY_DEFAULTS.registry)
    .requiredOption('--data <files>', 'comma-separated labelled files the model was trained on, in the order train read them (data, then --new-data)', list)
    .option('--coerce', 'read non-numeric text in feature columns as NaN instead of failing')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { model: string; data: string[]; coerce?: boolean; json?: boolean }) => {
      const { profileModelPredictions } = await import('../../engine/model/index.js');
      const result = await profileModelPredictions({ model: flags.model, data: flags.data, coerce: flags.coerce });
      const p = result.predictionProfile;
      if (flags.json) return printJson({ model: result.model, file: result.file, rows: p.rows, predicted_positives: p.predicted_positives, positive_rate: p.positive_rate, split: p.split, profile_id: p.profile.id });
      process.stdout.write(`wrote ${result.file}: y_prob of ${p.rows} ${p.split}-split rows, predicted positive rate ${fixed(p.positive_rate, 4)}\n`);
    });
}
