/**
 * The drift methods, one file each (psi.ts, jensenshannon.ts, hellinger.ts, ks.ts, wasserstein.ts,
 * chisquare.ts), all implementing
 * DriftMethod (types.ts). Adding one: write its file, add it to DRIFT_METHODS below
 * (test/engine/drift/methods.test.ts fails on a method file that is not listed).
 */
import { UsageError } from '../../util/index.js';
import { chisquare } from './chisquare.js';
import { hellinger } from './hellinger.js';
import { jensenshannon } from './jensenshannon.js';
import { ks } from './ks.js';
import { psi } from './psi.js';
import { wasserstein } from './wasserstein.js';
import type { DriftMethod } from './types.js';

export { isDrifted, beyond, moreDrifted, smoothedShares, normalised, cumulativeShares } from './types.js';
export type { DriftMethod, DriftInput, MethodScore, ScoreKind, BinLayout, FeatureSummary, FineCounts, NoiseLink } from './types.js';

/** Every drift method, by id. A test checks that each file of this folder is listed here. */
export const DRIFT_METHODS: readonly DriftMethod[] = [psi, jensenshannon, hellinger, ks, wasserstein, chisquare];

/** The method of an id, or a UsageError on the `method` option naming the choices. */
export function driftMethod(id: string): DriftMethod {
  const method = DRIFT_METHODS.find((m) => m.id === id);
  if (!method) throw new UsageError(`unknown drift method "${id}": expected one of ${DRIFT_METHODS.map((m) => m.id).join(', ')}`, { option: 'method' });
  return method;
}
