import { describe, expect, it } from 'vitest';
import { chunkWindows, parseDuration, parseInstant, parseSourceSpec, redactSecrets, windowEnding, windowText } from '../../../engine/sources/index.js';

describe('windows', () => {
  it('parses durations and instants (no offset: UTC; an offset is honoured)', () => {
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(() => parseDuration('1.5d')).toThrow(/duration such as 30m/);
    expect(() => parseDuration('0d')).toThrow(/duration/);
    expect(parseInstant('2026-03-01').toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseInstant('2026-03-01T12:00:00').toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(parseInstant('2026-03-01T14:00:00+02:00').toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(() => parseInstant('yesterday')).toThrow(/ISO 8601/);
    expect(() => parseInstant('2026-02-30T00:00:00Z')).not.toThrow(); // Date rolls over; the syntax is what is checked
  });

  it('ends a window at until (excluded) and chunks a period', () => {
    const until = parseInstant('2026-03-03');
    const window = windowEnding(until, parseDuration('2d'));
    expect(windowText(window)).toBe('[2026-03-01T00:00:00.000Z, 2026-03-03T00:00:00.000Z)');
    const chunks = chunkWindows({ from: window.from, until: parseInstant('2026-03-03T12:00:00Z') }, parseDuration('1d'));
    expect(chunks.map(windowText)).toEqual([
      '[2026-03-01T00:00:00.000Z, 2026-03-02T00:00:00.000Z)',
      '[2026-03-02T00:00:00.000Z, 2026-03-03T00:00:00.000Z)',
      '[2026-03-03T00:00:00.000Z, 2026-03-03T12:00:00.000Z)',
    ]);
  });
});

describe('source syntax', () => {
  it('names each kind, and refuses others without showing a password', () => {
    expect(parseSourceSpec('postgres://u:p@h/db')).toEqual({ kind: 'postgres', url: 'postgres://u:p@h/db' });
    expect(parseSourceSpec('postgres:')).toEqual({ kind: 'postgres', url: null });
    expect(parseSourceSpec('duckdb:a.duckdb?table=t')).toEqual({ kind: 'duckdb', path: 'a.duckdb', table: 't', files: null });
    expect(parseSourceSpec('duckdb:data/*.parquet')).toEqual({ kind: 'duckdb', path: 'data/*.parquet', table: null, files: 'parquet' });
    expect(parseSourceSpec('logs:dir/')).toEqual({ kind: 'logs', dir: 'dir/' });
    expect(() => parseSourceSpec('mysql://root:topsecret@h/db')).toThrow(/"mysql:\/\/root:\*\*\*@h\/db" is not a source/);
    expect(() => parseSourceSpec('duckdb:a.duckdb?tabel=t')).toThrow(/unknown parameter "tabel"/);
  });

  it('masks passwords in URLs and parameters', () => {
    expect(redactSecrets('postgres://user:pa%40ss@host:5432/db?sslmode=require')).toBe('postgres://user:***@host:5432/db?sslmode=require');
    expect(redactSecrets('host=h password=abc sslpassword=def')).toBe('host=h password=*** sslpassword=***');
    expect(redactSecrets('failed for s3cr3t', ['s3cr3t'])).toBe('failed for ***');
  });
});
