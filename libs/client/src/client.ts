// SnapfleetClient: one method per route of the contracts' ROUTES table, requests built from
// that table (method + routePath) and answers checked against its response schemas. Mutations
// return either their result or the job still running (202); the *AndWait methods and
// settle() wait for the job, so each caller chooses.
import {
  AcceptedSchema,
  MAX_PAGE_SIZE,
  REQUEST_ID_HEADER,
  ROUTES,
  SnapfleetError,
  invalidArgument,
  routePath,
  type BatchBody,
  type CommitBody,
  type CreateTokenBody,
  type CreateBody,
  type JobView,
  type RouteName,
  type RouteSpec,
  type SnapshotInfo,
  type UpdateBody,
} from '@snapfleet/contracts';
import { malformedResponse } from './errors';
import { pollJob, resultOfJob, type AsyncRouteName, type CompletionValue, type WaitForJobOptions } from './jobs';
import { mutationHeaders, parseAnswer, pathFor, readAnswer, waitQuery, type PathParams } from './request';
import { DEFAULT_REVALIDATION_BYTES, RevalidationCache } from './revalidation-cache';
import { Transport, type Answer } from './transport';
import type {
  CallOptions,
  CompletionOptions,
  ConditionalRouteName,
  MutationOptions,
  MutationResult,
  RouteResponse,
  SettleOptions,
  SnapfleetClientOptions,
  UsageOptions,
  WalkAllOptions,
  WalkPageQuery,
} from './types';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_USER_AGENT = 'snapfleet-client/1';

export class SnapfleetClient {
  private readonly transport: Transport;
  private readonly timeoutMs: number;
  private readonly revalidation: RevalidationCache | undefined;

  constructor(opts: SnapfleetClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw invalidArgument('timeoutMs must be a positive number of milliseconds');
    const keepBytes = opts.revalidate === false ? 0 : (opts.revalidate?.maxBytes ?? DEFAULT_REVALIDATION_BYTES);
    if (!(Number.isSafeInteger(keepBytes) && keepBytes >= 0)) throw invalidArgument('revalidate.maxBytes must be a whole number of bytes, 0 or more');
    this.revalidation = keepBytes > 0 ? new RevalidationCache(keepBytes) : undefined;
    this.transport = new Transport({
      baseUrl: opts.baseUrl,
      ...(opts.token === undefined ? {} : { token: opts.token }),
      timeoutMs: this.timeoutMs,
      userAgent: opts.userAgent ?? DEFAULT_USER_AGENT,
    });
  }

  /** Kept answers of conditional reads (see SnapfleetClientOptions.revalidate). */
  get revalidationCache(): { entries: number; bytes: number } {
    return this.revalidation?.size ?? { entries: 0, bytes: 0 };
  }

  /** Closes idle keep-alive connections now (later requests open new ones). */
  close(): void {
    this.transport.close();
  }

  // ---- snapshots -------------------------------------------------------------------------

  /** Prepare (kind `active`, the default) or view a snapshot. */
  createSnapshot(ns: string, host: string, body: CreateBody, opts: MutationOptions = {}) {
    return this.mutate('createSnapshot', { ns, host }, body, opts);
  }

  commitSnapshot(ns: string, host: string, key: string, body: CommitBody, opts: MutationOptions = {}) {
    return this.mutate('commitSnapshot', { ns, host, key }, body, opts);
  }

  async statSnapshot(ns: string, host: string, key: string, opts: CallOptions = {}): Promise<SnapshotInfo> {
    return this.read('statSnapshot', { ns, host, key }, opts);
  }

  /** Labels only, containerd field paths (`labels`, `labels.<key>`); none = replace all labels. */
  updateSnapshot(ns: string, host: string, key: string, body: UpdateBody, opts: MutationOptions = {}) {
    return this.mutate('updateSnapshot', { ns, host, key }, body, opts);
  }

  async snapshotMounts(ns: string, host: string, key: string, opts: CallOptions = {}) {
    return this.read('snapshotMounts', { ns, host, key }, opts);
  }

  /**
   * Usage of the snapshot itself. Usage of an active snapshot is measured on its host, so the
   * API may answer 202 like a mutation: this method then waits for the job.
   */
  async snapshotUsage(ns: string, host: string, key: string, opts: UsageOptions = {}) {
    const { query, serverWaitMs } = waitQuery(opts);
    const a = await this.exchange('snapshotUsage', { ns, host, key }, opts, { query, serverWaitMs });
    if (a.status === 202) return this.settle('snapshotUsage', this.accepted(a), opts);
    return readAnswer('snapshotUsage', a);
  }

  removeSnapshot(ns: string, host: string, key: string, opts: MutationOptions = {}) {
    return this.mutate('removeSnapshot', { ns, host, key }, undefined, opts);
  }

