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
}

export class DriftCatcherError extends Error {
  readonly code: ErrorCode;
  file?: string;
  line?: number;
  column?: string | number;
  byteOffset?: number;
  /** what was wrong, without the location: used to rebuild the message once the line is known */
  readonly detail: string;

  constructor(code: ErrorCode, detail: string, where: ErrorLocation = {}, options?: { cause?: unknown }) {
    super(formatMessage(detail, where), options);
    this.code = code;
    this.detail = detail;
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.byteOffset = where.byteOffset;
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

  /** The plain-object form that crosses worker threads and goes into JSON output. */
  toWire(): WireError {
    return { code: this.code, message: this.message, data: { detail: this.detail, file: this.file, line: this.line, column: this.column, byteOffset: this.byteOffset } };
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
export class UsageError extends DriftCatcherError {
  constructor(detail: string) {
    super('DC_ERR_USAGE', detail);
  }
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
  data?: { detail?: string; file?: string; line?: number; column?: string | number; byteOffset?: number };
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

/** `file:line: column "name": detail` with whichever parts are known. */
function formatMessage(detail: string, where: ErrorLocation): string {
  let prefix = '';
  if (where.file !== undefined) prefix += where.file;
  if (where.line !== undefined) prefix += `${prefix ? ':' : 'line '}${where.line}`;
  else if (where.byteOffset !== undefined) prefix += `${prefix ? ' ' : ''}(byte ${where.byteOffset})`;
  if (where.column !== undefined) {
    const col = typeof where.column === 'number' ? `column ${where.column}` : `column "${where.column}"`;
    prefix += prefix ? `: ${col}` : col;
  }
  return prefix ? `${prefix}: ${detail}` : detail;
}
