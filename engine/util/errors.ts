/**
 * One error base with a stable literal `code` and structured location fields.
 * Codes survive where classes do not (across worker threads, in JSON output);
 * the CLI maps codes to exit status and one-line text.
 */
export type ErrorCode =
  | 'DC_ERR_INPUT' // the user's data or file is wrong (missing, empty, ragged, non-numeric)
  | 'DC_ERR_SCHEMA' // columns do not match (feature missing from a batch, label missing)
  | 'DC_ERR_PROFILE' // a baseline profile file is not a valid profile
  | 'DC_ERR_MODEL' // a model file or model registry is not valid, or names no such version
  | 'DC_ERR_USAGE' // bad options or arguments
  | 'DC_ERR_TRACKING_HTTP' // tracking server answered with an error
  | 'DC_ERR_INTERNAL'; // a bug or an environment fault (worker crash, kernel failed to load)

export interface ErrorLocation {
  /** the file the problem is in */
  file?: string;
  /** 1-based line number in that file */
  line?: number;
  /** column name (or 1-based index when there is no name) */
  column?: string | number;
  /** byte offset, when the line number is not known yet (set by range parsers) */
  byteOffset?: number;
  /**
   * the library option the problem is in, as its field path (`epsilon`, `policy.retrainOverall`):
   * messages name the option, and the CLI shows its own flag for it (`--epsilon`) instead
   */
  option?: string;
}

export class DriftCatcherError extends Error {
  readonly code: ErrorCode;
  file?: string;
  line?: number;
  column?: string | number;
  byteOffset?: number;
  option?: string;
  /** what was wrong, without the location: used to rebuild the message once the line is known */
  readonly detail: string;

  constructor(code: ErrorCode, detail: string, where: ErrorLocation = {}, options?: { cause?: unknown }) {
    const shownDetail = oneLine(detail, MAX_DETAIL_CHARS);
    super(formatMessage(shownDetail, where), options);
    this.code = code;
    this.detail = shownDetail;
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.byteOffset = where.byteOffset;
    this.option = where.option;
  }

  override get name(): string {
    return NAMES[this.code];
  }

  /** Fill in a location learnt later (e.g. the line number of a byte offset) and rebuild the message. */
  locate(where: ErrorLocation): this {
    if (where.file !== undefined) this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
    if (where.column !== undefined) this.column = where.column;
    this.message = formatMessage(this.detail, this);
    return this;
  }

  /** The message with the option shown under another name (the CLI passes its flag for it). */
  messageNaming(optionName: string): string {
    return formatMessage(this.detail, { ...this, option: optionName });
  }

  /** The plain-object form that crosses worker threads and goes into JSON output. */
  toWire(): WireError {
    return { code: this.code, message: this.message, data: { detail: this.detail, file: this.file, line: this.line, column: this.column, byteOffset: this.byteOffset, option: this.option } };
  }
}

const NAMES: Record<ErrorCode, string> = {
  DC_ERR_INPUT: 'InputError',
  DC_ERR_SCHEMA: 'SchemaError',
  DC_ERR_PROFILE: 'ProfileError',
  DC_ERR_MODEL: 'ModelError',
  DC_ERR_USAGE: 'UsageError',
  DC_ERR_TRACKING_HTTP: 'TrackingError',
  DC_ERR_INTERNAL: 'InternalError',
};

export class InputError extends DriftCatcherError {
  constructor(detail: string, where: ErrorLocation = {}, options?: { cause?: unknown }) {
    super('DC_ERR_INPUT', detail, where, options);
  }
}
export class SchemaError extends DriftCatcherError {
  constructor(detail: string, where: ErrorLocation = {}) {
    super('DC_ERR_SCHEMA', detail, where);
  }
}
export class ProfileError extends DriftCatcherError {
  constructor(detail: string, where: ErrorLocation = {}) {
    super('DC_ERR_PROFILE', detail, where);
  }
}
export class ModelError extends DriftCatcherError {
  constructor(detail: string, where: ErrorLocation = {}) {
    super('DC_ERR_MODEL', detail, where);
  }
}
/** Bad options or arguments; `option` names the library option (field path) that is wrong. */
export class UsageError extends DriftCatcherError {
  constructor(detail: string, where: Pick<ErrorLocation, 'option'> = {}) {
    super('DC_ERR_USAGE', detail, where);
  }
}

