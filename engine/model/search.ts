/**
 * Hyper-parameter search on the training split (`train --search grid|random`): the trials of
 * the searched families' spaces (space.ts), each scored by stratified K-fold cross-validation on
 * the training split, the best (highest mean score; lowest for log_loss; ties keep the earlier
 * trial) refitted by the caller on the whole training split.
 *
 * Folds (`stratifiedKFold`): each class's rows are shuffled with the seed (one stream per class),
 * then dealt in turn to folds 0, 1, ..., K-1, the class that comes first in the rows first and
 * the other continuing where it stopped. A fold then has the per-class counts scikit-learn's
 * StratifiedKFold gives it (`np.bincount` of the labels, encoded in order of first appearance and
 * sorted, taken every K-th), sizes differing by at most one; which rows go where is ours.
 *
 * Trials run as (trial, fold) tasks on the training pool, as many at once as it has workers:
 * network fits take one worker each, forest fits (which use the pool's one shared memory) run one
 * at a time with their trees spread over the workers. A trial whose fit fails scores NaN
 * (scikit-learn's error_score=nan) and keeps its error; the search fails when every trial does.
 */
import { InputError, internalError, Rng, UsageError } from '../util/index.js';
import { takeRows, type Dataset } from './dataset.js';
import type { ParamValue } from './format.js';
import { classificationMetrics } from './metrics.js';
import { parseParamSpecs, searchFamilies, SEARCH_SPACES, valuesOf, type ParamValues } from './space.js';

export type SearchMethod = 'grid' | 'random';
export const SEARCH_METHODS: readonly SearchMethod[] = ['grid', 'random'];
export type Scoring = 'roc_auc' | 'f1' | 'accuracy' | 'precision' | 'recall' | 'log_loss';
export const SCORINGS: readonly Scoring[] = ['roc_auc', 'f1', 'accuracy', 'precision', 'recall', 'log_loss'];

export const SEARCH_DEFAULTS = {
  /** folds of the cross-validation */
  cv: 3,
  /** random search: trials drawn */
  trials: 10,
  scoring: 'roc_auc' as Scoring,
  /** grid search: at most this many trials (a larger grid is a usage error) */
  maxGridTrials: 1000,
};

export interface SearchOptions {
  method: SearchMethod;
  /** random: trials drawn (default 10); grid: every combination */
  trials?: number;
  /** folds (default 3) */
  cv?: number;
  scoring?: Scoring;
  /** `name=v1,v2` or `name=lo:hi` (random) per parameter */
  param?: readonly string[];
}

/** One point of the space: a family and the values of its searched parameters. */
export interface Trial {
  index: number;
  family: string;
  params: Record<string, ParamValue>;
}

export interface SearchPlan {
  method: SearchMethod;
  cv: number;
  scoring: Scoring;
  seed: number;
  trials: Trial[];
}

export interface TrialResult extends Trial {
  model_type: string;
  /** the score of each fold, in fold order */
  fold_scores: number[];
  /** mean and (population) standard deviation of the fold scores: scikit-learn's mean_test_score, std_test_score */
  cv_mean: number;
  cv_std: number;
  seconds: number;
  /** the first fold's error when a fit failed (the trial's scores are then NaN) */
  error?: { code: string; message: string };
}

export interface SearchResult {
  method: SearchMethod;
  cv: number;
  scoring: Scoring;
  /** false for log_loss */
  greater_is_better: boolean;
  trials: TrialResult[];
  /** index of the best trial */
  best: number;
}

