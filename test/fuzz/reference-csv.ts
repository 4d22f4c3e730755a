/**
 * An independent, deliberately slow and simple CSV reader for the fuzz harness: the oracle the
 * engine's readers (engine/io) are checked against. It shares no code with engine/io and is
 * written from the data rules of DESIGN.md and README.md, one byte at a time:
 *
 * - header: a UTF-8 BOM at the start of the file and blank lines before the header are skipped;
 *   the header line ends at the first line feed outside quotes (a quote toggles quoting anywhere
 *   in a header field, `""` inside quotes is a quote); a CR ending the line is dropped; names are
 *   decoded (UTF-8, else windows-1252), trimmed, empty ones named `Unnamed: <index>`, and repeats
 *   numbered the pandas way (`x`, `x.1`, ...).
 * - data rows: a record ends at a line feed outside quotes; LF or CRLF; a blank line (`\n`,
 *   `\r\n`, a lone `\r` at the end of the file) is skipped; a quote opens a quoted field only as
 *   the field's first byte (`""` inside is a quote), and bytes after its closing quote up to the
 *   field's end belong to it; any other quote is an ordinary byte.
 * - numbers: `[+-]digits[.digits][e[+-]digits]` (either side of the point may be empty, not
 *   both), or `inf`, `infinity`, `nan` in any case with an optional sign, with spaces and tabs
 *   around; an empty (or blank) cell is NaN; the value is what `Number()` gives for the text.
 *   Anything else in a feature column is an error naming line and column, or with `coerce` a NaN
 *   counted as coerced. Non-finite values are counted per column: NaN, +Infinity, -Infinity.
 * - labels: the cell's bytes (a quoted one unquoted), decoded UTF-8 or else windows-1252, as
 *   read back through apache-arrow (whose UTF-8 decoding drops one leading U+FEFF).
 * - limits: a header line or a record longer than `maxLineBytes` (its terminating line end not
 *   counted) is an error, whatever else is wrong with it; the first problem in file order wins;
 *   within a record, cells are checked left to right and the field count last.
 */

const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const QUOTE = 0x22;

export type ColumnRole = 'feature' | 'label' | 'skip';

export interface ReferenceOptions {
  /** the longest header line or record, in bytes */
  maxLineBytes: number;
  /** non-numeric text in a feature column becomes a counted NaN */
  coerce?: boolean;
  /**
   * the role of each column from the normalised names: readTable's rule (label `Label` if present,
   * `exclude` names skipped, all others features) or a scan's (the baseline's features, the rest
   * skipped). May throw a ReferenceError of kind `schema`.
   */
  roles: (names: string[]) => ColumnRole[];
}

export type ErrorKind = 'empty' | 'line-limit' | 'not-a-number' | 'ragged' | 'unclosed' | 'no-data' | 'schema';

export class ReferenceError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly line?: number,
    readonly column?: string | number,
    readonly fields?: { expected: number; found: number },
  ) {
    super(`${kind}${line !== undefined ? ` at line ${line}` : ''}${column !== undefined ? ` column ${JSON.stringify(column).slice(0, 200)}` : ''}`);
  }
}

export interface ColumnCounts {
  nan: number;
  posInf: number;
  negInf: number;
  coerced: number;
}

export interface ReferenceTable {
  names: string[];
  roles: ColumnRole[];
  rows: number;
  /** per feature column (in file order), its values */
  features: Map<string, number[]>;
  counts: Map<string, ColumnCounts>;
  labelName?: string;
  labels: string[];
}

