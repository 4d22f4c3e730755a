/**
 * The tracking backend interface, proven with a tiny backend that lives in this file and keeps
 * what it receives in memory: it goes through the same ledger and sync as MLflow's (recordRun,
 * syncQueued, ledgerStatus, moveModelAlias), with no server. What MLflow's backend does on a real
 * server is in mlflow.test.ts and faults.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { TrackingError } from '../../../engine/util/index.js';
import {
  Ledger,
  ledgerStatus,
  moveModelAlias,
  recordRun,
  recordRuns,
  resolveTracking,
  syncQueued,
  type AliasTarget,
  type NewRun,
  type RunLocation,
  type RunRecord,
  type SendContext,
  type TrackingBackend,
} from '../../../engine/tracking/index.js';
import { tempDir } from '../../helpers.js';

/** What the in-memory store holds of one run. */
interface Stored {
  remoteId: string;
  name: string;
  experiment: string;
  parent?: string;
  params: Record<string, string>;
  metrics: { key: string; value: number; step: number; timestamp: number }[];
  tags: Record<string, string>;
  artifacts: Record<string, string>;
  /** parts received, in order (a resumed send must not repeat one) */
  parts: string[];
}

/** The backend's side: it outlives each sync's backend object, as a server outlives its clients. */
class Store {
  runs = new Map<string, Stored>();
  aliases: AliasTarget[] = [];
  closed = 0;
  /** answer the next requests with these failures, in turn */
  faults: (TrackingError | undefined)[] = [];
  /** fail after this many parts of a run were taken (a send cut short) */
  cutAfterParts?: number;
  nextId = 1;

  backend(target = 'memory://store'): () => TrackingBackend {
    return () => new MemoryBackend(this, target);
  }
}

/** A backend that sends a run in parts (meta, metrics, artifacts, model), saving its progress after each. */
class MemoryBackend implements TrackingBackend {
  readonly name = 'the memory store';
  constructor(
    readonly store: Store,
    readonly target: string,
  ) {}

  async sendRun(run: RunRecord, context: SendContext): Promise<void> {
    const fault = this.store.faults.shift();
    if (fault) throw fault;
    const progress = (run.sync.progress ??= {}) as { remote_id?: string; parts?: string[]; versions?: Record<string, string> };
    const done = (progress.parts ??= []);
    let stored = progress.remote_id ? this.store.runs.get(progress.remote_id) : undefined;
    if (!stored) {
      const remoteId = `r${this.store.nextId++}`;
      stored = { remoteId, name: run.run_name, experiment: run.experiment, parent: context.parentRunId, params: {}, metrics: [], tags: {}, artifacts: {}, parts: [] };
      this.store.runs.set(remoteId, stored);
      progress.remote_id = remoteId;
      await context.save();
    }
    const steps: [string, () => Promise<void>][] = [
      ['meta', async () => void Object.assign(stored, { params: { ...run.params }, tags: { ...run.tags } })],
      ['metrics', async () => void stored.metrics.push(...run.metrics)],
      ['artifacts', async () => {
        for (const artifact of run.artifacts) stored.artifacts[artifact.path] = Buffer.from(await context.readArtifact(artifact.path)).toString('utf8');
      }],
      ['models', async () => {
        for (const model of run.models ?? []) if (model.register_as) (progress.versions ??= {})[model.register_as] = `${stored.remoteId}-v1`;
      }],
    ];
    for (const [part, step] of steps) {
      if (done.includes(part)) continue;
      if (this.store.cutAfterParts !== undefined && stored.parts.length >= this.store.cutAfterParts) {
        this.store.cutAfterParts = undefined;
        throw new TrackingError('the memory store went away', { failure: 'unreachable' });
      }
      await step();
      stored.parts.push(part);
      done.push(part);
      await context.save();
    }
  }

  locate(run: RunRecord): RunLocation {
    const id = (run.sync.progress as { remote_id?: string } | undefined)?.remote_id;
    return { runId: id, url: id ? `${this.target}/runs/${id}` : undefined };
  }

