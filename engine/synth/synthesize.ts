/**
 * synthesize(): generate rows block by block (row model, then drift) and stream them to a temp
 * file that is renamed into place. Both formats hold values rounded to 10 significant digits
 * (the CSV text, and the Arrow doubles that text reads back as), so they agree exactly.
 */
import { stat } from 'node:fs/promises';
import { ensureOutputFile } from '../util/index.js';
import { extname } from 'node:path';
import { UsageError } from '../util/index.js';
import { createFlowBlock, FlowModel } from './flows.js';
import { applyDrift, DRIFT_KINDS, driftedFeatureNames, driftPlan } from './drift.js';
import { Rng } from '../util/index.js';
import type { BlockSink } from './sink.js';
import type { DriftKind } from './drift.js';

export interface SynthOptions {
  /** rows to write (default 225,745: the real Friday DDoS file) */
  rows?: number;
  /** PRNG seed (default 42); any integer up to 2^53 */
  seed?: number;
  /** `none` (default): the base distribution; `mild`: 3 features shifted; `severe`: 16 features and the DDoS share */
  drift?: DriftKind;
  /** share of DDoS rows (default 0.57, as in the real file) */
  attackShare?: number;
  /** output path; `.csv` or `.arrow` (Arrow IPC file; `.feather` and `.ipc` are accepted too) */
  out: string;
}

export interface SynthResult {
  file: string;
  rows: number;
  bytes: number;
  /** trimmed names of the features the drift shifted (empty for `none`) */
  drifted_features: string[];
  /** DDoS share the rows were drawn with (differs from the option attackShare under `severe`) */
  attack_share: number;
}

export const SYNTH_DEFAULTS = { rows: 225_745, seed: 42, drift: 'none' as DriftKind, attackShare: 0.57 };

/** Rows per block; block i draws from PRNG stream i of the seed (so blocks are independent). */
export const BLOCK_ROWS = 16_384;

export type SynthFormat = 'csv' | 'arrow';

export function synthFormatOf(path: string): SynthFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.arrow' || ext === '.feather' || ext === '.ipc') return 'arrow';
  throw new UsageError(`cannot tell the output format of "${path}": use a .csv or .arrow file name`, { option: 'out' });
}

export async function synthesize(options: SynthOptions): Promise<SynthResult> {
  const rows = options.rows ?? SYNTH_DEFAULTS.rows;
  const seed = options.seed ?? SYNTH_DEFAULTS.seed;
  const drift = options.drift ?? SYNTH_DEFAULTS.drift;
  const attackShare = options.attackShare ?? SYNTH_DEFAULTS.attackShare;
  if (typeof options.out !== 'string' || options.out === '') throw new UsageError('must be a file path', { option: 'out' });
  if (!Number.isSafeInteger(rows) || rows < 0) throw new UsageError(`must be a non-negative integer, got ${rows}`, { option: 'rows' });
  if (!Number.isSafeInteger(seed)) throw new UsageError(`must be an integer, got ${seed}`, { option: 'seed' });
  if (!DRIFT_KINDS.includes(drift)) throw new UsageError(`must be one of ${DRIFT_KINDS.join(', ')}, got ${String(drift)}`, { option: 'drift' });
  if (!(attackShare >= 0 && attackShare <= 1)) throw new UsageError(`must be between 0 and 1, got ${attackShare}`, { option: 'attackShare' });
  const format = synthFormatOf(options.out);

  const plan = driftPlan(drift, attackShare);
  const model = new FlowModel(plan.attackShare);
  const block = createFlowBlock(Math.min(BLOCK_ROWS, Math.max(rows, 1)));

  await ensureOutputFile(options.out);
  // the sinks (and with them apache-arrow) load when a file is written, not with the engine
  const { ArrowSink, CsvSink } = await import('./sink.js');
  const sink: BlockSink = format === 'csv' ? await CsvSink.create(options.out) : await ArrowSink.create(options.out);
  try {
    for (let done = 0, index = 0; done < rows; index++) {
      const n = Math.min(block.capacity, rows - done);
      model.fill(block, n, new Rng(seed, index));
      applyDrift(block, plan);
      await sink.write(block);
      done += n;
    }
    await sink.close();
  } catch (err) {
    await sink.abort();
    throw err;
  }
  const { size } = await stat(options.out);
  return { file: options.out, rows, bytes: size, drifted_features: driftedFeatureNames(plan), attack_share: plan.attackShare };
}
