// Every failure becomes an RFC 9457 problem: typed errors as they are, framework errors
// (routing, body parsing) translated into the same shape, anything else a 500 that says
// nothing about the code that failed.
import { HttpException } from '@nestjs/common';
import { MAX_BODY_BYTES, SnapfleetError, type ErrorCode, type Problem } from '@snapfleet/contracts';
import { allowedMethods } from './route-table';

export interface ProblemReply {
  problem: Problem;
  headers?: Record<string, string>;
  /** Unexpected: logged with its stack, answered without it. */
  unexpected?: boolean;
}

/** Request facts a problem refers to. */
export interface ProblemContext {
  method: string;
  url: string;
  requestId?: string;
}

/** Status → code for framework errors that carry only a status. */
const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  409: 'already_exists',
  412: 'failed_precondition',
  429: 'resource_exhausted',
  503: 'unavailable',
};

/** A typed error answered with a status other than its code's (405, 413, …). */
function withStatus(err: SnapfleetError, status: number, ctx: ProblemContext): Problem {
  return { ...err.toProblem(ctx.url), status };
}

/** What Fastify and Nest errors have in common: a status, and for Fastify's a code. */
interface FrameworkError {
  status: number;
  code?: string;
  message: string;
}

/** A Fastify error as thrown (`frameworkErrors`, router) or wrapped by Nest's adapter. */
function frameworkErrorOf(err: unknown): FrameworkError | undefined {
  if (err instanceof HttpException) {
    const cause = err.cause as { code?: unknown } | undefined;
    return { status: err.getStatus(), message: err.message, ...(typeof cause?.code === 'string' ? { code: cause.code } : {}) };
  }
  const e = err as { name?: unknown; code?: unknown; statusCode?: unknown; message?: unknown } | null;
  if (e && e.name === 'FastifyError' && typeof e.statusCode === 'number' && typeof e.code === 'string') {
    return { status: e.statusCode, code: e.code, message: String(e.message) };
  }
  return undefined;
}

function fromFrameworkError(err: FrameworkError, ctx: ProblemContext): ProblemReply {
  const status = err.status;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { problem: withStatus(new SnapfleetError('invalid_argument', `request body larger than ${MAX_BODY_BYTES} bytes`), 413, ctx) };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      // 400 rather than 415: one status per code for clients that only look at the status.
      return { problem: new SnapfleetError('invalid_argument', 'request body must be application/json').toProblem(ctx.url) };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { problem: new SnapfleetError('invalid_argument', 'request body is empty but Content-Type is application/json').toProblem(ctx.url) };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { problem: new SnapfleetError('invalid_argument', 'request body is not valid JSON').toProblem(ctx.url) };
    case 'FST_ERR_BAD_URL':
      return { problem: new SnapfleetError('invalid_argument', 'request URL is malformed (bad percent-encoding?)').toProblem(ctx.url) };
  }
  if (status === 404) {
    // Nest's not-found handler: no route for this method and path. Another method may have one.
    const path = ctx.url.split('?', 1)[0] ?? ctx.url;
    const allowed = allowedMethods(path);
    if (allowed.length > 0) {
      const err405 = new SnapfleetError('invalid_argument', `${ctx.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`);
      return { problem: withStatus(err405, 405, ctx), headers: { allow: allowed.join(', ') } };
    }
    return { problem: new SnapfleetError('not_found', `no route for ${ctx.method} ${path}`).toProblem(ctx.url) };
  }
  const code = CODE_OF_STATUS[status] ?? (status < 500 ? 'invalid_argument' : 'internal');
  const e = new SnapfleetError(code, status < 500 ? err.message : 'internal error');
  return { problem: withStatus(e, status, ctx), unexpected: status >= 500 };
}

export function problemFor(err: unknown, ctx: ProblemContext): ProblemReply {
  let reply: ProblemReply;
  const framework = err instanceof SnapfleetError ? undefined : frameworkErrorOf(err);
  if (err instanceof SnapfleetError) {
    reply = { problem: err.toProblem(ctx.url), unexpected: err.code === 'internal' };
  } else if (framework) {
    reply = fromFrameworkError(framework, ctx);
  } else {
    const detail = `internal error${ctx.requestId ? ` (request id ${ctx.requestId})` : ''}`;
    reply = { problem: new SnapfleetError('internal', detail).toProblem(ctx.url), unexpected: true };
  }
  if (ctx.requestId !== undefined) reply.problem.requestId = ctx.requestId;
  return reply;
}
