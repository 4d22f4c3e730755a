/**
 * The row model: one CICIDS2017-like flow per row, BENIGN or DDoS (LOIC HTTP flood on port 80).
 * A few latent draws per flow (kind, packet counts, payload sizes, duration) and the other columns
 * follow from them the way CICFlowMeter derives them (totals = packets x mean length, rates =
 * totals / duration, subflow = flow, the two `Fwd Header Length` columns equal, ...). Distributions
 * are heavy-tailed and zero-heavy like the real Friday DDoS file; `Flow Bytes/s` and
 * `Flow Packets/s` are `Infinity` (or `NaN` with no payload) for zero-duration flows (~1e-3), and
 * `Flow IAT Min` is occasionally negative, as in the real data.
 */
import { Col, N_FEATURES } from './columns.js';
import { cumulativeWeights, Rng } from '../util/index.js';

/** 120 s: CICFlowMeter's flow timeout, in microseconds; durations stay below it. */
const FLOW_TIMEOUT_US = 119_999_999;
const P_ZERO_DURATION = 0.001;
const P_NEGATIVE_IAT_MIN = 0.001;

/** A block of generated rows, column-major: features[c][r], label[r] (1 = DDoS). */
export interface FlowBlock {
  readonly capacity: number;
  length: number;
  readonly features: Float64Array[];
  readonly label: Uint8Array;
}

export function createFlowBlock(capacity: number): FlowBlock {
  const features: Float64Array[] = [];
  for (let c = 0; c < N_FEATURES; c++) features.push(new Float64Array(capacity));
  return { capacity, length: 0, features, label: new Uint8Array(capacity) };
}

const enum Kind {
  Dns,
  Tiny,
  Session,
  Flood,
}

const BENIGN_KINDS = cumulativeWeights([0.34, 0.24, 0.42]); // Dns, Tiny, Session
const DNS_PORTS = [53, 123, 137, 5353];
const DNS_PORT_WEIGHTS = cumulativeWeights([0.9, 0.04, 0.03, 0.03]);
const SESSION_PORTS = [443, 80, 22, 8080, 445, 139, 21, 0];
const SESSION_PORT_WEIGHTS = cumulativeWeights([0.45, 0.33, 0.03, 0.03, 0.04, 0.03, 0.02, 0.07]); // 0: ephemeral
const HEADER_SIZES = [20, 32, 40];
const HEADER_WEIGHTS = cumulativeWeights([0.55, 0.4, 0.05]);
const SESSION_WIN_FWD = [29200, 8192, 65535, 256, 0];
const SESSION_WIN_FWD_WEIGHTS = cumulativeWeights([0.3, 0.3, 0.1, 0.1, 0.2]); // 0: random
const FLOOD_WIN_FWD = [256, 8192, 29200];
const FLOOD_WIN_FWD_WEIGHTS = cumulativeWeights([0.35, 0.4, 0.25]);
const FLOOD_BWD_MAX = [7300, 4380, 2920];

/** Flag probabilities: FIN, SYN, RST, PSH, ACK, URG, ECE. */
const FLAGS_BY_KIND: readonly (readonly number[])[] = [
  [0.0, 0.0, 0.0, 0.0, 0.02, 0.02, 0.0], // Dns
  [0.01, 0.06, 0.004, 0.1, 0.5, 0.2, 0.002], // Tiny
  [0.03, 0.13, 0.002, 0.45, 0.5, 0.12, 0.001], // Session
  [0.005, 0.01, 0.0005, 0.6, 0.45, 0.0, 0.0], // Flood
];
const FLAG_COLUMNS = [Col.FinFlagCount, Col.SynFlagCount, Col.RstFlagCount, Col.PshFlagCount, Col.AckFlagCount, Col.UrgFlagCount, Col.EceFlagCount];

export class FlowModel {
  #rng: Rng;
  readonly #attackShare: number;

  constructor(attackShare: number) {
    this.#rng = new Rng(0);
    this.#attackShare = attackShare;
  }

