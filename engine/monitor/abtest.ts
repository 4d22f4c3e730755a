/**
 * An A/B test of two model versions: both score the same labelled file (engine/model's
 * `scoreFile`), and abtest-stats.ts compares them (bootstrap intervals, McNemar, DeLong) and
 * names the winner on the chosen metric.
 */
import { SchemaError } from '../util/index.js';
import { loadModelRef, type RegistryOptions, type ResolvedModel } from '../model/index.js';
import { scoreFile } from '../model/index.js';
import { compareScored, decide, resolveAbTestOptions, type AbDecision, type AbStatistics, type AbTestOptions, type ResolvedAbTestOptions } from './abtest-stats.js';

export interface AbTestRequest extends AbTestOptions, RegistryOptions {
  /** model A (the incumbent): an alias or version of the registry, or what `--model` takes */
  modelA: string;
  /** model B (the candidate) */
  modelB: string;
  /** the labelled file both score */
  data: string;
  coerce?: boolean;
  /** progress lines (the CLI passes them to stderr when it is a terminal) */
  onProgress?: (line: string) => void;
}

export interface AbModelInfo {
  /** the reference as given */
  ref: string;
  file: string;
  model_type: string;
  /** the registry version, when found through a registry */
  version: number | null;
}

export interface AbTestReport extends AbStatistics {
  file: string;
  models: { a: AbModelInfo; b: AbModelInfo };
  options: ResolvedAbTestOptions;
  decision: AbDecision;
  /** non-finite feature values each model filled */
  filled_values: { a: number; b: number };
  timestamp: string;
  seconds: number;
}

function info(ref: string, resolved: ResolvedModel): AbModelInfo {
  return { ref, file: resolved.file, model_type: resolved.model.modelType, version: resolved.version?.version ?? null };
}

/** Score `data` with both models and compare them. */
export async function abTest(request: AbTestRequest): Promise<AbTestReport> {
  const started = performance.now();
  const options = resolveAbTestOptions(request);
  const registry: RegistryOptions = { registry: request.registry, registeredModel: request.registeredModel };
  const [a, b] = [await loadModelRef(request.modelA, registry), await loadModelRef(request.modelB, registry)];
  if (a.model.label !== b.model.label || a.model.negative !== b.model.negative) {
    throw new SchemaError(`the two models read different labels (A: column "${a.model.label}", negative "${a.model.negative}"; B: column "${b.model.label}", negative "${b.model.negative}"): an A/B test needs one truth`, { file: request.data });
  }
  const progress = request.onProgress ?? (() => {});
  progress(`abtest: scoring ${request.data} with A (${request.modelA})`);
  const scoredA = await scoreFile(a.model, request.data, { coerce: request.coerce });
  if (!scoredA.yTrue) throw new SchemaError(`no label column "${a.model.label}": an A/B test needs labelled rows`, { file: request.data, column: a.model.label });
  progress(`abtest: scoring ${request.data} with B (${request.modelB})`);
  const scoredB = await scoreFile(b.model, request.data, { coerce: request.coerce });
  if (scoredA.rows === 0) throw new SchemaError('no rows to score', { file: request.data });
  const step = Math.ceil(options.bootstrap / 10);
  const onRound = (done: number) => {
    if (done % step === 0 || done === options.bootstrap) progress(`abtest: bootstrap ${done}/${options.bootstrap} rounds`);
  };
  const stats = compareScored(scoredA.yTrue, scoredA, scoredB, { bootstrap: options.bootstrap, seed: options.seed, confidence: 1 - options.alpha, onRound });
  return {
    file: request.data,
    models: { a: info(request.modelA, a), b: info(request.modelB, b) },
    options,
    ...stats,
    decision: decide(stats, options.metric, options.alpha),
    filled_values: { a: scoredA.filled, b: scoredB.filled },
    timestamp: new Date().toISOString(),
    seconds: (performance.now() - started) / 1000,
  };
}
