/**
 * Count the bin histograms of whole files with the pool, whatever their format: the file's reader
 * (engine/io's registry) plans the scan, this runs the plan's steps over the pool's slots and
 * judges their outcomes. What a unit reads and how (CSV byte ranges, Arrow column segments) is
 * the reader's; a worker hands each unit back to the reader of its format (tasks.ts).
 */
import { addQuality, QUALITY, qualityIndex, readerFor, type ScanPlan, type ScanRequest, type ScanStep } from '../io/index.js';
import { internalError } from '../util/index.js';
import { resolveCountOptions, type CountOptions } from './defaults.js';
import { addSlotCounts, clearFeature, emptyHistograms, missingSlot, type Histograms } from './histograms.js';
import type { ScanPool } from './pool.js';
import type { Task, TaskOk } from './protocol.js';

/**
 * Bin every feature of `file` on the plan the pool was prepared with. `featureNames` are the
 * baseline's features: each must be in the file, unless `missingFeatures` is `skip`.
 */
export async function countFile(pool: ScanPool, file: string, featureNames: string[], options: CountOptions = {}): Promise<Histograms> {
  const count = resolveCountOptions(options);
  const reader = readerFor(file);
  const request: ScanRequest = {
    featureNames,
    missingFeatures: count.missingFeatures,
    coerce: count.coerce,
    maxLineBytes: count.maxLineBytes,
    unitBytes: count.rangeBytes,
    blockRows: pool.blockRows,
  };
  let plan: ScanPlan = await reader.planScan(file, request);
  for (;;) {
    const counted = await countPlan(pool, reader.format, plan, featureNames);
    if (counted !== 'fallback') return counted;
    plan = await plan.fallback!();
  }
}

/** What became of one step of a plan. */
type Outcome = { ok: true; result: TaskOk } | { ok: false; reason: unknown };

/**
 * Run one plan's steps over the pool's slots: each step borrows a slot (waiting for one), a read
 * step goes to a worker as a `read` task of the reader's `format`, a fill step is copied into the
 * slot's column block on this side and binned by a worker. After a failure nothing more is
 * started. Then, in file order: a failure is thrown unless a unit before it said `replan`; a
 * `replan`, or steps that return false, give 'fallback' (when the plan has one).
 */
export async function countPlan(pool: ScanPool, format: string, plan: ScanPlan, featureNames: string[]): Promise<Histograms | 'fallback'> {
  const memoryPlan = pool.plan;
  const totals = emptyHistograms(featureNames, memoryPlan.nEdges, { tails: memoryPlan.tails });
  // the tail sums are floating point: added in step order (not in the order tasks finish), so a
  // scan gives the same bits whatever the workers and their timing
  const stepTails: Array<Float64Array | undefined> = [];
  const ran = await runPlan(pool, format, plan, (slot, result, index) => {
    addSlotCounts(totals, pool.counts(slot), memoryPlan.countsOffset);
    totals.rows += result.rows;
    if (result.quality) addQuality(totals.quality, result.quality);
    stepTails[index] = result.tails;
  });
  if (ran === 'fallback') return 'fallback';
  if (totals.tails) for (const tails of stepTails) if (tails) for (let i = 0; i < totals.tails.length; i++) totals.tails[i]! += tails[i]!;
  totals.rows += ran.rows;
  if (ran.columns) totals.columns = [...ran.columns];
  for (const f of ran.absent) clearFeature(totals, f);
  if (plan.quality === 'bins') {
    featureNames.forEach((_, f) => {
      totals.quality[qualityIndex(f, QUALITY.nan)] = totals.counts[f]![missingSlot(memoryPlan.nEdges[f]!)]!;
    });
  }
  if (totals.rows === 0) throw plan.noRows();
  return totals;
}

/** What a plan that ran to its end says besides its tasks' results. */
export interface PlanRun {
  /** rows the plan counted on the main side (ScanPlan.rows) */
  rows: number;
  columns: readonly string[] | undefined;
  absent: readonly number[];
}

/**
 * The steps of `plan` over the pool's slots, as countPlan describes; `onResult` sees each task's
 * result (and its step's index in the plan: results come in the order tasks finish) while its
 * slot is still borrowed (the slot's memory is then the task's). 'fallback'
 * when the plan's results cannot be used (its fallback is to be run instead).
 */
export async function runPlan(pool: ScanPool, format: string, plan: ScanPlan, onResult: (slot: number, result: TaskOk, index: number) => void): Promise<PlanRun | 'fallback'> {
  const outcomes: Array<Outcome | undefined> = [];
  const inFlight = new Set<Promise<void>>();
  let failed = false;
  let covered = true;
  const fail = (index: number, reason: unknown) => {
    outcomes[index] = { ok: false, reason };
    failed = true;
  };
  const steps = plan.steps();
  try {
    while (!failed) {
      const index = outcomes.length;
      let next: IteratorResult<ScanStep<unknown>, boolean | void>;
      try {
        next = await steps.next();
      } catch (reason) {
        fail(index, reason);
        break;
      }
      if (next.done) {
        covered = next.value !== false;
        break;
      }
      const step = next.value;
      if ('drain' in step) {
        while (inFlight.size > 0) await Promise.all([...inFlight]);
        continue;
      }
      const slot = await pool.acquire();
      if (failed) {
        pool.release(slot);
        break;
      }
      let task: Task;
      try {
        task = stepTask(pool, format, step, slot);
      } catch (reason) {
        pool.release(slot);
        fail(index, reason);
        break;
      }
      outcomes.push(undefined);
      const part: Promise<void> = pool
        .run(task)
        .then(
          (result) => {
            try {
              onResult(slot, result, index);
              outcomes[index] = { ok: true, result };
            } catch (reason) {
              fail(index, reason);
            }
          },
          (reason: unknown) => fail(index, reason),
        )
        .finally(() => {
          pool.release(slot);
          inFlight.delete(part);
        });
      inFlight.add(part);
    }
  } finally {
    try {
      await steps.return(undefined);
    } finally {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      plan.close();
    }
  }

  for (const outcome of outcomes) {
    if (outcome === undefined) throw internalError('a scan step was started but did not finish');
    if (!outcome.ok) throw outcome.reason;
    if (outcome.result.replan && plan.fallback) return 'fallback';
  }
  if (!covered) {
    if (!plan.fallback) throw internalError(`the ${format} scan plan stopped without covering the file and has no fallback`);
    return 'fallback';
  }
  return { rows: plan.rows?.() ?? 0, columns: plan.columns?.(), absent: plan.absent() };
}

/** The task for one step, in a borrowed slot (a fill step's rows are copied into it here). */
function stepTask(pool: ScanPool, format: string, step: Exclude<ScanStep<unknown>, { drain: true }>, slot: number): Task {
  const memoryPlan = pool.plan;
  const address = pool.slotAddress(slot);
  if ('read' in step) return { kind: 'read', format, unit: step.read, plan: memoryPlan, slot: address };
  step.fill(pool.columns(slot), memoryPlan.blockRows);
  return { kind: 'bin-block', rows: step.rows, plan: memoryPlan, slot: address };
}