  /** Fill rows [0, n) of the block from `rng` (all columns are written, constant ones included). */
  fill(block: FlowBlock, n: number, rng: Rng): void {
    this.#rng = rng;
    const f = block.features;
    for (let r = 0; r < n; r++) {
      const attack = rng.uniform() < this.#attackShare;
      block.label[r] = attack ? 1 : 0;
      this.#row(f, r, attack ? Kind.Flood : (rng.pick(BENIGN_KINDS) as Kind));
    }
    block.length = n;
  }

  #row(f: Float64Array[], r: number, kind: Kind): void {
    const rng = this.#rng;
    let port: number;
    let nFwd: number;
    let nBwd: number;
    let fwdMeanLen: number;
    /** backward payload bytes; -1: nBwd x bwdMeanLen */
    let bwdTotal: number;
    let bwdMeanLen = 0;
    let duration: number;
    let winFwd: number;
    let winBwd: number;
    let fwdMinZeroP: number;
    let bwdMaxCap = 0;
    let activeMedian = 0;
    let pActive = 0;

    switch (kind) {
      case Kind.Dns: {
        port = DNS_PORTS[rng.pick(DNS_PORT_WEIGHTS)]!;
        const u = rng.uniform();
        nFwd = u < 0.6 ? 1 : u < 0.9 ? 2 : rng.int(3, 4);
        const v = rng.uniform();
        nBwd = v < 0.85 ? nFwd : v < 0.95 ? 0 : nFwd + 1;
        fwdMeanLen = rng.logNormal(38, 0.25);
        bwdMeanLen = Math.min(1400, rng.logNormal(140, 0.6));
        bwdTotal = -1;
        duration = rng.logNormal(30_000, 1.3);
        winFwd = -1;
        winBwd = -1;
        fwdMinZeroP = 0;
        break;
      }
      case Kind.Tiny: {
        const u = rng.uniform();
        port = u < 0.6 ? rng.int(32768, 65535) : u < 0.8 ? 443 : 80;
        nFwd = rng.int(1, 2);
        nBwd = rng.chance(0.45) ? 1 : 0;
        fwdMeanLen = rng.chance(0.3) ? 0 : 6;
        bwdMeanLen = rng.chance(0.4) ? 0 : 6;
        bwdTotal = -1;
        duration = rng.logNormal(60, 1.2);
        winFwd = rng.chance(0.3) ? 256 : rng.int(20, 8192);
        winBwd = nBwd === 0 ? -1 : rng.int(0, 2000);
        fwdMinZeroP = 0;
        break;
      }
      case Kind.Session: {
        const p = SESSION_PORTS[rng.pick(SESSION_PORT_WEIGHTS)]!;
        port = p === 0 ? rng.int(1024, 65535) : p;
        nFwd = Math.min(20_000, 2 + Math.floor(rng.logNormal(5, 1.1)));
        nBwd = rng.chance(0.05) ? 0 : Math.round(nFwd * rng.between(0.5, 1.3));
        fwdMeanLen = Math.min(1460, rng.logNormal(70, 1.0));
        bwdMeanLen = Math.min(1460, rng.logNormal(450, 1.0));
        bwdTotal = -1;
        duration = rng.logNormal(2_000_000, 2.2);
        const w = SESSION_WIN_FWD[rng.pick(SESSION_WIN_FWD_WEIGHTS)]!;
        winFwd = w === 0 ? rng.int(1, 65535) : w;
        const b = rng.uniform();
        winBwd = nBwd === 0 ? -1 : b < 0.2 ? 229 : b < 0.3 ? 235 : b < 0.45 ? -1 : rng.int(1, 65535);
        fwdMinZeroP = 0.5;
        activeMedian = 100_000;
        pActive = 0.85;
        break;
      }
      default: {
        port = rng.chance(0.995) ? 80 : rng.int(1024, 65535);
        nFwd = 2 + Math.min(rng.int(0, 6), rng.int(0, 6));
        nBwd = rng.chance(0.35) ? 0 : rng.int(4, 7);
        fwdMeanLen = rng.logNormal(8, 0.3);
        bwdTotal = nBwd === 0 ? 0 : rng.chance(0.55) ? 11601 : Math.round(rng.logNormal(7000, 0.5));
        bwdMaxCap = FLOOD_BWD_MAX[rng.int(0, 2)]!;
        duration = rng.chance(0.3) ? rng.logNormal(10_000, 1.5) : rng.logNormal(6_000_000, 0.8);
        winFwd = FLOOD_WIN_FWD[rng.pick(FLOOD_WIN_FWD_WEIGHTS)]!;
        winBwd = nBwd === 0 ? -1 : rng.chance(0.85) ? 229 : rng.int(1, 65535);
        fwdMinZeroP = 0.7;
        activeMedian = 1500;
        pActive = 0.9;
        break;
      }
    }