/** Read a whole CSV file's bytes. Throws ReferenceError for bad input. */
export function referenceRead(bytes: Uint8Array, options: ReferenceOptions): ReferenceTable {
  const header = readHeader(bytes, options.maxLineBytes);
  const names = dedupe(header.fields.map((field, index) => {
    const name = decode(field).trim();
    return name === '' ? `Unnamed: ${index}` : name;
  }), header.fields.map((field) => decode(field).trim() === ''));
  const roles = options.roles(names);
  const table: ReferenceTable = { names, roles, rows: 0, features: new Map(), counts: new Map(), labels: [] };
  names.forEach((name, c) => {
    if (roles[c] === 'feature') {
      table.features.set(name, []);
      table.counts.set(name, { nan: 0, posInf: 0, negInf: 0, coerced: 0 });
    } else if (roles[c] === 'label') {
      table.labelName = name;
    }
  });

  let pos = header.end;
  // the first data line: after the header's own line feeds (a quoted name may hold some)
  let line = header.line + 1;
  for (let p = header.start; p < header.end - 1; p++) if (bytes[p] === LF) line++;
  const n = bytes.length;
  while (pos < n) {
    // blank lines
    if (bytes[pos] === LF) {
      pos++;
      line++;
      continue;
    }
    if (bytes[pos] === CR && (pos + 1 === n || bytes[pos + 1] === LF)) {
      pos += pos + 1 === n ? 1 : 2;
      line++;
      continue;
    }
    const record = splitRecord(bytes, pos);
    let length = record.end - pos;
    if (length > 0 && bytes[record.end - 1] === CR) length--;
    if (length > options.maxLineBytes) throw new ReferenceError('line-limit', line, columnAt(names, record.cells, pos + options.maxLineBytes));

    for (let c = 0; c < record.cells.length; c++) {
      const cell = record.cells[c]!;
      if (cell.unclosed) throw new ReferenceError('unclosed', line);
      const role = c < names.length ? roles[c] : 'skip';
      const name = names[c]!;
      if (role === 'feature') {
        const value = parseNumber(cell.content);
        const counts = table.counts.get(name)!;
        if (value === undefined) {
          if (!options.coerce) throw new ReferenceError('not-a-number', line, name);
          counts.coerced++;
          table.features.get(name)!.push(NaN);
          continue;
        }
        if (Number.isNaN(value)) counts.nan++;
        else if (value === Infinity) counts.posInf++;
        else if (value === -Infinity) counts.negInf++;
        table.features.get(name)!.push(value);
      } else if (role === 'label') {
        table.labels.push(decode(cell.content).replace(/^\ufeff/, ''));
      }
    }
    if (record.cells.length !== names.length) throw new ReferenceError('ragged', line, undefined, { expected: names.length, found: record.cells.length });
    table.rows++;
    for (let p = pos; p < record.next; p++) if (bytes[p] === LF) line++;
    pos = record.next;
  }
  if (table.rows === 0) throw new ReferenceError('no-data');
  return table;
}

// ---------------------------------------------------------------------------------------------

interface Header {
  fields: Uint8Array[];
  /** offset of the header line's first byte, and of the first byte after its line end */
  start: number;
  end: number;
  /** the line number of its first byte */
  line: number;
}

function readHeader(bytes: Uint8Array, maxLineBytes: number): Header {
  let p = 0;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) p = 3;
  let line = 1;
  while (p < bytes.length && (bytes[p] === LF || bytes[p] === CR)) {
    if (bytes[p] === LF) line++;
    p++;
  }
  if (p >= bytes.length) throw new ReferenceError('empty');
  const start = p;
  let quoted = false;
  while (p < bytes.length && !(bytes[p] === LF && !quoted)) {
    if (bytes[p] === QUOTE) quoted = !quoted;
    p++;
  }
  const lineEnd = p;
  const end = p < bytes.length ? p + 1 : p;
  let length = lineEnd - start;
  if (length > 0 && bytes[lineEnd - 1] === CR && !quoted) length--;
  if (length > maxLineBytes) {
    let column = 1;
    let inQuotes = false;
    for (let q = start; q < start + maxLineBytes; q++) {
      if (bytes[q] === QUOTE) inQuotes = !inQuotes;
      else if (bytes[q] === COMMA && !inQuotes) column++;
    }
    throw new ReferenceError('line-limit', line, column);
  }

  // split into fields
  const fields: Uint8Array[] = [];
  let field: number[] = [];
  let inQuotes = false;
  for (let q = start; q < lineEnd; q++) {
    const c = bytes[q]!;
    if (inQuotes) {
      if (c !== QUOTE) field.push(c);
      else if (q + 1 < lineEnd && bytes[q + 1] === QUOTE) {
        field.push(QUOTE);
        q++;
      } else inQuotes = false;
    } else if (c === QUOTE) inQuotes = true;
    else if (c === COMMA) {
      fields.push(Uint8Array.from(field));
      field = [];
    } else field.push(c);
  }
  if (field.length > 0 && field[field.length - 1] === CR && !inQuotes) field.pop();
  fields.push(Uint8Array.from(field));
  return { fields, start, end, line };
}