/** A bug or an environment fault: something the user cannot fix by changing input or options. */
export class InternalError extends DriftCatcherError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('DC_ERR_INTERNAL', detail, {}, options);
  }
}

/** An internal error (a broken invariant, a kernel that failed): typed, one line, exit 3 in the CLI. */
export function internalError(detail: string, cause?: unknown): InternalError {
  return new InternalError(detail, cause === undefined ? undefined : { cause });
}

/** What went wrong talking to a tracking server; decides whether a run stays queued quietly. */
export type TrackingFailure =
  | 'unreachable' // connection refused / reset / timed out, or 408/429/5xx after every retry
  | 'auth' // 401 or 403: credentials missing or wrong
  | 'http' // any other error answer (4xx): the request itself is wrong
  | 'protocol'; // the server answered something that is not MLflow's API

export interface TrackingErrorInfo {
  failure: TrackingFailure;
  /** HTTP status, when the server answered */
  status?: number;
  /** MLflow's `error_code` (`RESOURCE_DOES_NOT_EXIST`, ...) when the answer carried one */
  mlflowCode?: string;
  /** `METHOD /path` of the request (never with credentials or query secrets) */
  endpoint?: string;
}

/** A tracking server (MLflow) failed or refused a request. Messages never carry credentials. */
export class TrackingError extends DriftCatcherError {
  readonly failure: TrackingFailure;
  readonly status?: number;
  readonly mlflowCode?: string;
  readonly endpoint?: string;

  constructor(detail: string, info: TrackingErrorInfo, options?: { cause?: unknown }) {
    super('DC_ERR_TRACKING_HTTP', detail, {}, options);
    this.failure = info.failure;
    this.status = info.status;
    this.mlflowCode = info.mlflowCode;
    this.endpoint = info.endpoint;
  }

  /** True when the server may accept the same request later (the run stays queued quietly). */
  get transient(): boolean {
    return this.failure === 'unreachable';
  }
}

export function isTrackingError(err: unknown): err is TrackingError {
  return err instanceof TrackingError;
}

export interface WireError {
  code: string;
  message: string;
  data?: { detail?: string; file?: string; line?: number; column?: string | number; byteOffset?: number; option?: string };
}

/** Rebuild a typed error on the main side from its wire form (worker -> pool). */
export function errorFromWire(wire: WireError): DriftCatcherError {
  const code = (wire.code in NAMES ? wire.code : 'DC_ERR_INTERNAL') as ErrorCode;
  const data = wire.data ?? {};
  return new DriftCatcherError(code, data.detail ?? wire.message, data);
}

export function isDriftCatcherError(err: unknown): err is DriftCatcherError {
  return err instanceof DriftCatcherError;
}

/** `file:line: column "name": detail` with whichever parts are known, always one line (see oneLine). */
function formatMessage(detail: string, where: ErrorLocation): string {
  const option = where.option !== undefined ? `${escapeControls(where.option)}: ` : '';
  let prefix = '';
  if (where.file !== undefined) prefix += escapeControls(where.file);
  if (where.line !== undefined) prefix += `${prefix ? ':' : 'line '}${where.line}`;
  else if (where.byteOffset !== undefined) prefix += `${prefix ? ' ' : ''}(byte ${where.byteOffset})`;
  if (where.column !== undefined) {
    const col = typeof where.column === 'number' ? `column ${where.column}` : `column "${excerpt(where.column, MAX_COLUMN_CHARS)}"`;
    prefix += prefix ? `: ${col}` : col;
  }
  const text = oneLine(detail, MAX_DETAIL_CHARS);
  return option + (prefix ? `${prefix}: ${text}` : text);
}

