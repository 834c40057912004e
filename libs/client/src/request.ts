// The parts of a request the route table fixes: the path with its parameters checked and
// encoded, the `?wait=&queue=` query, the mutation headers, and reading a 2xx body against
// the route's response schema.
import type { z } from 'zod';
import {
  DEFAULT_WAIT_SECONDS,
  HostIdSchema,
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_KEY_RE,
  KeySchema,
  NamespaceSchema,
  TokenIdSchema,
  ROUTES,
  WaitQuerySchema,
  describeIssues,
  invalidArgument,
  parseOrThrow,
  routePath,
  type RouteName,
  type RouteSpec,
} from '@snapfleet/contracts';
import { malformedResponse } from './errors';
import type { Answer } from './transport';
import type { MutationOptions, RouteResponse } from './types';

export interface PathParams {
  ns?: string;
  host?: string;
  key?: string;
  jobId?: string;
  tokenId?: string;
}

/**
 * The route's path with its parameters, each checked first: a key that is not valid UTF-8
 * cannot be encoded at all, and `.`/`..` would be collapsed by every URL parser (fetch
 * included) into a different route — `DELETE …/snapshots/..` would address the host.
 */
export function pathFor(name: RouteName, p: PathParams): string {
  const params: Record<string, string> = {};
  if (p.ns !== undefined) params.ns = parseOrThrow(NamespaceSchema, p.ns, 'namespace');
  if (p.host !== undefined) params.host = parseOrThrow(HostIdSchema, p.host, 'host id');
  if (p.key !== undefined) params.key = pathSegment(parseOrThrow(KeySchema, p.key, 'key'), 'key');
  if (p.jobId !== undefined) params.jobId = pathSegment(p.jobId, 'job id');
  if (p.tokenId !== undefined) params.tokenId = parseOrThrow(TokenIdSchema, p.tokenId, 'token id');
  return routePath(ROUTES[name].path, params);
}

/** One path segment that survives URL parsing unchanged (encodeURIComponent does the rest). */
function pathSegment(value: string, what: string): string {
  if (value === '' || value === '.' || value === '..') {
    throw invalidArgument(`${what} ${JSON.stringify(value)} cannot be addressed over HTTP: URL parsers rewrite "." and ".." path segments`);
  }
  return value;
}

/** `?wait=&queue=` from the options, checked with the route table's schema. */
export function waitQuery(opts: { wait?: number; queue?: 'always' | 'if-up' }): { query: URLSearchParams; serverWaitMs: number } {
  const parsed = WaitQuerySchema.safeParse({ wait: opts.wait, queue: opts.queue });
  if (!parsed.success) throw invalidArgument(`invalid wait options: ${describeIssues(parsed.error)}`);
  const query = new URLSearchParams();
  if (opts.wait !== undefined) query.set('wait', String(opts.wait));
  if (opts.queue !== undefined) query.set('queue', opts.queue);
  return { query, serverWaitMs: (opts.wait ?? DEFAULT_WAIT_SECONDS) * 1000 };
}

/** Idempotency-Key and Prefer headers of a mutation. */
export function mutationHeaders(opts: MutationOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (opts.idempotencyKey !== undefined) {
    if (!IDEMPOTENCY_KEY_RE.test(opts.idempotencyKey)) throw invalidArgument('Idempotency-Key must be 1-128 characters of [A-Za-z0-9._~-]');
    headers[IDEMPOTENCY_HEADER] = opts.idempotencyKey;
  }
  if (opts.respondAsync) headers.prefer = 'respond-async';
  return headers;
}

/** The route's success body, validated (undefined for 204 routes). */
export function readAnswer<N extends RouteName>(name: N, a: Answer): RouteResponse<N> {
  const schema = (ROUTES[name] as RouteSpec).response;
  return (schema === undefined ? undefined : parseAnswer(a, schema)) as RouteResponse<N>;
}

/** A 2xx body as JSON checked against `schema`; anything else is an internal error saying so. */
export function parseAnswer<S extends z.ZodType>(a: Answer, schema: S): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(a.text);
  } catch {
    const snippet = a.text.length > 120 ? `${a.text.slice(0, 120)}…` : a.text;
    throw malformedResponse(a.method, a.url, `HTTP ${a.status} body is not JSON: ${JSON.stringify(snippet)}`);
  }
  const r = schema.safeParse(value);
  if (!r.success) throw malformedResponse(a.method, a.url, `HTTP ${a.status} body does not match the contract: ${describeIssues(r.error)}`);
  return r.data;
}
