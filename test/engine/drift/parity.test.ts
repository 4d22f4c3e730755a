/**
 * Numpy parity of the default semantics: they match their own numpy definition to 1e-9, on the
 * real 9,998-row CICIDS file split in two and on drifted variants of it. The reference
 * (test/reference/psi_reference.py) reads the CSV with Python's csv module and computes with
 * numpy: it shares no code with the engine. (`--compat driftcatcher` is checked against the
 * original tool restated, in compat.test.ts.)
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { createBaseline, checkDrift, type DriftReport } from '../../../engine/index.js';
import { HEAD_9998, editColumns, readCsvText, reference, tempDir, writeCsvText, type CsvText } from '../../helpers.js';

const dir = tempDir('dc-parity-');
let train: string;
const batches: Record<string, string> = {};

beforeAll(() => {
  const csv = readCsvText(HEAD_9998);
  const half = 5000;
  const trainCsv: CsvText = { ...csv, rows: csv.rows.slice(0, half) };
  const batchCsv: CsvText = { ...csv, rows: csv.rows.slice(half) };
  train = writeCsvText(join(dir, 'train.csv'), trainCsv);
  batches['second-half'] = writeCsvText(join(dir, 'second-half.csv'), batchCsv);
  batches['scaled'] = writeCsvText(
    join(dir, 'scaled.csv'),
    editColumns(batchCsv, {
      'Flow Duration': (c) => String(Number(c) * 3),
      'Total Fwd Packets': (c) => String(Number(c) + 7),
      'Fwd Packet Length Max': (c, r) => (r % 3 === 0 ? String(Number(c) * 10 + 1e6) : c),
      'Destination Port': (c, r) => (r % 2 ? '443' : c),
    }),
  );
  batches['non-finite'] = writeCsvText(
    join(dir, 'non-finite.csv'),
    editColumns(batchCsv, {
      'Flow Bytes/s': (c, r) => (r % 5 === 0 ? 'Infinity' : r % 7 === 0 ? 'NaN' : c),
      'Flow IAT Min': (c, r) => (r % 4 === 0 ? '-1e9' : c), // below the training range: np.histogram drops it
      'Init_Win_bytes_forward': (c, r) => (r % 11 === 0 ? '' : c),
    }),
  );
  batches['severe'] = writeCsvText(
    join(dir, 'severe.csv'),
    editColumns(
      batchCsv,
      Object.fromEntries(
        ['Flow Duration', 'Total Fwd Packets', 'Total Backward Packets', 'Flow IAT Mean', 'Flow IAT Max', 'Fwd IAT Total', 'Packet Length Mean', 'Average Packet Size', 'Init_Win_bytes_backward'].map((name) => [name, (c: string) => String(Number(c) * 5 + 3)]),
      ),
    ),
  );
});

function expectParity(ours: DriftReport, ref: any) {
  const byName = new Map(ours.features.map((f) => [f.name, f]));
  expect(ours.total_features).toBe(ref.total_features);
  for (const feature of ref.features) {
    const mine = byName.get(feature.name)!;
    expect(mine, feature.name).toBeDefined();
    expect(Math.abs(mine.psi! - feature.psi), `${feature.name}: psi ${mine.psi} vs numpy ${feature.psi}`).toBeLessThan(1e-9);
    expect(mine.drifted, feature.name).toBe(feature.drifted);
  }
  expect(Math.abs(ours.overall_psi! - ref.overall_psi)).toBeLessThan(1e-9);
  expect(ours.n_drifted_features).toBe(ref.n_drifted_features);
  expect(ours.action).toBe(ref.action);
}

describe('numpy parity on the real CICIDS extract', () => {
  for (const name of ['second-half', 'scaled', 'non-finite', 'severe']) {
    it(`${name}: the default semantics match numpy to 1e-9`, async () => {
      const python = inject('pythonPath');
      const ref = reference(python, ['compare', train, batches[name]!]);
      const profile = await createBaseline(train);
      // the stored deciles (q = i / 10) are numpy's to the last bit
      const refDefault = new Map<string, any>(ref.default.features.map((f: any) => [f.name, f]));
      for (const feature of profile.features) expect(feature.quantiles, feature.name).toEqual(refDefault.get(feature.name).edges);
      for (const workers of [0, 2]) expectParity(await checkDrift(profile, batches[name]!, { workers }), ref.default);
    });
  }

  it('the drifted variants are detected, the undrifted half is quiet', async () => {
    const profile = await createBaseline(train);
    const quiet = await checkDrift(profile, batches['second-half']!, { compat: 'driftcatcher', workers: 0 });
    const severe = await checkDrift(profile, batches['severe']!, { compat: 'driftcatcher', workers: 0 });
    expect(severe.action).toBe('retrain');
    const shifted = ['Flow Duration', 'Total Fwd Packets', 'Total Backward Packets', 'Flow IAT Mean', 'Flow IAT Max', 'Fwd IAT Total', 'Packet Length Mean', 'Average Packet Size', 'Init_Win_bytes_backward'];
    for (const top of severe.features.slice(0, 5)) expect(shifted).toContain(top.name);
    expect(quiet.action).not.toBe('retrain');
    expect(quiet.overall_psi).toBeLessThan(severe.overall_psi!);
  });
});
