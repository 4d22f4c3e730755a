import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../engine/synth/index.js';
import { foldRows, logLoss, meanStd, planSearch, SEARCH_SPACES, stratifiedKFold, trainModel } from '../../../engine/model/index.js';
import { DriftCatcherError } from '../../../engine/util/index.js';
import { tempDir } from '../../helpers.js';

const dir = tempDir('dc-search-');

function usageError(fn: () => unknown): DriftCatcherError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DriftCatcherError);
    return err as DriftCatcherError;
  }
  throw new Error('expected an error');
}

describe('the search spaces', () => {
  it('grid: every combination of each family, in family then parameter order', () => {
    const plan = planSearch('rf', { method: 'grid' }, 1);
    const rf = SEARCH_SPACES['rf']!.params;
    expect(plan.trials).toHaveLength(rf.reduce((n, p) => n * p.grid.length, 1));
    expect(plan.trials[0]!.params).toEqual(Object.fromEntries(rf.map((p) => [p.name, p.grid[0]])));
    const auto = planSearch('auto', { method: 'grid' }, 1);
    expect(new Set(auto.trials.map((t) => t.family))).toEqual(new Set(Object.keys(SEARCH_SPACES)));
    expect(auto.trials.map((t) => t.index)).toEqual(auto.trials.map((_, i) => i));
  });

  it('--param replaces a list or gives a range; random draws inside it, repeatable by seed', () => {
    const grid = planSearch('rf', { method: 'grid', param: ['n_estimators=7,9,7', 'max_depth=none,3', 'min_samples_leaf=2', 'max_features=all'] }, 1);
    expect(grid.trials.map((t) => [t.params['n_estimators'], t.params['max_depth']])).toEqual([[7, null], [7, 3], [9, null], [9, 3]]);
    const random = planSearch('rf', { method: 'random', trials: 12, param: ['n_estimators=5:8', 'max_depth=2:40'] }, 4);
    expect(random.trials).toHaveLength(12);
    for (const t of random.trials) {
      expect(t.params['n_estimators']).toBeGreaterThanOrEqual(5);
      expect(t.params['n_estimators']).toBeLessThanOrEqual(8);
      expect(Number.isInteger(t.params['max_depth'])).toBe(true);
    }
    expect(planSearch('rf', { method: 'random', trials: 12, param: ['n_estimators=5:8', 'max_depth=2:40'] }, 4)).toEqual(random);
    expect(new Set(random.trials.map((t) => JSON.stringify(t.params))).size).toBe(12);
    const lr = planSearch('logreg', { method: 'random', trials: 20, param: ['learning_rate=0.001:0.1'] }, 2);
    for (const t of lr.trials) expect(t.params['learning_rate']).toBeGreaterThanOrEqual(0.001);
    // a finite space smaller than --trials: each point once
    expect(planSearch('mlp', { method: 'random', trials: 50, param: ['learning_rate=0.001,0.002'] }, 3).trials).toHaveLength(4);
  });

  it('a bad --param is one line naming the spec and what was expected', () => {
    const cases: Array<[string[], RegExp]> = [
      [['n_estimators=abc'], /"n_estimators=abc": n_estimators takes integers from 1 to 100000, got "abc"/],
      [['n_trees=5'], /n_trees is not a parameter of rf \(they have: n_estimators, max_depth, min_samples_leaf, max_features\)/],
      [['n_estimators'], /expected name=v1,v2,\.\.\. or name=lo:hi/],
      [['n_estimators=10:20'], /a range lo:hi is for --search random/],
      [['n_estimators=10', 'n_estimators=20'], /given twice/],
      [['max_features=0'], /max_features takes sqrt, all or a feature count/],
    ];
    for (const [param, message] of cases) {
      const err = usageError(() => planSearch('rf', { method: 'grid', param }, 1));
      expect(err.code).toBe('DC_ERR_USAGE');
      expect(err.option).toBe('param');
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('\n');
    }
    expect(usageError(() => planSearch('rf', { method: 'random', param: ['n_estimators=30:20'] }, 1)).message).toMatch(/lo <= hi/);
    expect(usageError(() => planSearch('mlp', { method: 'random', param: ['hidden_layers=1:3'] }, 1)).message).toMatch(/takes a list of values, not a range/);
    expect(usageError(() => planSearch('rf', { method: 'grid', trials: 3 }, 1)).option).toBe('trials');
    expect(usageError(() => planSearch('rf', { method: 'grid', cv: 1 }, 1)).option).toBe('cv');
    expect(usageError(() => planSearch('rf', { method: 'grid', scoring: 'auc' as never }, 1)).option).toBe('scoring');
    // a parameter of one family of auto applies to the families that have it
    const auto = planSearch('auto', { method: 'grid', param: ['learning_rate=0.01'] }, 1);
    for (const t of auto.trials) if (SEARCH_SPACES[t.family]!.params.some((p) => p.name === 'learning_rate')) expect(t.params['learning_rate']).toBe(0.01);
    expect(new Set(auto.trials.filter((t) => 'learning_rate' in t.params).map((t) => t.family))).toEqual(new Set(['logreg', 'mlp', 'gbt']));
  });
});

