// One OpenAPI operation per /v1 route (contracts' ROUTES and the pending entries): path,
// query and header parameters, the JSON body, the success answer, 202 for routes that run
// as jobs, and the problem+json errors the route can answer.
import {
  AcceptedSchema,
  HostIdSchema,
  IDEMPOTENCY_KEY_RE,
  KeySchema,
  MAX_BODY_BYTES,
  NamespaceSchema,
  TokenIdSchema,
  WaitQuerySchema,
  type RouteSpec,
} from '@snapfleet/contracts';
import { z } from 'zod';
import { JobIdSchema } from '../controllers/job.controller';
import { isOptionalInput, jsonSchemaOf, type JsonSchema } from './json-schema';
import { ProblemSchema } from './problem.schema';
import type { SchemaComponents } from './schema-components';

/** A route that may run as a job on the host queue: it takes ?wait= and may answer 202. */
export const runsAsJob = (route: RouteSpec): boolean => route.async === true || route.query === WaitQuerySchema;

const PATH_PARAMS: Record<string, { schema: z.ZodType; description: string }> = {
  ns: { schema: NamespaceSchema, description: 'containerd namespace' },
  host: { schema: HostIdSchema, description: 'host id' },
  key: {
    schema: KeySchema,
    description:
      'Snapshot key or name, as **one** URL-encoded path segment: encode it with encodeURIComponent ' +
      '(`/` → `%2F`, `%` → `%25`, space → `%20`, any UTF-8). It is decoded exactly once; `.` and `..` are refused.',
  },
  jobId: { schema: JobIdSchema, description: 'job id from `x-job-id` or a 202\'s `Location` (URL-encoded)' },
  tokenId: { schema: TokenIdSchema, description: 'token id (the part of the token after `sf1_`, or `id` in a list)' },
};

const QUERY_NOTES: Record<string, string> = {
  wait: 'seconds to wait for the job before answering 202 (0 = answer at once)',
  queue: '`always`: enqueue even when the host is down (answered 202 at once); `if-up`: 503 when the host is down',
  filter: 'containerd filter, e.g. `kind==committed`, `labels."a.b"==v`, `name~=re`; comma = AND, repeated = OR',
  limit: 'page size',
  after: 'cursor: the `next` of the previous page',
};

const ERROR_NOTES: Record<number, string> = {
  400: 'invalid_argument: a bad parameter, query, header or body',
  401: 'unauthenticated: no token, an unknown, malformed, expired or revoked one (`WWW-Authenticate: Bearer`)',
  403: 'permission_denied: the token lacks the scope or the namespace this route needs',
  404: 'not_found',
  409: 'already_exists (the key is taken), or aborted (the op lost its lock; retried by the worker first)',
  412: 'failed_precondition (e.g. removing a snapshot with children, committing a non-active snapshot)',
  413: `invalid_argument: request body larger than ${MAX_BODY_BYTES} bytes`,
  429: 'resource_exhausted: the token is over its rate limit; retry after `Retry-After` seconds',
  500: 'internal',
  503: 'unavailable: the host is unknown or down (no heartbeat), or MySQL/Redis does not answer',
};

const SUCCESS_NOTES: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'Done; no body' };

function errorStatuses(route: RouteSpec): number[] {
  const statuses = [400, 401, 403, 404, 429, 500, 503];
  if (runsAsJob(route) && route.method !== 'GET') statuses.push(409, 412);
  // The mounts of a committed snapshot, the usage of a snapshot whose job failed.
  if (route.method === 'GET' && /\/(mounts|usage)$/.test(route.path)) statuses.push(412);
  if (route.body) statuses.push(413);
  return [...new Set(statuses)].sort((a, b) => a - b);
}

const ref = (kind: 'parameters' | 'headers', name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** Parameters and headers every operation shares, by component name. */
export function sharedComponents(): { parameters: Record<string, unknown>; headers: Record<string, unknown> } {
  const string = { type: 'string' };
  return {
    parameters: {
      RequestId: {
        name: 'x-request-id',
        in: 'header',
        required: false,
        description: 'Your id for this request ([A-Za-z0-9._:/+=@-], ≤ 128); one is made up when absent. Echoed back, logged by the API and the worker.',
        schema: string,
      },
      IdempotencyKey: {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Becomes the job id: a repeat with the same key runs nothing and is answered from the first job. ' +
          'The same key with another op or body is refused (400).',
        schema: jsonSchemaOf(z.string().regex(IDEMPOTENCY_KEY_RE), 'input'),
      },
      IfNoneMatch: {
        name: 'If-None-Match',
        in: 'header',
        required: false,
        description:
          'The `ETag` of an earlier answer (or several, comma-separated; `W/` is ignored; `*` = any): ' +
          'answered 304 with no body while the answer is still the same.',
        schema: string,
      },
      Prefer: {
        name: 'Prefer',
        in: 'header',
        required: false,
        description: '`respond-async`: answer 202 with the job at once instead of waiting (RFC 7240).',
        schema: string,
      },
    },
    headers: {
      RequestId: { description: 'the request id (yours or a new one)', required: true, schema: string },
      JobId: { description: 'id of the job this request made or found', schema: string },
      Location: { description: 'where to poll the job: /v1/jobs/{host}/{jobId}', required: true, schema: string },
      RedirectLocation: { description: 'where to go instead', required: true, schema: string },
      ETag: { description: 'strong entity tag of this body (a digest of its bytes): send it back in `If-None-Match`', required: true, schema: string },
      CacheControl: { description: '`private, no-cache`: a cache may keep the answer for this client, and must revalidate it before each use', required: true, schema: string },
      PreferenceApplied: { description: '`respond-async` when Prefer was honoured', schema: string },
      RetryAfter: { description: 'seconds until the token may send again', required: true, schema: { type: 'integer', minimum: 1 } },
      WwwAuthenticate: { description: '`Bearer realm="snapfleet"`', required: true, schema: string },
    },
  };
}

function pathParameters(path: string): unknown[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => {
    const p = name === undefined ? undefined : PATH_PARAMS[name];
    if (!p || name === undefined) throw new Error(`OpenAPI: no schema for path parameter {${name}} of ${path}`);
    return { name, in: 'path', required: true, style: 'simple', description: p.description, schema: jsonSchemaOf(p.schema, 'input') };
  });
}

