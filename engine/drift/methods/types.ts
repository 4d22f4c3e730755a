/**
 * A drift method scores one feature from its binned expected (baseline) and actual (current)
 * proportions. Its threshold's direction follows from `scoreKind`, decided once here: a distance
 * drifts when it is above the threshold, a p-value when it is below.
 */
export interface DriftMethod {
  id: string;
  title: string;
  scoreKind: 'distance' | 'p_value';
  defaultThreshold: number;
  /** expected and actual are proportions over the same bins, zeros already replaced by epsilon */
  compute(expected: Float64Array, actual: Float64Array): number;
}

export function isDrifted(method: DriftMethod, score: number, threshold: number): boolean {
  return method.scoreKind === 'distance' ? score > threshold : score < threshold;
}
