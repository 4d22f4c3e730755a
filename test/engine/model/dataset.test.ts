import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyFill, dropNonFinite, fitFill, readLabelledData, stratifiedSplit, binEdges, binOf } from '../../../engine/model/index.js';
import { tempDir } from '../../helpers.js';

const dir = tempDir('dc-dataset-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('labelled data', () => {
  it('labels: BENIGN (trimmed) is 0, anything else 1, including non-UTF-8 and empty labels', async () => {
    const file = join(dir, 'labels.csv');
    writeFileSync(file, Buffer.concat([Buffer.from(' a, b, Label\n1,2,BENIGN\n3,4, BENIGN \n5,6,DDoS\n7,8,Web Attack '), Buffer.from([0x96]), Buffer.from(' XSS\n9,10,\n')]));
    const data = await readLabelledData([file]);
    expect(Array.from(data.labels)).toEqual([0, 0, 1, 1, 1]);
    expect(data.featureNames).toEqual(['a', 'b']);
    const custom = await readLabelledData([file], { negative: 'DDoS' });
    expect(Array.from(custom.labels)).toEqual([1, 1, 0, 1, 1]);
  });

  it('several files: rows appended, features matched by name, a missing feature is a SchemaError', async () => {
    const first = join(dir, 'first.csv');
    const second = join(dir, 'second.csv');
    const third = join(dir, 'third.csv');
    writeFileSync(first, 'a,b,Label\n1,2,BENIGN\n');
    writeFileSync(second, 'b,extra,a,Label\n20,0,10,DDoS\n30,0,40,BENIGN\n');
    writeFileSync(third, 'a,Label\n1,BENIGN\n');
    const data = await readLabelledData([first, second]);
    expect(Array.from(data.columns[0]!)).toEqual([1, 10, 40]);
    expect(Array.from(data.columns[1]!)).toEqual([2, 20, 30]);
    expect(Array.from(data.labels)).toEqual([0, 1, 0]);
    expect(data.sources.map((s) => s.rows)).toEqual([1, 2]);
    await expect(readLabelledData([first, third])).rejects.toMatchObject({ code: 'DC_ERR_SCHEMA' });
    const unlabelled = join(dir, 'unlabelled.csv');
    writeFileSync(unlabelled, 'a,b\n1,2\n');
    await expect(readLabelledData([unlabelled])).rejects.toMatchObject({ code: 'DC_ERR_SCHEMA' });
  });

  it('non-finite policy: drop removes the rows, impute fills median / max / min of the finite values', () => {
    const data = { featureNames: ['x', 'y'], columns: [Float64Array.from([1, NaN, 3, 4, Infinity]), Float64Array.from([5, 6, -Infinity, 8, 9])], labels: Uint8Array.from([0, 1, 0, 1, 1]), rows: 5 };
    const { dataset, dropped } = dropNonFinite(data);
    expect(dropped).toBe(3);
    expect(Array.from(dataset.columns[0]!)).toEqual([1, 4]);
    expect(Array.from(dataset.labels)).toEqual([0, 1]);
    const fill = fitFill(data);
    expect(fill).toEqual({ nan: [3, 7], posInf: [4, 9], negInf: [1, 5] });
    const filled = applyFill(data.columns, fill);
    expect(Array.from(filled[0]!)).toEqual([1, 3, 3, 4, 4]);
    expect(Array.from(filled[1]!)).toEqual([5, 6, 5, 8, 9]);
  });
});

describe('stratified split', () => {
  const labels = Uint8Array.from({ length: 1003 }, (_, i) => (i % 10 < 3 ? 1 : 0));

  it('ceil(test_size x n) test rows, class shares kept, disjoint, covering, ascending', () => {
    const { train, test } = stratifiedSplit(labels, 0.2, 42);
    expect(test.length).toBe(Math.ceil(0.2 * 1003));
    expect(train.length + test.length).toBe(1003);
    const all = new Set([...train, ...test]);
    expect(all.size).toBe(1003);
    const positives = (idx: Int32Array) => Array.from(idx).filter((i) => labels[i] === 1).length;
    expect(Math.abs(positives(test) - 0.2 * positives(Int32Array.from(all)))).toBeLessThanOrEqual(1);
    expect(Array.from(test)).toEqual(Array.from(test).sort((a, b) => a - b));
  });

  it('deterministic per seed', () => {
    expect(Array.from(stratifiedSplit(labels, 0.25, 7).test)).toEqual(Array.from(stratifiedSplit(labels, 0.25, 7).test));
    expect(Array.from(stratifiedSplit(labels, 0.25, 7).test)).not.toEqual(Array.from(stratifiedSplit(labels, 0.25, 8).test));
  });

  it('rejects a test size outside (0, 1) or one that leaves a part empty', () => {
    expect(() => stratifiedSplit(labels, 0, 1)).toThrow(/test size/);
    expect(() => stratifiedSplit(labels, 1.5, 1)).toThrow(/test size/);
    expect(() => stratifiedSplit(Uint8Array.from([0]), 0.5, 1)).toThrow(/cannot split/);
  });
});

describe('binning', () => {
  it('few distinct values: one bin each, edges halfway', () => {
    const edges = binEdges(Float64Array.from([3, 1, 2, 2, 1, 3, 10]));
    expect(Array.from(edges)).toEqual([1.5, 2.5, 6.5]);
    expect([1, 2, 3, 10, -5, 100].map((v) => binOf(edges, v))).toEqual([0, 1, 2, 3, 0, 3]);
  });

  it('many distinct values: at most 255 bins from quantiles, and bin <= b is value < edges[b]', () => {
    const values = Float64Array.from({ length: 20_000 }, (_, i) => Math.sin(i) * 1000 + (i % 7));
    const edges = binEdges(values);
    expect(edges.length).toBeLessThanOrEqual(254);
    expect(edges.length).toBeGreaterThan(200);
    for (let b = 0; b < edges.length; b++) {
      for (const v of [edges[b]! - 1e-9, edges[b]!, edges[b]! + 1e-9]) expect(binOf(edges, v) <= b).toBe(v < edges[b]!);
    }
  });

  it('a constant feature has no edges', () => {
    expect(binEdges(Float64Array.from([4, 4, 4])).length).toBe(0);
  });
});
