// The typed errors every part of snapfleet speaks (DESIGN §2). One code list, mapped once to
// HTTP statuses and gRPC codes so the fronts cannot drift apart.

export const ERROR_CODES = [
  'not_found',
  'already_exists',
  'failed_precondition',
  'invalid_argument',
  'unavailable',
  'aborted',
  'internal',
  'unauthenticated',
  'permission_denied',
  'resource_exhausted',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const HTTP_STATUS: Record<ErrorCode, number> = {
  not_found: 404,
  already_exists: 409,
  failed_precondition: 412,
  invalid_argument: 400,
  unavailable: 503,
  aborted: 409,
  internal: 500,
  unauthenticated: 401,
  permission_denied: 403,
  resource_exhausted: 429,
};

/** gRPC status codes (numeric, as on the wire) that containerd's errdefs.FromGRPC maps back. */
export const GRPC_STATUS: Record<ErrorCode, number> = {
  not_found: 5,
  already_exists: 6,
  failed_precondition: 9,
  invalid_argument: 3,
  unavailable: 14,
  aborted: 10,
  internal: 13,
  unauthenticated: 16,
  permission_denied: 7,
  resource_exhausted: 8,
};

const TITLES: Record<ErrorCode, string> = {
  not_found: 'Not found',
  already_exists: 'Already exists',
  failed_precondition: 'Failed precondition',
  invalid_argument: 'Invalid argument',
  unavailable: 'Unavailable',
  aborted: 'Aborted',
  internal: 'Internal error',
  unauthenticated: 'Unauthenticated',
  permission_denied: 'Permission denied',
  resource_exhausted: 'Too many requests',
};

/** RFC 9457 problem details, with snapfleet's `code` extension. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  [extension: string]: unknown;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export class SnapfleetError extends Error {
  override readonly name = 'SnapfleetError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra, machine-readable facts (host, errno, path, …) carried into problem+json. */
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toProblem(instance?: string): Problem {
    return {
      type: `urn:snapfleet:error:${this.code}`,
      title: TITLES[this.code],
      status: HTTP_STATUS[this.code],
      detail: this.message,
      code: this.code,
      ...(instance === undefined ? {} : { instance }),
      ...this.details,
    };
  }

  /** Plain JSON form used in job return values and failure reasons. */
  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }

  static fromJSON(value: unknown): SnapfleetError {
    if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      if (isErrorCode(v.code) && typeof v.message === 'string') {
        const details = v.details && typeof v.details === 'object' ? (v.details as Record<string, unknown>) : {};
        return new SnapfleetError(v.code, v.message, details);
      }
    }
    return new SnapfleetError('internal', 'malformed error value');
  }
}

export const notFound = (message: string, details?: Record<string, unknown>) =>
  new SnapfleetError('not_found', message, details);
export const alreadyExists = (message: string, details?: Record<string, unknown>) =>
  new SnapfleetError('already_exists', message, details);
export const failedPrecondition = (message: string, details?: Record<string, unknown>) =>
  new SnapfleetError('failed_precondition', message, details);
export const invalidArgument = (message: string, details?: Record<string, unknown>) =>
  new SnapfleetError('invalid_argument', message, details);
export const unavailable = (message: string, details?: Record<string, unknown>) =>
  new SnapfleetError('unavailable', message, details);
export const aborted = (message: string, details?: Record<string, unknown>) =>
  new SnapfleetError('aborted', message, details);

/** True when `err` is a SnapfleetError with one of the given codes. */
export function hasCode(err: unknown, ...codes: ErrorCode[]): err is SnapfleetError {
  return err instanceof SnapfleetError && (codes.length === 0 || codes.includes(err.code));
}

/** Wraps anything thrown into a SnapfleetError, keeping typed ones as they are. */
export function toSnapfleetError(err: unknown, context?: string): SnapfleetError {
  if (err instanceof SnapfleetError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SnapfleetError('internal', context ? `${context}: ${message}` : message, {}, { cause: err });
}