/** The trials of a search: checked options, the space of each family, `--param` overrides. */
export function planSearch(model: string, options: SearchOptions, seed: number): SearchPlan {
  const method = options.method;
  if (!SEARCH_METHODS.includes(method)) throw new UsageError(`must be one of ${SEARCH_METHODS.join(', ')}, got ${String(method)}`, { option: 'search' });
  const cv = options.cv ?? SEARCH_DEFAULTS.cv;
  if (!Number.isInteger(cv) || cv < 2 || cv > 100) throw new UsageError(`must be an integer from 2 to 100, got ${cv}`, { option: 'cv' });
  const scoring = options.scoring ?? SEARCH_DEFAULTS.scoring;
  if (!SCORINGS.includes(scoring)) throw new UsageError(`must be one of ${SCORINGS.join(', ')}, got ${String(scoring)}`, { option: 'scoring' });
  if (method === 'grid' && options.trials !== undefined) throw new UsageError('is for --search random; grid runs every combination (narrow it with --param)', { option: 'trials' });
  const nTrials = options.trials ?? SEARCH_DEFAULTS.trials;
  if (!Number.isInteger(nTrials) || nTrials < 1 || nTrials > 10_000) throw new UsageError(`must be an integer from 1 to 10000, got ${nTrials}`, { option: 'trials' });
  const families = searchFamilies(model);
  const overrides = parseParamSpecs(options.param ?? [], families, method);
  const spaces = families.map((family) => ({ family, params: SEARCH_SPACES[family]!.params.map((p) => ({ name: p.name, kind: p.kind, log: p.log ?? false, values: valuesOf(p, method, overrides) })) }));

  const trials: Trial[] = [];
  if (method === 'grid') {
    for (const space of spaces) {
      let combos: Array<Record<string, ParamValue>> = [{}];
      for (const p of space.params) {
        if (p.values.kind !== 'list') throw internalError('a grid parameter with a range');
        const values = p.values.values;
        combos = combos.flatMap((c) => values.map((v) => ({ ...c, [p.name]: v })));
        if (trials.length + combos.length > SEARCH_DEFAULTS.maxGridTrials) throw new UsageError(`the grid has more than ${SEARCH_DEFAULTS.maxGridTrials} trials: give fewer values, or use --search random`, { option: 'param' });
      }
      for (const params of combos) trials.push({ index: trials.length, family: space.family, params });
    }
  } else {
    // a family drawn uniformly, then each parameter: a list value uniformly, a range as stated above;
    // repeats are drawn again (a finite space smaller than --trials gives fewer trials)
    const rng = new Rng(seed, 0x5ea4c400);
    const seen = new Set<string>();
    for (let attempt = 0; trials.length < nTrials && attempt < nTrials * 50; attempt++) {
      const space = spaces[rng.int(0, spaces.length - 1)]!;
      const params: Record<string, ParamValue> = {};
      for (const p of space.params) params[p.name] = draw(p.values, p.kind, p.log, rng);
      const key = JSON.stringify([space.family, params]);
      if (seen.has(key)) continue;
      seen.add(key);
      trials.push({ index: trials.length, family: space.family, params });
    }
  }
  return { method, cv, scoring, seed, trials };
}

function draw(values: ParamValues, kind: string, log: boolean, rng: Rng): ParamValue {
  if (values.kind === 'list') return values.values[rng.int(0, values.values.length - 1)]!;
  const { lo, hi } = values.range;
  if (kind === 'int') return rng.int(lo, hi);
  if (log && lo > 0) return Number(Math.exp(rng.between(Math.log(lo), Math.log(hi))).toPrecision(6));
  return Number(rng.between(lo, hi).toPrecision(6));
}

/**
 * The fold (0..k-1) of each row, stratified by label (see the file comment). Throws an
 * InputError when a class has fewer than k rows.
 */
export function stratifiedKFold(labels: Uint8Array, k: number, seed: number): Uint8Array {
  const byClass: number[][] = [[], []];
  for (let r = 0; r < labels.length; r++) byClass[labels[r]!]!.push(r);
  for (const [label, rows] of byClass.entries()) {
    if (rows.length < k) throw new InputError(`cannot make ${k} stratified folds: class ${label} has ${rows.length} row(s) in the training split (each fold needs at least one of each class)`);
  }
  const fold = new Uint8Array(labels.length);
  let next = 0;
  // scikit-learn encodes the classes in order of first appearance: that one is dealt first
  const order = labels[0] === 1 ? [1, 0] : [0, 1];
  order.forEach((label) => {
    const rows = byClass[label]!;
    const rng = new Rng(seed, 0xf01d0000 + label);
    const shuffled = Int32Array.from(rows);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      const swap = shuffled[i]!;
      shuffled[i] = shuffled[j]!;
      shuffled[j] = swap;
    }
    for (const row of shuffled) {
      fold[row] = next;
      next = (next + 1) % k;
    }
  });
  return fold;
}

/** Rows of fold `f` (validation) and of every other fold (fit), ascending. */
export function foldRows(fold: Uint8Array, f: number): { fit: Int32Array; validation: Int32Array } {
  const fit: number[] = [];
  const validation: number[] = [];
  for (let r = 0; r < fold.length; r++) (fold[r] === f ? validation : fit).push(r);
  return { fit: Int32Array.from(fit), validation: Int32Array.from(validation) };
}

/**
 * scikit-learn's log_loss for labels 0/1: the mean of -ln(p) of the true class, p clipped to
 * [eps, 1 - eps] with eps the float64 machine epsilon (scikit-learn >= 1.5).
 */
export function logLoss(yTrue: ArrayLike<number>, yProb: ArrayLike<number>): number {
  const eps = 2.220446049250313e-16;
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, yProb[i]!));
    sum -= yTrue[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / yTrue.length;
}