function queryParameters(query: z.ZodType | undefined): unknown[] {
  if (!query) return [];
  if (!(query instanceof z.ZodObject)) throw new Error('OpenAPI: a query schema must be a zod object');
  return Object.entries(query.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const schema: JsonSchema = jsonSchemaOf(field, 'input');
    const param: Record<string, unknown> = { name, in: 'query', required: !isOptionalInput(field), schema };
    const note = QUERY_NOTES[name] ?? field.description;
    if (note) param.description = note;
    // A list travels as the parameter repeated (?filter=a&filter=b).
    if (name === 'filter') Object.assign(param, { style: 'form', explode: true });
    return param;
  });
}

/** Headers a problem of this status carries besides the request id. */
const PROBLEM_HEADERS: Record<number, Record<string, unknown>> = {
  401: { 'WWW-Authenticate': ref('headers', 'WwwAuthenticate') },
  429: { 'Retry-After': ref('headers', 'RetryAfter') },
};

const SCOPE_NOTES = {
  read: 'Needs a token with scope `read` (or `admin`)',
  write: 'Needs a token with scope `write` (or `admin`)',
  admin: 'Needs a token with scope `admin`',
} as const;

function problem(status: number, components: SchemaComponents): unknown {
  return {
    description: ERROR_NOTES[status] ?? 'error',
    headers: { 'x-request-id': ref('headers', 'RequestId'), ...PROBLEM_HEADERS[status] },
    content: { 'application/problem+json': { schema: components.ref(ProblemSchema, 'output', 'Problem') } },
  };
}

export function apiOperation(name: string, route: RouteSpec, components: SchemaComponents): Record<string, unknown> {
  const job = runsAsJob(route);
  const headers: Record<string, unknown> = { 'x-request-id': ref('headers', 'RequestId') };
  if (job) headers['x-job-id'] = ref('headers', 'JobId');

  const responses: Record<string, unknown> = {};
  const cacheHeaders = route.conditional === true ? { ETag: ref('headers', 'ETag'), 'Cache-Control': ref('headers', 'CacheControl') } : {};
  responses[String(route.status)] = {
    description: SUCCESS_NOTES[route.status] ?? 'OK',
    headers: { ...headers, ...cacheHeaders },
    ...(route.response ? { content: { 'application/json': { schema: components.ref(route.response, 'output', `${name}Response`) } } } : {}),
  };
  if (route.conditional === true) {
    responses['304'] = { description: 'Not Modified: `If-None-Match` names the current `ETag`; no body', headers: { ...headers, ...cacheHeaders } };
  }
  if (job) {
    responses['202'] = {
      description: 'Accepted: the job has not finished within ?wait= (or Prefer: respond-async); poll Location',
      headers: { ...headers, Location: ref('headers', 'Location'), 'Preference-Applied': ref('headers', 'PreferenceApplied') },
      content: { 'application/json': { schema: components.ref(AcceptedSchema, 'output', 'Accepted') } },
    };
  }
  for (const status of errorStatuses(route)) responses[String(status)] = problem(status, components);

  const parameters = [...pathParameters(route.path), ...queryParameters(route.query), ref('parameters', 'RequestId')];
  if (job && route.method !== 'GET') parameters.push(ref('parameters', 'IdempotencyKey'));
  if (job) parameters.push(ref('parameters', 'Prefer'));
  if (route.conditional === true) parameters.push(ref('parameters', 'IfNoneMatch'));

  const where = route.path.includes('{ns}') ? ' whose namespaces include `{ns}`' : route.path.startsWith('/v1/jobs') ? ' that may read the job\'s namespace' : '';
  const operation: Record<string, unknown> = {
    operationId: name,
    tags: [tagOf(route.path)],
    summary: route.summary,
    parameters,
    responses,
    security: [{ bearerAuth: [route.scope] }],
    'x-snapfleet-scope': route.scope,
  };
  const scopeNote = `${SCOPE_NOTES[route.scope]}${where}.`;
  operation.description = scopeNote;
  if (job) {
    const how =
      route.method === 'GET'
        ? 'Answered from MySQL for committed and view snapshots; an active snapshot is measured by a job on its host (may answer 202).'
        : 'Runs as a job on the host\'s queue. The API waits up to `?wait=` seconds for it and answers with its result or typed error; ' +
          'after that, or with `Prefer: respond-async`, it answers 202 with `Location: /v1/jobs/{host}/{jobId}`.';
    operation.description = `${scopeNote}\n\n${how}`;
  }
  if (route.body) {
    operation.requestBody = {
      required: true,
      content: { 'application/json': { schema: components.ref(route.body, 'input', `${name}Body`) } },
    };
  }
  return operation;
}

function tagOf(path: string): string {
  // A batch mutates snapshots of one namespace: it belongs with them, not with the hosts.
  if (path.includes('/snapshots') || path.startsWith('/v1/namespaces/')) return 'snapshots';
  if (path.startsWith('/v1/tokens')) return 'tokens';
  if (path.startsWith('/v1/jobs')) return 'jobs';
  return 'hosts';
}
