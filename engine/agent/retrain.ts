/**
 * Retraining: base data + new labelled data -> challenger -> holdout comparison -> promote when
 * not worse. Part of the new labelled rows is held out (stratified); the challenger never sees
 * them. Both parts go to CSV files in the retrain's work folder, which carries its owner, so that
 * a later run removes it when this process dies (see slot.ts).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CHAMPION, predictFile, readLabelledData, stratifiedSplit, takeRows, trainModel, type ClassificationMetrics, type Dataset, type TrainResult } from '../model/index.js';
import { trainingRun } from '../report/index.js';
import { EXPERIMENTS, recordRun } from '../tracking/index.js';
import { ModelError, ownerRecord, UsageError, writeFileAtomic } from '../util/index.js';
import { agentContext, servingVersion, type AgentContext } from './context.js';
import { decideRetrain } from './decide.js';
import type { AgentOptions } from './options.js';
import { claimRetrain, decisionState, logAbandoned, recoverAbandoned, WORK_OWNER } from './slot.js';
import { releaseClaim, updateState, type RetrainClaim } from './state.js';

export interface AgentRetrainResult {
  /** `busy`: another retrain holds the slot (its pid and start in `running`) */
  status: 'promoted' | 'kept_champion' | 'cooldown' | 'busy';
  running?: { pid: number; since: string };
  version?: number;
  metric: string;
  champion_version: number | null;
  champion_score: number | null;
  challenger_score: number | null;
  holdout_rows: number;
  train?: Pick<TrainResult, 'version' | 'metrics' | 'data'>;
}

export async function agentRetrain(newData: readonly string[], options: AgentOptions & { force?: boolean } = {}): Promise<AgentRetrainResult> {
  const ctx = agentContext(options);
  const { resolved } = ctx;
  if (newData.length === 0) throw new UsageError('needs at least one file of new labelled data', { option: 'newData' });
  if (resolved.baseData === null) throw new UsageError('needs the labelled data the model was trained on', { option: 'baseData' });
  await recoverAbandoned(ctx);
  const now = ctx.now();
  const { result } = await updateState(ctx.stateFile, (s) => {
    const decision = decideRetrain(decisionState(s), now, { minRetrainMs: resolved.minRetrainMs, force: options.force === true });
    const expired = decision.record.expire_claim && s.retrain_claim ? releaseClaim(s, s.retrain_claim) : null;
    const claim = decision.record.claim_retrain ? claimRetrain(ctx.dir, s, now) : null;
    return { decision, expired, claim };
  });
  if (result.expired) await logAbandoned(ctx, result.expired);
  const skipped = { metric: resolved.promoteMetric, champion_version: null, champion_score: null, challenger_score: null, holdout_rows: 0 };
  const { decision } = result;
  if (decision.running) {
    const { pid, since } = decision.running;
    await ctx.log.write('RETRAIN_COOLDOWN', `retrain not started: another retrain is running (pid ${pid}, started ${since})`, { running_pid: pid, running_since: since }, ctx.now());
    return { status: 'busy', running: { pid, since }, ...skipped };
  }
  if (!result.claim) {
    const last = decision.cooldown?.last_retrain_time ?? null;
    await ctx.log.write('RETRAIN_COOLDOWN', `retrain skipped: last retrain ${last}, minimum ${resolved.minRetrainHours} h (the force option ignores it)`, { last_retrain_time: last }, ctx.now());
    return { status: 'cooldown', ...skipped };
  }
  return runRetrain(ctx, newData, result.claim);
}

