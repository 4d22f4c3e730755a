/**
 * TensorFlow.js networks: logistic regression (one sigmoid unit) and a multi-layer perceptron
 * (ReLU hidden layers, sigmoid output), on @tensorflow/tfjs-core + tfjs-layers with the WASM
 * backend (tfjs-node cannot install here: its install script downloads libtensorflow).
 *
 * Inputs are transformed before they reach a network: t(x) = sign(x) log(1 + |x|) (flow features
 * are heavy-tailed: bytes/s up to 1e9), then standardised with the training mean and standard
 * deviation of t (a constant feature gets scale 1). Training: Adam on binary cross-entropy,
 * Glorot-uniform initial weights and a per-epoch shuffle, all from the seed, so a run is
 * repeatable. Prediction uses a large batch (the WASM backend's default of 32 is very slow).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../util/index.js';
import type { NetworkKind, NetworkParams, NetworkWeights } from './train-protocol.js';

export const NETWORK_DEFAULTS: Record<NetworkKind, NetworkParams> = {
  logreg: { epochs: 12, batchSize: 256, learningRate: 0.01, seed: 42, hidden: [] },
  mlp: { epochs: 8, batchSize: 256, learningRate: 0.002, seed: 42, hidden: [64, 32] },
};

const PREDICT_BATCH = 65_536;

let backendReady: Promise<void> | undefined;

/** Select the WASM backend once per thread. */
export function networkBackend(): Promise<void> {
  backendReady ??= (async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  })();
  return backendReady;
}

/** The transform of the inputs: per feature mean and scale of sign(x) log1p(|x|). */
export interface NetworkTransform {
  mean: number[];
  scale: number[];
}

const signedLog = (v: number) => (v < 0 ? -Math.log1p(-v) : Math.log1p(v));

export function fitTransform(columns: readonly Float64Array[], rows: number): NetworkTransform {
  const mean: number[] = [];
  const scale: number[] = [];
  for (const column of columns) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += signedLog(column[r]!);
    const m = rows ? sum / rows : 0;
    let squares = 0;
    for (let r = 0; r < rows; r++) squares += (signedLog(column[r]!) - m) ** 2;
    const sd = rows ? Math.sqrt(squares / rows) : 0;
    mean.push(m);
    scale.push(sd > 0 ? sd : 1);
  }
  return { mean, scale };
}

/** Row-major f32 inputs of a network (finite columns in model order), in `out` when given. */
export function transformRows(columns: readonly Float64Array[], rows: number, transform: NetworkTransform, out?: Float32Array): Float32Array {
  const nFeatures = columns.length;
  const x = out ?? new Float32Array(rows * nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    const column = columns[f]!;
    const m = transform.mean[f]!;
    const s = transform.scale[f]!;
    for (let r = 0; r < rows; r++) x[r * nFeatures + f] = (signedLog(column[r]!) - m) / s;
  }
  return x;
}

function build(kind: NetworkKind, nFeatures: number, hidden: readonly number[], seed: number, l2 = 0): tfl.Sequential {
  const model = tfl.sequential();
  const sizes = kind === 'logreg' ? [] : hidden;
  const kernelRegularizer = l2 > 0 ? tfl.regularizers.l2({ l2 }) : undefined;
  sizes.forEach((units, i) => {
    model.add(tfl.layers.dense({ units, activation: 'relu', inputShape: i === 0 ? [nFeatures] : undefined, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }), kernelRegularizer }));
  });
  model.add(
    tfl.layers.dense({ units: 1, activation: 'sigmoid', inputShape: sizes.length === 0 ? [nFeatures] : undefined, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + sizes.length }), kernelRegularizer }),
  );
  return model;
}

/** Fit a network on transformed row-major inputs; returns its weights (used in workers). */
export async function fitNetwork(kind: NetworkKind, features: Float32Array, labels: Float32Array, nFeatures: number, params: NetworkParams): Promise<NetworkWeights> {
  await networkBackend();
  const rows = labels.length;
  const model = build(kind, nFeatures, params.hidden, params.seed, params.l2 ?? 0);
  model.compile({ optimizer: tf.train.adam(params.learningRate), loss: 'binaryCrossentropy' });
  const rng = new Rng(params.seed, 0x6e6e);
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  const x = new Float32Array(rows * nFeatures);
  const y = new Float32Array(rows);
  const loss: number[] = [];
  for (let epoch = 0; epoch < params.epochs; epoch++) {
    for (let i = rows - 1; i > 0; i--) {
      const j = rng.int(0, i);
      const swap = order[i]!;
      order[i] = order[j]!;
      order[j] = swap;
    }
    for (let i = 0; i < rows; i++) {
      const row = order[i]!;
      x.set(features.subarray(row * nFeatures, (row + 1) * nFeatures), i * nFeatures);
      y[i] = labels[row]!;
    }
    const xs = tf.tensor2d(x, [rows, nFeatures]);
    const ys = tf.tensor2d(y, [rows, 1]);
    try {
      const history = await model.fit(xs, ys, { epochs: 1, batchSize: params.batchSize, shuffle: false, verbose: 0 });
      loss.push(Number(history.history['loss']![0]));
    } finally {
      xs.dispose();
      ys.dispose();
    }
  }
  const tensors = model.getWeights().map((weight) => ({ shape: weight.shape.slice(), values: Float32Array.from(weight.dataSync() as Float32Array) }));
  model.dispose();
  return { kind, nFeatures, hidden: kind === 'logreg' ? [] : params.hidden.slice(), tensors, loss };
}

/** Probability of class 1 for each of `rows` transformed rows. */
export async function networkProba(weights: NetworkWeights, x: Float32Array, rows: number): Promise<Float64Array> {
  await networkBackend();
  const model = build(weights.kind, weights.nFeatures, weights.hidden, 0);
  const tensors = weights.tensors.map((t) => tf.tensor(t.values, t.shape));
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
  const proba = new Float64Array(rows);
  for (let start = 0; start < rows; start += PREDICT_BATCH) {
    const n = Math.min(PREDICT_BATCH, rows - start);
    const input = tf.tensor2d(x.subarray(start * weights.nFeatures, (start + n) * weights.nFeatures), [n, weights.nFeatures]);
    const output = model.predict(input, { batchSize: PREDICT_BATCH }) as tf.Tensor;
    proba.set(await output.data(), start);
    input.dispose();
    output.dispose();
  }
  model.dispose();
  return proba;
}
