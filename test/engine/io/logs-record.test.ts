/**
 * parseLogRecord's `field(name)` (one field, the line not flattened: what the sources and the
 * scan's fallback read) gives what its flattened `values` give: the features object's over
 * the top-level fields, the features field itself not a field, and no inherited names.
 */
import { describe, expect, it } from 'vitest';
import { parseLogRecord } from '../../../engine/io/index.js';

const fields = { timeColumn: 'timestamp', featuresField: 'features' };

describe('a log record', () => {
  it('field(name) is values[name] for every name of the line, and undefined for names it lacks', () => {
    const lines = [
      '{"timestamp": 1767225600, "features": {"a": 1, "b": null, "label": 7}, "label": 0, "prediction": 1}',
      '{"timestamp": 1767225600, "a": 2, "features": {"features": 5, "c": "NaN"}}',
      '{"timestamp": 1767225600, "a": 3, "features": [1, 2], "b": true}',
      '{"timestamp": 1767225600, "a": 4, "features": null}',
      '{"timestamp": "2026-01-01T00:00:00Z", "x": {"y": 1}, "a": 1, "a": 9}',
    ];
    for (const text of lines) {
      const record = parseLogRecord(text, fields, { file: 'x.jsonl' })!;
      const values = record.values;
      const names = [...Object.keys(values), ...Object.keys(JSON.parse(text) as object), 'features', 'missing', 'constructor', 'toString', '__proto__'];
      for (const name of names) expect(record.field(name), `${text}: ${name}`).toBe(Object.hasOwn(values, name) ? values[name] : undefined);
    }
    // the features object's value wins; the features field is not a feature
    const first = parseLogRecord(lines[0]!, fields, { file: 'x.jsonl' })!;
    expect([first.field('label'), first.field('prediction'), first.field('features')]).toEqual([7, 1, undefined]);
    expect(Object.keys(first.values)).toEqual(['timestamp', 'label', 'prediction', 'a', 'b']);
    // an array or null under the features field is a top-level field like any other
    expect(parseLogRecord(lines[2]!, fields, { file: 'x.jsonl' })!.field('features')).toEqual([1, 2]);
    expect(parseLogRecord(lines[3]!, fields, { file: 'x.jsonl' })!.field('features')).toBeNull();
  });
});