  /**
   * Several mutations of one namespace run in order as one job: one request, one queue hop,
   * one lease on all their keys. A step's error ends the batch; the answer's `failed` says
   * which step and why, and `results` holds what the steps before it returned.
   */
  runBatch(ns: string, host: string, body: BatchBody, opts: MutationOptions = {}) {
    return this.mutate('runBatch', { ns, host }, body, opts);
  }

  /** One page of snapshots; see walkAll() for all of them. */
  async walkSnapshots(ns: string, host: string, page: WalkPageQuery = {}, opts: CallOptions = {}) {
    const query = new URLSearchParams();
    for (const f of page.filters ?? []) query.append('filter', f);
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    if (page.after !== undefined) query.set('after', page.after);
    return this.read('walkSnapshots', { ns, host }, opts, query);
  }

  /** Every snapshot matching `filters`, following `next` cursors page after page. */
  async *walkAll(ns: string, host: string, filters: readonly string[] = [], opts: WalkAllOptions = {}): AsyncGenerator<SnapshotInfo, void, undefined> {
    const { pageSize, ...call } = opts;
    const limit = pageSize ?? MAX_PAGE_SIZE;
    let after: string | undefined;
    do {
      const page = await this.walkSnapshots(ns, host, { filters, limit, ...(after === undefined ? {} : { after }) }, call);
      yield* page.snapshots;
      // A cursor that does not move would loop forever.
      if (page.next !== undefined && page.next === after) {
        throw malformedResponse('GET', this.transport.url(pathFor('walkSnapshots', { ns, host })), `cursor ${page.next} did not advance`);
      }
      after = page.next;
    } while (after !== undefined);
  }

  // ---- hosts and jobs ----------------------------------------------------------------------

  cleanupHost(host: string, opts: MutationOptions = {}) {
    return this.mutate('cleanupHost', { host }, undefined, opts);
  }

  /** The host's consistency report (metadata, disk, queue); read-only, runs as a job on the host. */
  fsckHost(host: string, opts: MutationOptions = {}) {
    return this.mutate('fsckHost', { host }, undefined, opts);
  }

  async listHosts(opts: CallOptions = {}) {
    return this.read('listHosts', {}, opts);
  }

  async getHost(host: string, opts: CallOptions = {}) {
    return this.read('getHost', { host }, opts);
  }

  async getJob(host: string, jobId: string, opts: CallOptions = {}): Promise<JobView> {
    return this.read('getJob', { host, jobId }, opts);
  }

  // ---- tokens (admin) ---------------------------------------------------------------------

  /** A new token; its secret (`token`) is in this answer only. */
  async createToken(body: CreateTokenBody, opts: CallOptions = {}) {
    return readAnswer('createToken', await this.exchange('createToken', {}, opts, { body }));
  }

  async listTokens(opts: CallOptions = {}) {
    return readAnswer('listTokens', await this.exchange('listTokens', {}, opts));
  }

  /** Revoked at once on every API process. */
  async revokeToken(tokenId: string, opts: CallOptions = {}): Promise<void> {
    await this.exchange('revokeToken', { tokenId }, opts);
  }

  /** Polls the job until it completes (returns it) or fails (throws its typed error). */
  waitForJob(host: string, jobId: string, opts: WaitForJobOptions = {}): Promise<JobView> {
    return this.poll(host, jobId, opts);
  }

