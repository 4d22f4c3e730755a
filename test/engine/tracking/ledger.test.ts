/**
 * The local side of tracking, no server: what a drift check records (names, metrics, tags,
 * params, artifact), log-batch planning within MLflow's limits, the ledger on disk, options from
 * the environment and credentials kept out of every message (the CLI with no server configured:
 * test/cli/ledger.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY, type DriftReport, type FeatureDrift } from '../../../engine/index.js';
import { policySettings, qualitySummary, resolveQualityOptions, type FeatureQuality } from '../../../engine/drift/index.js';
import { driftCheckRun, rankMetricKey } from '../../../engine/report/index.js';
import { Ledger, resolveTracking, syncQueued, TRACKING_DEFAULTS } from '../../../engine/tracking/index.js';
import { redactor, retryAfterMs, toJson } from '../../../engine/tracking/index.js';
import { LOG_BATCH_LIMITS, planBatches } from '../../../engine/tracking/mlflow/index.js';
import { localIso, compactLocal } from '../../../engine/report/index.js';
import { tempDir } from '../../helpers.js';

const quiet: FeatureQuality = {
  missing_rate: { reference_rate: 0, current_rate: 0, change: 0, breach: false },
  out_of_range: null,
  constant: { reference: null, reference_top_share: null, current_top_share: null, current_top_bin: null, current_top_value: null, reference_share_in_bin: null, breach: false },
  new_categories: null,
  breaches: [],
};

function feature(name: string, psi: number, drifted: boolean): FeatureDrift {
  return { name, method: 'psi', psi, score: psi, drifted, expected: [0.5, 0.5], actual: [0.5, 0.5], count: 10, non_finite: 0, quality: quiet };
}

function fakeReport(features: FeatureDrift[]): DriftReport {
  const ranked = [...features].sort((a, b) => b.score - a.score);
  return {
    method: 'psi',
    overall_psi: 0.42,
    overall_score: 0.42,
    n_drifted_features: features.filter((f) => f.drifted).length,
    total_features: features.length,
    drifted_share: features.filter((f) => f.drifted).length / features.length,
    dataset_drift: null,
    action: 'retrain',
    features: ranked,
    skipped_features: [],
    settings: { semantics: 'default', binning: 'quantile edges', method: 'psi', score_kind: 'distance', threshold: 0.2, thresholds: { psi: 0.2 }, fine: false, resolution: 1000, drift_share: null, correction: 'none', epsilon: 1e-4, bins: 10, aggregation: 'mean', policy: policySettings(DEFAULT_POLICY), quality: resolveQualityOptions() },
    baseline: { id: 'abc123', file: 'train.csv', rows: 1000 },
    current: { files: ['/data/batch.csv'], rows: 500, non_finite_values: 0, coerced_values: 0 },
    small_sample: null,
    quality: qualitySummary([], { referenceRows: 1000, currentRows: 500 }, { onlyInBaseline: [], onlyInBatch: [] }, [], resolveQualityOptions()),
  };
}

describe('what a drift check records', () => {
  const long = 'A feature name that is longer than thirty characters';
  const features = [
    ...Array.from({ length: 12 }, (_, i) => feature(i === 3 ? long : `f${i}`, 1 + i / 10, true)),
    feature('Fwd Packets/s', 5, true),
    feature('calm', 0.01, false),
    feature('broken', Number.NaN, false),
  ];
  const now = new Date(2025, 0, 2, 3, 4, 5, 678);
  const run = driftCheckRun(fakeReport(features), { experiment: 'drift_monitoring', now });

  it('names the run drift_check_YYYYMMDD_HHMMSS (local time) in drift_monitoring', () => {
    expect(run.experiment).toBe('drift_monitoring');
    expect(run.runName).toBe('drift_check_20250102_030405');
    expect(compactLocal(now)).toBe('20250102_030405');
  });

  it('logs overall_psi, n_drifted_features, total_features, overall_score and psi_rank_<i>_<name[:30]> for the top 10 drifted', () => {
    const keys = run.metrics!.map((m) => m.key);
    expect(keys.slice(0, 3)).toEqual(['overall_psi', 'n_drifted_features', 'total_features']);
    expect(run.metrics!.slice(0, 3).map((m) => m.value)).toEqual([0.42, 13, 15]);
    expect(run.metrics![3]).toMatchObject({ key: 'overall_score', value: 0.42 });
    const ranked = run.metrics!.slice(4).filter((m) => m.key.startsWith('psi_rank_'));
    expect(ranked).toHaveLength(10);
    expect(ranked[0]).toMatchObject({ key: 'psi_rank_1_Fwd Packets/s', value: 5 });
    expect(ranked[1]).toMatchObject({ key: 'psi_rank_2_f11', value: 2.1 });
    expect(ranked.map((m) => m.value)).toEqual([...ranked.map((m) => m.value)].sort((a, b) => b - a));
    expect(keys).toContain(`psi_rank_10_${long.slice(0, 30)}`);
    expect(keys.filter((k) => k.startsWith('psi_rank_') && (k.includes('calm') || k.includes('broken')))).toEqual([]);
    // fixed timestamps and steps: sending them again adds no points
    for (const m of run.metrics!) expect(m).toMatchObject({ timestamp: now.getTime() });
  });

  it('tags action_recommended and timestamp; params state the settings and the baseline', () => {
    expect(run.tags).toMatchObject({ action_recommended: 'retrain', timestamp: '2025-01-02T03:04:05.678000' });
    expect(localIso(now)).toBe('2025-01-02T03:04:05.678000');
    expect(run.params).toMatchObject({
      semantics: 'default',
      method: 'psi',
      bins: 10,
      epsilon: 1e-4,
      threshold: 0.2,
      aggregation: 'mean',
      policy_retrain_overall: 0.2,
      policy_retrain_drifted_features: 5,
      policy_alert_overall: 0.1,
      baseline_id: 'abc123',
      baseline_file: 'train.csv',
      current_file: '/data/batch.csv',
    });
  });

  it('writes every feature PSI to drift_feature_psi.json, non-finite ones as strings', () => {
    // (then drift_report.json, the whole report)
    expect(run.artifacts!.map((a) => a.path)).toEqual(['drift_feature_psi.json', 'drift_report.json']);
    const psi = JSON.parse(run.artifacts![0]!.content as string) as Record<string, number | string>;
    expect(Object.keys(psi)).toHaveLength(features.length);
    expect(psi['broken']).toBe('NaN');
    expect(psi['Fwd Packets/s']).toBe(5);
  });

  it('keeps metric keys MLflow accepts', () => {
    expect(rankMetricKey(1, 'Flow Bytes/s')).toBe('psi_rank_1_Flow Bytes/s');
    expect(rankMetricKey(2, 'ratio (%) of x')).toBe('psi_rank_2_ratio ___ of x');
    // cut at 30 leaves a trailing slash: a path that normalises to another name, so slashes go
    expect(rankMetricKey(3, `${'a'.repeat(29)}/b`)).toBe(`psi_rank_3_${'a'.repeat(29)}_`);
    expect(rankMetricKey(4, 'x//y')).toBe('psi_rank_4_x__y');
  });
});

describe('log-batch planning', () => {
  it('keeps every request within 1000 metrics, 100 params, 100 tags, 1000 entities, each item once', () => {
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: `m${i % 7}`, value: i, timestamp: 1, step: i }));
    const params = Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const tags = Array.from({ length: 120 }, (_, i) => ({ key: `t${i}`, value: String(i) }));
    const batches = planBatches({ metrics, params, tags });
    for (const b of batches) {
      expect(b.metrics.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.metrics);
      expect(b.params.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.params);
      expect(b.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.tags);
      expect(b.metrics.length + b.params.length + b.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.entities);
    }
    expect(batches.flatMap((b) => b.metrics)).toEqual(metrics);
    expect(batches.flatMap((b) => b.params)).toEqual(params);
    expect(batches.flatMap((b) => b.tags)).toEqual(tags);
    // the same plan every time: resuming at batch n skips exactly what was acknowledged
    expect(planBatches({ metrics, params, tags })).toEqual(batches);
  });

  it('sends NaN and infinities as the strings protobuf reads, not null', () => {
    expect(toJson({ metrics: [{ value: Number.NaN }, { value: Infinity }, { value: -Infinity }, { value: 1.5 }] })).toBe(
      '{"metrics":[{"value":"NaN"},{"value":"Infinity"},{"value":"-Infinity"},{"value":1.5}]}',
    );
  });
});

describe('the ledger on disk', () => {
  it('writes a run folder whole: run.json and artifacts, no temp files, non-finite metrics round-trip', async () => {
    const ledger = new Ledger(tempDir('dc-ledger-'));
    const run = await ledger.create({
      experiment: 'e',
      runName: 'r',
      startTime: Date.UTC(2025, 0, 1),
      metrics: [
        { key: 'nan', value: Number.NaN },
        { key: 'inf', value: Infinity },
        { key: 'ninf', value: -Infinity },
      ],
      params: { a: 1 },
      artifacts: [{ path: 'dir/x.json', content: '{"x":1}' }],
    });
    expect(run.id).toMatch(/^20250101T000000Z-[0-9a-f]{8}$/);
    expect(readdirSync(ledger.runsDir)).toEqual([run.id]);
    expect(readFileSync(ledger.artifactFile(run.id, 'dir/x.json'), 'utf8')).toBe('{"x":1}');
    const text = readFileSync(join(ledger.runDir(run.id), 'run.json'), 'utf8');
    expect(text).toContain('"NaN"');
    expect(text).toContain('"-Infinity"');
    const back = await ledger.read(run.id);
    expect(back.metrics.map((m) => m.value)).toEqual([Number.NaN, Infinity, -Infinity]);
    expect(back.params).toEqual({ a: '1' });
    expect(back.sync).toMatchObject({ state: 'queued', batches_sent: 0 });
    await expect(ledger.create({ experiment: 'e', runName: 'bad', startTime: 0, artifacts: [{ path: '../escape', content: '' }] })).rejects.toThrow(/inside the run/);
    expect(readdirSync(ledger.runsDir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('lists parents before their children and only queued runs as queued', async () => {
    const ledger = new Ledger(tempDir('dc-ledger-'));
    const child = await ledger.create({ experiment: 'e', runName: 'early child?', startTime: 1000 });
    const parent = await ledger.create({ experiment: 'e', runName: 'parent', startTime: 2000 });
    const realChild = await ledger.create({ experiment: 'e', runName: 'child', startTime: 1500, parentId: parent.id });
    const listed = await ledger.list();
    expect(listed.map((r) => r.run_name)).toEqual(['early child?', 'parent', 'child']);
    realChild.sync.state = 'sent';
    await ledger.save(realChild);
    expect((await ledger.queued()).map((r) => r.id)).toEqual([child.id, parent.id]);
  });

  it('lets one process at a time send a run, and takes over the lock of a dead one', async () => {
    const ledger = new Ledger(tempDir('dc-ledger-'));
    const run = await ledger.create({ experiment: 'e', runName: 'r', startTime: 0 });
    const unlock = await ledger.lock(run.id);
    expect(unlock).not.toBeNull();
    expect(await ledger.lock(run.id)).toBeNull();
    await unlock!();
    const { hostname } = await import('node:os');
    writeFileSync(join(ledger.runDir(run.id), '.sync.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname() }));
    const taken = await ledger.lock(run.id);
    expect(taken).not.toBeNull();
    await taken!();
  });
});

describe('options from the environment', () => {
  it('no URI: local only; a non-HTTP URI: local only with a note', () => {
    expect(resolveTracking({ env: {} }).server).toBeNull();
    const file = resolveTracking({ env: { MLFLOW_TRACKING_URI: 'file:///tmp/mlruns' } });
    expect(file.server).toBeNull();
    expect(file.note).toMatch(/not an HTTP\(S\) server/);
  });

  it('takes credentials from the URI or the environment, Basic before Bearer, and never keeps them in the URI', () => {
    const fromUri = resolveTracking({ env: { MLFLOW_TRACKING_URI: 'https://alice:pa%24s@mlflow.example:8443/prefix/?x=1' } }).server!;
    expect(fromUri.uri).toBe('https://mlflow.example:8443/prefix');
    expect(fromUri.auth).toEqual({ kind: 'basic', username: 'alice', password: 'pa$s' });
    const both = resolveTracking({ env: { MLFLOW_TRACKING_URI: 'http://h:1', MLFLOW_TRACKING_TOKEN: 'tok', MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' } }).server!;
    expect(both.auth).toEqual({ kind: 'basic', username: 'u', password: 'p' });
    const token = resolveTracking({ env: { MLFLOW_TRACKING_URI: 'http://h:1', MLFLOW_TRACKING_TOKEN: 'tok', MLFLOW_TRACKING_INSECURE_TLS: 'true' } }).server!;
    expect(token.auth).toEqual({ kind: 'bearer', token: 'tok' });
    expect(token.insecureTls).toBe(true);
    // --tracking-uri wins over the variable; the prefix goes before default experiment names
    const tracking = resolveTracking({ trackingUri: 'http://other:2', env: { MLFLOW_TRACKING_URI: 'http://h:1', DRIFTCATCHER_EXPERIMENT_PREFIX: 'prod/' } });
    expect(tracking.server!.uri).toBe('http://other:2');
    expect(tracking.experimentPrefix).toBe('prod/');
  });

  it('blanks credentials out of any text', () => {
    const redact = redactor({ auth: { kind: 'basic', username: 'alice', password: 's3cret-pw' } });
    const basic = Buffer.from('alice:s3cret-pw').toString('base64');
    expect(redact(`http://alice:s3cret-pw@host failed with Basic ${basic} and s3cret-pw`)).toBe('http://host failed with Basic *** and ***');
    expect(redactor({ auth: { kind: 'bearer', token: 'tok-123456' } })('Bearer tok-123456')).toBe('Bearer ***');
  });

  it('falls back to TRACKING_DEFAULTS, and names the option (not a flag) it refuses', async () => {
    const plain = resolveTracking({ trackingUri: 'http://h:1', env: {} });
    expect(plain.server!.retry).toEqual(TRACKING_DEFAULTS.retry);
    expect(plain.server!.requestTimeoutMs).toBe(TRACKING_DEFAULTS.requestTimeoutMs);
    expect(resolveTracking({ env: {} }).ledgerDir).toBe(join(process.cwd(), TRACKING_DEFAULTS.ledgerDirName));
    expect(() => resolveTracking({ trackingUri: 'http://h:1', env: {}, retry: { totalMs: -1 } })).toThrow(expect.objectContaining({ code: 'DC_ERR_USAGE', option: 'retry.totalMs', message: 'retry.totalMs: must be a non-negative number, got -1' }));
    expect(() => resolveTracking({ trackingUri: 'http://h:1', env: {}, requestTimeoutMs: Number.NaN })).toThrow(expect.objectContaining({ option: 'requestTimeoutMs' }));
    // nothing configured to send to: the option to set is named
    await expect(syncQueued({ env: {}, ledgerDir: tempDir('dc-nosync-') })).rejects.toMatchObject({ code: 'DC_ERR_USAGE', option: 'trackingUri', message: expect.stringMatching(/^trackingUri: no MLflow server to send to: set MLFLOW_TRACKING_URI$/) });
  });

  it('reads Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
