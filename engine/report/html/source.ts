/**
 * Where `driftcatcher report` finds the drift report to render: a JSON file (`check --json`,
 * `scan --json`, or a run's `drift_report.json`), or a run of the local ledger by its id (or its
 * MLflow run id), whose DRIFT_REPORT_JSON artifact holds the report.
 */
import { readFile } from 'node:fs/promises';
import type { DriftReport, ScanReport } from '../../drift/index.js';
import { InputError } from '../../util/index.js';
import { Ledger, resolveTracking, type TrackingOptions } from '../../tracking/index.js';
import { DRIFT_REPORT_JSON } from '../drift.js';

export type DriftSource = { kind: 'check'; report: DriftReport; from: string } | { kind: 'scan'; scan: ScanReport; from: string };

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };
/** Fields that hold text, never a number written as "NaN" (a feature may be named so). */
const TEXT_FIELDS = new Set(['name', 'file', 'files', 'category', 'feature', 'id', 'method', 'column', 'message']);

/** The report in `text` (numbers that JSON cannot hold written as "NaN", "Infinity", "-Infinity"). */
export function parseDriftJson(text: string, from: string): DriftSource {
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => (typeof v === 'string' && !TEXT_FIELDS.has(key) && v in NON_FINITE ? NON_FINITE[v] : v));
  } catch (err) {
    throw new InputError(`not JSON (${(err as Error).message})`, { file: from });
  }
  const isReport = (x: unknown): x is DriftReport => x !== null && typeof x === 'object' && Array.isArray((x as DriftReport).features) && typeof (x as DriftReport).settings === 'object';
  if (value !== null && typeof value === 'object' && 'combined' in value && isReport((value as ScanReport).combined) && Array.isArray((value as ScanReport).files)) return { kind: 'scan', scan: value as ScanReport, from };
  if (isReport(value)) return { kind: 'check', report: value, from };
  throw new InputError(`not a drift report (expected the JSON of \`check --json\`, \`scan --json\` or a run's ${DRIFT_REPORT_JSON})`, { file: from });
}

/** A file path, else a ledger run id (or MLflow run id of a ledger run). */
export async function readDriftSource(ref: string, options: TrackingOptions = {}): Promise<DriftSource> {
  const text = await readFile(ref, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'ENAMETOOLONG') return undefined;
    throw new InputError(`cannot be read (${err.code ?? err.message})`, { file: ref });
  });
  if (text !== undefined) return parseDriftJson(text, ref);
  const ledger = new Ledger(resolveTracking(options).ledgerDir);
  const runs = await ledger.list();
  const run = runs.find((r) => r.id === ref || r.sync.mlflow_run_id === ref);
  if (!run) throw new InputError(`neither a file nor a run in the ledger ${ledger.dir} (give a drift JSON file, or a run id from \`driftcatcher mlflow status\`)`, { file: ref });
  if (!run.artifacts.some((a) => a.path === DRIFT_REPORT_JSON)) {
    throw new InputError(`run ${run.id} (${run.run_name}) has no ${DRIFT_REPORT_JSON} artifact: it is not a drift check, or was recorded by an older version (check the batch again)`, { file: ledger.runDir(run.id) });
  }
  return parseDriftJson((await ledger.readArtifact(run.id, DRIFT_REPORT_JSON)).toString('utf8'), `run ${run.id} (${run.run_name})`);
}