  registeredVersion(run: RunRecord, registeredModel: string): string | undefined {
    return (run.sync.progress as { versions?: Record<string, string> } | undefined)?.versions?.[registeredModel];
  }

  async moveAlias(move: AliasTarget): Promise<void> {
    const fault = this.store.faults.shift();
    if (fault) throw fault;
    this.store.aliases.push(move);
  }

  async close(): Promise<void> {
    this.store.closed++;
  }
}

const unreachable = () => new TrackingError('the memory store cannot be reached', { failure: 'unreachable' });

let made = 0;
/** A run; each one made starts a second after the one before (the ledger orders runs by start time). */
function aRun(name: string, extra: Partial<NewRun> = {}): NewRun {
  const startTime = Date.UTC(2025, 0, 2, 3, 4, 5) + 1000 * made++;
  return {
    experiment: 'drift_monitoring',
    runName: name,
    startTime,
    endTime: startTime + 500,
    params: { bins: 10, method: 'psi' },
    metrics: [{ key: 'overall_psi', value: 0.25 }, { key: 'nan_metric', value: Number.NaN }],
    tags: { action_recommended: 'retrain' },
    artifacts: [{ path: 'drift_feature_psi.json', content: '{"a":0.3}\n' }],
    ...extra,
  };
}

describe('a second backend through the ledger and the sync', () => {
  it('gets each recorded run once, after the ledger has it, with its params, metrics, tags and artifacts', async () => {
    const store = new Store();
    const ledgerDir = join(tempDir('dc-backend-'), 'ledger');
    const outcome = await recordRun(aRun('drift_check_1'), { ledgerDir, backend: store.backend(), trackingUri: null });
    expect(outcome.state).toBe('sent');
    expect(outcome.message).toMatch(/^run drift_check_1 logged to the memory store: memory:\/\/store\/runs\/r1$/);
    expect(outcome.runs[0]).toMatchObject({ state: 'sent', mlflow_run_id: 'r1', url: 'memory://store/runs/r1' });
    const [local] = await new Ledger(ledgerDir).list();
    expect(local!.sync).toMatchObject({ state: 'sent', tracking_uri: 'memory://store', attempts: 1, progress: { remote_id: 'r1' } });
    const stored = store.runs.get('r1')!;
    expect(stored).toMatchObject({ name: 'drift_check_1', experiment: 'drift_monitoring', params: { bins: '10', method: 'psi' }, tags: { action_recommended: 'retrain' } });
    // the end time of the run, fixed in the ledger
    const ended = local!.end_time;
    expect(ended).toBe(local!.start_time + 500);
    expect(stored.metrics).toEqual([
      { key: 'overall_psi', value: 0.25, step: 0, timestamp: ended },
      { key: 'nan_metric', value: Number.NaN, step: 0, timestamp: ended },
    ]);
    expect(stored.artifacts).toEqual({ 'drift_feature_psi.json': '{"a":0.3}\n' });
    expect(store.closed).toBe(1);
    // nothing left to send
    expect((await syncQueued({ ledgerDir, backend: store.backend() })).runs).toEqual([]);
    expect(store.runs.size).toBe(1);
  });

  it('sends a parent before its children, which get its id on the backend', async () => {
    const store = new Store();
    const ledgerDir = join(tempDir('dc-backend-'), 'ledger');
    const tracking = resolveTracking({ ledgerDir, backend: store.backend(), trackingUri: null });
    const outcome = await recordRuns(tracking, aRun('drift_scan'), [aRun('file_a'), aRun('file_b')]);
    expect(outcome.state).toBe('sent');
    expect([...store.runs.values()].map((r) => [r.name, r.parent])).toEqual([
      ['drift_scan', undefined],
      ['file_a', 'r1'],
      ['file_b', 'r1'],
    ]);
  });

  it('keeps a run queued when the backend cannot be reached, and a later sync sends it exactly once', async () => {
    const store = new Store();
    const ledgerDir = join(tempDir('dc-backend-'), 'ledger');
    store.faults = [unreachable()];
    const first = await recordRun(aRun('drift_check_down'), { ledgerDir, backend: store.backend() });
    expect(first.state).toBe('queued');
    expect(first.message).toMatch(/^the memory store cannot be reached; run drift_check_down queued in .*: `driftcatcher mlflow sync` sends it later$/);
    expect(store.runs.size).toBe(0);
    const status = await ledgerStatus({ ledgerDir, backend: store.backend() });
    expect(status).toMatchObject({ server: 'memory://store', total: 1, sent: 0 });
    expect(status.queued[0]).toMatchObject({ run_name: 'drift_check_down', attempts: 1, last_error: 'the memory store cannot be reached' });

    const later = await syncQueued({ ledgerDir, backend: store.backend() });
    expect(later).toMatchObject({ backend: 'the memory store', server: 'memory://store', sent: 1, queued: 0, errors: [] });
    expect(store.runs.size).toBe(1);
    expect((await syncQueued({ ledgerDir, backend: store.backend() })).sent).toBe(0);
    expect(store.runs.size).toBe(1);
  });

  it('resumes a send cut short from the progress the backend saved: no part twice', async () => {
    const store = new Store();
    const ledgerDir = join(tempDir('dc-backend-'), 'ledger');
    store.cutAfterParts = 2;
    const cut = await recordRun(aRun('drift_check_cut'), { ledgerDir, backend: store.backend() });
    expect(cut.state).toBe('queued');
    const [partly] = await new Ledger(ledgerDir).list();
    expect(partly!.sync).toMatchObject({ state: 'queued', progress: { remote_id: 'r1', parts: ['meta', 'metrics'] } });
    expect((await syncQueued({ ledgerDir, backend: store.backend() })).sent).toBe(1);
    expect(store.runs.size).toBe(1);
    expect(store.runs.get('r1')!.parts).toEqual(['meta', 'metrics', 'artifacts', 'models']);
    expect(store.runs.get('r1')!.metrics).toHaveLength(2);
  });

  it('starts over on another target: the progress on the first is not reused', async () => {
    const first = new Store();
    const second = new Store();
    const ledgerDir = join(tempDir('dc-backend-'), 'ledger');
    first.cutAfterParts = 1;
    await recordRun(aRun('drift_check_moved'), { ledgerDir, backend: first.backend('memory://first') });
    second.nextId = 7;
    expect((await syncQueued({ ledgerDir, backend: second.backend('memory://second') })).sent).toBe(1);
    expect(second.runs.get('r7')!.parts).toEqual(['meta', 'metrics', 'artifacts', 'models']);
    const [local] = await new Ledger(ledgerDir).list();
    expect(local!.sync).toMatchObject({ tracking_uri: 'memory://second', attempts: 2, progress: { remote_id: 'r7' } });
  });

  it('credentials refused: recordRun throws, the run stays queued, the sync stops there', async () => {
    const store = new Store();
    const ledgerDir = join(tempDir('dc-backend-'), 'ledger');
    await recordRun(aRun('queued_1'), { ledgerDir, trackingUri: null });
    await recordRun(aRun('queued_2'), { ledgerDir, trackingUri: null });
    store.faults = [new TrackingError('the memory store refused the credentials', { failure: 'auth' })];
    const summary = await syncQueued({ ledgerDir, backend: store.backend() });
    expect(summary.stoppedBy?.failure).toBe('auth');
    expect(summary.runs.map((r) => [r.run_name, r.state, r.reason])).toEqual([
      ['queued_1', 'queued', 'the memory store refused the credentials'],
      ['queued_2', 'queued', 'not tried: credentials refused'],
    ]);
    store.faults = [new TrackingError('the memory store refused the credentials', { failure: 'auth' })];
    await expect(recordRun(aRun('refused'), { ledgerDir, backend: store.backend() })).rejects.toMatchObject({
      failure: 'auth',
      message: expect.stringMatching(/^the memory store refused the credentials; run refused kept queued in /),
    });
    expect((await new Ledger(ledgerDir).queued()).map((r) => r.run_name)).toEqual(['queued_1', 'queued_2', 'refused']);
  });

  it('a run the backend rejects stays queued with the error; the sync goes on with the next', async () => {
    const store = new Store();
    const ledgerDir = join(tempDir('dc-backend-'), 'ledger');
    await recordRun(aRun('rejected'), { ledgerDir, trackingUri: null });
    await recordRun(aRun('accepted'), { ledgerDir, trackingUri: null });
    store.faults = [new TrackingError('the memory store rejects this run', { failure: 'http' })];
    const summary = await syncQueued({ ledgerDir, backend: store.backend() });
    expect(summary.stoppedBy).toBeUndefined();
    expect(summary.errors.map((e) => e.message)).toEqual(['the memory store rejects this run']);
    expect(summary.runs.map((r) => [r.run_name, r.state])).toEqual([
      ['rejected', 'queued'],
      ['accepted', 'sent'],
    ]);
  });
});