    if (rng.uniform() < P_ZERO_DURATION) {
      // a zero-duration flow: its rates are Infinity (NaN without payload)
      duration = 0;
      nFwd = Math.min(nFwd, 2);
      nBwd = Math.min(nBwd, 1);
      if (bwdTotal > 1460) bwdTotal = 1460; // one packet left
      if (rng.chance(0.15)) {
        fwdMeanLen = 0;
        bwdTotal = 0;
      }
    } else {
      duration = Math.max(1, Math.min(FLOW_TIMEOUT_US, Math.round(duration)));
      if (nFwd + nBwd < 2) nFwd = 2 - nBwd;
    }

    const headerFwd = HEADER_SIZES[rng.pick(HEADER_WEIGHTS)]!;
    const headerBwd = HEADER_SIZES[rng.pick(HEADER_WEIGHTS)]!;
    const fwdTotal = Math.round(nFwd * fwdMeanLen);
    if (bwdTotal < 0) bwdTotal = Math.round(nBwd * bwdMeanLen);
    if (nBwd === 0) bwdTotal = 0;

    f[Col.DestinationPort]![r] = port;
    f[Col.FlowDuration]![r] = duration;
    f[Col.TotalFwdPackets]![r] = nFwd;
    f[Col.TotalBackwardPackets]![r] = nBwd;
    f[Col.TotalLengthFwdPackets]![r] = fwdTotal;
    f[Col.TotalLengthBwdPackets]![r] = bwdTotal;
    this.#lengths(f, r, Col.FwdPacketLengthMax, nFwd, fwdTotal, fwdMinZeroP, 0);
    this.#lengths(f, r, Col.BwdPacketLengthMax, nBwd, bwdTotal, 0.3, bwdMaxCap);

    const nPackets = nFwd + nBwd;
    const totalBytes = fwdTotal + bwdTotal;
    if (duration === 0) {
      f[Col.FlowBytesPerS]![r] = totalBytes > 0 ? Infinity : NaN;
      f[Col.FlowPacketsPerS]![r] = Infinity;
      f[Col.FwdPacketsPerS]![r] = 0;
      f[Col.BwdPacketsPerS]![r] = 0;
    } else {
      f[Col.FlowBytesPerS]![r] = (totalBytes * 1e6) / duration;
      f[Col.FlowPacketsPerS]![r] = (nPackets * 1e6) / duration;
      f[Col.FwdPacketsPerS]![r] = (nFwd * 1e6) / duration;
      f[Col.BwdPacketsPerS]![r] = (nBwd * 1e6) / duration;
    }

    this.#iat(f, r, Col.FlowIatMean, duration, nPackets - 1, false);
    if (duration > 0 && rng.uniform() < P_NEGATIVE_IAT_MIN) f[Col.FlowIatMin]![r] = -rng.int(1, 12);
    const fwdIatTotal = nFwd < 2 ? 0 : nBwd === 0 ? duration : Math.floor(duration * rng.between(0.4, 1));
    f[Col.FwdIatTotal]![r] = fwdIatTotal;
    this.#iat(f, r, Col.FwdIatMean, fwdIatTotal, nFwd - 1, true);
    const bwdIatTotal = nBwd < 2 ? 0 : Math.floor(duration * rng.between(0.2, 1));
    f[Col.BwdIatTotal]![r] = bwdIatTotal;
    this.#iat(f, r, Col.BwdIatMean, bwdIatTotal, nBwd - 1, true);

