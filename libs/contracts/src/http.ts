// The HTTP API's shape: routes, request bodies and query strings, response bodies. The API
// validates with these schemas, the client builds requests from the same table, and the
// OpenAPI document is generated from it.
import { z } from 'zod';
import { CreateTokenBodySchema, TokenCreatedSchema, TokenListSchema, type TokenScope } from './auth';
import { HostIdSchema, KeySchema } from './identifiers';
import { LabelsSchema } from './labels';
import { BatchResultSchema, BatchStepsSchema, CleanupResultSchema, CreateResultSchema, FsckReportSchema, InfoResultSchema, OpErrorSchema, OpNameSchema } from './ops';
import { MountsResultSchema, SnapshotInfoSchema, UsageSchema } from './snapshot';

export const API_VERSION_PREFIX = '/v1';
/** Longest a mutation waits for its job before answering 202 (seconds). */
export const MAX_WAIT_SECONDS = 300;
export const DEFAULT_WAIT_SECONDS = 30;
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;
/** Request bodies larger than this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 1024 * 1024;

export const CreateBodySchema = z
  .object({
    key: KeySchema,
    parent: KeySchema.optional(),
    labels: LabelsSchema.optional(),
    kind: z.enum(['active', 'view']).default('active').describe('active = prepare (writable), view = read-only'),
  })
  .strict();
export type CreateBody = z.input<typeof CreateBodySchema>;

export const CommitBodySchema = z.object({ name: KeySchema, labels: LabelsSchema.optional() }).strict();
export type CommitBody = z.input<typeof CommitBodySchema>;

export const UpdateBodySchema = z
  .object({
    labels: LabelsSchema.default({}),
    fieldpaths: z.array(z.string().max(8192)).max(512).optional().describe('containerd field paths: labels, labels.<key>'),
  })
  .strict();
export type UpdateBody = z.input<typeof UpdateBodySchema>;

export const BatchBodySchema = z.object({ steps: BatchStepsSchema }).strict();
export type BatchBody = z.input<typeof BatchBodySchema>;

/** `?wait=` seconds a mutation waits for its job (0 = answer 202 at once). */
export const WaitQuerySchema = z.object({
  wait: z.coerce.number().min(0).max(MAX_WAIT_SECONDS).default(DEFAULT_WAIT_SECONDS),
  /** `always`: enqueue even when the host is down (the job runs when it comes back). */
  queue: z.enum(['always', 'if-up']).default('if-up'),
});

const filterParam = z.union([z.string(), z.array(z.string())]).optional();
export const WalkQuerySchema = z.object({
  filter: filterParam.transform((f) => (f === undefined ? [] : Array.isArray(f) ? f : [f])),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  after: z.string().regex(/^\d{1,15}$/, 'after must be a cursor returned as `next`').optional(),
});

export const WalkResponseSchema = z.object({
  snapshots: z.array(SnapshotInfoSchema),
  next: z.string().optional().describe('cursor for the next page (`?after=`), absent on the last page'),
});
export type WalkResponse = z.infer<typeof WalkResponseSchema>;

export const JOB_STATES = ['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed', 'waiting-children', 'unknown'] as const;
export const JobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobStateSchema>;

export const JobErrorSchema = OpErrorSchema;
export type JobError = z.infer<typeof JobErrorSchema>;

export const JobViewSchema = z.object({
  id: z.string(),
  host: HostIdSchema,
  op: OpNameSchema,
  state: JobStateSchema,
  result: z.unknown().optional(),
  error: JobErrorSchema.optional(),
  attempts: z.number().int().nonnegative(),
  progress: z.number().min(0).max(100).optional(),
  createdAt: z.string(),
  startedAt: z.string().optional().describe('when a worker started its latest attempt (absent while it waits for its first)'),
  finishedAt: z.string().optional(),
});
export type JobView = z.infer<typeof JobViewSchema>;

export const AcceptedSchema = z.object({ job: JobViewSchema });

export const HostViewSchema = z.object({
  id: HostIdSchema,
  status: z.enum(['up', 'down']),
  draining: z.boolean(),
  root: z.string(),
  device: z.string(),
  fsid: z.string(),
  sizeBytes: z.number(),
  freeBytes: z.number(),
  workers: z.number().int(),
  version: z.string(),
  heartbeatAt: z.string().nullable(),
  registeredAt: z.string(),
});
export type HostView = z.infer<typeof HostViewSchema>;
export const HostListSchema = z.object({ hosts: z.array(HostViewSchema) });

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: HttpMethod;
  /** OpenAPI-style template; `{key}` is one URL-encoded path segment. */
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Success status and body (undefined for 204). */
  status: number;
  response?: z.ZodType;
  /** Mutations run as jobs on the host's queue and may answer 202 instead. */
  async?: boolean;
  /**
   * A read whose 200 carries a strong `ETag` (a digest of the body) and `Cache-Control:
   * private, no-cache`; a GET whose `If-None-Match` names the current tag is answered 304 with
   * no body. Pollers (dashboards, the fleet page, a browser's cache) then pay for a change only.
   */
  conditional?: boolean;
  /**
   * The token scope the route needs. Routes with `{ns}` also need the namespace among the
   * token's; admin tokens have every namespace.
   */
  scope: TokenScope;
}