/** The retrain itself, holding `claim`: released when it ends (finished, or given back when it fails). */
export async function runRetrain(ctx: AgentContext, newLabeledData: readonly string[], claim: RetrainClaim): Promise<AgentRetrainResult> {
  const { resolved, options } = ctx;
  const metric = resolved.promoteMetric;
  const work = claim.work_dir;
  try {
    if (resolved.baseData === null) throw new UsageError('needs the labelled data the model was trained on', { option: 'baseData' });
    const baseData = resolved.baseData;
    await ctx.log.write('RETRAIN_START', `retraining on ${basename(baseData)} + ${newLabeledData.map((f) => basename(f)).join(', ')}`, { base_data: baseData, new_data: newLabeledData, pid: process.pid }, ctx.now());
    // the work folder carries its owner, so that a later run removes it if this process dies
    await mkdir(work, { recursive: true });
    await writeFile(join(work, WORK_OWNER), JSON.stringify(ownerRecord()));
    // hold out part of the new labelled rows: the challenger never sees them
    const train = options.train ?? {};
    const read = await readLabelledData(newLabeledData, { label: train.label, negative: train.negative, exclude: train.exclude, coerce: train.coerce });
    const split = stratifiedSplit(read.labels, resolved.holdoutShare, resolved.seed + 7);
    const newTrain = join(work, 'new-train.csv');
    const holdout = join(work, 'holdout.csv');
    await writeDatasetCsv(takeRows(read, split.train), read.labelName, read.negative, newTrain);
    await writeDatasetCsv(takeRows(read, split.test), read.labelName, read.negative, holdout);
    const previous = await servingVersion(ctx.registry).catch(() => null);
    const champion = previous?.alias === 'champion' ? previous.version : null;
    const trained = await trainModel({ ...train, data: baseData, newData: [newTrain], baselineFrom: 'new', registry: ctx.registry.root, registeredModel: ctx.registry.name });
    const challengerMetrics = await evaluate(`${ctx.registry.root}@${trained.version}`, holdout, work);
    const championMetrics = champion ? await evaluate(`${ctx.registry.root}@${champion.version}`, holdout, work) : null;
    const challengerScore = challengerMetrics[metric];
    const championScore = championMetrics ? championMetrics[metric] : null;
    const promote = championScore === null || !(challengerScore < championScore);
    if (promote) await ctx.registry.setAlias(CHAMPION, trained.version);
    const result: AgentRetrainResult = {
      status: promote ? 'promoted' : 'kept_champion',
      version: trained.version,
      metric,
      champion_version: champion?.version ?? null,
      champion_score: championScore,
      challenger_score: challengerScore,
      holdout_rows: split.test.length,
      train: { version: trained.version, metrics: trained.metrics, data: trained.data },
    };
    const now = ctx.now();
    await updateState(ctx.stateFile, (s) => {
      releaseClaim(s, claim, true);
      s.last_retrain_time = now.toISOString();
      s.total_retrains += 1;
      s.last_retrain = { ...result, train: undefined, timestamp: now.toISOString() };
    });
    await ctx.log.write('RETRAIN_SUCCESS', `v${trained.version} ${metric} ${challengerScore.toFixed(4)} vs champion ${championScore === null ? 'none' : `v${champion!.version} ${championScore.toFixed(4)}`} on ${split.test.length} holdout rows: ${promote ? 'promoted to champion' : 'champion kept'}`, { version: trained.version, metric, challenger_score: challengerScore, champion_score: championScore, champion_version: champion?.version ?? null, promoted: promote }, now);
    if (resolved.record) {
      const run = await trainingRun(trained, EXPERIMENTS.retraining, now);
      run.metrics!.push({ key: `holdout_challenger_${metric}`, value: challengerScore, timestamp: now.getTime(), step: 0 });
      if (championScore !== null) run.metrics!.push({ key: `holdout_champion_${metric}`, value: championScore, timestamp: now.getTime(), step: 0 });
      run.tags = { ...run.tags, 'driftcatcher.command': 'agent retrain', promoted: String(promote), champion_version: String(champion?.version ?? '') };
      if (promote && run.models?.[0]) run.models[0].aliases = [...(run.models[0].aliases ?? []), CHAMPION];
      await recordRun(run, { ...options.tracking, experiment: options.tracking?.experiment });
    }
    return result;
  } catch (err) {
    await ctx.log.write('RETRAIN_FAILED', `retrain failed: ${(err as Error).message}`, {}, ctx.now());
    // a failed retrain does not start the cooldown (unless another retrain has finished since)
    await updateState(ctx.stateFile, (s) => void releaseClaim(s, claim));
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function evaluate(model: string, holdout: string, work: string): Promise<ClassificationMetrics> {
  const predicted = await predictFile({ model, data: holdout, out: join(work, `pred-${basename(model).replace(/[^\w.-]/g, '_')}.csv`) });
  if (!predicted.metrics) throw new ModelError('the holdout has no labels', { file: holdout });
  return predicted.metrics;
}

async function writeDatasetCsv(data: Dataset, labelName: string, negative: string, file: string): Promise<void> {
  const lines = [[...data.featureNames, labelName].join(',')];
  for (let r = 0; r < data.rows; r++) {
    const cells = data.columns.map((c) => String(c[r]));
    cells.push(data.labels[r] === 1 ? 'ATTACK' : negative);
    lines.push(cells.join(','));
  }
  await writeFileAtomic(file, lines.join('\n') + '\n');
}