  /** The value of a mutation's answer, waiting for its job when it was a 202. */
  async settle<N extends AsyncRouteName>(
    route: N,
    result: MutationResult<CompletionValue<N>> | Promise<MutationResult<CompletionValue<N>>>,
    opts: SettleOptions = {},
  ): Promise<CompletionValue<N>> {
    const r = await result;
    if (r.done) return r.value;
    const wait: WaitForJobOptions = {
      ...(opts.jobTimeoutMs === undefined ? {} : { timeoutMs: opts.jobTimeoutMs }),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.requestId === undefined ? {} : { requestId: opts.requestId }),
    };
    return resultOfJob(route, await this.poll(r.job.host, r.job.id, wait, r.job));
  }

  // ---- mutations that wait for completion ---------------------------------------------------

  createSnapshotAndWait(ns: string, host: string, body: CreateBody, opts: CompletionOptions = {}) {
    return this.settle('createSnapshot', this.createSnapshot(ns, host, body, opts), opts);
  }

  commitSnapshotAndWait(ns: string, host: string, key: string, body: CommitBody, opts: CompletionOptions = {}) {
    return this.settle('commitSnapshot', this.commitSnapshot(ns, host, key, body, opts), opts);
  }

  updateSnapshotAndWait(ns: string, host: string, key: string, body: UpdateBody, opts: CompletionOptions = {}) {
    return this.settle('updateSnapshot', this.updateSnapshot(ns, host, key, body, opts), opts);
  }

  removeSnapshotAndWait(ns: string, host: string, key: string, opts: CompletionOptions = {}): Promise<void> {
    return this.settle('removeSnapshot', this.removeSnapshot(ns, host, key, opts), opts);
  }

  runBatchAndWait(ns: string, host: string, body: BatchBody, opts: CompletionOptions = {}) {
    return this.settle('runBatch', this.runBatch(ns, host, body, opts), opts);
  }

  cleanupHostAndWait(host: string, opts: CompletionOptions = {}) {
    return this.settle('cleanupHost', this.cleanupHost(host, opts), opts);
  }

  fsckHostAndWait(host: string, opts: CompletionOptions = {}) {
    return this.settle('fsckHost', this.fsckHost(host, opts), opts);
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private async mutate<N extends AsyncRouteName>(name: N, params: PathParams, body: unknown, opts: MutationOptions): Promise<MutationResult<CompletionValue<N>>> {
    const { query, serverWaitMs } = waitQuery(opts);
    const headers = mutationHeaders(opts);
    const a = await this.exchange(name, params, opts, { query, body, headers, serverWaitMs: opts.respondAsync ? 0 : serverWaitMs });
    if (a.status === 202) return this.accepted(a);
    return { done: true, value: readAnswer(name, a) as CompletionValue<N> };
  }

  /**
   * A GET of a route the contracts mark conditional, revalidating what this client kept of the
   * URL: a 304 gives the kept value back, re-read from its own JSON (the same bytes passed the
   * contract when they were kept, so they are not checked again); a tagged 200 is checked and
   * kept; anything else drops what the URL held.
   */
  private async read<N extends ConditionalRouteName>(name: N, params: PathParams, opts: CallOptions, query?: URLSearchParams): Promise<RouteResponse<N>> {
    const cache = this.revalidation;
    if (cache === undefined) return readAnswer(name, await this.exchange(name, params, opts, query ? { query } : {}));
    const path = pathFor(name, params);
    const url = this.transport.url(path, query);
    const kept = cache.get(url);
    let a: Answer;
    try {
      a = await this.exchange(name, params, opts, { path, ...(query ? { query } : {}), ...(kept ? { headers: { 'if-none-match': kept.etag }, notModifiedOk: true } : {}) });
    } catch (err) {
      // An error the API answered means the kept value is no longer the answer; no answer at
      // all (timeout, abort, connection) says nothing about it.
      if (err instanceof SnapfleetError && typeof err.details.status === 'number') cache.forget(url);
      throw err;
    }
    if (a.status === 304 && kept !== undefined) return JSON.parse(kept.text) as RouteResponse<N>;
    const value = readAnswer(name, a);
    const etag = a.header('etag');
    if (a.status === 200 && etag !== undefined) cache.keep(url, { etag, text: JSON.stringify(value) });
    else cache.forget(url);
    return value;
  }

  private accepted(a: Answer): { done: false; job: JobView; location: string } {
    const { job } = parseAnswer(a, AcceptedSchema);
    const location = a.header('location') ?? routePath(ROUTES.getJob.path, { host: job.host, jobId: job.id });
    return { done: false, job, location };
  }

  private poll(host: string, jobId: string, opts: WaitForJobOptions, first?: JobView): Promise<JobView> {
    const call = { ...(opts.requestId === undefined ? {} : { requestId: opts.requestId }), ...(opts.signal ? { signal: opts.signal } : {}) };
    return pollJob({ host, jobId, requestTimeoutMs: this.timeoutMs, get: (timeoutMs) => this.getJob(host, jobId, { ...call, timeoutMs }) }, opts, first);
  }

  private exchange(
    name: RouteName,
    params: PathParams,
    opts: CallOptions,
    x: { path?: string; query?: URLSearchParams; body?: unknown; headers?: Record<string, string>; serverWaitMs?: number; notModifiedOk?: boolean } = {},
  ): Promise<Answer> {
    const route: RouteSpec = ROUTES[name];
    const headers = { ...x.headers };
    if (opts.requestId !== undefined) headers[REQUEST_ID_HEADER] = opts.requestId;
    return this.transport.send({
      method: route.method,
      path: x.path ?? pathFor(name, params),
      ...(x.query ? { query: x.query } : {}),
      ...(x.body === undefined ? {} : { body: x.body }),
      headers,
      ...(x.notModifiedOk === true ? { notModifiedOk: true } : {}),
      // The API may hold the request for its whole `wait` before it even starts answering.
      timeoutMs: (opts.timeoutMs ?? this.timeoutMs) + (x.serverWaitMs ?? 0),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }
}

