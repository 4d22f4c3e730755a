/**
 * Retraining: base data + new labelled data -> challenger -> holdout comparison -> promote when
 * not worse. Part of the new labelled rows is held out (stratified); the challenger never sees
 * them, and challenger and champion are scored on them (the models' own predict functions, the
 * features matched by name).
 *
 * The new data is never held whole (engine/model/stream.ts's passes, as `train` reads): pass 1
 * keeps each new row's label (the split), pass 2 copies the training rows a batch at a time to
 * the file trainModel reads, and after training pass 3 scores the holdout rows with both models a
 * batch at a time. The new rows trainModel trains on go to one Arrow IPC file in
 * the retrain's work folder (Float64 columns under their own names, the label as negative / not
 * negative): the work folder carries its owner, so that a later run removes it when this process
 * dies (see slot.ts).
 */
import { rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Data, Field } from 'apache-arrow';
import { loadArrowWriter } from '../io/index.js';
import { applyFill, CHAMPION, classificationMetrics, eachRowsOfRole, loadModel, predictDataset, ROLE_TEST, ROLE_TRAIN, ROLE_UNUSED, scanLabelled, scoreScannedRows, stratifiedSplit, trainModel, type ClassificationMetrics, type LabelledScan, type Model, type TrainResult } from '../model/index.js';
import { trainingRun } from '../report/index.js';
import { EXPERIMENTS, recordRun } from '../tracking/index.js';
import { makeDirs, ownerRecord, SchemaError, UsageError } from '../util/index.js';
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

/** The file of the new training rows in a retrain's work folder. */
export const NEW_TRAIN_FILE = 'new-train.arrow';

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
    await makeDirs(work);
    await writeFile(join(work, WORK_OWNER), JSON.stringify(ownerRecord()));
    // hold out part of the new labelled rows: the challenger never sees them
    const train = options.train ?? {};
    const scan = await scanLabelled(newLabeledData, { label: train.label, negative: train.negative, exclude: train.exclude, coerce: train.coerce, sampleRows: 2 });
    const split = stratifiedSplit(scan.labels, resolved.holdoutShare, resolved.seed + 7);
    const roles = new Uint8Array(scan.rows);
    for (const r of split.train) roles[r] = ROLE_TRAIN;
    for (const r of split.test) roles[r] = ROLE_TEST;
    const holdout = { rows: split.test.length };
    const newTrain = join(work, NEW_TRAIN_FILE);
    await writeLabelledArrow(scan, roles, newTrain);
    for (const r of split.train) roles[r] = ROLE_UNUSED;
    const previous = await servingVersion(ctx.registry).catch(() => null);
    const champion = previous?.alias === 'champion' ? previous.version : null;
    const trained = await trainModel({ ...train, data: baseData, newData: [newTrain], baselineFrom: 'new', registry: ctx.registry.root, registeredModel: ctx.registry.name });
    const scoredModels = [{ model: trained.model, which: `v${trained.version}` }];
    if (champion) scoredModels.push({ model: (await loadModel(`${ctx.registry.root}@${champion.version}`)).model, which: `v${champion.version}` });
    const holdoutScores = await holdoutMetrics(scan, roles, holdout.rows, scoredModels);
    const challengerMetrics = holdoutScores[0]!;
    const championMetrics = holdoutScores[1] ?? null;
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
      holdout_rows: holdout.rows,
      train: { version: trained.version, metrics: trained.metrics, data: trained.data },
    };
    const now = ctx.now();
    await updateState(ctx.stateFile, (s) => {
      releaseClaim(s, claim, true);
      s.last_retrain_time = now.toISOString();
      s.total_retrains += 1;
      s.last_retrain = { ...result, train: undefined, timestamp: now.toISOString() };
    });
    await ctx.log.write('RETRAIN_SUCCESS', `v${trained.version} ${metric} ${challengerScore.toFixed(4)} vs champion ${championScore === null ? 'none' : `v${champion!.version} ${championScore.toFixed(4)}`} on ${holdout.rows} holdout rows: ${promote ? 'promoted to champion' : 'champion kept'}`, { version: trained.version, metric, challenger_score: challengerScore, champion_score: championScore, champion_version: champion?.version ?? null, promoted: promote }, now);
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

/**
 * Each model's metrics on the holdout rows (`roles` ROLE_TEST), in one pass over the new data a
 * batch at a time: its features matched by name and its fill values applied (as predictFile does).
 */
async function holdoutMetrics(scan: LabelledScan, roles: Uint8Array, rows: number, models: ReadonlyArray<{ model: Model; which: string }>): Promise<ClassificationMetrics[]> {
  const at = new Map(scan.featureNames.map((name, i) => [name, i]));
  const featuresOf = models.map(({ model, which }) =>
    model.features.map((name) => {
      const i = at.get(name);
      if (i === undefined) throw new SchemaError(`feature "${name}" of model ${which} is missing from the new labelled data`);
      return i;
    }),
  );
  const scores = models.map(() => ({ proba: new Float64Array(rows), pred: new Uint8Array(rows) }));
  let done = 0;
  const scored = await scoreScannedRows(scan, roles, { train: 0, test: rows }, null, async (part) => {
    for (let k = 0; k < models.length; k++) {
      const { model } = models[k]!;
      const columns = applyFill(featuresOf[k]!.map((i) => part.columns[i]!), model.fill);
      const { proba, pred } = await predictDataset(model, { featureNames: model.features, columns, labels: part.labels, rows: part.rows });
      scores[k]!.proba.set(proba, done);
      scores[k]!.pred.set(pred, done);
    }
    done += part.rows;
    return { proba: scores[0]!.proba.subarray(done - part.rows, done), pred: scores[0]!.pred.subarray(done - part.rows, done) };
  });
  return scores.map(({ proba, pred }) => classificationMetrics(scored.test.labels, pred, proba));
}

/**
 * The rows of `scan` whose role is ROLE_TRAIN as an Arrow IPC file trainModel reads back exactly,
 * a record batch per batch read: Float64 columns under their names, the label as the scan's
 * negative (0) or a text that is not it (1).
 */
async function writeLabelledArrow(scan: LabelledScan, roles: Uint8Array, file: string): Promise<void> {
  const { Field, Float64, makeData, RecordBatch, Schema, Struct, Utf8, vectorFromArray } = await import('apache-arrow');
  const { createArrowFileWriter, labelField } = await loadArrowWriter();
  const fields: Field[] = scan.featureNames.map((name) => new Field(name, new Float64(), false));
  fields.push(labelField(scan.labelName));
  const schema = new Schema(fields);
  const dictionary = vectorFromArray([scan.negative, `not ${scan.negative}`], new Utf8());
  const writer = createArrowFileWriter(file, schema, { format: 'file' });
  try {
    await eachRowsOfRole(scan, roles, ROLE_TRAIN, (data) => {
      const n = data.rows;
      const children: Data[] = data.columns.map((values) => makeData({ type: new Float64(), length: n, nullCount: 0, data: values }));
      children.push(makeData({ type: schema.fields[fields.length - 1]!.type, length: n, nullCount: 0, data: Int32Array.from(data.labels), dictionary }));
      writer.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children })));
    });
  } catch (err) {
    await writer.abort();
    throw err;
  }
  await writer.close();
}