describe('stratified K-fold', () => {
  it('deals each class in turn over the folds: class counts per fold differ by at most one, every row in one fold', () => {
    const labels = new Uint8Array(103);
    for (let i = 0; i < 103; i++) labels[i] = i % 7 === 0 ? 1 : 0; // 15 positives, 88 negatives
    const fold = stratifiedKFold(labels, 4, 9);
    const counts = [0, 1, 2, 3].map((f) => [0, 1].map((k) => labels.filter((l, r) => l === k && fold[r] === f).length));
    // np.bincount(sorted(y)[f::4]) per fold f, worked by hand: 88 negatives give 22 each; positives 88..102 start at fold 0
    expect(counts).toEqual([[22, 4], [22, 4], [22, 4], [22, 3]]);
    const { fit, validation } = foldRows(fold, 2);
    expect(fit.length + validation.length).toBe(103);
    expect([...validation].every((r) => fold[r] === 2)).toBe(true);
    expect(stratifiedKFold(labels, 4, 9)).toEqual(fold);
    expect(stratifiedKFold(labels, 4, 10)).not.toEqual(fold);
  });

  it('a class with fewer rows than folds is an input error', () => {
    const labels = Uint8Array.from([0, 0, 0, 0, 1, 1]);
    expect(() => stratifiedKFold(labels, 3, 1)).toThrow(/cannot make 3 stratified folds: class 1 has 2 row\(s\)/);
  });

  it('log loss and the mean/std of fold scores, worked by hand', () => {
    expect(logLoss([1, 0], [0.8, 0.4])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 15);
    expect(Number.isFinite(logLoss([1], [0]))).toBe(true);
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(1.25) });
  });
});

