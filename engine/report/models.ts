/**
 * The model registry views: `models list` (the local registry's versions beside the tracking
 * server's, with aliases, stages, test metrics and the data each was trained on) and
 * `models compare` (two versions side by side). The model code loads only when a view is built.
 */
import type { ModelComparisonResult, ModelVersion, RegistryOptions } from '../model/index.js';
import { serverRegistry, type ServerRegistryView, type TrackingOptions } from '../tracking/index.js';
import { PLAIN, fixed, table, type TextStyle } from './text.js';

export interface ModelsOverview {
  registry: string;
  name: string;
  /** the local registry's versions with their aliases */
  local: Array<ModelVersion & { aliases: string[]; training_data: string }>;
  server: ServerRegistryView;
}

/** What `data` and `new_data` of a version's params name, with its training rows. */
function trainingData(version: ModelVersion): string {
  const files = [version.params['data'], version.params['new_data']].filter((f): f is string => typeof f === 'string' && f !== '');
  const rows = version.params['train_rows'];
  return `${files.join(' + ') || '-'}${typeof rows === 'number' ? ` (${rows} rows)` : ''}`;
}

/** The local registry's versions, and the server's when a tracking server is configured. */
export async function modelsOverview(options: RegistryOptions & { tracking?: TrackingOptions } = {}): Promise<ModelsOverview> {
  const { listModels, REGISTRY_DEFAULTS } = await import('../model/index.js');
  const name = options.registeredModel ?? REGISTRY_DEFAULTS.registeredModel;
  const local = await listModels(options);
  const server = await serverRegistry(name, options.tracking);
  const aliasesOf = (v: number) => Object.entries(local.aliases).filter(([, n]) => n === v).map(([a]) => a);
  return { registry: local.registry, name, local: local.versions.map((v) => ({ ...v, aliases: aliasesOf(v.version), training_data: trainingData(v) })), server };
}

/** The text of `models list`: one row per version, local and server side by side. */
export function renderModelsList(view: ModelsOverview, style: TextStyle = PLAIN): string {
  const listed = view.server.state === 'listed';
  const byLocal = new Map(view.server.versions.filter((v) => v.local_version !== null).map((v) => [v.local_version!, v]));
  const rows: string[][] = view.local.map((v) => {
    const remote = byLocal.get(v.version);
    const cells = [`v${v.version}`, v.model_type, fixed(v.metrics['roc_auc'] ?? NaN, 6), fixed(v.metrics['accuracy'] ?? NaN, 6), v.training_data, v.created, v.aliases.join(', '), v.stage ?? ''];
    return listed ? [...cells, remote ? remote.version : '-', remote ? remote.aliases.join(', ') : '', remote?.stage ?? ''] : cells;
  });
  if (listed) {
    for (const v of view.server.versions) {
      if (v.local_version !== null && view.local.some((l) => l.version === v.local_version)) continue;
      rows.push(['-', '', '', '', '', '', '', '', v.version, v.aliases.join(', '), v.stage ?? '']);
    }
  }
  const header = ['version', 'model', 'roc_auc', 'accuracy', 'training data', 'created', 'aliases', 'stage', ...(listed ? ['mlflow version', 'mlflow aliases', 'mlflow stage'] : [])];
  const right = header.map((h) => h === 'roc_auc' || h === 'accuracy');
  return [`${style.bold(view.name)} in ${view.registry}; ${view.server.message}`, table(header, rows, right)].join('\n');
}

const value = (x: unknown): string => (x === undefined ? '-' : x === null ? 'null' : typeof x === 'number' ? String(x) : String(x));
/** The confusion counts as integers, the rest with 6 decimals. */
const isCount = (metric: string) => /^(true|false)_(positives|negatives)$/.test(metric);
const shownAs = (metric: string) => (x: number): string => (isCount(metric) ? String(x) : fixed(x, 6));
const signedAs = (metric: string) => (x: number | null): string => (x === null ? '-' : `${x > 0 ? '+' : ''}${shownAs(metric)(x)}`);

/** The text of `models compare`: the two versions, metrics and their difference, training data, differing parameters, the holdout. */
export function renderModelComparison(result: ModelComparisonResult, style: TextStyle = PLAIN): string {
  const { a, b } = result.models;
  const name = (m: typeof a) => `${m.ref}${m.version !== null ? ` = v${m.version}` : ''} (${m.model_type}${m.aliases.length ? `; ${m.aliases.join(', ')}` : ''}${m.stage ? `; ${m.stage}` : ''})`;
  const data = (m: typeof a) => (m.training_data ? `${m.training_data.files.map((f) => f.file).join(' + ')}${m.training_data.train_rows !== null ? `, ${m.training_data.train_rows} train / ${m.training_data.test_rows} test rows` : ''}` : '-');
  const metricRows = result.metrics.map((m) => {
    const shown = shownAs(m.metric);
    return [m.metric, m.a === null ? '-' : shown(m.a), m.b === null ? '-' : shown(m.b), signedAs(m.metric)(m.difference)];
  });
  const differing = result.params.filter((p) => !p.same);
  const lines = [
    `A = ${name(a)}`,
    `B = ${name(b)}`,
    '',
    style.bold('test metrics at training (each on its own holdout)'),
    table(['metric', 'A', 'B', 'B - A'], metricRows, [false, true, true, true]),
    '',
    `training data: A ${data(a)}; B ${data(b)}`,
    '',
    style.bold(`parameters: ${differing.length} of ${result.params.length} differ`),
    differing.length ? table(['param', 'A', 'B'], differing.map((p) => [p.param, value(p.a), value(p.b)])) : '(the same)',
    '',
  ];
  const h = result.holdout;
  if (h) {
    const rows = ['roc_auc', 'accuracy', 'precision', 'recall', 'f1_score'].map((m) => [m, fixed(h.metrics.a[m as 'accuracy'], 6), fixed(h.metrics.b[m as 'accuracy'], 6), signedAs(m)(h.difference[m] ?? null)]);
    lines.push(style.bold(`on one holdout: ${result.holdout_note}`), table(['metric', 'A', 'B', 'B - A'], rows, [false, true, true, true]));
  } else lines.push(`not scored on one holdout: ${result.holdout_note}`);
  return lines.join('\n');
}
