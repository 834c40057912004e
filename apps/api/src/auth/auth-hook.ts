// The one gate in front of every route: authenticates the request (bearer token, or for
// safe methods the `snapfleet_token` cookie the fleet page sets, so the browser can open the
// dashboard), checks the scope and namespace the contracts' route table asks for, and
// applies the per-token rate limit. It runs in onRequest, before any body is parsed, so an
// unauthenticated client cannot make the API read a megabyte. Routes outside the table and
// the dashboard (health, metrics, docs, the fleet page's files) are public.
import type { IncomingMessage } from 'node:http';
import { PROBLEM_CONTENT_TYPE, SnapfleetError, type TokenScope } from '@snapfleet/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PinoLogger } from 'nestjs-pino';
import { OPERATIONAL_PATHS } from '../http/operational-paths';
import { API_ROUTES, nestPath } from '../http/route-table';
import type { AuthService } from './auth.service';
import { mayAccess, permissionDenied, type Principal } from './principal';

export const TOKEN_COOKIE = 'snapfleet_token';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** `METHOD /nest/:path` → the scope it needs. */
const ROUTE_SCOPES = new Map<string, TokenScope>(
  Object.values(API_ROUTES).flatMap((r) => {
    const path = nestPath(r);
    const entries: Array<[string, TokenScope]> = [[`${r.method} ${path}`, r.scope]];
    if (r.method === 'GET') entries.push([`HEAD ${path}`, r.scope]);
    return entries;
  }),
);

/** Token id of each request, for the request log's summary line. */
const TOKEN_OF_REQUEST = new WeakMap<IncomingMessage, string>();
export const tokenIdOf = (req: IncomingMessage): string | undefined => TOKEN_OF_REQUEST.get(req);

function scopeOf(request: FastifyRequest): TokenScope | undefined {
  const url = request.routeOptions.url;
  if (url !== undefined) {
    const scope = ROUTE_SCOPES.get(`${request.method} ${url}`);
    if (scope) return scope;
  }
  const path = request.url.split('?', 1)[0] ?? '';
  if (path === OPERATIONAL_PATHS.dashboard || path.startsWith(`${OPERATIONAL_PATHS.dashboard}/`)) return 'admin';
  return undefined;
}

function cookieToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === TOKEN_COOKIE) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function presentedToken(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer +(\S+) *$/i.exec(auth);
    // A malformed Authorization header is a wrong token, not an absent one.
    return m ? m[1] : auth;
  }
  // Cookies are sent by browsers on their own: only for reads, so no page elsewhere can make
  // a visitor's browser change anything (CSRF).
  return SAFE_METHODS.has(request.method) ? cookieToken(request.headers.cookie) : undefined;
}

/** Answers the problem; the hook returns the reply so Fastify stops there (no handler runs). */
function refuse(request: FastifyRequest, reply: FastifyReply, err: SnapfleetError, status: number, headers: Record<string, string>): FastifyReply {
  const problem = { ...err.toProblem(request.url), status, requestId: request.id };
  return reply.code(status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

export function installAuth(fastify: FastifyInstance, auth: AuthService, log: PinoLogger): void {
  if (!auth.enabled) log.warn('authentication is OFF (SNAPFLEET_AUTH=off): every request may do everything');
  fastify.decorateRequest('principal', null);
  fastify.addHook('onRequest', async (request, reply) => {
    const scope = scopeOf(request);
    if (scope === undefined) return;
    let principal: Principal;
    try {
      principal = await auth.authenticate(presentedToken(request));
    } catch (err) {
      if (!(err instanceof SnapfleetError) || err.code !== 'unauthenticated') throw err;
      log.info({ url: request.url, reason: err.message }, 'request refused: not authenticated');
      return refuse(request, reply, err, 401, { 'www-authenticate': 'Bearer realm="snapfleet"' });
    }
    request.principal = principal;
    TOKEN_OF_REQUEST.set(request.raw, principal.id);
    const ns = (request.params as Record<string, string | undefined> | undefined)?.ns;
    if (!mayAccess(principal, scope, ns)) {
      log.info({ token: principal.id, scope, namespace: ns }, 'request refused: permission denied');
      return refuse(request, reply, permissionDenied(principal, scope, ns), 403, {});
    }
    const rate = auth.rateLimit(principal);
    if (!rate.allowed) {
      const err = new SnapfleetError('resource_exhausted', `token ${principal.id} is over its rate limit; retry after ${rate.retryAfterSeconds} s`, {
        token: principal.id,
        retryAfterSeconds: rate.retryAfterSeconds,
      });
      return refuse(request, reply, err, 429, { 'retry-after': String(rate.retryAfterSeconds) });
    }
  });
}
