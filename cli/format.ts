/** Plain-text rendering helpers for the CLI's human output (tables on stdout). */

const useColor = () => process.stdout.isTTY === true && !('NO_COLOR' in process.env) && process.env['TERM'] !== 'dumb';

export function paint(text: string, code: number): string {
  return useColor() ? `\u001b[${code}m${text}\u001b[0m` : text;
}

export const bold = (t: string) => paint(t, 1);
export const red = (t: string) => paint(t, 31);
export const yellow = (t: string) => paint(t, 33);
export const green = (t: string) => paint(t, 32);

/** A left/right aligned text table; numbers right-aligned. */
export function table(header: string[], rows: string[][], rightAligned: boolean[] = []): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => visibleLength(r[c] ?? ''))));
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

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

export function fixed(value: number, digits = 4): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

export function actionText(action: string): string {
  return action === 'retrain' ? red(bold(action)) : action === 'alert' ? yellow(bold(action)) : green(bold(action));
}

/** Write JSON to stdout (NaN and infinities as strings, so the output stays valid JSON). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1) + '\n');
}
