/**
 * The CLI's side of rendering: colour (ANSI, only when stdout is a terminal, NO_COLOR unset and
 * TERM not dumb) as the TextStyle the engine's renderers take, and writing JSON to stdout. The
 * text helpers themselves live in engine/report (text.ts).
 */
import { jsonText, type TextStyle } from '../engine/report/index.js';

export { table, fixed, counted } from '../engine/report/index.js';

const useColor = () => process.stdout.isTTY === true && !('NO_COLOR' in process.env) && process.env['TERM'] !== 'dumb';

export function paint(text: string, code: number): string {
  return useColor() ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** The style of the CLI's human output (decided per call: the terminal and NO_COLOR as they are then). */
export const style: TextStyle = {
  bold: (t) => paint(t, 1),
  red: (t) => paint(t, 31),
  yellow: (t) => paint(t, 33),
  green: (t) => paint(t, 32),
};

/** Write JSON to stdout (NaN and infinities as strings, so the output stays valid JSON). */
export function printJson(value: unknown): void {
  process.stdout.write(jsonText(value));
}