/** The score of predictions under a scoring (metric names as scikit-learn's `scoring`). */
export function scoreOf(scoring: Scoring, yTrue: Uint8Array, pred: Uint8Array, proba: Float64Array): number {
  if (scoring === 'log_loss') return logLoss(yTrue, proba);
  const m = classificationMetrics(yTrue, pred, proba);
  return scoring === 'f1' ? m.f1_score : m[scoring];
}

/** Mean and population standard deviation (numpy's std, ddof 0). */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

/** A fitted model as the search uses it: something that predicts a dataset. */
export interface SearchHooks<M> {
  /** fit a trial's family and params on `data` */
  fit(trial: Trial, data: Dataset): Promise<M>;
  predict(model: M, data: Dataset): Promise<{ proba: Float64Array; pred: Uint8Array }>;
  modelType(family: string): string;
  /** tasks at once (the pool's workers, at least one) */
  concurrency: number;
  progress?: (line: string) => void;
}

/** Cross-validate every trial of the plan on `train`; the best trial is the caller's to refit. */
export async function runSearch<M>(plan: SearchPlan, train: Dataset, hooks: SearchHooks<M>): Promise<SearchResult> {
  if (plan.trials.length === 0) throw internalError('a search without trials');
  const fold = stratifiedKFold(train.labels, plan.cv, plan.seed + 7);
  const scores = plan.trials.map(() => new Array<number>(plan.cv).fill(NaN));
  const errors = new Map<number, { code: string; message: string; thrown: unknown }>();
  const seconds = plan.trials.map(() => 0);
  const tasks = plan.trials.flatMap((trial) => Array.from({ length: plan.cv }, (_, f) => ({ trial, f })));
  let forestBusy: Promise<void> = Promise.resolve();
  let done = 0;

  const runTask = async ({ trial, f }: { trial: Trial; f: number }) => {
    if (errors.has(trial.index)) return;
    const exclusive = SEARCH_SPACES[trial.family]!.sharedMemory;
    let release = () => {};
    if (exclusive) {
      // forest fits share the pool's one memory: one at a time, in task order
      const before = forestBusy;
      forestBusy = new Promise<void>((resolve) => (release = resolve));
      await before;
    }
    const t0 = performance.now();
    try {
      if (errors.has(trial.index)) return;
      const { fit: fitIdx, validation: valIdx } = foldRows(fold, f);
      const model = await hooks.fit(trial, takeRows(train, fitIdx));
      const validation = takeRows(train, valIdx);
      const { proba, pred } = await hooks.predict(model, validation);
      scores[trial.index]![f] = scoreOf(plan.scoring, validation.labels, pred, proba);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      errors.set(trial.index, { code: typeof code === 'string' && code.startsWith('DC_ERR_') ? code : 'DC_ERR_INTERNAL', message: err instanceof Error ? err.message : String(err), thrown: err });
    } finally {
      release();
      seconds[trial.index]! += (performance.now() - t0) / 1000;
      done++;
      if (f === plan.cv - 1 || errors.has(trial.index)) hooks.progress?.(`search: ${done}/${tasks.length} fits, trial ${trial.index} ${trial.family} ${JSON.stringify(trial.params)}`);
    }
  };

  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(hooks.concurrency, tasks.length)) }, async () => {
    while (next < tasks.length) await runTask(tasks[next++]!);
  });
  await Promise.all(lanes);

  const greater = plan.scoring !== 'log_loss';
  const trials: TrialResult[] = plan.trials.map((trial) => {
    const failure = errors.get(trial.index);
    const error = failure && { code: failure.code, message: failure.message };
    const fold_scores = error ? scores[trial.index]!.map(() => NaN) : scores[trial.index]!;
    const { mean, std } = meanStd(fold_scores);
    return { ...trial, model_type: hooks.modelType(trial.family), fold_scores, cv_mean: mean, cv_std: std, seconds: seconds[trial.index]!, ...(error ? { error } : {}) };
  });
  const failed = trials.filter((t) => t.error);
  // every trial failed: the first failure is the search's (a bad input fails every fit the same way)
  if (failed.length === trials.length) throw errors.get(failed[0]!.index)!.thrown;
  const rank = (x: number) => (Number.isNaN(x) ? -Infinity : greater ? x : -x);
  let best = trials.find((t) => !t.error)!;
  for (const t of trials) if (!t.error && rank(t.cv_mean) > rank(best.cv_mean)) best = t;
  return { method: plan.method, cv: plan.cv, scoring: plan.scoring, greater_is_better: greater, trials, best: best.index };
}
