/**
 * errors.ts: Portico's one error hierarchy. Every error a client can see carries a stable
 * `code` (listed in docs/errors.md) and the HTTP `status` it maps to.
 */

/** ErrorCode is the closed set of stable codes clients may match on. */
export type ErrorCode =
  | 'E_CONFIG'
  | 'E_BAD_REQUEST'
  | 'E_VALIDATION'
  | 'E_MALFORMED_JSON'
  | 'E_BODY_TOO_LARGE'
  | 'E_REQUEST_TIMEOUT'
  | 'E_HEADERS_TOO_LARGE'
  | 'E_URI_TOO_LONG'
  | 'E_EXPECTATION_FAILED'
  | 'E_NOT_IMPLEMENTED'
  | 'E_UNSUPPORTED_MEDIA_TYPE'
  | 'E_NOT_ACCEPTABLE'
  | 'E_UNAUTHENTICATED'
  | 'E_FORBIDDEN'
  | 'E_CSRF'
  | 'E_HANDSHAKE_REFUSED'
  | 'E_READ_ONLY'
  | 'E_PROJECT_ARCHIVED'
  | 'E_NOT_ACCEPTABLE'
  | 'E_THROTTLED'
  | 'E_NOT_FOUND'
  | 'E_PROJECT_NOT_FOUND'
  | 'E_CONTAINER_NOT_FOUND'
  | 'E_TEMPLATE_NOT_FOUND'
  | 'E_FILE_NOT_FOUND'
  | 'E_USER_NOT_FOUND'
  | 'E_METHOD_NOT_ALLOWED'
  | 'E_CONFLICT'
  | 'E_DUPLICATE_TITLE'
  | 'E_INVALID_STATE'
  | 'E_ACTION_FAILED'
  | 'E_ENGINE_UNAVAILABLE'
  | 'E_SHUTTING_DOWN'
  | 'E_IMAGE_PULL_FAILED'
  | 'E_START_FAILED'
  | 'E_CONTAINER_STOPPED'
  | 'E_START_TIMEOUT'
  | 'E_UPSTREAM_UNREACHABLE'
  | 'E_UPSTREAM_TIMEOUT'
  | 'E_UPSTREAM_INVALID'
  | 'E_UPSTREAM_BUSY'
  | 'E_LDAP_UNAVAILABLE'
  | 'E_OIDC_UNAVAILABLE'
  | 'E_OIDC_FAILED'
  | 'E_STORE_UNAVAILABLE'
  | 'E_IMPORT_FAILED'
  | 'E_SYNCED_PROJECT'
  | 'E_SODAR_SYNC'
  | 'E_APP_NOT_FOUND'
  | 'E_LIMIT_REACHED'
  | 'E_VOLUME_NOT_ALLOWED'
  | 'E_INTERNAL';

/** PorticoError is the base class: a message for people, a code for programs, a status for HTTP. */
export class PorticoError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, status: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'PorticoError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** ConfigError stops start-up; its message names the offending variable. */
export class ConfigError extends PorticoError {
  constructor(message: string) {
    super('E_CONFIG', 500, message);
    this.name = 'ConfigError';
  }
}

/** ValidationError is bad client input; `fields` maps field names to messages for forms. */
export class ValidationError extends PorticoError {
  readonly fields: Record<string, string>;
  constructor(fields: Record<string, string>, message?: string) {
    const first = Object.entries(fields)[0];
    super('E_VALIDATION', 400, message ?? (first ? `${first[0]}: ${first[1]}` : 'invalid input'), { fields });
    this.name = 'ValidationError';
    this.fields = fields;
  }
}

/** NotFoundError answers 404 with a code naming what was not found (or not visible to the caller). */
export class NotFoundError extends PorticoError {
  constructor(code: ErrorCode = 'E_NOT_FOUND', message = 'not found') {
    super(code, 404, message);
    this.name = 'NotFoundError';
  }
}

/** EngineError wraps a failure of the container engine (Docker) with a readable reason. */
export class EngineError extends PorticoError {
  readonly engineStatus: number | undefined;
  constructor(code: ErrorCode, message: string, engineStatus?: number) {
    super(code, code === 'E_ENGINE_UNAVAILABLE' ? 503 : 502, message);
    this.name = 'EngineError';
    this.engineStatus = engineStatus;
  }
}

/** StoreUnavailableError is a write the data directory refused (full, read-only, I/O error); `reason` says which. */
export class StoreUnavailableError extends PorticoError {
  /** expose makes the logger print it as one line: the reason is known, a stack adds nothing. */
  readonly expose = true;
  constructor(message: string, details: Record<string, unknown>, cause?: unknown) {
    super('E_STORE_UNAVAILABLE', 503, message, details);
    this.name = 'StoreUnavailableError';
    if (cause !== undefined) this.cause = cause;
  }
}

/** badRequest builds a 400 with a stable code. */
export function badRequest(message: string, code: ErrorCode = 'E_BAD_REQUEST'): PorticoError {
  return new PorticoError(code, 400, message);
}

/** forbidden builds a 403. */
export function forbidden(message = 'you do not have permission to do this'): PorticoError {
  return new PorticoError('E_FORBIDDEN', 403, message);
}

/** conflict builds a 409. */
export function conflict(message: string, code: ErrorCode = 'E_CONFLICT'): PorticoError {
  return new PorticoError(code, 409, message);
}

/** toPorticoError turns anything thrown into a PorticoError, hiding internals of unexpected bugs. */
export function toPorticoError(err: unknown): PorticoError {
  if (err instanceof PorticoError) return err;
  return new PorticoError('E_INTERNAL', 500, 'internal error');
}

/** isNetworkError tells known socket errors, which are logged as one line without a stack. */
export function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
  'ECONNABORTED', 'UND_ERR_ABORTED', 'ABORT_ERR', 'EPROTO',
]);
