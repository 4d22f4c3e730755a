/**
 * A trained model as an ONNX model (docs/MODEL.md, "The ONNX graph"), written with the small
 * protobuf writer of protobuf.ts: no ONNX package in the product. Every family has one.
 *
 * The graph computes what `predictDataset` computes, on the model's fill (`applyFill`) first:
 *
 *   input (double [N, n_features], the model's feature order)
 *     -> IsNaN / IsInf + Where, three times: NaN -> fill.nan, +Inf -> fill.pos_inf,
 *        -Inf -> fill.neg_inf, per feature (what predict does before the model)
 *   random forest:
 *     -> TreeEnsembleClassifier (ai.onnx.ml 3): BRANCH_LT on double thresholds
 *        (`nodes_values_as_tensor`; our trees go left when value < threshold), each leaf
 *        weighting class 0 and 1 by its fractions / n_trees (`class_weights_as_tensor`), summed
 *        in double: the forest's mean fractions, as float32 [N, 2]
 *     -> probability (float32 [N]): column 1, the probability of the positive class
 *     -> label (int64 [N]): 1 when column 1 > column 0, else 0 (ties are 0, as in predict)
 *   gradient boosting: the same TreeEnsembleClassifier, each leaf's value (log-odds) on class 0,
 *        base_values the base score, post_transform LOGISTIC: [sigmoid(-s), sigmoid(s)], then the
 *        same probability and label (1 when the probability is above 0.5)
 *   logreg / mlp (engine/model/network.ts):
 *     -> sign(x) log(1 + |x|), minus the mean, over the scale (double), cast to float32
 *     -> Gemm (+ Relu) per hidden layer, Gemm + Sigmoid: probability (float32 [N])
 *     -> label (int64 [N]): 1 when the probability is above 0.5
 *
 * The input is double, not skl2onnx's float32: our thresholds are float64 and rounding rows and
 * thresholds to float32 would send some values to the other side of a split. The outputs are
 * two [N] tensors rather than skl2onnx's label + probabilities [N, 2], because MLflow's pyfunc
 * wrapper of an ONNX model puts every output in one column of a DataFrame (an [N, 2] output
 * does not fit). Our forest probabilities are float64; the ONNX ones are rounded to float32.
 */
import { ModelError, packageVersion } from '../util/index.js';
import { FOREST_MODEL_TYPES, type Model } from './format.js';
import { float64Bytes, ProtoWriter } from './protobuf.js';

/** IR version 8 (ONNX 1.10+) and the opsets the graph uses. */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;
export const ONNX_ML_OPSET = 3;
export const ONNX_FILE = 'model.onnx';
/** Names of the graph's input and outputs. */
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUTS = { label: 'label', probability: 'probability' } as const;

// onnx.proto TensorProto.DataType and AttributeProto.AttributeType
const FLOAT = 1;
const INT64 = 7;
const DOUBLE = 11;
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, INTS: 7, STRINGS: 8, FLOATS: 6 } as const;

type Attribute = { name: string; int: number } | { name: string; string: string } | { name: string; ints: ArrayLike<number> } | { name: string; strings: readonly string[] } | { name: string; tensor: ProtoWriter };

function attribute(a: Attribute): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if ('int' in a) w.uint(3, a.int).uint(20, ATTR.INT);
  else if ('string' in a) w.string(4, a.string).uint(20, ATTR.STRING);
  else if ('ints' in a) w.packedUints(8, a.ints).uint(20, ATTR.INTS);
  else if ('strings' in a) {
    for (const s of a.strings) w.string(9, s);
    w.uint(20, ATTR.STRINGS);
  } else w.message(5, a.tensor).uint(20, ATTR.TENSOR);
  return w;
}

/** A TensorProto of doubles (dims [] for a scalar) or int64 scalars. */
function doubleTensor(name: string, dims: readonly number[], values: ArrayLike<number>): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of dims) w.uint(1, d);
  return w.uint(2, DOUBLE).string(8, name).bytes(9, float64Bytes(values));
}

/** A TensorProto of float32 values. */
function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of dims) w.uint(1, d);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return w.uint(2, FLOAT).string(8, name).bytes(9, bytes);
}

function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of dims) w.uint(1, d);
  return w.uint(2, INT64).string(8, name).packedUints(7, values);
}

function int64Scalar(name: string, value: number): ProtoWriter {
  return new ProtoWriter().uint(2, INT64).string(8, name).packedUints(7, [value]);
}

function node(opType: string, inputs: readonly string[], outputs: readonly string[], name: string, attributes: Attribute[] = [], domain = ''): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name).string(4, opType);
  for (const a of attributes) w.message(5, attribute(a));
  if (domain) w.string(7, domain);
  return w;
}

