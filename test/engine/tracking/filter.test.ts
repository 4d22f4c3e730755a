/**
 * The run search filter on the ledger: MLflow's grammar parsed once (errors name the position),
 * evaluated on runs. The same filters are checked against a real MLflow server's own answer in
 * test/cli/runs-mlflow.test.ts; these pin the parser and each comparator in milliseconds.
 */
import { describe, expect, it } from 'vitest';
import { matchesFilter, parseRunFilter, type FilterableRun } from '../../../engine/tracking/index.js';
import { isDriftCatcherError } from '../../../engine/util/index.js';

const run = (over: Partial<FilterableRun>): FilterableRun => ({
  run_id: 'r1',
  run_name: 'drift_check_1',
  status: 'FINISHED',
  start_time: 1_700_000_000_000,
  end_time: 1_700_000_001_000,
  metrics: {},
  params: {},
  tags: {},
  ...over,
});

const a = run({ run_id: 'a', run_name: 'drift_check_a', metrics: { overall_score: 0.35, 'drift/Flow Bytes_s': 0.5 }, params: { method: 'psi' }, tags: { action_recommended: 'retrain', 'mlflow.user': 'Ana' } });
const b = run({ run_id: 'b', run_name: 'Train-b', status: 'FAILED', start_time: 1_700_000_500_000, metrics: { overall_score: 0.05 }, params: { method: 'ks' }, tags: { action_recommended: 'wait' } });
const c = run({ run_id: 'c', run_name: 'other', metrics: {}, params: {}, tags: {} });
const all = [a, b, c];
const ids = (text: string) => all.filter((r) => matchesFilter(r, parseRunFilter(text))).map((r) => r.run_id);

describe('parseRunFilter', () => {
  it('reads comparisons joined by AND, any spelling of the entity, bare, back-quoted and double-quoted keys', () => {
    const text = "metrics.overall_score > 0.2 and params.`method` = 'psi' AND tag.\"action_recommended\" != \"wait\" AND attributes.start_time>=-1e3";
    const filter = parseRunFilter(text)!;
    const at = (part: string) => text.indexOf(part) + 1;
    expect(filter.comparisons).toEqual([
      { entity: 'metrics', key: 'overall_score', comparator: '>', value: 0.2, position: 1 },
      { entity: 'params', key: 'method', comparator: '=', value: 'psi', position: at('params.') },
      { entity: 'tags', key: 'action_recommended', comparator: '!=', value: 'wait', position: at('tag.') },
      { entity: 'attributes', key: 'start_time', comparator: '>=', value: -1000, position: at('attributes.') },
    ]);
    expect(parseRunFilter('  ')).toBeNull();
    expect(parseRunFilter('tags.mlflow.runName LIKE \'a%\'')!.comparisons[0]).toMatchObject({ entity: 'tags', key: 'mlflow.runName', comparator: 'LIKE' });
    expect(parseRunFilter("metrics.`drift/Flow Bytes_s` <= 1")!.comparisons[0]!.key).toBe('drift/Flow Bytes_s');
    expect(parseRunFilter("params.x = 'it\\'s'")!.comparisons[0]!.value).toBe("it's");
  });

  const bad: [string, RegExp][] = [
    ['metrics.overall_score >> 0.2', /position 24: expected a number/],
    ['metrics.overall_score > 0.2 OR metrics.x < 1', /position 29: expected AND .*no OR/],
    ['score > 0.2', /position 1: expected metrics\., params\., tags\. or attributes\./],
    ["params.method > 'psi'", /position 15: params\.method compares with = != LIKE ILIKE, not >/],
    ['metrics.x = \'0.2\'', /position 13: expected a number/],
    ['tags.a = wait', /position 10: expected a quoted string/],
    ["tags.a = 'wait", /position 10: the quote ' is not closed/],
    ['metrics.drift/Flow > 1', /position 14: unexpected character "\/" \(quote a key/],
    ["attributes.colour = 'red'", /position 1: unknown attribute "colour"/],
    ['metrics.x', /position 10: expected a comparator .*the end of the filter/],
    ['metrics.x > 1 AND', /position 18: expected metrics\.<key>.*the end of the filter/],
  ];
  it.each(bad)('refuses %j in one line naming the position', (text, message) => {
    let error: unknown;
    try {
      parseRunFilter(text);
    } catch (err) {
      error = err;
    }
    expect(isDriftCatcherError(error) && error.code).toBe('DC_ERR_USAGE');
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/\n/);
  });
});

describe('matchesFilter', () => {
  it('compares metrics as numbers; a run without the metric never matches, not even !=', () => {
    expect(ids('metrics.overall_score > 0.2')).toEqual(['a']);
    expect(ids('metrics.overall_score <= 0.35')).toEqual(['a', 'b']);
    expect(ids('metrics.overall_score != 0.05')).toEqual(['a']);
    expect(ids('metrics.overall_score = 0.05')).toEqual(['b']);
    expect(ids('metrics.`drift/Flow Bytes_s` >= 0.5')).toEqual(['a']);
  });

  it('compares params and tags as strings; LIKE is case-sensitive, ILIKE not; % and _ are wildcards, the rest literal', () => {
    expect(ids("params.method = 'psi'")).toEqual(['a']);
    expect(ids("params.method != 'psi'")).toEqual(['b']);
    expect(ids("tags.action_recommended LIKE 're%'")).toEqual(['a']);
    expect(ids("tags.action_recommended LIKE 'RE%'")).toEqual([]);
    expect(ids("tags.action_recommended ILIKE 'RE%'")).toEqual(['a']);
    expect(ids("tags.action_recommended LIKE 'w_it'")).toEqual(['b']);
    expect(ids("tags.action_recommended LIKE 'w.it'")).toEqual([]);
  });

  it('reads the attributes: run_id, run_name, status, user_id, start_time / created, end_time', () => {
    expect(ids("attributes.run_name LIKE 'drift%'")).toEqual(['a']);
    expect(ids("attributes.run_name ILIKE 'train%'")).toEqual(['b']);
    expect(ids("attributes.status = 'FAILED'")).toEqual(['b']);
    expect(ids("attributes.run_id = 'c'")).toEqual(['c']);
    expect(ids("attributes.user_id = 'Ana'")).toEqual(['a']);
    expect(ids('attributes.start_time > 1700000000000')).toEqual(['b']);
    expect(ids('attributes.created > 1700000000000')).toEqual(['b']);
    expect(ids('attributes.end_time = 1700000001000')).toEqual(['a', 'b', 'c']);
  });

  it('every comparison must hold (AND)', () => {
    expect(ids("metrics.overall_score > 0 AND params.method = 'ks'")).toEqual(['b']);
    expect(ids("metrics.overall_score > 0.2 AND params.method = 'ks'")).toEqual([]);
    expect(ids('')).toEqual(['a', 'b', 'c']);
  });
});