describe('alias moves through the same backend', () => {
  const trained = (version: number) =>
    aRun(`train-v${version}`, {
      experiment: 'training',
      tags: { model_version: String(version) },
      models: [{ artifact_path: 'model', name: 'forest', register_as: 'detector', aliases: ['challenger'] }],
      artifacts: [{ path: 'model/model.json', content: '{}' }],
    });

  it('moves the alias to the version the training run became on the backend', async () => {
    const store = new Store();
    const ledgerDir = join(tempDir('dc-backend-'), 'ledger');
    await recordRun(trained(1), { ledgerDir, backend: store.backend() });
    const moved = await moveModelAlias('detector', 'champion', 1, { ledgerDir, backend: store.backend() });
    expect(moved).toMatchObject({ state: 'moved', mlflow_version: 'r1-v1', message: 'champion of detector on memory://store -> version r1-v1' });
    expect(store.aliases).toEqual([{ registeredModel: 'detector', alias: 'champion', version: 'r1-v1' }]);
  });

  it('queues the move while the backend is down (or the version not on it yet); the sync sends it after the runs', async () => {
    const store = new Store();
    const ledgerDir = join(tempDir('dc-backend-'), 'ledger');
    await recordRun(trained(1), { ledgerDir, backend: store.backend() });
    store.faults = [unreachable()];
    const down = await moveModelAlias('detector', 'champion', 1, { ledgerDir, backend: store.backend() });
    expect(down.state).toBe('queued');
    expect(down.message).toMatch(/^the memory store cannot be reached; champion of detector -> v1 queued in .*aliases.*: `driftcatcher mlflow sync` sets it later$/);
    // v2 trained while the backend is down: its run and its promotion wait together
    store.faults = [unreachable()];
    await recordRun(trained(2), { ledgerDir, backend: store.backend() });
    const waiting = await moveModelAlias('detector', 'champion', 2, { ledgerDir, backend: store.backend() });
    expect(waiting).toMatchObject({ state: 'queued', message: expect.stringMatching(/the run that registers v2 .* is not on the server yet; `driftcatcher mlflow sync` sends both$/) });

    const summary = await syncQueued({ ledgerDir, backend: store.backend() });
    expect(summary.sent).toBe(1);
    expect(summary.aliases.map((a) => [a.local_version, a.state, a.mlflow_version])).toEqual([[2, 'sent', 'r2-v1']]);
    // the newer promotion superseded the older one when it was made: only it reaches the backend
    expect((await new Ledger(ledgerDir).aliasMoves()).map((m) => [m.local_version, m.state])).toEqual([
      [1, 'superseded'],
      [2, 'sent'],
    ]);
    expect(store.aliases).toEqual([{ registeredModel: 'detector', alias: 'champion', version: 'r2-v1' }]);
  });

  it('a backend without a model registry keeps the promotion local', async () => {
    const ledgerDir = join(tempDir('dc-backend-'), 'ledger');
    const bare: TrackingBackend = { name: 'a log sink', target: 'memory://sink', sendRun: async () => {}, locate: () => ({}), close: async () => {} };
    const outcome = await moveModelAlias('detector', 'champion', 1, { ledgerDir, backend: () => bare });
    expect(outcome).toEqual({ state: 'local', message: 'champion moved in the local registry only: the a log sink backend has no model registry' });
  });
});
