/**
 * The assertions every source shares: the reference of a window is the profile of the same rows
 * as a CSV file (same features, same id), and the check of a window is the check of the same rows
 * as a CSV file; windows are half-open and UTC.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { createBaseline, type Profile } from '../../../engine/profile/index.js';
import { checkDrift, type DriftReport } from '../../../engine/drift/index.js';
import { monitorPredictions, type PerformanceReport } from '../../../engine/monitor/index.js';
import { checkSourceWindow, monitorSourceWindow, referenceFromSource, type Source, type SourceCheckOptions, type SourceMonitorOptions } from '../../../engine/sources/index.js';
import { DAY, START_MS, STEP_MS, predictionsCsv, windowCsv, type PredictionRows } from './dataset.js';

export const REFERENCE = { from: new Date(START_MS), until: new Date(START_MS + 30 * DAY) };
export const DRIFTED = { from: new Date(START_MS + 57 * DAY), until: new Date(START_MS + 60 * DAY) };
export const QUIET = { from: new Date(START_MS + 30 * DAY), until: new Date(START_MS + 33 * DAY) };

/** The parts of a report that describe the data (not where it came from). */
export function verdict(report: DriftReport) {
  const { current, ...rest } = report;
  return { ...rest, current: { rows: current.rows, non_finite_values: current.non_finite_values, coerced_values: current.coerced_values } };
}

export async function csvReference(rows: PredictionRows, dir: string): Promise<Profile> {
  return createBaseline(windowCsv(rows, REFERENCE.from.getTime(), REFERENCE.until.getTime(), join(dir, 'reference.csv')), { label: 'label' });
}

/** Reference and two checks (drifted, quiet) of a source equal the file way's, and the drifted window drifts. */
export async function assertSameAsCsv(source: Source, rows: PredictionRows, dir: string, options: SourceCheckOptions = {}): Promise<Profile> {
  const fromSource = await referenceFromSource(source, REFERENCE);
  const fromCsv = await csvReference(rows, dir);
  expect(fromSource.rows).toBe(fromCsv.rows);
  expect(fromSource.features).toEqual(fromCsv.features);
  expect(fromSource.id).toBe(fromCsv.id);
  expect(fromSource.label).toBe('label');
  expect(fromSource.window).toMatchObject({ from: REFERENCE.from.toISOString(), until: REFERENCE.until.toISOString(), timezone: 'UTC' });
  for (const window of [DRIFTED, QUIET]) {
    const file = windowCsv(rows, window.from.getTime(), window.until.getTime(), join(dir, `window-${window.from.getTime()}.csv`));
    const checked = await checkSourceWindow(source, fromCsv, window, options);
    const fileReport = await checkDrift(fromCsv, file, { ...options, workers: 0 });
    expect(verdict(checked.report)).toEqual(verdict(fileReport));
  }
  const drifted = await checkSourceWindow(source, fromCsv, DRIFTED, options);
  expect(drifted.report.action).toBe('retrain');
  return fromCsv;
}

/**
 * The methods on the fine summary (ks, wasserstein: ~2,000 scan edges a feature) give a window the
 * report of the same rows as a CSV file: ks the same verdict exactly (its counts are exact), and
 * wasserstein the same features and action with scores equal to 1e-12 (its tail sums are added in
 * the database's order); the drifted window drifts.
 */
export async function assertFineSameAsCsv(source: Source, rows: PredictionRows, dir: string): Promise<void> {
  const profile = await csvReference(rows, dir);
  for (const window of [DRIFTED, QUIET]) {
    const file = windowCsv(rows, window.from.getTime(), window.until.getTime(), join(dir, `fine-${window.from.getTime()}.csv`));
    for (const method of ['ks', 'wasserstein']) {
      const sql = (await checkSourceWindow(source, profile, window, { method })).report;
      const csv = await checkDrift(profile, file, { method, workers: 0 });
      expect(sql.method).toBe(method);
      if (method === 'ks') expect(verdict(sql)).toEqual(verdict(csv));
      expect(sql.features.map((f) => f.name)).toEqual(csv.features.map((f) => f.name));
      expect(sql.action).toBe(csv.action);
      sql.features.forEach((f, i) => expect(f.score).toBeCloseTo(csv.features[i]!.score, 12));
      if (window === DRIFTED) expect(sql.action).not.toBe('ok');
    }
  }
}

/** A row exactly at `from` is in the window, one exactly at `until` is not (row 5000 is at day 30 exactly). */
export async function assertBoundaries(source: Source): Promise<void> {
  const day30 = START_MS + 30 * DAY;
  expect((day30 - START_MS) % STEP_MS).toBe(0);
  const at = (from: number, until: number) => source.countRows({ from: new Date(from), until: new Date(until) });
  // [day30, day30 + 1 step) holds exactly the row at day30; [day30 - 1 step, day30) the one before it
  expect(await at(day30, day30 + STEP_MS)).toBe(1);
  expect(await at(day30 - STEP_MS, day30)).toBe(1);
  expect(await at(day30, day30)).toBe(0);
  expect(await at(day30 + 1, day30 + STEP_MS)).toBe(0);
  // the 30-day reference holds rows 0..4999
  expect(await at(REFERENCE.from.getTime(), REFERENCE.until.getTime())).toBe(5000);
}

/** What a performance report says of the rows (not where they came from nor when). */
export function performanceVerdict(report: PerformanceReport) {
  const { file: _file, format: _format, timestamp: _timestamp, ...rest } = report;
  return rest;
}

/**
 * The performance of a window of a source (noisy outputs: insertStatements/writeLogs with
 * `noisy`) is `monitor`'s on the same labelled rows written as a predictions CSV, for the drifted
 * window, a quiet one and a 1-day window that starts on a row (half-open); unlabelled rows are
 * left out and counted.
 */
export async function assertMonitorSameAsCsv(source: Source, rows: PredictionRows, dir: string, options: SourceMonitorOptions = {}): Promise<void> {
  const now = new Date('2026-03-02T00:00:00Z');
  const day30 = { from: new Date(START_MS + 30 * DAY), until: new Date(START_MS + 31 * DAY) };
  for (const window of [DRIFTED, QUIET, day30]) {
    const file = predictionsCsv(rows, window.from.getTime(), window.until.getTime(), join(dir, `predictions-${window.from.getTime()}.csv`));
    const fromFile = await monitorPredictions(file, { ...options, now });
    const fromSource = await monitorSourceWindow(source, window, { ...options, now });
    expect(performanceVerdict(fromSource.report)).toEqual(performanceVerdict(fromFile));
    expect(fromSource.report.format).toBe('source');
    expect(fromSource.window).toMatchObject({ from: window.from.toISOString(), until: window.until.toISOString() });
    const inWindow = rows.times.filter((t) => t >= window.from.getTime() && t < window.until.getTime()).length;
    expect(fromSource.unlabelled_rows).toBe(inWindow - fromFile.rows);
    expect(fromSource.unlabelled_rows).toBeGreaterThan(0);
    // the noise makes a real confusion matrix and AUC
    expect(fromSource.report.metrics.confusion_matrix.false_positives + fromSource.report.metrics.confusion_matrix.false_negatives).toBeGreaterThan(0);
    expect(fromSource.report.metrics.roc_auc).not.toBeNull();
  }
}
