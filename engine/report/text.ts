/**
 * Plain-text rendering helpers of the reports (tables, numbers, verdicts). Colour is the caller's
 * concern: a renderer takes a TextStyle (the CLI passes ANSI colours when stdout is a terminal
 * and NO_COLOR is unset); PLAIN adds nothing.
 */

/** How a renderer marks words; each function returns the text with its marks (PLAIN: unchanged). */
export interface TextStyle {
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

const same = (text: string) => text;
export const PLAIN: TextStyle = Object.freeze({ bold: same, red: same, yellow: same, green: same });

/** A left/right aligned text table (right-aligned columns for numbers); styled cells keep their width. */
export function table(header: string[], rows: string[][], rightAligned: boolean[] = []): string {
  const widths = header.map((h, c) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[c] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => {
        const pad = ' '.repeat(widths[c]! - visibleLength(cell));
        return rightAligned[c] ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Length as shown: the SGR escape sequences a style adds take no room. */
function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/** A number with `digits` decimals; NaN and infinities as words. */
export function fixed(value: number, digits = 4): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

/** n and a noun that takes an s when n is not 1: `1 feature`, `78 features`. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A verdict in bold, red for retrain, yellow for alert, green otherwise. */
export function actionText(action: string, style: TextStyle = PLAIN): string {
  return action === 'retrain' ? style.red(style.bold(action)) : action === 'alert' ? style.yellow(style.bold(action)) : style.green(style.bold(action));
}

/** JSON text with NaN and infinities as strings, so that it stays valid JSON (one space indent). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1) + '\n';
}

/** Text for a one-line message: quoted, control characters (C0, DEL, C1) escaped. */
export function quoted(text: string): string {
  // eslint-disable-next-line no-control-regex
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
