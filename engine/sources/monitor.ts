/**
 * Performance of a window of a source (`monitor --from`): the labelled rows of [from, until)
 * (a NULL or absent label: not known yet, left out) as the y_true, y_pred and y_prob that
 * `monitor <file>` reads, evaluated by engine/monitor. The label, prediction and probability
 * columns are pulled (three columns, bounded by maxRows); the probability is optional.
 */
// engine/monitor (the registry, the metrics) loads when a window is monitored, not with the sources
import type { MonitorOptions, PerformanceReport, Predictions } from '../monitor/index.js';
import { InputError, SchemaError } from '../util/index.js';
import { resolveSourceOptions, type SourceOptions } from './options.js';
import type { Source } from './types.js';
import { chunkWindows, windowJson, windowText, type TimeWindow } from './window.js';

export interface SourceMonitorOptions extends SourceOptions, MonitorOptions {}

/** The performance of one window: the report `monitor` gives the same labelled rows, and the rows left out for want of a label. */
export interface WindowPerformance {
  window: ReturnType<typeof windowJson>;
  report: PerformanceReport;
  unlabelled_rows: number;
}

/** The performance of a window; a window without labelled rows is an InputError. */
export async function monitorSourceWindow(source: Source, window: TimeWindow, options: SourceMonitorOptions = {}): Promise<WindowPerformance> {
  const pulled = await labelledRows(source, window, options);
  if (pulled.predictions.rows === 0) throw new InputError(`${pulled.predictions.file}: no labelled rows (${pulled.rows} rows, none with a ${JSON.stringify(resolveSourceOptions(options).labelColumn)})`);
  const { evaluatePerformance } = await import('../monitor/index.js');
  return { window: windowJson(window), report: await evaluatePerformance(pulled.predictions, options), unlabelled_rows: pulled.rows - pulled.predictions.rows };
}

/** One performance per chunk of the period: chunks without labelled rows are listed with a null report. */
export async function monitorSourceChunks(source: Source, period: TimeWindow, chunkMs: number, options: SourceMonitorOptions = {}): Promise<Array<WindowPerformance | { window: ReturnType<typeof windowJson>; report: null; unlabelled_rows: number }>> {
  const { evaluatePerformance } = await import('../monitor/index.js');
  const out: Array<WindowPerformance | { window: ReturnType<typeof windowJson>; report: null; unlabelled_rows: number }> = [];
  for (const window of chunkWindows(period, chunkMs)) {
    const pulled = await labelledRows(source, window, options);
    const unlabelled = pulled.rows - pulled.predictions.rows;
    out.push({ window: windowJson(window), report: pulled.predictions.rows === 0 ? null : await evaluatePerformance(pulled.predictions, options), unlabelled_rows: unlabelled });
  }
  return out;
}

/** The window's labelled rows as predictions, and how many rows it has. */
async function labelledRows(source: Source, window: TimeWindow, options: SourceOptions): Promise<{ predictions: Predictions; rows: number }> {
  const resolved = resolveSourceOptions(options);
  const available = new Set((await source.columns()).map((c) => c.name));
  for (const [name, flag] of [[resolved.labelColumn, '--label'], [resolved.predictionColumn, '--predicted-column']] as const) {
    if (!available.has(name)) throw new SchemaError(`${source.description}: no column ${JSON.stringify(name)} (${flag} names it): monitoring needs the label and the prediction`, { column: name });
  }
  const hasProb = available.has(resolved.probabilityColumn);
  const where = `${source.description} ${windowText(window)}`;
  const rows = await source.countRows(window);
  if (rows > resolved.maxRows) throw new InputError(`${where}: ${rows} rows, more than the ${resolved.maxRows} monitoring pulls (raise --max-rows or shorten the window)`, { option: 'maxRows' });
  const yTrue = new Uint8Array(rows);
  const yPred = new Uint8Array(rows);
  const yProb = hasProb ? new Float64Array(rows) : null;
  const binary = (value: number, name: string): number => {
    if (value === 0 || value === 1) return value;
    throw new InputError(`${where}: column ${JSON.stringify(name)} must be 0 or 1 in a labelled row, got ${Number.isNaN(value) ? 'NULL' : value}`);
  };
  let labelled = 0;
  let seen = 0;
  const columns = [resolved.labelColumn, resolved.predictionColumn, ...(hasProb ? [resolved.probabilityColumn] : [])];
  for await (const batch of source.batches(window, columns)) {
    // rows that arrived after the count: the bound holds, the report is of the rows counted
    const take = Math.min(batch.rows, rows - seen);
    const [labels, predictions, probabilities] = batch.columns;
    for (let i = 0; i < take; i++) {
      const label = labels![i]!;
      if (Number.isNaN(label)) continue;
      yTrue[labelled] = binary(label, resolved.labelColumn);
      yPred[labelled] = binary(predictions![i]!, resolved.predictionColumn);
      if (yProb) {
        const p = probabilities![i]!;
        if (!(p >= 0 && p <= 1)) throw new InputError(`${where}: column ${JSON.stringify(resolved.probabilityColumn)} must be a probability from 0 to 1 in a labelled row, got ${Number.isNaN(p) ? 'NULL' : p}`);
        yProb[labelled] = p;
      }
      labelled++;
    }
    seen += take;
    if (seen === rows) break;
  }
  return { predictions: { file: where, format: 'source', rows: labelled, yTrue: yTrue.slice(0, labelled), yPred: yPred.slice(0, labelled), yProb: yProb ? yProb.slice(0, labelled) : null }, rows: seen };
}
