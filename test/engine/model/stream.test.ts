/**
 * Training from the streaming passes (engine/model/stream.ts) against the whole-table path it
 * replaced (readLabelledData -> drop/impute -> split -> fill -> trainForest/trainGbt on Float64
 * columns), on the real CICIDS extract's rows (all BENIGN, with Infinity and NaN cells) plus
 * synthetic DDoS rows in a second file, as test/reference/gbt.test.ts does: the same model and
 * metrics while the sample holds every training row, and within a point of accuracy and ROC AUC
 * when it holds a fifth of them.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyFill,
  classificationMetrics,
  dropNonFinite,
  fitFill,
  FOREST_DEFAULTS,
  forestMemoryBytes,
  forestPredict,
  GBT_DEFAULTS,
  gbtPredict,
  readLabelledData,
  scanLabelled,
  stratifiedSplit,
  takeRows,
  trainForest,
  trainGbt,
  trainModel,
  TrainPool,
  type Dataset,
} from '../../../engine/model/index.js';
import { synthesize } from '../../../engine/synth/index.js';
import { FIXTURES, tempDir } from '../../helpers.js';

const dir = tempDir('dc-stream-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const extract = join(FIXTURES, 'friday-ddos-head-9998.csv');
let attacksFile: Promise<string> | undefined;
/** Synthetic rows, mostly DDoS, to train against the extract's BENIGN rows. */
function attacks(): Promise<string> {
  attacksFile ??= (async () => {
    const file = join(dir, 'attacks.csv');
    await synthesize({ rows: 12_000, seed: 12, attackShare: 0.85, out: file });
    return file;
  })();
  return attacksFile;
}

/** The whole-table path: every row's Float64 features in memory, as `train` did before the streaming passes. */
async function wholeTable(model: 'rf' | 'gbt', seed: number, nonFinite: 'drop' | 'impute') {
  const read = await readLabelledData([extract, await attacks()]);
  const dataset = nonFinite === 'drop' ? dropNonFinite(read).dataset : read;
  const split = stratifiedSplit(dataset.labels, 0.2, seed);
  const rawTrain = takeRows(dataset, split.train);
  const fill = fitFill(rawTrain);
  const train: Dataset = { ...rawTrain, columns: applyFill(rawTrain.columns, fill) };
  const test = takeRows(dataset, split.test);
  test.columns = applyFill(test.columns, fill);
  if (model === 'rf') {
    const params = { ...FOREST_DEFAULTS, nEstimators: 10, seed };
    const pool = new TrainPool({ workers: 0 }, forestMemoryBytes(train.rows, train.columns.length, params, 1));
    try {
      const { forest } = await trainForest(pool, train, params);
      const scored = forestPredict(forest, test.columns, test.rows);
      return { metrics: classificationMetrics(test.labels, scored.pred, scored.proba), fill };
    } finally {
      await pool.close();
    }
  }
  const pool = new TrainPool({ workers: 0 }, 0);
  try {
    const { booster } = await trainGbt(pool, train, { ...GBT_DEFAULTS, seed });
    const scored = gbtPredict(booster, test.columns, test.rows);
    return { metrics: classificationMetrics(test.labels, scored.pred, scored.proba), fill };
  } finally {
    await pool.close();
  }
}

describe('the first pass', () => {
  it('samples every usable row in file order when they fit, else a seeded uniform sample in file order', async () => {
    const whole = dropNonFinite(await readLabelledData([extract])).dataset;
    const all = await scanLabelled([extract], { finiteOnly: true, sampleRows: 100_000 });
    expect(all.rows).toBe(9998);
    expect(all.sample.rows).toBe(whole.rows);
    expect(all.sample.columns).toEqual(whole.columns);
    expect(all.sample.labels).toEqual(whole.labels);
    const some = await scanLabelled([extract], { finiteOnly: true, sampleRows: 500, seed: 3 });
    expect(some.sample.rows).toBe(500);
    const rows = [...some.sample.rowNumbers];
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    const raw = await readLabelledData([extract]);
    rows.forEach((r, i) => {
      expect(some.finite[r]).toBe(1);
      expect(some.sample.labels[i]).toBe(raw.labels[r]);
      for (let f = 0; f < raw.columns.length; f += 13) expect(some.sample.columns[f]![i]).toBe(raw.columns[f]![r]);
    });
    // spread over the file, not its head
    expect(rows[rows.length - 1]!).toBeGreaterThan(9000);
    expect((await scanLabelled([extract], { finiteOnly: true, sampleRows: 500, seed: 3 })).sample.rowNumbers).toEqual(some.sample.rowNumbers);
    expect((await scanLabelled([extract], { finiteOnly: true, sampleRows: 500, seed: 4 })).sample.rowNumbers).not.toEqual(some.sample.rowNumbers);
  });
});

describe('trainModel from the streaming passes, on the real extract', () => {
  it('the same forest and boosting metrics as the whole-table path while the sample holds every training row', async () => {
    for (const [model, nonFinite] of [['rf', 'impute'], ['gbt', 'drop']] as const) {
      const reference = await wholeTable(model, 42, nonFinite);
      const result = await trainModel({ data: extract, newData: [await attacks()], model, nonFinite, nEstimators: 10, workers: 0, registry: join(dir, `same-${model}`), seed: 42 });
      expect(result.data.train_sample_rows).toBe(result.data.train_rows);
      expect(result.metrics, model).toEqual(reference.metrics);
      expect(result.model.fill).toEqual(reference.fill);
    }
  });

  it('with a fifth of the training rows sampled (bin edges, NaN fill, networks), accuracy and ROC AUC move less than a point', async () => {
    for (const model of ['rf', 'gbt', 'logreg'] as const) {
      const options = { data: extract, newData: [await attacks()], model, nEstimators: 10, workers: 0, seed: 42 };
      const full = await trainModel({ ...options, registry: join(dir, `full-${model}`) });
      const sampled = await trainModel({ ...options, registry: join(dir, `sampled-${model}`), sampleRows: 4000 });
      expect(sampled.data.train_sample_rows).toBeLessThan(full.data.train_rows / 4);
      expect(sampled.data.train_rows).toBe(full.data.train_rows);
      const effect = `${model}: accuracy ${full.metrics.accuracy} -> ${sampled.metrics.accuracy}, roc_auc ${full.metrics.roc_auc} -> ${sampled.metrics.roc_auc}`;
      expect(Math.abs(sampled.metrics.accuracy - full.metrics.accuracy), effect).toBeLessThan(0.01);
      expect(Math.abs(sampled.metrics.roc_auc - full.metrics.roc_auc), effect).toBeLessThan(0.01);
      console.log(effect);
    }
  });
});
