import { Argument, Command } from 'commander';
import { addRegistryOptions, addTrackingOptions, list, registryOptions, trackingOptions, type RegistryFlags, type TrackingFlags } from '../options.js';
import { CHALLENGER, CHAMPION, MODEL_STAGES, REGISTRY_DEFAULTS, type ModelStage } from '../../engine/model/index.js';
import { fixed, printJson, style } from '../format.js';

export function registerModels(program: Command): void {
  const models = program.command('models').description('the model registry: list versions (local and server), compare two, promote one to champion, tag stages');
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
  addTrackingOptions(addRegistryOptions(models.command('list').description('versions of the local registry and, with a tracking server set, of the server side by side: aliases, stages, test metrics, the data each was trained on')), { experiment: false })
    .option('--json', 'print the result as JSON')
    .action(async (flags: TrackingFlags & RegistryFlags & { json?: boolean }) => {
      const { modelsOverview, renderModelsList } = await import('../../engine/report/index.js');
      const view = await modelsOverview({ ...registryOptions(flags), tracking: trackingOptions(flags) });
      if (flags.json) return printJson(view);
      process.stdout.write(renderModelsList(view, style) + '\n');
    });
  addRegistryOptions(
    models
      .command('compare')
      .description('two versions side by side: test metrics and their difference, training data, parameters; and both scored on the holdout of the later one when its training data can be read')
      .argument('[a]', 'version A: an alias or version of --registry, DIR@alias, a version folder or a model.json', CHAMPION)
      .argument('[b]', 'version B, as A', CHALLENGER),
  )
    .option('--data <files>', "comma-separated training data of the later version, in train's order (default: the files its metrics.json records, when they are here)", list)
    .option('--coerce', 'read non-numeric text in feature columns as NaN instead of failing')
    .option('--json', 'print the result as JSON')
    .action(async (a: string, b: string, flags: RegistryFlags & { data?: string[]; coerce?: boolean; json?: boolean }) => {
      const { compareModels } = await import('../../engine/model/index.js');
      const { renderModelComparison } = await import('../../engine/report/index.js');
      const result = await compareModels({ ...registryOptions(flags), a, b, data: flags.data, coerce: flags.coerce });
      if (flags.json) return printJson(result);
      process.stdout.write(renderModelComparison(result, style) + '\n');
    });
  addTrackingOptions(
    addRegistryOptions(
      models
        .command('tag')
        .description('set the lifecycle stage of a version (production, staging, archived) in the local registry, and on the MLflow server as the model version tag `stage` when one is set; `models list` shows it')
        .argument('<version>', 'version number (or an alias such as champion)')
        .addArgument(new Argument('<stage>', 'the stage').choices([...MODEL_STAGES])),
    ).option('--json', 'print the result as JSON'),
    { experiment: false },
  ).action(async (version: string, stage: ModelStage, flags: TrackingFlags & RegistryFlags & { json?: boolean }) => {
    const { tagModel } = await import('../../engine/model/index.js');
    const { tagServerVersion } = await import('../../engine/tracking/index.js');
    const result = await tagModel(/^\d+$/.test(version) ? Number(version) : version, stage, registryOptions(flags));
    const server = await tagServerVersion(flags.name, result.version.version, stage, trackingOptions(flags));
    if (flags.json) printJson({ version: result.version.version, stage, previous: result.previous, registry: result.registry, mlflow: server });
    else process.stdout.write(`v${result.version.version} -> ${stage}${result.previous ? ` (was ${result.previous})` : ''}\n`);
    process.stderr.write(`driftcatcher: ${server.message}\n`);
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
