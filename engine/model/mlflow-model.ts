/**
 * The MLflow model directory written beside a version's model.json (every family) (docs/MODEL.md, "The MLflow
 * model directory"): the files `mlflow.onnx.save_model` writes (MLflow 3.17), so that
 * `mlflow.pyfunc.load_model(<folder>)`, or `models:/<name>/<version>` once the training run logged
 * the folder as its `model/` artifact, loads the ONNX model and predicts a DataFrame of the
 * features:
 *
 *   MLmodel            flavors onnx (onnx_version, data: model.onnx) and python_function
 *                      (loader_module mlflow.onnx, python_version, env), the signature
 *   model.onnx         engine/model/onnx.ts
 *   requirements.txt   the packages the pyfunc flavor loads with (pinned)
 *   conda.yaml         the same for conda
 *   python_env.yaml    the same for virtualenv
 *
 * The signature's inputs are the model's features in its order, each a `double` column (the ONNX
 * input is double; a float64 DataFrame, what pandas reads from CSV, passes MLflow's schema check
 * as it is); the outputs are `label` (int64) and `probability` (float32), one value per row.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/index.js';
import type { Model } from './format.js';
import { hasOnnx, modelToOnnx, ONNX_FILE, ONNX_OUTPUTS } from './onnx.js';

/** The environment MLmodel names: the versions the export is tested with (test/reference/requirements.txt). */
export const MLFLOW_MODEL_ENV = {
  pythonVersion: '3.11.7',
  requirements: ['mlflow==3.17.2', 'numpy==2.2.6', 'onnx==1.23.2', 'onnxruntime==1.31.1'],
  onnxVersion: '1.23.2',
  mlflowVersion: '3.17.2',
} as const;

/** The files of an MLflow model directory, besides model.json. */
export const MLFLOW_MODEL_FILES = ['MLmodel', ONNX_FILE, 'requirements.txt', 'conda.yaml', 'python_env.yaml'] as const;

/** Whether a model can be written as an MLflow model (an ONNX graph exists for its family: all of them today). */
export function hasMlflowModel(model: Pick<Model, 'modelType' | 'forest' | 'boosting' | 'network'>): boolean {
  return hasOnnx(model);
}

/** A YAML single-quoted scalar. */
const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The MLmodel file's text. */
export function mlmodelText(model: Model, now = new Date()): string {
  const inputs = JSON.stringify(model.features.map((name) => ({ type: 'double', name, required: true })));
  const outputs = JSON.stringify([
    { name: ONNX_OUTPUTS.label, type: 'tensor', 'tensor-spec': { dtype: 'int64', shape: [-1] } },
    { name: ONNX_OUTPUTS.probability, type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1] } },
  ]);
  const created = now.toISOString().replace('T', ' ').replace('Z', '000');
  return [
    'flavors:',
    '  onnx:',
    '    code: null',
    `    data: ${ONNX_FILE}`,
    '    onnx_session_options: null',
    `    onnx_version: ${MLFLOW_MODEL_ENV.onnxVersion}`,
    '    providers:',
    '    - CPUExecutionProvider',
    '  python_function:',
    `    data: ${ONNX_FILE}`,
    '    env:',
    '      conda: conda.yaml',
    '      virtualenv: python_env.yaml',
    '    loader_module: mlflow.onnx',
    `    python_version: ${MLFLOW_MODEL_ENV.pythonVersion}`,
    'is_signature_from_type_hint: false',
    `mlflow_version: ${MLFLOW_MODEL_ENV.mlflowVersion}`,
    'model_id: null',
    `model_uuid: ${randomUUID().replace(/-/g, '')}`,
    'prompts: null',
    'signature:',
    `  inputs: ${quoted(inputs)}`,
    `  outputs: ${quoted(outputs)}`,
    '  params: null',
    'type_hint_from_example: false',
    `utc_time_created: ${quoted(created)}`,
    '',
  ].join('\n');
}

/** requirements.txt, conda.yaml and python_env.yaml, as mlflow.onnx.save_model writes them. */
export function environmentFiles(): Record<'requirements.txt' | 'conda.yaml' | 'python_env.yaml', string> {
  const { pythonVersion, requirements } = MLFLOW_MODEL_ENV;
  return {
    'requirements.txt': requirements.join('\n') + '\n',
    'conda.yaml': ['channels:', '- conda-forge', 'dependencies:', `- python=${pythonVersion}`, '- pip<=23.2.1', '- pip:', ...requirements.map((r) => `  - ${r}`), 'name: mlflow-env', ''].join('\n'),
    'python_env.yaml': [`python: ${pythonVersion}`, 'build_dependencies:', '- pip==23.2.1', '- setuptools==65.5.0', '- wheel', 'dependencies:', '- -r requirements.txt', ''].join('\n'),
  };
}

/**
 * Write the MLflow model files of a model into `dir` (each atomically; MLmodel last, so a
 * folder with an MLmodel has all its files). Returns the paths written, MLmodel last.
 */
export async function writeMlflowModel(model: Model, dir: string, now = new Date()): Promise<string[]> {
  const written: string[] = [];
  const put = async (name: string, data: string | Uint8Array) => {
    const file = join(dir, name);
    await writeFileAtomic(file, data);
    written.push(file);
  };
  await put(ONNX_FILE, modelToOnnx(model));
  for (const [name, text] of Object.entries(environmentFiles())) await put(name, text);
  await put('MLmodel', mlmodelText(model, now));
  return written;
}