    const flagP = FLAGS_BY_KIND[kind]!;
    for (let i = 0; i < FLAG_COLUMNS.length; i++) f[FLAG_COLUMNS[i]!]![r] = rng.uniform() < flagP[i]! ? 1 : 0;
    f[Col.FwdPshFlags]![r] = f[Col.SynFlagCount]![r]!; // CICFlowMeter quirk: the two move together
    f[Col.BwdPshFlags]![r] = 0;
    f[Col.FwdUrgFlags]![r] = 0;
    f[Col.BwdUrgFlags]![r] = 0;
    f[Col.CweFlagCount]![r] = 0;

    f[Col.FwdHeaderLength]![r] = nFwd * headerFwd;
    f[Col.FwdHeaderLength1]![r] = nFwd * headerFwd;
    f[Col.BwdHeaderLength]![r] = nBwd * headerBwd;

    // whole-flow packet length statistics, pooled from the two directions
    const fwdMean = f[Col.FwdPacketLengthMean]![r]!;
    const fwdStd = f[Col.FwdPacketLengthStd]![r]!;
    const bwdMean = f[Col.BwdPacketLengthMean]![r]!;
    const bwdStd = f[Col.BwdPacketLengthStd]![r]!;
    const mean = totalBytes / nPackets;
    const meanSquare = (nFwd * (fwdStd * fwdStd + fwdMean * fwdMean) + nBwd * (bwdStd * bwdStd + bwdMean * bwdMean)) / nPackets;
    const variance = Math.max(0, meanSquare - mean * mean);
    const fwdMin = f[Col.FwdPacketLengthMin]![r]!;
    const bwdMin = f[Col.BwdPacketLengthMin]![r]!;
    f[Col.MinPacketLength]![r] = nBwd > 0 ? Math.min(fwdMin, bwdMin) : fwdMin;
    f[Col.MaxPacketLength]![r] = Math.max(f[Col.FwdPacketLengthMax]![r]!, f[Col.BwdPacketLengthMax]![r]!);
    f[Col.PacketLengthMean]![r] = mean;
    f[Col.PacketLengthStd]![r] = Math.sqrt(variance);
    f[Col.PacketLengthVariance]![r] = variance;
    f[Col.DownUpRatio]![r] = Math.floor(nBwd / nFwd);
    f[Col.AveragePacketSize]![r] = (mean * (nPackets + 1)) / nPackets;
    f[Col.AvgFwdSegmentSize]![r] = fwdMean;
    f[Col.AvgBwdSegmentSize]![r] = bwdMean;

    f[Col.FwdAvgBytesBulk]![r] = 0;
    f[Col.FwdAvgPacketsBulk]![r] = 0;
    f[Col.FwdAvgBulkRate]![r] = 0;
    f[Col.BwdAvgBytesBulk]![r] = 0;
    f[Col.BwdAvgPacketsBulk]![r] = 0;
    f[Col.BwdAvgBulkRate]![r] = 0;

    f[Col.SubflowFwdPackets]![r] = nFwd;
    f[Col.SubflowFwdBytes]![r] = fwdTotal;
    f[Col.SubflowBwdPackets]![r] = nBwd;
    f[Col.SubflowBwdBytes]![r] = bwdTotal;
    f[Col.InitWinBytesForward]![r] = winFwd;
    f[Col.InitWinBytesBackward]![r] = winBwd;
    f[Col.ActDataPktFwd]![r] = fwdTotal === 0 ? 0 : kind === Kind.Flood ? Math.max(1, nFwd - 2) : nFwd === 1 ? 1 : rng.int(1, nFwd - 1);
    f[Col.MinSegSizeForward]![r] = headerFwd;

