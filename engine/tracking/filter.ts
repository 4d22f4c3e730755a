/**
 * MLflow's run search filter (`search_runs(filter_string=...)`), parsed once and evaluated on runs
 * of the ledger, so that `runs list --filter` means the same with and without a server (on a
 * server the text itself goes to runs/search). The grammar (docs/RUNS.md):
 *
 *   filter     := comparison ( AND comparison )*
 *   comparison := entity '.' key comparator value
 *   entity     := metrics | params | tags | attributes (also metric, param(eter)(s), tag, attribute, attr, run)
 *   key        := a bare name ([A-Za-z0-9_.:]+) | `back-quoted` | "double-quoted"
 *   comparator := = | != | > | >= | < | <=      (metrics; start_time, end_time, created)
 *               | = | != | LIKE | ILIKE          (params, tags; run_id, run_name, status, user_id, artifact_uri)
 *   value      := a number | 'single-quoted' | "double-quoted"  (\' \" \\ escapes)
 *
 * A run without the metric, param or tag compared never matches (as on the server). LIKE is
 * case-sensitive, ILIKE not; `%` is any text, `_` any one character. A bad filter is a UsageError
 * naming the character position (1-based) where it goes wrong.
 */
import { UsageError } from '../util/index.js';

export type FilterEntity = 'metrics' | 'params' | 'tags' | 'attributes';
export type FilterComparator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE';

export interface FilterComparison {
  entity: FilterEntity;
  key: string;
  comparator: FilterComparator;
  value: number | string;
  /** 1-based position of the comparison in the filter text */
  position: number;
}

export interface RunFilter {
  /** the filter as given (sent as is to a server) */
  text: string;
  /** every comparison must hold (AND) */
  comparisons: FilterComparison[];
}

