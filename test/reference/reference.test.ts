/**
 * Verifies the numpy reference (test/reference/psi_reference.py) itself against PSI values worked
 * out by hand on a tiny CSV, so that it can then be trusted as the oracle for the TypeScript.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, 'psi_reference.py');
const EPS = 1e-4;

interface FeatureResult {
  name: string;
  edges: number[];
  interior?: number[];
  expected: number[];
  actual: number[];
  expected_counts: number[];
  actual_counts: number[];
  psi: number;
  drifted: boolean;
}
interface Section {
  features: FeatureResult[];
  overall_psi: number;
  n_drifted_features: number;
  total_features: number;
  action: string;
}
interface CompareResult {
  train_rows: number;
  batch_rows: number;
  default: Section;
}

let dir: string;
let trainCsv: string;
let batchCsv: string;

/**
 * Training (10 rows) and batch (6 rows). Header: leading/trailing spaces and a repeated ` x`
 * (becomes `x.1`); `id` is excluded; `Label` is the label, one of them with the byte 0x96.
 *   train x   = 1..10                       batch x   = 2, 4, 4, 9, 11, '' (NaN)
 *   train y   = 0,0,0,0,0,1,1,1,1,Infinity  batch y   = 0, 1, 1, 1, -Infinity, 2
 *   train x.1 = 7 everywhere                batch x.1 = 7 everywhere
 */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dc-psi-ref-'));
  const header = ' x,y , x,id, Label\r\n';
  const trainY = ['0', '0', '0', '0', '0', '1', '1', '1', '1', 'Infinity'];
  const trainRows = trainY.map((y, i) => `${i + 1},${y},7,${100 + i},${i % 2 ? 'DDoS' : 'BENIGN'}\r\n`);
  trainCsv = join(dir, 'train.csv');
  writeFileSync(trainCsv, header + trainRows.join(''));
  const batchRows = [
    ['2', '0'],
    ['4', '1'],
    ['4', '1'],
    ['9', '1'],
    ['11', '-Infinity'],
    ['', '2'],
  ].map(([x, y], i) => Buffer.concat([Buffer.from(`${x},${y},7,${200 + i},`), i === 5 ? Buffer.from([0x57, 0x65, 0x62, 0x20, 0x96, 0x20, 0x58]) : Buffer.from('BENIGN'), Buffer.from('\n')]));
  batchCsv = join(dir, 'batch.csv');
  writeFileSync(batchCsv, Buffer.concat([Buffer.from(header.replace('\r\n', '\n')), ...batchRows]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runReference(args: string[]): unknown {
  const python = inject('pythonPath');
  return JSON.parse(execFileSync(python, [SCRIPT, ...args], { encoding: 'utf8' }));
}

/** One PSI term, zeros already replaced by eps. */
const term = (actual: number, expected: number): number => (actual - expected) * Math.log(actual / expected);

function decide(psis: number[]): { overall: number; drifted: number; action: string } {
  const overall = psis.reduce((a, b) => a + b, 0) / psis.length;
  const drifted = psis.filter((p) => p > 0.2).length;
  return { overall, drifted, action: overall > 0.2 || drifted > 5 ? 'retrain' : overall > 0.1 || drifted > 0 ? 'alert' : 'wait' };
}

function feature(section: Section, name: string): FeatureResult {
  const found = section.features.find((f) => f.name === name);
  if (!found) throw new Error(`no feature ${name}`);
  return found;
}

describe('psi_reference.py compare', () => {
  let result: CompareResult;
  beforeAll(() => {
    result = runReference(['compare', trainCsv, batchCsv, '--bins', '4', '--exclude', 'id']) as CompareResult;
  });

  it('reads trimmed, de-duplicated names and leaves out the label and excluded columns', () => {
    expect(result.train_rows).toBe(10);
    expect(result.batch_rows).toBe(6);
    expect(result.default.features.map((f) => f.name)).toEqual(['x', 'y', 'x.1']);
    expect(result.default.total_features).toBe(3);
    expect(result).not.toHaveProperty('compat'); // driftcatcher_original.py is the compat reference
  });

  it('default: edges from all finite values, open outer bins, a missing bin, proportions of all rows', () => {
    const section = result.default;
    // x: 1..10, quartiles at positions 9q -> 1, 3.25, 5.5, 7.75, 10
    const x = feature(section, 'x');
    expect(x.edges).toEqual([1, 3.25, 5.5, 7.75, 10]);
    expect(x.interior).toEqual([3.25, 5.5, 7.75]);
    expect(x.expected_counts).toEqual([3, 2, 2, 3, 0]); // (-inf,3.25) [3.25,5.5) [5.5,7.75) [7.75,inf) missing
    expect(x.actual_counts).toEqual([1, 2, 0, 2, 1]); // 11 lands in the open last bin, '' is missing
    const psiX = term(1 / 6, 3 / 10) + term(2 / 6, 2 / 10) + term(EPS, 2 / 10) + term(2 / 6, 3 / 10) + term(1 / 6, EPS);
    expect(x.psi).toBeCloseTo(psiX, 12);
    // y: finite 0 x5, 1 x4 -> edges 0, 0, 0, 1, 1; interior unique(0, 0, 1) = 0, 1
    const y = feature(section, 'y');
    expect(y.edges).toEqual([0, 0, 0, 1, 1]);
    expect(y.interior).toEqual([0, 1]);
    expect(y.expected_counts).toEqual([0, 5, 4, 1]); // (-inf,0) [0,1) [1,inf) missing (Infinity)
    expect(y.actual_counts).toEqual([0, 1, 4, 1]); // -Infinity is missing, 2 is in [1,inf)
    const psiY = term(EPS, EPS) + term(1 / 6, 5 / 10) + term(4 / 6, 4 / 10) + term(1 / 6, 1 / 10);
    expect(y.psi).toBeCloseTo(psiY, 12);
    const x1 = feature(section, 'x.1');
    expect(x1.interior).toEqual([7]);
    expect(x1.expected_counts).toEqual([0, 10, 0]);
    expect(x1.actual_counts).toEqual([0, 6, 0]);
    expect(x1.psi).toBe(0);

    const want = decide([psiX, psiY, 0]);
    expect(section.overall_psi).toBeCloseTo(want.overall, 12);
    expect(section.n_drifted_features).toBe(want.drifted);
    expect(section.action).toBe(want.action);
  });

  it('uses the epsilon and bin count it is given', () => {
    const other = runReference(['compare', trainCsv, batchCsv, '--bins', '4', '--eps', '0.001', '--exclude', 'id']) as CompareResult;
    const x = feature(other.default, 'x');
    expect(x.psi).toBeCloseTo(term(1 / 6, 3 / 10) + term(2 / 6, 2 / 10) + term(0.001, 2 / 10) + term(2 / 6, 3 / 10) + term(1 / 6, 0.001), 12);
    const tenBins = runReference(['compare', trainCsv, batchCsv, '--exclude', 'id']) as CompareResult;
    expect(feature(tenBins.default, 'x').edges).toHaveLength(11);
  });
});

describe('psi_reference.py quantile', () => {
  it("prints numpy's linear quantile edges of the column's finite values", () => {
    const quartiles = runReference(['quantile', trainCsv, 'x', '--bins', '4']) as { n: number; edges: number[] };
    expect(quartiles).toMatchObject({ n: 10, edges: [1, 3.25, 5.5, 7.75, 10] });
    const deciles = runReference(['quantile', trainCsv, 'x']) as { edges: number[] };
    // position 0.9 i between the sorted values 1..10: 1 + 0.9 i
    deciles.edges.forEach((edge, i) => expect(edge).toBeCloseTo(1 + 0.9 * i, 12));
    const y = runReference(['quantile', trainCsv, 'y', '--bins', '4']) as { n: number; edges: number[] };
    expect(y).toMatchObject({ n: 9, edges: [0, 0, 0, 1, 1] }); // Infinity left out
  });
});