/** ValueInfoProto of a tensor; a string dim is symbolic (dim_param). */
function valueInfo(name: string, elemType: number, dims: ReadonlyArray<number | string>): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().uint(1, d) : new ProtoWriter().string(2, d));
  const tensor = new ProtoWriter().uint(1, elemType).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor));
}

/** The TreeEnsembleClassifier attributes of a forest: every tree's nodes, then every leaf's two class weights. */
function treeEnsembleAttributes(model: Model): Attribute[] {
  const forest = model.forest!;
  const nTrees = forest.trees.length;
  // each leaf gives class 0 and 1 its fractions / n_trees: the sum over trees is the forest's mean
  return ensembleAttributes(forest.trees, 'NONE', null, (tree, i, add) => {
    const negative = tree.value[2 * i]!;
    const positive = tree.value[2 * i + 1]!;
    const total = negative + positive;
    add(0, negative / total / nTrees);
    add(1, positive / total / nTrees);
  });
}

/**
 * Boosted trees: every leaf weights class 0 with its value (log-odds), base_values holds the base
 * score, post_transform LOGISTIC; with two class labels and weights on one class only, ONNX
 * Runtime's binary case reads the sum s as the positive class's score and outputs
 * [sigmoid(-s), sigmoid(s)] (as skl2onnx exports scikit-learn's and LightGBM's boosting).
 */
function boostingAttributes(model: Model): Attribute[] {
  const boosting = model.boosting!;
  return ensembleAttributes(boosting.trees, 'LOGISTIC', [boosting.baseScore], (tree, i, add) => add(0, tree.value[i]!));
}

type EnsembleTree = { feature: Int32Array; threshold: Float64Array; left: Int32Array; right: Int32Array; value: Float64Array };

/** TreeEnsembleClassifier's attributes for trees of the forest's node layout; `leaf` names each leaf's class weights. */
function ensembleAttributes<T extends EnsembleTree>(trees: readonly T[], postTransform: 'NONE' | 'LOGISTIC', baseValues: number[] | null, leaf: (tree: T, node: number, add: (classId: number, weight: number) => void) => void): Attribute[] {
  const nodes = trees.reduce((sum, tree) => sum + tree.feature.length, 0);
  const treeIds = new Float64Array(nodes);
  const nodeIds = new Float64Array(nodes);
  const featureIds = new Float64Array(nodes);
  const thresholds = new Float64Array(nodes);
  const trueIds = new Float64Array(nodes);
  const falseIds = new Float64Array(nodes);
  const modes: string[] = new Array(nodes);
  const classTree: number[] = [];
  const classNode: number[] = [];
  const classId: number[] = [];
  const classWeight: number[] = [];
  let at = 0;
  trees.forEach((tree, t) => {
    for (let i = 0; i < tree.feature.length; i++, at++) {
      const f = tree.feature[i]!;
      treeIds[at] = t;
      nodeIds[at] = i;
      if (f >= 0) {
        featureIds[at] = f;
        thresholds[at] = tree.threshold[i]!;
        trueIds[at] = tree.left[i]!;
        falseIds[at] = tree.right[i]!;
        modes[at] = 'BRANCH_LT';
      } else {
        modes[at] = 'LEAF';
        leaf(tree, i, (id, weight) => {
          classTree.push(t);
          classNode.push(i);
          classId.push(id);
          classWeight.push(weight);
        });
      }
    }
  });
  return [
    { name: 'classlabels_int64s', ints: [0, 1] },
    { name: 'nodes_treeids', ints: treeIds },
    { name: 'nodes_nodeids', ints: nodeIds },
    { name: 'nodes_featureids', ints: featureIds },
    { name: 'nodes_values_as_tensor', tensor: doubleTensor('', [nodes], thresholds) },
    { name: 'nodes_modes', strings: modes },
    { name: 'nodes_truenodeids', ints: trueIds },
    { name: 'nodes_falsenodeids', ints: falseIds },
    { name: 'class_treeids', ints: classTree },
    { name: 'class_nodeids', ints: classNode },
    { name: 'class_ids', ints: classId },
    { name: 'class_weights_as_tensor', tensor: doubleTensor('', [classWeight.length], classWeight) },
    ...(baseValues ? [{ name: 'base_values_as_tensor', tensor: doubleTensor('', [baseValues.length], baseValues) }] : []),
    { name: 'post_transform', string: postTransform },
  ];
}

