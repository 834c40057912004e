// How HTTP answers and transport failures become SnapfleetErrors, so every caller of the
// client (CLI, gRPC proxy, tests) sees the same typed errors the in-process snapshotter throws.
import { PROBLEM_CONTENT_TYPE, SnapfleetError, isErrorCode, type ErrorCode } from '@snapfleet/contracts';

/**
 * Codes for error answers that carry no problem+json (a proxy, a crashed handler, a router's
 * own 404). 502 and 504 come from gateways in front of the API: like 503 they mean "the API
 * could not be reached in time", which callers retry, so they are `unavailable` too.
 */
const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  409: 'already_exists',
  412: 'failed_precondition',
  413: 'invalid_argument',
  414: 'invalid_argument',
  422: 'invalid_argument',
  429: 'resource_exhausted',
  // Request line or headers over the server's limit (Node: 16 KiB), e.g. an oversized key.
  431: 'invalid_argument',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
};

export function codeForStatus(status: number): ErrorCode {
  return STATUS_CODES[status] ?? 'internal';
}

/** Members of RFC 9457 (plus our `code`) that are not extensions. */
const PROBLEM_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'code']);
/** Bodies of non-problem errors are quoted in the message up to this many characters. */
const SNIPPET_CHARS = 300;

export interface ErrorAnswer {
  method: string;
  url: string;
  status: number;
  statusText: string;
  contentType: string | null;
  text: string;
}

/** The typed error of a non-2xx answer. */
export function errorFromAnswer(a: ErrorAnswer): SnapfleetError {
  const problem = isProblem(a.contentType) ? parseObject(a.text) : undefined;
  if (problem) {
    const extensions = Object.fromEntries(Object.entries(problem).filter(([k]) => !PROBLEM_MEMBERS.has(k)));
    const message = stringOr(problem.detail, stringOr(problem.title, `HTTP ${a.status}`));
    // An unknown code is a newer or broken server: say so rather than guess from the status.
    if (!isErrorCode(problem.code)) {
      return new SnapfleetError('internal', `${a.method} ${a.url} answered ${a.status} with unknown error code ${JSON.stringify(problem.code)}: ${message}`, {
        status: a.status,
        problemCode: problem.code,
        ...extensions,
      });
    }
    return new SnapfleetError(problem.code, message, { status: a.status, ...extensions });
  }
  const body = a.text.trim();
  const snippet = body.length > SNIPPET_CHARS ? `${body.slice(0, SNIPPET_CHARS)}…` : body;
  const statusText = a.statusText ? ` ${a.statusText}` : '';
  return new SnapfleetError(
    codeForStatus(a.status),
    `${a.method} ${a.url} answered HTTP ${a.status}${statusText}${snippet ? `: ${snippet}` : ''}`,
    { status: a.status },
  );
}

/** A request that got no answer: refused connection, reset, DNS failure or our own timeout. */
export function errorFromFailure(method: string, url: string, err: unknown, timedOutAfterMs?: number): SnapfleetError {
  if (timedOutAfterMs !== undefined) {
    return new SnapfleetError('unavailable', `no answer from ${method} ${url} within ${timedOutAfterMs} ms`, { url, timeoutMs: timedOutAfterMs }, { cause: err });
  }
  // undici reports "fetch failed" and puts the useful part (ECONNREFUSED …) in `cause`.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const errno = (cause as { code?: unknown } | undefined)?.code;
  return new SnapfleetError('unavailable', `cannot reach the snapfleet API at ${url} (${method}): ${reason}`, {
    url,
    ...(typeof errno === 'string' ? { errno } : {}),
  }, { cause: err });
}

/** A 2xx answer whose body is not what the contract promises. */
export function malformedResponse(method: string, url: string, why: string): SnapfleetError {
  return new SnapfleetError('internal', `malformed response from ${method} ${url}: ${why}`, { url });
}

function isProblem(contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === PROBLEM_CONTENT_TYPE;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const stringOr = (v: unknown, fallback: string): string => (typeof v === 'string' && v !== '' ? v : fallback);
