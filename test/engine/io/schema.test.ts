import { describe, expect, it } from 'vitest';
import { columnMapOf, LABEL_SLOT, normaliseNames, resolveFeatures, SKIP_SLOT } from '../../../engine/io/schema.js';

describe('normaliseNames', () => {
  it('trims names and numbers repeats the pandas way', () => {
    expect(normaliseNames([' Destination Port', ' Fwd Header Length', 'x', ' Fwd Header Length', 'x', 'x'])).toEqual([
      'Destination Port',
      'Fwd Header Length',
      'x',
      'Fwd Header Length.1',
      'x.1',
      'x.2',
    ]);
  });

  it('skips a candidate the header already holds (pandas test_mangle_dupe_cols_already_exists)', () => {
    // expected columns copied from pandas/tests/io/parser/test_mangle_dupes.py
    expect(normaliseNames(['a', 'a', 'a.1', 'a', 'a.3', 'a.1', 'a.1.1'])).toEqual(['a', 'a.2', 'a.1', 'a.4', 'a.3', 'a.1.2', 'a.1.1']);
  });

  it('names empty headers `Unnamed: <index>` after the named ones', () => {
    expect(normaliseNames(['', 'a', ' ', 'a'])).toEqual(['Unnamed: 0', 'a', 'Unnamed: 2', 'a.1']);
    expect(normaliseNames(['Unnamed: 1', ''])).toEqual(['Unnamed: 1', 'Unnamed: 1.1']);
  });

  it('numbers a header of 300,000 equal names in linear time (a 600 kB header line is within the line limit)', () => {
    // before, each repeat scanned the whole header: 300,000 x 300,000 comparisons (minutes)
    const started = performance.now();
    const names = normaliseNames(Array.from({ length: 300_000 }, () => 'x'));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(names.slice(0, 3)).toEqual(['x', 'x.1', 'x.2']);
    expect(names.at(-1)).toBe('x.299999');
    expect(new Set(names).size).toBe(300_000);
    // and the already-taken candidates are still passed over, as pandas does
    expect(normaliseNames(['a', ...Array.from({ length: 1000 }, (_, i) => `a.${i + 1}`), 'a', 'a'])).toEqual(['a', ...Array.from({ length: 1000 }, (_, i) => `a.${i + 1}`), 'a.1001', 'a.1002']);
  });
});

describe('resolveFeatures', () => {
  const names = ['Flow ID', 'Source IP', 'Flow Duration', 'Flow Bytes/s', 'Label'];

  it('takes every column but the label and the excluded ones, in file order', () => {
    const resolved = resolveFeatures(names, { exclude: [' Flow ID', 'Source IP'] });
    expect(resolved).toEqual({ featureNames: ['Flow Duration', 'Flow Bytes/s'], featureIndex: [2, 3], labelIndex: 4, labelName: 'Label' });
    expect(Array.from(columnMapOf(names.length, resolved))).toEqual([SKIP_SLOT, SKIP_SLOT, 0, 1, LABEL_SLOT]);
  });

  it('accepts a file without the default label (unlabelled batch)', () => {
    const resolved = resolveFeatures(['a', 'b'], {});
    expect(resolved.labelIndex).toBe(-1);
    expect(resolved.labelName).toBeUndefined();
    expect(resolved.featureNames).toEqual(['a', 'b']);
  });

  it('fails on a label asked for by name that is missing', () => {
    expect(() => resolveFeatures(['a', 'b'], { label: 'Label', file: 'prod.csv' })).toThrow(
      'prod.csv: column "Label": label column not found (the file has 2 columns: a, b)',
    );
    try {
      resolveFeatures(['a'], { label: 'y' });
    } catch (err) {
      expect(err).toMatchObject({ code: 'DC_ERR_SCHEMA', column: 'y' });
    }
  });

  it('fails on an excluded name that is not a column', () => {
    expect(() => resolveFeatures(names, { exclude: ['Flow Id'], file: 'f.csv' })).toThrow(/^f\.csv: column "Flow Id": column to exclude not found/);
  });
});
