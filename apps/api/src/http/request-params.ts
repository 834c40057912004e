// Where path parameters, query strings and headers become validated values. Namespace and
// host are read here and nowhere else, so authorization (tokens scoped to namespaces) has
// one place to hook into.
import { createParamDecorator, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import {
  HostIdSchema,
  IDEMPOTENCY_HEADER,
  KeySchema,
  NamespaceSchema,
  WaitQuerySchema,
  parseOrThrow,
} from '@snapfleet/contracts';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ANONYMOUS, type Principal } from '../auth/principal';
import type { JobRequestOptions } from '../services/job.service';
import type { SnapshotScope } from '../services/snapshot.service';

type Params = Record<string, string | undefined>;

const requestOf = (ctx: ExecutionContext) => ctx.switchToHttp().getRequest<FastifyRequest>();
const paramsOf = (ctx: ExecutionContext) => requestOf(ctx).params as Params;

/** `{ns}` and `{host}` of a namespaced route. */
export const ScopeParam = createParamDecorator((_: unknown, ctx: ExecutionContext): SnapshotScope => {
  const p = paramsOf(ctx);
  return {
    namespace: parseOrThrow(NamespaceSchema, p.ns, 'namespace'),
    host: parseOrThrow(HostIdSchema, p.host, 'host id'),
  };
});

/** Who the request acts as (set by the auth hook; anonymous when auth is off). */
export const PrincipalParam = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => requestOf(ctx).principal ?? ANONYMOUS);

/** `{host}` of a host or job route. */
export const HostParam = createParamDecorator((_: unknown, ctx: ExecutionContext): string =>
  parseOrThrow(HostIdSchema, paramsOf(ctx).host, 'host id'),
);

/** `{key}`: one path segment, already percent-decoded by the router. */
export const KeyParam = createParamDecorator((_: unknown, ctx: ExecutionContext): string =>
  parseOrThrow(KeySchema, paramsOf(ctx).key, 'key'),
);

/** How a job route was asked to run: `?wait=`, `?queue=`, Prefer, Idempotency-Key. */
export interface JobRouteOptions extends JobRequestOptions {
  respondAsync: boolean;
}

export const JobOptionsParam = createParamDecorator((_: unknown, ctx: ExecutionContext): JobRouteOptions => {
  const req = requestOf(ctx);
  const query = parseOrThrow(WaitQuerySchema, req.query, 'query');
  const respondAsync = prefersAsync(req.headers.prefer);
  const key = req.headers[IDEMPOTENCY_HEADER];
  return {
    ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
    requestId: req.id,
    waitMs: respondAsync ? 0 : Math.round(query.wait * 1000),
    queueAlways: query.queue === 'always',
    respondAsync,
  };
});

/** RFC 7240: `Prefer: respond-async` (among other preferences, any case). */
function prefersAsync(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(',') : header;
  return text.split(/[,;]/).some((p) => p.trim().toLowerCase() === 'respond-async');
}

/** Validates a body or query with a contracts schema: 400 with a readable detail. */
export class Validate<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly what: string,
  ) {}

  transform(value: unknown): z.infer<S> {
    return parseOrThrow(this.schema, value, this.what);
  }
}
