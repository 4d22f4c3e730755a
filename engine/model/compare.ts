/**
 * `driftcatcher models compare [A] [B]`: two registry versions side by side (default champion vs
 * challenger): their test metrics from training and the difference B - A, the data each was
 * trained on, their parameters (which differ), and, when the later version's training data can
 * be read (`data`, else the files its metrics.json names, when they still exist), the metrics of
 * both on that version's holdout (its test split reproduced as prediction-holdout.ts does), so
 * that both are measured on the same rows. The earlier version may have trained on some of those
 * rows: the holdout is fair to the later one only, which the result says.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLabelledData } from './dataset.js';
import { classificationMetrics, METRIC_NAMES, type ClassificationMetrics } from './metrics.js';
import { holdoutRows, scoreRows } from './prediction-holdout.js';
import { loadModelRef } from './predict.js';
import { CHALLENGER, CHAMPION, openRegistry, type ModelStage, type RegistryOptions } from './registry.js';
import type { ParamValue } from './format.js';

export interface CompareModelsOptions extends RegistryOptions {
  /** default `champion` */
  a?: string;
  /** default `challenger` */
  b?: string;
  /** the later version's training data (default: the files its metrics.json records, when they exist) */
  data?: readonly string[];
  coerce?: boolean;
}

export interface ComparedVersion {
  ref: string;
  version: number | null;
  model_type: string;
  created: string | null;
  aliases: string[];
  stage: ModelStage | null;
  /** the data it was trained on (metrics.json's `data`, else its params) */
  training_data: { files: Array<{ file: string; rows: number | null }>; train_rows: number | null; test_rows: number | null } | null;
}

export interface MetricRow {
  metric: string;
  a: number | null;
  b: number | null;
  /** B - A */
  difference: number | null;
}

export interface ParamRow {
  param: string;
  a: ParamValue | undefined;
  b: ParamValue | undefined;
  same: boolean;
}

export interface ModelComparisonResult {
  registry: string;
  models: { a: ComparedVersion; b: ComparedVersion };
  /** the test-split metrics recorded at training */
  metrics: MetricRow[];
  params: ParamRow[];
  /** both scored on the later version's holdout; null when its training data could not be read (`holdout_note` says why) */
  holdout: { of: 'a' | 'b'; version: number | null; files: string[]; rows: number; metrics: { a: ClassificationMetrics; b: ClassificationMetrics }; difference: Record<string, number> } | null;
  holdout_note: string;
}

/** metrics.json beside a model file, when it is there and readable. */
function metricsDoc(modelFile: string): { data?: { files?: Array<{ file: string; rows: number }>; train_rows?: number; test_rows?: number } } | null {
  const file = join(modelFile, '..', 'metrics.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

export async function compareModels(options: CompareModelsOptions = {}): Promise<ModelComparisonResult> {
  const refA = options.a ?? CHAMPION;
  const refB = options.b ?? CHALLENGER;
  const registry = openRegistry(options);
  const [a, b] = [await loadModelRef(refA, options), await loadModelRef(refB, options)];
  const aliases = existsSync(registry.file) ? (await registry.listVersions()).aliases : {};
  const describe = (ref: string, resolved: typeof a): ComparedVersion => {
    const doc = metricsDoc(resolved.file);
    const data = doc?.data;
    const version = resolved.version;
    return {
      ref,
      version: version?.version ?? null,
      model_type: resolved.model.modelType,
      created: version?.created ?? resolved.model.created ?? null,
      aliases: version ? Object.entries(aliases).filter(([, n]) => n === version.version).map(([alias]) => alias) : [],
      stage: version?.stage ?? null,
      training_data: data?.files
        ? { files: data.files, train_rows: data.train_rows ?? null, test_rows: data.test_rows ?? null }
        : typeof resolved.model.params['data'] === 'string'
          ? { files: [{ file: resolved.model.params['data'] as string, rows: null }], train_rows: (resolved.model.params['train_rows'] as number) ?? null, test_rows: (resolved.model.params['test_rows'] as number) ?? null }
          : null,
    };
  };
  const models = { a: describe(refA, a), b: describe(refB, b) };
  const trained = (m: typeof a, name: string): number | null => (m.version ? (m.version.metrics[name] ?? null) : null);
  const metrics: MetricRow[] = METRIC_NAMES.map((metric) => {
    const x = trained(a, metric);
    const y = trained(b, metric);
    return { metric, a: x, b: y, difference: x !== null && y !== null ? y - x : null };
  });
  const paramsA = a.version?.params ?? a.model.params;
  const paramsB = b.version?.params ?? b.model.params;
  const names = [...new Set([...Object.keys(paramsA), ...Object.keys(paramsB)])].sort();
  const params: ParamRow[] = names.map((param) => ({ param, a: paramsA[param], b: paramsB[param], same: JSON.stringify(paramsA[param]) === JSON.stringify(paramsB[param]) }));

  // the later version's holdout: its number when both are registry versions, else the later created
  const laterIsB = a.version && b.version ? b.version.version >= a.version.version : (b.model.created ?? '') >= (a.model.created ?? '');
  const later = laterIsB ? b : a;
  const laterInfo = laterIsB ? models.b : models.a;
  const label = laterInfo.version !== null ? `v${laterInfo.version}` : laterInfo.ref;
  const files = options.data && options.data.length > 0 ? [...options.data] : (laterInfo.training_data?.files.map((f) => f.file) ?? []);
  let holdout: ModelComparisonResult['holdout'] = null;
  let note: string;
  if (files.length === 0) note = `the training data of ${label} is not recorded: give it with --data`;
  else if (!files.every((f) => existsSync(f))) note = `the training data of ${label} (${files.join(', ')}) is not here: give it with --data`;
  else {
    const read = await readLabelledData(files, { label: later.model.label, negative: later.model.negative, coerce: options.coerce });
    const rows = holdoutRows(later.model, read, files[0]!);
    const scoredA = await scoreRows(a.model, read, rows, files[0]!);
    const scoredB = await scoreRows(b.model, read, rows, files[0]!);
    const ma = classificationMetrics(scoredA.labels, scoredA.pred, scoredA.proba);
    const mb = classificationMetrics(scoredB.labels, scoredB.pred, scoredB.proba);
    const difference = Object.fromEntries(METRIC_NAMES.map((m) => [m, mb[m] - ma[m]]));
    holdout = { of: laterIsB ? 'b' : 'a', version: laterInfo.version, files, rows: rows.length, metrics: { a: ma, b: mb }, difference };
    note = `both scored on the holdout of ${label} (${rows.length} rows of ${files.join(', ')}); the other version may have trained on some of them`;
  }
  return { registry: registry.root, models, metrics, params, holdout, holdout_note: note };
}