/** The nodes and initializers that replace NaN, +Inf and -Inf in `input` by the fill values; output `features`. */
function fillNodes(model: Model, graph: ProtoWriter): void {
  const nFeatures = model.features.length;
  const nodes = [
    node('IsNaN', [ONNX_INPUT], ['nan_mask'], 'is_nan'),
    node('Where', ['nan_mask', 'fill_nan', ONNX_INPUT], ['filled_nan'], 'fill_nan'),
    node('IsInf', ['filled_nan'], ['pos_inf_mask'], 'is_pos_inf', [{ name: 'detect_negative', int: 0 }, { name: 'detect_positive', int: 1 }]),
    node('Where', ['pos_inf_mask', 'fill_pos_inf', 'filled_nan'], ['filled_pos_inf'], 'fill_pos_inf'),
    node('IsInf', ['filled_pos_inf'], ['neg_inf_mask'], 'is_neg_inf', [{ name: 'detect_negative', int: 1 }, { name: 'detect_positive', int: 0 }]),
    node('Where', ['neg_inf_mask', 'fill_neg_inf', 'filled_pos_inf'], ['features'], 'fill_neg_inf'),
  ];
  for (const n of nodes) graph.message(1, n);
  graph.message(5, doubleTensor('fill_nan', [nFeatures], model.fill.nan));
  graph.message(5, doubleTensor('fill_pos_inf', [nFeatures], model.fill.posInf));
  graph.message(5, doubleTensor('fill_neg_inf', [nFeatures], model.fill.negInf));
}

/** The trees' nodes after the fill (forest, one tree, boosted trees): TreeEnsembleClassifier, then probability and label. */
function forestNodes(model: Model, graph: ProtoWriter): void {
  const attributes = model.boosting ? boostingAttributes(model) : treeEnsembleAttributes(model);
  const nodes = [
    node('TreeEnsembleClassifier', ['features'], ['tree_label', 'class_scores'], model.boosting ? 'boosting' : 'forest', attributes, 'ai.onnx.ml'),
    node('Gather', ['class_scores', 'class_1'], [ONNX_OUTPUTS.probability], 'positive_column', [{ name: 'axis', int: 1 }]),
    node('Gather', ['class_scores', 'class_0'], ['negative_score'], 'negative_column', [{ name: 'axis', int: 1 }]),
    node('Greater', [ONNX_OUTPUTS.probability, 'negative_score'], ['is_positive'], 'compare'),
    node('Cast', ['is_positive'], [ONNX_OUTPUTS.label], 'to_label', [{ name: 'to', int: INT64 }]),
  ];
  for (const n of nodes) graph.message(1, n);
  graph.message(5, int64Scalar('class_0', 0));
  graph.message(5, int64Scalar('class_1', 1));
}

/**
 * A network's nodes after the fill, as engine/model/network.ts computes: in double,
 * t = sign(x) log(1 + |x|), (t - mean) / scale, cast to float32; then per layer Gemm (the
 * TensorFlow.js kernel [in, out] and bias), Relu between layers, Sigmoid at the end; the label is
 * 1 when the probability is above 0.5.
 */
function networkNodes(model: Model, graph: ProtoWriter): void {
  const { transform, weights } = model.network!;
  const nFeatures = model.features.length;
  const nodes = [
    node('Abs', ['features'], ['magnitude'], 'abs'),
    node('Add', ['magnitude', 'one'], ['one_plus'], 'one_plus'),
    node('Log', ['one_plus'], ['log_magnitude'], 'log'),
    node('Sign', ['features'], ['sign'], 'sign'),
    node('Mul', ['sign', 'log_magnitude'], ['signed_log'], 'signed_log'),
    node('Sub', ['signed_log', 'mean'], ['centred'], 'centre'),
    node('Div', ['centred', 'scale'], ['standardised'], 'standardise'),
    node('Cast', ['standardised'], ['layer_0'], 'to_float', [{ name: 'to', int: FLOAT }]),
  ];
  graph.message(5, doubleTensor('one', [], [1]));
  graph.message(5, doubleTensor('mean', [nFeatures], transform.mean));
  graph.message(5, doubleTensor('scale', [nFeatures], transform.scale));
  const layers = weights.tensors.length / 2;
  if (!Number.isInteger(layers) || layers < 1) throw new ModelError(`a network needs kernel and bias tensors per layer, got ${weights.tensors.length} tensors`);
  for (let k = 0; k < layers; k++) {
    const kernel = weights.tensors[2 * k]!;
    const bias = weights.tensors[2 * k + 1]!;
    if (kernel.shape.length !== 2 || bias.shape.length !== 1 || bias.shape[0] !== kernel.shape[1]) throw new ModelError(`layer ${k}: kernel ${JSON.stringify(kernel.shape)} and bias ${JSON.stringify(bias.shape)} do not fit`);
    graph.message(5, floatTensor(`kernel_${k}`, kernel.shape, kernel.values));
    graph.message(5, floatTensor(`bias_${k}`, bias.shape, bias.values));
    const last = k === layers - 1;
    nodes.push(node('Gemm', [`layer_${k}`, `kernel_${k}`, `bias_${k}`], [`dense_${k}`], `dense_${k}`));
    nodes.push(node(last ? 'Sigmoid' : 'Relu', [`dense_${k}`], [last ? 'sigmoid' : `layer_${k + 1}`], last ? 'sigmoid' : `relu_${k}`));
  }
  graph.message(5, floatTensor('half', [], [0.5]));
  nodes.push(
    node('Squeeze', ['sigmoid', 'one_column'], [ONNX_OUTPUTS.probability], 'to_rows'),
    node('Greater', [ONNX_OUTPUTS.probability, 'half'], ['is_positive'], 'compare'),
    node('Cast', ['is_positive'], [ONNX_OUTPUTS.label], 'to_label', [{ name: 'to', int: INT64 }]),
  );
  graph.message(5, int64Tensor('one_column', [1], [1]));
  for (const n of nodes) graph.message(1, n);
}