    if (duration > 5_000_000 && rng.uniform() < pActive) {
      const periods = 1 + Math.min(8, Math.floor(duration / 10_000_000));
      this.#period(f, r, Col.ActiveMean, rng.logNormal(activeMedian, 1.2), periods, Infinity);
      this.#period(f, r, Col.IdleMean, (duration * rng.between(0.5, 1)) / periods, periods, duration);
    } else {
      for (let c = Col.ActiveMean; c <= Col.IdleMin; c++) f[c]![r] = 0;
    }
  }

  /** Max, Min, Mean, Std of one direction's packet lengths (columns maxCol .. maxCol + 3). */
  #lengths(f: Float64Array[], r: number, maxCol: number, packets: number, total: number, minZeroP: number, maxCap: number): void {
    const rng = this.#rng;
    let max = 0;
    let min = 0;
    let mean = 0;
    let std = 0;
    if (packets > 0 && total > 0) {
      mean = total / packets;
      if (packets === 1) {
        max = min = total;
      } else {
        max = Math.min(total, Math.max(Math.ceil(mean), Math.round(mean * rng.between(1, Math.min(packets, 4)))));
        if (maxCap > 0 && max > maxCap && Math.ceil(mean) <= maxCap) max = maxCap;
        const room = Math.min(mean, (total - max) / (packets - 1));
        min = rng.uniform() < minZeroP ? 0 : Math.floor(room * rng.between(0.2, 1));
        std = max === min ? 0 : (max - min) * rng.between(0.25, 0.5);
      }
    }
    f[maxCol]![r] = max;
    f[maxCol + 1]![r] = min;
    f[maxCol + 2]![r] = mean;
    f[maxCol + 3]![r] = std;
  }

  /** Mean, Std, Max, Min of `intervals` inter-arrival times summing to `total` (columns meanCol ..). */
  #iat(f: Float64Array[], r: number, meanCol: number, total: number, intervals: number, zeroWhenNone: boolean): void {
    const rng = this.#rng;
    let mean = 0;
    let std = 0;
    let max = 0;
    let min = 0;
    if (intervals >= 1 && total > 0) {
      mean = total / intervals;
      if (intervals === 1) {
        max = min = total;
      } else {
        const u = rng.uniform();
        max = Math.max(Math.ceil(mean), Math.min(total, Math.round(mean + (total - mean) * u * u)));
        const v = rng.uniform();
        min = Math.floor(mean * v * v * v);
        std = (max - min) * rng.between(0.25, 0.55);
      }
    } else if (!zeroWhenNone && total > 0) {
      mean = max = min = total;
    }
    f[meanCol]![r] = mean;
    f[meanCol + 1]![r] = std;
    f[meanCol + 2]![r] = max;
    f[meanCol + 3]![r] = min;
  }

  /** Mean, Std, Max, Min of `periods` active (or idle) periods around `mean` (columns meanCol ..). */
  #period(f: Float64Array[], r: number, meanCol: number, mean: number, periods: number, cap: number): void {
    const rng = this.#rng;
    if (periods === 1) {
      const whole = Math.min(cap, Math.max(1, Math.round(mean)));
      f[meanCol]![r] = whole;
      f[meanCol + 1]![r] = 0;
      f[meanCol + 2]![r] = whole;
      f[meanCol + 3]![r] = whole;
      return;
    }
    const max = Math.min(cap, Math.round(mean * rng.between(1, 2.5)));
    const min = Math.max(0, Math.min(Math.floor(mean), Math.round(mean * rng.between(0.1, 1))));
    f[meanCol]![r] = Math.min(mean, max);
    f[meanCol + 1]![r] = (max - min) * rng.between(0.2, 0.5);
    f[meanCol + 2]![r] = max;
    f[meanCol + 3]![r] = min;
  }
}
