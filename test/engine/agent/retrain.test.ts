/**
 * agentRetrain streams the new labelled data (never the whole table): the holdout never goes to a file, and the
 * rows the challenger trains on reach trainModel with their names and labels as they are, even
 * when a header holds a comma and the negative class is called ATTACK (the old hand-written CSV
 * had unquoted headers and wrote every positive label as 'ATTACK').
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRetrain, NEW_TRAIN_FILE, readState } from '../../../engine/agent/index.js';
import { applyFill, classificationMetrics, loadModel, predictDataset, promoteModel, readLabelledData, stratifiedSplit, takeRows, trainModel } from '../../../engine/model/index.js';
import { synthesize } from '../../../engine/synth/index.js';
import { readCsvText, tempDir, writeCsvText } from '../../helpers.js';

const dir = tempDir('dc-agent-retrain-');
const registry = join(dir, 'models');
const files = { train: join(dir, 'train.csv'), labelled: join(dir, 'labelled.csv') };
const COMMA_NAME = 'Flow Bytes, per s';
const NEGATIVE = 'ATTACK';

/** A synthetic CSV whose `Flow Bytes/s` header is `"Flow Bytes, per s"` (quoted) and whose BENIGN rows are labelled ATTACK. */
async function oddCsv(out: string, rows: number, seed: number, drift?: 'severe'): Promise<{ rows: number; positives: number }> {
  await synthesize({ rows, seed, out, ...(drift ? { drift } : {}) });
  const csv = readCsvText(out);
  expect(csv.header).toContain('Flow Bytes/s');
  const header = csv.header.replace('Flow Bytes/s', `"${COMMA_NAME}"`);
  const relabelled = csv.rows.map((r) => r.replace(/,BENIGN$/, `,${NEGATIVE}`));
  writeCsvText(out, { header, rows: relabelled, eol: csv.eol });
  return { rows: relabelled.length, positives: relabelled.filter((r) => !r.endsWith(`,${NEGATIVE}`)).length };
}

let labelled: { rows: number; positives: number };
beforeAll(async () => {
  await oddCsv(files.train, 2000, 51);
  labelled = await oddCsv(files.labelled, 3000, 52, 'severe');
  expect(labelled.positives).toBeGreaterThan(100);
  await trainModel({ data: files.train, registry, nEstimators: 10, workers: 0, seed: 7, negative: NEGATIVE });
  await promoteModel(1, { registry });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('agentRetrain, streaming the new data', () => {
  it('trains on the new rows under their own names and labels, scores the holdout without writing it, and promotes', async () => {
    const stateDir = join(dir, 'state');
    // what the work folder holds once training reads its data (trainModel's first progress line)
    let work: string[] | undefined;
    let newTrain: { names: string[]; rows: number; positives: number } | undefined;
    const seen: Promise<void>[] = [];
    const result = await agentRetrain([files.labelled], {
      registry,
      stateDir,
      baseData: files.train,
      record: false,
      train: {
        nEstimators: 10,
        workers: 0,
        seed: 7,
        negative: NEGATIVE,
        onProgress: () => {
          if (work) return;
          const folder = join(stateDir, 'retrain', readdirSync(join(stateDir, 'retrain'))[0]!);
          work = readdirSync(folder).sort();
          seen.push(
            readLabelledData([join(folder, NEW_TRAIN_FILE)], { negative: NEGATIVE }).then((d) => {
              newTrain = { names: d.featureNames, rows: d.rows, positives: d.labels.reduce((a, b) => a + b, 0) };
            }),
          );
        },
      },
    });
    await Promise.all(seen);
    expect(work).toEqual(['.owner', NEW_TRAIN_FILE]);
    // the rows the challenger trained on: every new row but the holdout, the comma name intact, positives still positive
    const read = await readLabelledData([files.labelled], { negative: NEGATIVE });
    expect(read.featureNames).toContain(COMMA_NAME);
    expect(newTrain!.names).toEqual(read.featureNames);
    expect(newTrain!.rows).toBe(labelled.rows - result.holdout_rows);
    expect(result.holdout_rows).toBe(Math.ceil(0.3 * labelled.rows));
    expect(newTrain!.positives).toBeGreaterThan(0);
    expect(newTrain!.positives).toBeLessThan(labelled.positives);
    expect(result).toMatchObject({ status: 'promoted', version: 2, champion_version: 1, metric: 'f1_score' });
    expect(result.challenger_score!).toBeGreaterThanOrEqual(result.champion_score!);
    // the holdout, scored a batch at a time while streaming, gives both models' scores on the holdout rows read whole
    const split = stratifiedSplit(read.labels, 0.3, 7 + 7);
    const holdout = takeRows(read, split.test);
    for (const [version, score] of [[1, result.champion_score], [2, result.challenger_score]] as const) {
      const { model } = await loadModel(`${registry}@${version}`);
      const columns = model.features.map((name) => holdout.columns[holdout.featureNames.indexOf(name)]!);
      const { proba, pred } = await predictDataset(model, { featureNames: model.features, columns: applyFill(columns, model.fill), labels: holdout.labels, rows: holdout.rows });
      expect(classificationMetrics(holdout.labels, pred, proba).f1_score).toBe(score);
    }
    expect(result.train!.data.files.map((f) => f.rows)).toEqual([2000, newTrain!.rows]);
    // the work folder went with the retrain
    expect(readdirSync(join(stateDir, 'retrain'))).toEqual([]);
    const state = await readState(join(stateDir, 'agent_state.json'));
    expect(state).toMatchObject({ total_retrains: 1, retrain_claim: null });
  });

  it('options are checked before anything happens, and errors name the option, not a flag', async () => {
    const stateDir = join(dir, 'state-bad');
    await expect(agentRetrain([], { registry, stateDir, baseData: files.train })).rejects.toMatchObject({ code: 'DC_ERR_USAGE', option: 'newData' });
    await expect(agentRetrain([files.labelled], { registry, stateDir })).rejects.toMatchObject({ code: 'DC_ERR_USAGE', option: 'baseData', message: 'baseData: needs the labelled data the model was trained on' });
    await expect(agentRetrain([files.labelled], { registry, stateDir, baseData: files.train, holdoutShare: 1.5 })).rejects.toMatchObject({ code: 'DC_ERR_USAGE', option: 'holdoutShare' });
    await expect(agentRetrain([files.labelled], { registry, stateDir, baseData: files.train, minRetrainHours: -1 })).rejects.toMatchObject({ code: 'DC_ERR_USAGE', option: 'minRetrainHours' });
    for (const bad of [[], [files.labelled]]) await agentRetrain(bad, { registry, stateDir }).catch((err: Error) => expect(err.message).not.toMatch(/--/));
  });
});
