import { UsageError } from '../../util/index.js';
import { hellinger } from './hellinger.js';
import { jensenshannon } from './jensenshannon.js';
import { psi } from './psi.js';
import type { DriftMethod } from './types.js';

export { isDrifted, type DriftMethod } from './types.js';

/** Every drift method, by id. A test checks that each file of this folder is listed here. */
export const DRIFT_METHODS: readonly DriftMethod[] = [psi, jensenshannon, hellinger];

export function driftMethod(id: string): DriftMethod {
  const method = DRIFT_METHODS.find((m) => m.id === id);
  if (!method) throw new UsageError(`unknown drift method "${id}": expected one of ${DRIFT_METHODS.map((m) => m.id).join(', ')}`);
  return method;
}