describe('trainModel with a search', () => {
  it('cross-validates each trial, refits the best on the training split and records it', async () => {
    const file = join(dir, 'search.csv');
    await synthesize({ rows: 600, seed: 12, out: file });
    const result = await trainModel({ data: file, model: 'rf', search: 'grid', cv: 3, param: ['n_estimators=2,4', 'max_depth=2,none', 'min_samples_leaf=1', 'max_features=sqrt'], workers: 2, registry: join(dir, 'models'), seed: 5 });
    const search = result.search!;
    expect(search.trials).toHaveLength(4);
    for (const t of search.trials) {
      expect(t.fold_scores).toHaveLength(3);
      expect(t.cv_mean).toBeCloseTo(t.fold_scores.reduce((a, b) => a + b) / 3, 12);
      expect(t.error).toBeUndefined();
    }
    const best = search.trials[search.best]!;
    expect(search.trials.every((t) => t.cv_mean <= best.cv_mean)).toBe(true);
    expect(result.params).toMatchObject({ search: 'grid', cv_folds: 3, scoring: 'roc_auc', best_trial: best.index, n_estimators: best.params['n_estimators'], max_depth: best.params['max_depth'] });
    expect(result.model.forest!.trees).toHaveLength(best.params['n_estimators'] as number);
    const doc = JSON.parse(readFileSync(result.artifacts.metrics, 'utf8'));
    expect(doc.search.best).toBe(search.best);
    expect(doc.search.trials).toHaveLength(4);
    // the same search on one worker scores every trial the same: trials do not depend on the lane
    const again = await trainModel({ data: file, model: 'rf', search: 'grid', cv: 3, param: ['n_estimators=2,4', 'max_depth=2,none', 'min_samples_leaf=1', 'max_features=sqrt'], workers: 0, registry: join(dir, 'models'), seed: 5 });
    expect(again.search!.trials.map((t) => t.fold_scores)).toEqual(search.trials.map((t) => t.fold_scores));
  });

  it('gbt and tree have default spaces: a search sweeps their parameters and the refit uses the best', async () => {
    const file = join(dir, 'search-trees.csv');
    await synthesize({ rows: 600, seed: 13, out: file });
    expect(planSearch('auto', { method: 'grid' }, 1).trials.filter((t) => t.family === 'gbt' || t.family === 'tree').length).toBe(8);
    expect(usageError(() => planSearch('gbt', { method: 'grid', param: ['max_leaves=1'] }, 1)).message).toMatch(/max_leaves takes integers from 2 to 4096 or none, got "1"/);
    const gbt = await trainModel({ data: file, model: 'gbt', search: 'grid', cv: 3, param: ['learning_rate=0.3', 'max_leaves=2,6', 'min_samples_leaf=5'], workers: 2, registry: join(dir, 'models-gbt'), seed: 5 });
    const bestGbt = gbt.search!.trials[gbt.search!.best]!;
    expect(gbt.search!.trials.map((t) => t.params['max_leaves'])).toEqual([2, 6]);
    expect(gbt.params).toMatchObject({ model_type: 'gradient_boosting', max_leaves: bestGbt.params['max_leaves'], learning_rate: 0.3, min_samples_leaf: 5 });
    for (const tree of gbt.model.boosting!.trees) expect(tree.feature.filter((f) => f < 0).length).toBeLessThanOrEqual(bestGbt.params['max_leaves'] as number);
    const tree = await trainModel({ data: file, model: 'tree', search: 'grid', cv: 3, param: ['max_depth=1,3', 'min_samples_leaf=1'], workers: 2, registry: join(dir, 'models-tree'), seed: 5 });
    const bestTree = tree.search!.trials[tree.search!.best]!;
    expect(tree.params['max_depth']).toBe(bestTree.params['max_depth']);
    expect(tree.params['tree_depth_reached'] as number).toBeLessThanOrEqual(bestTree.params['max_depth'] as number);
    // the two trials differ: a stump and a depth-3 tree do not score the same
    expect(tree.search!.trials[0]!.cv_mean).not.toBe(tree.search!.trials[1]!.cv_mean);
  });

  it('search options without a search are a usage error naming the option', async () => {
    await expect(trainModel({ data: join(dir, 'none.csv'), cv: 3 })).rejects.toMatchObject({ code: 'DC_ERR_USAGE', option: 'cv' });
  });

  it('a label with one class fails the training with an input error naming the file and column', async () => {
    const file = join(dir, 'one-class.csv');
    const lines = ['a,b,Label', ...Array.from({ length: 40 }, (_, i) => `${i},${i % 3},BENIGN`)];
    await import('node:fs/promises').then((fs) => fs.writeFile(file, lines.join('\n') + '\n'));
    await expect(trainModel({ data: file, workers: 0, nEstimators: 2, registry: join(dir, 'models-one') })).rejects.toMatchObject({ code: 'DC_ERR_INPUT', column: 'Label', file });
  });
});
