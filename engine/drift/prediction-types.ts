/** The prediction drift section of a check (engine/drift/prediction.ts computes it; DriftReport holds it). */
import type { Action } from './decide.js';
import type { SmallSample } from './sample-size.js';

export interface PredictionDrift {
  /** the column compared (`y_prob`) */
  column: string;
  /** the method's id (with `auto`: the rule's choice for this column) */
  method: string;
  score_kind: 'distance' | 'p_value';
  score: number;
  p_value?: number;
  statistic?: number;
  statistic_bounds?: [number, number];
  threshold: number;
  drifted: boolean;
  /** shares per bin of the stored profile's deciles (zeros replaced by epsilon; last entry: non-finite) */
  expected: number[];
  actual: number[];
  reference: { rows: number; positive_rate: number; split: string | null; profile_id: string };
  current: { file: string; rows: number; positive_rate: number; non_finite: number };
  /** current minus reference positive rate */
  positive_rate_change: number;
  /** the model's decision threshold the positive rates are counted at */
  decision_threshold: number;
  /** the least action this result leads to: PREDICTION_DRIFT_ACTION when drifted, else `wait` */
  action: Action;
  small_sample: SmallSample | null;
  /** the model whose prediction profile is the reference (set by engine/monitor's batchPredictionDrift) */
  model?: { file: string; version: number | null; model_type: string };
  /** `model`: the model scored the batch; `column`: the batch's own column of y_prob was compared */
  source?: 'model' | 'column';
}