// ---------------------------------------------------------------------------------------------
// Input text in messages
// ---------------------------------------------------------------------------------------------

/** A message's detail is cut to this many characters (a safety net: details are short). */
export const MAX_DETAIL_CHARS = 1000;
/** Column names in a message's location are cut to this many characters. */
const MAX_COLUMN_CHARS = 60;
/** Input quoted in a message (a cell, a name) is cut to this many characters by default. */
export const EXCERPT_CHARS = 40;

const NAMED_ESCAPES: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

/**
 * Characters that must not reach a terminal or a log line as they are: C0 controls (line ends,
 * ESC, NUL, ...), DEL, C1 controls (U+0080..U+009F: 0x9B is a CSI on some terminals), the line and
 * paragraph separators U+2028/U+2029, the bidirectional overrides that reorder what is shown, and
 * the invisible zero-width characters and BOM (U+200B..U+200D, U+FEFF), which would hide why a
 * name or a cell does not match.
 */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * `text` with every control character written as a visible escape (`\n`, `\r`, `\t`, `\x1b`,
 * `\x00`, `\u2028`, `\ufeff`, ...), so that input text shown in a message stays on one line and cannot
 * drive the terminal it is printed on. Backslashes are kept as they are (file paths); the result
 * is printable, so escaping it again changes nothing.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (character) => {
    const code = character.charCodeAt(0);
    return NAMED_ESCAPES[code] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/**
 * A short, marked excerpt of input for a message: control characters escaped and at most `max`
 * characters of it, then `…(+N bytes)` for what was left out (N counted in the input's bytes,
 * UTF-8 for a string). Bytes that are not valid UTF-8 are shown as `\xHH`.
 * Example: a 300 kB cell -> `xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…(+299960 bytes)`.
 */
export function excerpt(input: string | Uint8Array, max = EXCERPT_CHARS): string {
  if (typeof input !== 'string') return excerptBytes(input, max);
  let end = 0;
  for (let characters = 0; end < input.length && characters < max; characters++) end += input.codePointAt(end)! > 0xffff ? 2 : 1;
  if (end >= input.length) return escapeControls(input);
  const shown = input.slice(0, end);
  return `${escapeControls(shown)}…(+${Buffer.byteLength(input, 'utf8') - Buffer.byteLength(shown, 'utf8')} bytes)`;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function excerptBytes(bytes: Uint8Array, max: number): string {
  let cut = Math.min(bytes.length, max);
  // do not cut a UTF-8 sequence in two: back up (at most 3 bytes) to the first byte of the character
  for (let i = 0; i < 3 && cut > 0 && cut < bytes.length && (bytes[cut]! & 0xc0) === 0x80; i++) cut--;
  const head = bytes.subarray(0, cut);
  let text: string;
  try {
    text = strictUtf8.decode(head);
  } catch {
    text = '';
    for (const byte of head) text += byte < 0x80 ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  const shown = escapeControls(text);
  return cut < bytes.length ? `${shown}…(+${bytes.length - cut} bytes)` : shown;
}

/**
 * Text for one line of a message: control characters escaped, and when longer than `max`
 * characters, cut with a `…(+N chars)` mark so that the result is at most `max` long (cutting it
 * again changes nothing).
 */
export function oneLine(text: string, max: number): string {
  const escaped = escapeControls(text);
  if (escaped.length <= max) return escaped;
  let keep = max - 24;
  const code = escaped.charCodeAt(keep - 1);
  if (code >= 0xd800 && code <= 0xdbff) keep--; // do not split a surrogate pair
  return `${escaped.slice(0, keep)}…(+${escaped.length - keep} chars)`;
}