const NS_HOST = `${API_VERSION_PREFIX}/namespaces/{ns}/hosts/{host}`;

export const ROUTES = {
  createSnapshot: { method: 'POST', path: `${NS_HOST}/snapshots`, summary: 'Prepare (active) or view a snapshot', body: CreateBodySchema, query: WaitQuerySchema, status: 201, response: CreateResultSchema, async: true, scope: 'write' },
  commitSnapshot: { method: 'POST', path: `${NS_HOST}/snapshots/{key}/commit`, summary: 'Commit an active snapshot under a name', body: CommitBodySchema, query: WaitQuerySchema, status: 201, response: InfoResultSchema, async: true, scope: 'write' },
  statSnapshot: { method: 'GET', path: `${NS_HOST}/snapshots/{key}`, summary: 'Snapshot info', status: 200, response: SnapshotInfoSchema, conditional: true, scope: 'read' },
  updateSnapshot: { method: 'PATCH', path: `${NS_HOST}/snapshots/{key}`, summary: 'Update labels (containerd field paths)', body: UpdateBodySchema, query: WaitQuerySchema, status: 200, response: SnapshotInfoSchema, async: true, scope: 'write' },
  snapshotMounts: { method: 'GET', path: `${NS_HOST}/snapshots/{key}/mounts`, summary: 'Mounts of an active or view snapshot', status: 200, response: MountsResultSchema, conditional: true, scope: 'read' },
  snapshotUsage: { method: 'GET', path: `${NS_HOST}/snapshots/{key}/usage`, summary: 'Usage of the snapshot itself (not its parents)', query: WaitQuerySchema, status: 200, response: UsageSchema, scope: 'read' },
  removeSnapshot: { method: 'DELETE', path: `${NS_HOST}/snapshots/{key}`, summary: 'Remove a snapshot without children', query: WaitQuerySchema, status: 204, async: true, scope: 'write' },
  walkSnapshots: { method: 'GET', path: `${NS_HOST}/snapshots`, summary: 'List snapshots (containerd filters, cursor pages)', query: WalkQuerySchema, status: 200, response: WalkResponseSchema, conditional: true, scope: 'read' },
  runBatch: { method: 'POST', path: `${NS_HOST}/batch`, summary: 'Run several snapshot mutations in order as one job', body: BatchBodySchema, query: WaitQuerySchema, status: 200, response: BatchResultSchema, async: true, scope: 'write' },
  cleanupHost: { method: 'POST', path: `${API_VERSION_PREFIX}/hosts/{host}/cleanup`, summary: 'Delete subvolumes no snapshot references', query: WaitQuerySchema, status: 200, response: CleanupResultSchema, async: true, scope: 'admin' },
  fsckHost: { method: 'POST', path: `${API_VERSION_PREFIX}/hosts/{host}/fsck`, summary: 'Compare a host\'s metadata, disk and queue; report every difference', query: WaitQuerySchema, status: 200, response: FsckReportSchema, async: true, scope: 'admin' },
  listHosts: { method: 'GET', path: `${API_VERSION_PREFIX}/hosts`, summary: 'Hosts with health', status: 200, response: HostListSchema, conditional: true, scope: 'admin' },
  getHost: { method: 'GET', path: `${API_VERSION_PREFIX}/hosts/{host}`, summary: 'One host with health', status: 200, response: HostViewSchema, conditional: true, scope: 'admin' },
  getJob: { method: 'GET', path: `${API_VERSION_PREFIX}/jobs/{host}/{jobId}`, summary: 'State, result or typed error of a job', status: 200, response: JobViewSchema, conditional: true, scope: 'read' },
  createToken: { method: 'POST', path: `${API_VERSION_PREFIX}/tokens`, summary: 'Create an API token (its secret is shown once)', body: CreateTokenBodySchema, status: 201, response: TokenCreatedSchema, scope: 'admin' },
  listTokens: { method: 'GET', path: `${API_VERSION_PREFIX}/tokens`, summary: 'API tokens (never their secrets)', status: 200, response: TokenListSchema, scope: 'admin' },
  revokeToken: { method: 'DELETE', path: `${API_VERSION_PREFIX}/tokens/{tokenId}`, summary: 'Revoke an API token, at once on every API process', status: 204, scope: 'admin' },
} as const satisfies Record<string, RouteSpec>;
export type RouteName = keyof typeof ROUTES;

/** Fills a route template; every parameter becomes one URL-encoded segment. */
export function routePath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`missing route parameter ${name}`);
    return encodeURIComponent(v);
  });
}

/** Header carrying the client's idempotency key (it becomes the job id). */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9._~-]{1,128}$/;
export const REQUEST_ID_HEADER = 'x-request-id';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