interface Cell {
  content: Uint8Array;
  /** first byte of the cell in the file */
  start: number;
  unclosed: boolean;
}

interface RecordSplit {
  cells: Cell[];
  /** the index of the line feed ending the record, or the file's length */
  end: number;
  /** the first byte after the record */
  next: number;
}

function splitRecord(bytes: Uint8Array, start: number): RecordSplit {
  const n = bytes.length;
  const cells: Cell[] = [];
  let p = start;
  for (;;) {
    const cellStart = p;
    const content: number[] = [];
    let unclosed = false;
    if (bytes[p] === QUOTE) {
      p++;
      for (;;) {
        if (p >= n) {
          unclosed = true;
          break;
        }
        if (bytes[p] === QUOTE) {
          if (p + 1 < n && bytes[p + 1] === QUOTE) {
            content.push(QUOTE);
            p += 2;
            continue;
          }
          p++;
          break;
        }
        content.push(bytes[p]!);
        p++;
      }
      while (!unclosed && p < n && bytes[p] !== COMMA && bytes[p] !== LF && !(bytes[p] === CR && bytes[p + 1] === LF)) {
        content.push(bytes[p]!);
        p++;
      }
      // at the end of the file, a CR after the closing quote ends the line like a CRLF
      if (!unclosed && p === n && content.length > 0 && bytes[n - 1] === CR && content[content.length - 1] === CR) content.pop();
    } else {
      while (p < n && bytes[p] !== COMMA && bytes[p] !== LF) {
        content.push(bytes[p]!);
        p++;
      }
      if (content.length > 0 && content[content.length - 1] === CR && (p === n || bytes[p] === LF)) content.pop();
    }
    cells.push({ content: Uint8Array.from(content), start: cellStart, unclosed });
    if (unclosed || p >= n) return { cells, end: n, next: n };
    if (bytes[p] === COMMA) {
      p++;
      if (p === n) {
        // a comma as the file's last byte: one more, empty, cell
        cells.push({ content: new Uint8Array(0), start: p, unclosed: false });
        return { cells, end: n, next: n };
      }
      continue;
    }
    if (bytes[p] === CR) p++; // CRLF
    return { cells, end: p, next: p + 1 };
  }
}

/** The name (or 1-based number past the header's columns) of the cell holding byte `offset`. */
function columnAt(names: string[], cells: Cell[], offset: number): string | number {
  let index = 0;
  for (let c = 0; c < cells.length; c++) if (cells[c]!.start <= offset) index = c;
  return names[index] ?? index + 1;
}

const isDigit = (code: number) => code >= 0x30 && code <= 0x39;
const isBlank = (code: number) => code === 0x20 || code === 0x09;

/**
 * The number a cell holds, or undefined when it is not one. A scanner rather than a regular
 * expression: the obvious patterns backtrack quadratically on a megabyte of blanks or digits.
 */
