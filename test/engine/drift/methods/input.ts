import type { DriftInput } from '../../../../engine/drift/index.js';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** A method's input from plain counts; sizes default to the sums of the counts (every value in a bin). */
export function input(reference: number[], current: number[], more: Partial<DriftInput> = {}): DriftInput {
  return {
    reference: Float64Array.from(reference),
    current: Float64Array.from(current),
    referenceSize: sum(reference),
    currentSize: sum(current),
    edges: reference.length > 1 ? Array.from({ length: reference.length - 1 }, (_, i) => i + 1) : [],
    bins: 'open',
    epsilon: 1e-4,
    ...more,
  };
}
