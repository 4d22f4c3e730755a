/**
 * Drift scenarios. A drift is applied to generated rows after the row model, column by column
 * (finite values only), so with the same seed a drifted file differs from the undrifted one in
 * exactly the shifted columns; `severe` also changes the DDoS share, which moves every column a
 * little (at the default share, a label-share change alone keeps a column's PSI below 0.2).
 */
import { Col, COLUMN_NAMES } from './columns.js';
import type { FlowBlock } from './flows.js';

export type DriftKind = 'none' | 'mild' | 'severe';
export const DRIFT_KINDS: readonly DriftKind[] = ['none', 'mild', 'severe'];

/** value -> value * scale + offset; integer columns stay integers (rounded). */
export interface FeatureShift {
  readonly column: Col;
  readonly scale: number;
  readonly offset: number;
}

export interface DriftPlan {
  readonly kind: DriftKind;
  readonly shifts: readonly FeatureShift[];
  /** DDoS share the rows are drawn with */
  readonly attackShare: number;
}

/** Three features, each moved enough for a PSI well above 0.2 and little enough for an `alert`. */
const MILD: readonly FeatureShift[] = [
  { column: Col.FlowDuration, scale: 4, offset: 0 },
  { column: Col.TotalLengthFwdPackets, scale: 2, offset: 0 },
  { column: Col.FlowBytesPerS, scale: 5, offset: 0 },
];

/** Sixteen features moved strongly (a new traffic mix), on top of a changed DDoS share. */
const SEVERE: readonly FeatureShift[] = [
  { column: Col.FlowDuration, scale: 10, offset: 0 },
  { column: Col.TotalFwdPackets, scale: 5, offset: 0 },
  { column: Col.TotalLengthFwdPackets, scale: 10, offset: 0 },
  { column: Col.TotalLengthBwdPackets, scale: 10, offset: 0 },
  { column: Col.FwdPacketLengthMax, scale: 8, offset: 0 },
  { column: Col.FwdPacketLengthMean, scale: 8, offset: 0 },
  { column: Col.BwdPacketLengthMean, scale: 8, offset: 0 },
  { column: Col.FlowBytesPerS, scale: 20, offset: 0 },
  { column: Col.FlowIatMean, scale: 10, offset: 0 },
  { column: Col.FlowIatMax, scale: 10, offset: 0 },
  { column: Col.FwdHeaderLength, scale: 5, offset: 0 },
  { column: Col.PacketLengthMean, scale: 8, offset: 0 },
  { column: Col.AveragePacketSize, scale: 8, offset: 0 },
  { column: Col.InitWinBytesForward, scale: 1, offset: 5000 },
  { column: Col.InitWinBytesBackward, scale: 1, offset: 3000 },
  { column: Col.MinSegSizeForward, scale: 1, offset: 12 },
];

/** How far `severe` moves the DDoS share (towards the larger side's complement). */
const SEVERE_SHARE_CHANGE = 0.18;

export function driftPlan(kind: DriftKind, attackShare: number): DriftPlan {
  switch (kind) {
    case 'none':
      return { kind, shifts: [], attackShare };
    case 'mild':
      return { kind, shifts: MILD, attackShare };
    case 'severe': {
      const share = attackShare <= 0.8 ? attackShare + SEVERE_SHARE_CHANGE : attackShare - SEVERE_SHARE_CHANGE;
      return { kind, shifts: SEVERE, attackShare: share };
    }
  }
}

/** Trimmed names of the shifted features, in file order. */
export function driftedFeatureNames(plan: DriftPlan): string[] {
  return [...plan.shifts].sort((a, b) => a.column - b.column).map((shift) => COLUMN_NAMES[shift.column]!);
}

/** Apply the plan's shifts to rows [0, block.length). */
export function applyDrift(block: FlowBlock, plan: DriftPlan): void {
  for (const { column, scale, offset } of plan.shifts) {
    const values = block.features[column]!;
    const integral = INTEGER_COLUMNS.has(column);
    for (let r = 0; r < block.length; r++) {
      const v = values[r]!;
      if (!Number.isFinite(v)) continue;
      const shifted = v * scale + offset;
      values[r] = integral ? Math.round(shifted) : shifted;
    }
  }
}

/** Columns that hold fractions; every other feature column holds integers. */
const FRACTIONAL_COLUMNS: readonly Col[] = [
  Col.FwdPacketLengthMean, Col.FwdPacketLengthStd, Col.BwdPacketLengthMean, Col.BwdPacketLengthStd,
  Col.FlowBytesPerS, Col.FlowPacketsPerS, Col.FlowIatMean, Col.FlowIatStd,
  Col.FwdIatMean, Col.FwdIatStd, Col.BwdIatMean, Col.BwdIatStd,
  Col.FwdPacketsPerS, Col.BwdPacketsPerS, Col.PacketLengthMean, Col.PacketLengthStd, Col.PacketLengthVariance,
  Col.AveragePacketSize, Col.AvgFwdSegmentSize, Col.AvgBwdSegmentSize,
  Col.ActiveMean, Col.ActiveStd, Col.IdleMean, Col.IdleStd,
];

const INTEGER_COLUMNS: ReadonlySet<Col> = new Set(
  Array.from({ length: COLUMN_NAMES.length - 1 }, (_, c) => c as Col).filter((c) => !FRACTIONAL_COLUMNS.includes(c)),
);