function parseNumber(content: Uint8Array): number | undefined {
  let start = 0;
  let end = content.length;
  while (start < end && isBlank(content[start]!)) start++;
  while (end > start && isBlank(content[end - 1]!)) end--;
  if (start === end) return NaN; // empty or blank
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(content[i]!);
  const lower = text.toLowerCase();
  const unsigned = lower[0] === '+' || lower[0] === '-' ? lower.slice(1) : lower;
  if (unsigned === 'inf' || unsigned === 'infinity') return lower[0] === '-' ? -Infinity : Infinity;
  if (unsigned === 'nan') return NaN;
  // [+-] digits [. digits] [e [+-] digits], with at least one digit before the exponent
  let p = lower[0] === '+' || lower[0] === '-' ? 1 : 0;
  let digits = 0;
  while (p < text.length && isDigit(text.charCodeAt(p))) (p++, digits++);
  if (text[p] === '.') {
    p++;
    while (p < text.length && isDigit(text.charCodeAt(p))) (p++, digits++);
  }
  if (digits === 0) return undefined;
  if (lower[p] === 'e') {
    p++;
    if (text[p] === '+' || text[p] === '-') p++;
    let exponentDigits = 0;
    while (p < text.length && isDigit(text.charCodeAt(p))) (p++, exponentDigits++);
    if (exponentDigits === 0) return undefined;
  }
  return p === text.length ? Number(text) : undefined;
}

/** windows-1252 for bytes 0x80..0x9f; the five undefined ones stay as C1 code points. */
const CP1252: Record<number, number> = {
  0x80: 0x20ac, 0x82: 0x201a, 0x83: 0x0192, 0x84: 0x201e, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021, 0x88: 0x02c6,
  0x89: 0x2030, 0x8a: 0x0160, 0x8b: 0x2039, 0x8c: 0x0152, 0x8e: 0x017d, 0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201c,
  0x94: 0x201d, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02dc, 0x99: 0x2122, 0x9a: 0x0161, 0x9b: 0x203a,
  0x9c: 0x0153, 0x9e: 0x017e, 0x9f: 0x0178,
};

/** UTF-8 (a BOM kept as U+FEFF) when the bytes are valid UTF-8, else windows-1252. */
export function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return Array.from(bytes, (byte) => String.fromCharCode(CP1252[byte] ?? byte)).join('');
  }
}

/**
 * pandas' de-duplication of header names (parsers.pyx `_get_header`, mangle_dupe_cols): named
 * columns first, then unnamed ones; a repeat of `x` becomes `x.<count>`, passing over any
 * candidate that is already a name in the header.
 */
function dedupe(names: string[], unnamed: boolean[]): string[] {
  const header = [...names];
  const order = [...header.keys()].filter((i) => !unnamed[i]).concat([...header.keys()].filter((i) => unnamed[i]));
  const counts = new Map<string, number>();
  for (const i of order) {
    const old = header[i]!;
    let col = old;
    let count = counts.get(col) ?? 0;
    if (count > 0) {
      while (count > 0) {
        counts.set(old, count + 1);
        col = `${old}.${count}`;
        if (header.includes(col)) count += 1;
        else count = counts.get(col) ?? 0;
      }
      header[i] = col;
    }
    counts.set(col, count + 1);
  }
  return header;
}

/** readTable's column roles: `label` (default `Label`, optional unless asked for) and `exclude` skipped, the rest features. */
export function tableRoles(options: { label?: string; exclude?: readonly string[] }): (names: string[]) => ColumnRole[] {
  return (names) => {
    const label = (options.label ?? 'Label').trim();
    if (options.label !== undefined && !names.includes(label)) throw new ReferenceError('schema', undefined, label);
    const excluded = new Set<string>();
    for (const name of options.exclude ?? []) {
      if (!names.includes(name.trim())) throw new ReferenceError('schema', undefined, name.trim());
      excluded.add(name.trim());
    }
    // the first column of a name is the one found (names are unique after de-duplication)
    return names.map((name) => (name === label ? 'label' : excluded.has(name) ? 'skip' : 'feature'));
  };
}

/** A scan's column roles: the baseline's features (each must be in the file), the rest skipped. */
export function scanRoles(features: readonly string[]): (names: string[]) => ColumnRole[] {
  return (names) => {
    // (the engine names the feature in the message, not as the error's column)
    for (const feature of features) if (!names.includes(feature)) throw new ReferenceError('schema');
    const wanted = new Set(features);
    return names.map((name) => (wanted.has(name) ? 'feature' : 'skip'));
  };
}
