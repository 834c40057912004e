// The client's public option and result types, and compile-time checks that tie the route
// table, the job results and the client's answers together.
import type { z } from 'zod';
import type { JobView, ROUTES, RouteName } from '@snapfleet/contracts';
import type { AsyncRouteName, COMPLETIONS, CompletionValue } from './jobs';

export interface SnapfleetClientOptions {
  /** API root, e.g. http://127.0.0.1:8080 (a path prefix behind a proxy is kept). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Budget of one request in ms (default 30 s); server-side waits (`wait`) come on top. */
  timeoutMs?: number;
  userAgent?: string;
  /**
   * Conditional reads (stat, mounts, walk pages, hosts, jobs) keep their last answer per URL
   * and ask again with If-None-Match; a 304 is answered from memory, so a poller moves no body.
   * `false` turns it off; default budget 8 MiB of kept bodies, least recently used out first.
   */
  revalidate?: false | { maxBytes?: number };
}

export interface CallOptions {
  /** Sent as x-request-id; the API logs it and carries it into the host's job. */
  requestId?: string;
  signal?: AbortSignal;
  /** Overrides the client's per-request budget (ms). */
  timeoutMs?: number;
}

export interface MutationOptions extends CallOptions {
  /** Becomes the job id: the same key twice runs the operation once. [A-Za-z0-9._~-]{1,128}. */
  idempotencyKey?: string;
  /** Seconds the API waits for the job before answering 202 (`?wait=`, 0..300, API default 30). */
  wait?: number;
  /** `Prefer: respond-async`: answer 202 at once with the job. */
  respondAsync?: boolean;
  /** `always` enqueues even when the host is down; default `if-up` (503 instead). */
  queue?: 'always' | 'if-up';
}

/** How settle() waits for the job of a 202. */
export interface SettleOptions {
  /** Total time to wait for the job after a 202 (ms, default 10 minutes). */
  jobTimeoutMs?: number;
  onProgress?: (job: JobView) => void;
  signal?: AbortSignal;
  requestId?: string;
}

/** Options of the methods that wait for the job to finish. */
export interface CompletionOptions extends MutationOptions, SettleOptions {}

export type UsageOptions = Omit<CompletionOptions, 'idempotencyKey' | 'respondAsync'>;

/** What a mutation answered: its result (2xx), or the job still running (202 Accepted). */
export type MutationResult<T> = { done: true; value: T } | { done: false; job: JobView; location: string };

export interface WalkPageQuery {
  /** containerd filters; several are OR-ed, commas inside one are AND-ed. */
  filters?: readonly string[];
  limit?: number;
  /** The `next` cursor of the previous page. */
  after?: string;
}

export interface WalkAllOptions extends CallOptions {
  /** Page size (default: the API's maximum, fewest round trips). */
  pageSize?: number;
}

type Routes = typeof ROUTES;
/** The validated body of a route's success answer (undefined for 204 routes). */
export type RouteResponse<N extends RouteName> = Routes[N] extends { response: infer S extends z.ZodType } ? z.infer<S> : void;

/** The routes whose GETs carry an ETag and answer If-None-Match (the contracts' `conditional`). */
export type ConditionalRouteName = { [K in RouteName]: Routes[K] extends { conditional: true } ? K : never }[RouteName];

// Compile-time guard: every route the table marks async knows how its job's result maps to
// the route's answer, so a new async route cannot be added without it.
type TableAsyncRoute = { [K in RouteName]: Routes[K] extends { async: true } ? K : never }[RouteName];
const _everyAsyncRouteCompletes: Record<TableAsyncRoute, unknown> = null as unknown as typeof COMPLETIONS;
// …and a job's mapped result has exactly the type of the route's synchronous answer, which is
// what lets mutate() hand either one back as the same value.
type AnswersAgree = {
  [N in AsyncRouteName]: [RouteResponse<N>] extends [CompletionValue<N>] ? ([CompletionValue<N>] extends [RouteResponse<N>] ? true : false) : false;
};
const _answersAgree: Record<AsyncRouteName, true> = null as unknown as AnswersAgree;