/** Whether a model has an ONNX graph: forests, the single tree, boosted trees and the networks (every family today). */
export function hasOnnx(model: Pick<Model, 'modelType' | 'forest' | 'boosting' | 'network'>): boolean {
  if (FOREST_MODEL_TYPES.includes(model.modelType)) return model.forest !== undefined;
  if (model.modelType === 'gradient_boosting') return model.boosting !== undefined;
  return model.network !== undefined;
}

/** The ONNX model (ModelProto bytes) of a trained model; see the file's comment. */
export function modelToOnnx(model: Model): Uint8Array {
  const nFeatures = model.features.length;
  const graph = new ProtoWriter();
  fillNodes(model, graph);
  let summary: string;
  if (FOREST_MODEL_TYPES.includes(model.modelType)) {
    if (!model.forest) throw new ModelError(`this ${model.modelType} model has no trees`);
    if (model.forest.nFeatures !== nFeatures) throw new ModelError(`the forest reads ${model.forest.nFeatures} features but the model names ${nFeatures}`);
    forestNodes({ ...model, boosting: undefined }, graph);
    summary = model.modelType === 'decision_tree' ? 'decision tree' : `random forest of ${model.forest.trees.length} trees`;
  } else if (model.modelType === 'gradient_boosting') {
    if (!model.boosting) throw new ModelError('this gradient_boosting model has no trees');
    if (model.boosting.nFeatures !== nFeatures) throw new ModelError(`the boosted trees read ${model.boosting.nFeatures} features but the model names ${nFeatures}`);
    forestNodes(model, graph);
    summary = `gradient-boosted trees (${model.boosting.trees.length}, log-odds summed from base score ${model.boosting.baseScore}, logistic)`;
  } else {
    if (!model.network) throw new ModelError(`this ${model.modelType} model has no network weights`);
    if (model.network.weights.nFeatures !== nFeatures) throw new ModelError(`the network reads ${model.network.weights.nFeatures} features but the model names ${nFeatures}`);
    networkNodes(model, graph);
    summary = `${model.modelType} network (hidden layers: ${model.network.weights.hidden.join(', ') || 'none'})`;
  }
  graph.string(2, `driftcatcher_${model.modelType}`);
  graph.string(10, `${summary} on ${nFeatures} features (${model.features.join(', ')}); non-finite values are replaced by the training fill`);
  graph.message(11, valueInfo(ONNX_INPUT, DOUBLE, ['N', nFeatures]));
  graph.message(12, valueInfo(ONNX_OUTPUTS.label, INT64, ['N']));
  graph.message(12, valueInfo(ONNX_OUTPUTS.probability, FLOAT, ['N']));

  const w = new ProtoWriter();
  w.uint(1, ONNX_IR_VERSION);
  w.string(2, 'driftcatcher');
  w.string(3, packageVersion());
  w.string(4, 'driftcatcher');
  const version = model.params['version'];
  if (typeof version === 'number' && Number.isSafeInteger(version) && version >= 0) w.uint(5, version);
  w.message(7, graph);
  w.message(8, new ProtoWriter().string(1, '').uint(2, ONNX_OPSET));
  w.message(8, new ProtoWriter().string(1, 'ai.onnx.ml').uint(2, ONNX_ML_OPSET));
  const meta = (key: string, value: string) => w.message(14, new ProtoWriter().string(1, key).string(2, value));
  meta('model_type', model.modelType);
  meta('features', JSON.stringify(model.features));
  meta('label', model.label);
  meta('negative', model.negative);
  return w.bytesOut();
}

/** The ONNX model of a random forest (a ModelError for another family). */
export function forestToOnnx(model: Model): Uint8Array {
  if (model.modelType !== 'random_forest' || !model.forest) throw new ModelError(`not a random forest: this model is ${model.modelType}`);
  return modelToOnnx(model);
}