/** The fields of a run a filter reads: latest metric values, params, tags and the attributes. */
export interface FilterableRun {
  run_id: string;
  run_name: string;
  status: string;
  start_time: number;
  end_time: number | null;
  user_id?: string;
  artifact_uri?: string;
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

const ENTITIES: Record<string, FilterEntity> = {
  metric: 'metrics',
  metrics: 'metrics',
  param: 'params',
  params: 'params',
  parameter: 'params',
  parameters: 'params',
  tag: 'tags',
  tags: 'tags',
  attribute: 'attributes',
  attributes: 'attributes',
  attr: 'attributes',
  run: 'attributes',
};
const NUMERIC_ATTRIBUTES = ['start_time', 'end_time', 'created'] as const;
const STRING_ATTRIBUTES = ['run_id', 'run_name', 'status', 'user_id', 'artifact_uri'] as const;
const NUMERIC_COMPARATORS: readonly FilterComparator[] = ['=', '!=', '>', '>=', '<', '<='];
const STRING_COMPARATORS: readonly FilterComparator[] = ['=', '!=', 'LIKE', 'ILIKE'];

type Token =
  | { kind: 'word'; text: string; position: number }
  | { kind: 'quoted'; text: string; quote: string; position: number }
  | { kind: 'number'; value: number; text: string; position: number }
  | { kind: 'op'; text: string; position: number }
  | { kind: 'dot'; position: number }
  | { kind: 'end'; position: number };

/** Parse a filter once; an empty text (or only blanks) is no filter (null). */
export function parseRunFilter(text: string): RunFilter | null {
  if (text.trim() === '') return null;
  const tokens = tokenize(text);
  let at = 0;
  const next = () => tokens[at++]!;
  const comparisons: FilterComparison[] = [];
  for (;;) {
    comparisons.push(parseComparison());
    const token = next();
    if (token.kind === 'end') break;
    if (token.kind !== 'word' || token.text.toUpperCase() !== 'AND') {
      fail(token.position, `expected AND or the end of the filter, got ${shown(token)}${token.kind === 'word' && token.text.toUpperCase() === 'OR' ? ' (MLflow filters have no OR)' : ''}`);
    }
  }
  return { text, comparisons };

  function parseComparison(): FilterComparison {
    const start = next();
    if (start.kind !== 'word') fail(start.position, `expected metrics.<key>, params.<key>, tags.<key> or attributes.<key>, got ${shown(start)}`);
    // a bare identifier comes as one word with dots: `metrics.overall_score`, `tags.mlflow.runName`
    const dot = start.text.indexOf('.');
    const entityText = dot < 0 ? start.text : start.text.slice(0, dot);
    const entity = ENTITIES[entityText.toLowerCase()];
    if (!entity) fail(start.position, `expected metrics., params., tags. or attributes. before the key, got "${entityText}"`);
    let key: string;
    if (dot >= 0 && dot < start.text.length - 1) key = start.text.slice(dot + 1);
    else {
      if (dot < 0) {
        const d = next();
        if (d.kind !== 'dot') fail(d.position, `expected "." after ${entityText}, got ${shown(d)}`);
      }
      const k = next();
      if (k.kind === 'quoted' && k.quote !== "'") key = k.text;
      else if (k.kind === 'word' || k.kind === 'number') key = k.text;
      else fail(k.position, `expected a key after ${entityText}. (quote one with spaces or slashes in \`back quotes\`), got ${shown(k)}`);
    }
    if (key === '') fail(start.position, 'the key is empty');
    const opToken = next();
    const comparator = comparatorOf(opToken);
    if (!comparator) fail(opToken.position, `expected a comparator (= != > >= < <= LIKE ILIKE) after ${entityText}.${key}${opToken.kind === 'op' && /[^\w\s]/.test(opToken.text) ? '' : ' (quote a key with spaces or slashes in `back quotes`)'}, got ${shown(opToken)}`);
    const valueToken = next();
    const numeric = entity === 'metrics' || (entity === 'attributes' && (NUMERIC_ATTRIBUTES as readonly string[]).includes(key));
    if (entity === 'attributes' && !numeric && !(STRING_ATTRIBUTES as readonly string[]).includes(key)) {
      fail(start.position, `unknown attribute "${key}" (expected one of ${[...STRING_ATTRIBUTES, ...NUMERIC_ATTRIBUTES].join(', ')})`);
    }
    const allowed = numeric ? NUMERIC_COMPARATORS : STRING_COMPARATORS;
    if (!allowed.includes(comparator)) fail(opToken.position, `${entityText}.${key} compares with ${allowed.join(' ')}, not ${comparator}`);
    let value: number | string;
    if (numeric) {
      if (valueToken.kind !== 'number') fail(valueToken.position, `expected a number after ${entityText}.${key} ${comparator}, got ${shown(valueToken)}`);
      value = valueToken.value;
    } else {
      if (valueToken.kind !== 'quoted' || valueToken.quote === '`') fail(valueToken.position, `expected a quoted string ('...') after ${entityText}.${key} ${comparator}, got ${shown(valueToken)}`);
      value = valueToken.text;
    }
    return { entity, key, comparator, value, position: start.position };
  }

  function comparatorOf(token: Token): FilterComparator | null {
    if (token.kind === 'op') return token.text === '<>' ? '!=' : (NUMERIC_COMPARATORS as readonly string[]).includes(token.text) ? (token.text as FilterComparator) : token.text === '==' ? '=' : null;
    if (token.kind === 'word') {
      const upper = token.text.toUpperCase();
      if (upper === 'LIKE' || upper === 'ILIKE') return upper;
    }
    return null;
  }

  function fail(position: number, detail: string): never {
    throw new UsageError(`bad filter at position ${position}: ${detail}`, { option: 'filter' });
  }

  function tokenize(source: string): Token[] {
    const out: Token[] = [];
    let i = 0;
    while (i < source.length) {
      const c = source[i]!;
      const position = i + 1;
      if (/\s/.test(c)) {
        i++;
      } else if (c === "'" || c === '"' || c === '`') {
        let textValue = '';
        let j = i + 1;
        for (;;) {
          if (j >= source.length) fail(position, `the ${c === '`' ? 'back quote' : 'quote'} ${c} is not closed`);
          const d = source[j]!;
          if (d === '\\' && j + 1 < source.length) {
            textValue += source[j + 1];
            j += 2;
          } else if (d === c) {
            // a doubled quote inside is one quote (SQL's way)
            if (source[j + 1] === c) {
              textValue += c;
              j += 2;
            } else break;
          } else {
            textValue += d;
            j++;
          }
        }
        out.push({ kind: 'quoted', text: textValue, quote: c, position });
        i = j + 1;
      } else if (/[0-9]/.test(c) || ((c === '-' || c === '+' || c === '.') && /[0-9.]/.test(source[i + 1] ?? '') && !(out.at(-1)?.kind === 'word' && c === '.'))) {
        const match = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(source.slice(i));
        const after = match ? source[i + match[0].length] : undefined;
        if (!match || (after !== undefined && /[A-Za-z_]/.test(after))) {
          // a name that starts with a digit (a key such as `1st_metric`)
          const word = /^[\w.:]+/.exec(source.slice(i))?.[0] ?? c;
          out.push({ kind: 'word', text: word, position });
          i += word.length;
        } else {
          out.push({ kind: 'number', value: Number(match[0]), text: match[0], position });
          i += match[0].length;
        }
      } else if (/[A-Za-z_]/.test(c)) {
        const word = /^[\w.:]+/.exec(source.slice(i))![0];
        out.push({ kind: 'word', text: word, position });
        i += word.length;
      } else if (c === '.') {
        out.push({ kind: 'dot', position });
        i++;
      } else {
        const op = /^(?:!=|<>|>=|<=|==|[=<>!])/.exec(source.slice(i))?.[0];
        if (!op) fail(position, `unexpected character ${JSON.stringify(c)} (quote a key with spaces or slashes in \`back quotes\`, a value in 'quotes')`);
        out.push({ kind: 'op', text: op, position });
        i += op.length;
      }
    }
    out.push({ kind: 'end', position: source.length + 1 });
    return out;
  }
}

function shown(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the filter';
    case 'dot':
      return '"."';
    case 'quoted':
      return `${token.quote}${token.text}${token.quote === '`' ? '`' : token.quote}`;
    case 'number':
      return token.text;
    default:
      return `"${token.text}"`;
  }
}

/** True when the run passes every comparison of the filter (no filter: every run). */
export function matchesFilter(run: FilterableRun, filter: RunFilter | null): boolean {
  if (!filter) return true;
  return filter.comparisons.every((c) => compare(fieldOf(run, c), c));
}

function fieldOf(run: FilterableRun, c: FilterComparison): number | string | undefined {
  switch (c.entity) {
    case 'metrics':
      return Object.hasOwn(run.metrics, c.key) ? run.metrics[c.key] : undefined;
    case 'params':
      return Object.hasOwn(run.params, c.key) ? run.params[c.key] : undefined;
    case 'tags':
      return Object.hasOwn(run.tags, c.key) ? run.tags[c.key] : undefined;
    case 'attributes':
      switch (c.key) {
        case 'start_time':
        case 'created':
          return run.start_time;
        case 'end_time':
          return run.end_time ?? undefined;
        case 'run_id':
          return run.run_id;
        case 'run_name':
          return run.run_name;
        case 'status':
          return run.status;
        case 'user_id':
          return run.user_id ?? run.tags['mlflow.user'];
        case 'artifact_uri':
          return run.artifact_uri;
      }
  }
  return undefined;
}

function compare(field: number | string | undefined, c: FilterComparison): boolean {
  if (field === undefined) return false;
  const value = c.value;
  switch (c.comparator) {
    case '=':
      return field === value;
    case '!=':
      return field !== value;
    case '>':
      return field > value;
    case '>=':
      return field >= value;
    case '<':
      return field < value;
    case '<=':
      return field <= value;
    case 'LIKE':
    case 'ILIKE':
      return likePattern(String(value), c.comparator === 'ILIKE').test(String(field));
  }
}

/** SQL LIKE as a regular expression: `%` any text, `_` one character, the rest literal. */
function likePattern(pattern: string, ignoreCase: boolean): RegExp {
  const body = Array.from(pattern)
    .map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
}
