/**
 * The demo's report: one line per generated batch (its verdict, overall score and the top drifted
 * features), where the files are, how long it took. The demo's JSON is its result itself.
 */
import type { DriftReport } from '../drift/index.js';
import { renderDriftSummary } from './drift.js';
import { PLAIN, type TextStyle } from './text.js';

/** What the demo's rendering needs of its result (engine/demo.ts DemoResult). */
export interface DemoSummary {
  dir: string;
  profile: string;
  batches: ReadonlyArray<{ drift: string; file: string; report: DriftReport }>;
  seconds: number;
}

export function renderDemo(result: DemoSummary, options: { style?: TextStyle; next?: string } = {}): string {
  const style = options.style ?? PLAIN;
  const lines = [`\n${style.bold('driftcatcher demo')}: baseline ${result.profile}`];
  for (const batch of result.batches) lines.push(`  batch ${batch.drift.padEnd(6)} -> ${renderDriftSummary(batch.report, 5, style)}`);
  lines.push(`files in ${result.dir}; finished in ${result.seconds.toFixed(1)} s`);
  if (options.next) lines.push(options.next);
  return lines.join('\n');
}
