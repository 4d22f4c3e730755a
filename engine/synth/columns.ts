/**
 * The CICIDS2017 MachineLearningCVE column layout, exactly as the original files write it:
 * leading spaces, ` Fwd Header Length` twice, ` Label` last (79 columns, 78 features).
 */
export const RAW_NAMES = [
  ' Destination Port', ' Flow Duration', ' Total Fwd Packets', ' Total Backward Packets',
  'Total Length of Fwd Packets', ' Total Length of Bwd Packets', ' Fwd Packet Length Max',
  ' Fwd Packet Length Min', ' Fwd Packet Length Mean', ' Fwd Packet Length Std',
  'Bwd Packet Length Max', ' Bwd Packet Length Min', ' Bwd Packet Length Mean', ' Bwd Packet Length Std',
  'Flow Bytes/s', ' Flow Packets/s', ' Flow IAT Mean', ' Flow IAT Std', ' Flow IAT Max', ' Flow IAT Min',
  'Fwd IAT Total', ' Fwd IAT Mean', ' Fwd IAT Std', ' Fwd IAT Max', ' Fwd IAT Min',
  'Bwd IAT Total', ' Bwd IAT Mean', ' Bwd IAT Std', ' Bwd IAT Max', ' Bwd IAT Min',
  'Fwd PSH Flags', ' Bwd PSH Flags', ' Fwd URG Flags', ' Bwd URG Flags', ' Fwd Header Length',
  ' Bwd Header Length', 'Fwd Packets/s', ' Bwd Packets/s', ' Min Packet Length', ' Max Packet Length',
  ' Packet Length Mean', ' Packet Length Std', ' Packet Length Variance',
  'FIN Flag Count', ' SYN Flag Count', ' RST Flag Count', ' PSH Flag Count', ' ACK Flag Count',
  ' URG Flag Count', ' CWE Flag Count', ' ECE Flag Count', ' Down/Up Ratio', ' Average Packet Size',
  ' Avg Fwd Segment Size', ' Avg Bwd Segment Size', ' Fwd Header Length',
  'Fwd Avg Bytes/Bulk', ' Fwd Avg Packets/Bulk', ' Fwd Avg Bulk Rate', ' Bwd Avg Bytes/Bulk',
  ' Bwd Avg Packets/Bulk', 'Bwd Avg Bulk Rate',
  'Subflow Fwd Packets', ' Subflow Fwd Bytes', ' Subflow Bwd Packets', ' Subflow Bwd Bytes',
  'Init_Win_bytes_forward', ' Init_Win_bytes_backward', ' act_data_pkt_fwd', ' min_seg_size_forward',
  'Active Mean', ' Active Std', ' Active Max', ' Active Min',
  'Idle Mean', ' Idle Std', ' Idle Max', ' Idle Min', ' Label',
] as const;

/** The header line of the original files, without its line end. */
export const CICIDS_HEADER = RAW_NAMES.join(',');

/** Trimmed names with repeats de-duplicated the pandas way (`Fwd Header Length.1`). */
export const COLUMN_NAMES: readonly string[] = dedupe(RAW_NAMES.map((name) => name.trim()));

/** The 78 feature names (every column but the label), in file order. */
export const FEATURE_NAMES: readonly string[] = COLUMN_NAMES.slice(0, -1);

export const N_FEATURES = 78;
export const LABEL_NAME = 'Label';
export const LABEL_BENIGN = 'BENIGN';
export const LABEL_ATTACK = 'DDoS';

function dedupe(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    return count === 0 ? name : `${name}.${count}`;
  });
}

/** Feature column indices (file order), used by the row model. */
export enum Col {
  DestinationPort = 0,
  FlowDuration,
  TotalFwdPackets,
  TotalBackwardPackets,
  TotalLengthFwdPackets,
  TotalLengthBwdPackets,
  FwdPacketLengthMax,
  FwdPacketLengthMin,
  FwdPacketLengthMean,
  FwdPacketLengthStd,
  BwdPacketLengthMax,
  BwdPacketLengthMin,
  BwdPacketLengthMean,
  BwdPacketLengthStd,
  FlowBytesPerS,
  FlowPacketsPerS,
  FlowIatMean,
  FlowIatStd,
  FlowIatMax,
  FlowIatMin,
  FwdIatTotal,
  FwdIatMean,
  FwdIatStd,
  FwdIatMax,
  FwdIatMin,
  BwdIatTotal,
  BwdIatMean,
  BwdIatStd,
  BwdIatMax,
  BwdIatMin,
  FwdPshFlags,
  BwdPshFlags,
  FwdUrgFlags,
  BwdUrgFlags,
  FwdHeaderLength,
  BwdHeaderLength,
  FwdPacketsPerS,
  BwdPacketsPerS,
  MinPacketLength,
  MaxPacketLength,
  PacketLengthMean,
  PacketLengthStd,
  PacketLengthVariance,
  FinFlagCount,
  SynFlagCount,
  RstFlagCount,
  PshFlagCount,
  AckFlagCount,
  UrgFlagCount,
  CweFlagCount,
  EceFlagCount,
  DownUpRatio,
  AveragePacketSize,
  AvgFwdSegmentSize,
  AvgBwdSegmentSize,
  FwdHeaderLength1,
  FwdAvgBytesBulk,
  FwdAvgPacketsBulk,
  FwdAvgBulkRate,
  BwdAvgBytesBulk,
  BwdAvgPacketsBulk,
  BwdAvgBulkRate,
  SubflowFwdPackets,
  SubflowFwdBytes,
  SubflowBwdPackets,
  SubflowBwdBytes,
  InitWinBytesForward,
  InitWinBytesBackward,
  ActDataPktFwd,
  MinSegSizeForward,
  ActiveMean,
  ActiveStd,
  ActiveMax,
  ActiveMin,
  IdleMean,
  IdleStd,
  IdleMax,
  IdleMin,
}

/** Columns that are zero in every row of the real data (and here). */
export const CONSTANT_ZERO_FEATURES: readonly string[] = [
  'Bwd PSH Flags', 'Fwd URG Flags', 'Bwd URG Flags', 'CWE Flag Count',
  'Fwd Avg Bytes/Bulk', 'Fwd Avg Packets/Bulk', 'Fwd Avg Bulk Rate',
  'Bwd Avg Bytes/Bulk', 'Bwd Avg Packets/Bulk', 'Bwd Avg Bulk Rate',
];

/** The only columns that carry non-finite cells (`Infinity`, `NaN`), as in the real data. */
export const RATE_FEATURES: readonly string[] = ['Flow Bytes/s', 'Flow Packets/s'];
