// Waiting for a host job to finish: polls `GET /v1/jobs/{host}/{jobId}` with capped, jittered
// exponential backoff, reports progress, and turns a finished job into its typed result or
// its typed error. Polling (not a push channel) because the API stores outcomes durably and
// any replica can answer a poll.
import type { z } from 'zod';
import {
  BatchResultSchema,
  CleanupResultSchema,
  CreateResultSchema,
  InfoResultSchema,
  OPS,
  SnapfleetError,
  UsageSchema,
  describeIssues,
  hasCode,
  type JobView,
  type OpName,
} from '@snapfleet/contracts';

export interface WaitForJobOptions {
  /** Give up after this long (ms); default 10 minutes. The job itself keeps running. */
  timeoutMs?: number;
  /** Called with the first view of the job and again whenever its state or progress changes. */
  onProgress?: (job: JobView) => void;
  signal?: AbortSignal;
  /** Sent as x-request-id on every poll, so the API's logs tie the polls to the request. */
  requestId?: string;
}

export const DEFAULT_JOB_TIMEOUT_MS = 10 * 60_000;
/** Snapshot ops take tens of ms on btrfs: poll soon, then back off to spare the API. */
const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 2_000;
const BACKOFF = 1.6;
/** A poll never gets less than this, even when the wait's deadline is closer. */
const MIN_POLL_TIMEOUT_MS = 1_000;

export interface PollTarget {
  host: string;
  jobId: string;
  /** One GET of the job with the given request budget. */
  get(timeoutMs: number): Promise<JobView>;
  /** Per-request budget of the client. */
  requestTimeoutMs: number;
}

/**
 * Polls until the job completes (returns it) or fails (throws its typed error). `first` is a
 * view already in hand (a 202's body): it counts as the first observation.
 */
export async function pollJob(t: PollTarget, opts: WaitForJobOptions = {}, first?: JobView): Promise<JobView> {
  const budget = opts.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  const deadline = Date.now() + budget;
  let delay = FIRST_POLL_MS;
  let seen: JobView | undefined;
  let job = first;
  for (let round = 0; ; round++) {
    if (job !== undefined) {
      if (seen === undefined || seen.state !== job.state || seen.progress !== job.progress) opts.onProgress?.(job);
      seen = job;
      if (job.state === 'completed') return job;
      if (job.state === 'failed') throw jobError(job);
      // BullMQ says `unknown` for a job in none of its lists: expired or never enqueued.
      if (job.state === 'unknown') {
        throw new SnapfleetError('not_found', `job ${job.id} is unknown to host ${job.host} (expired or never enqueued)`, {
          host: job.host,
          jobId: job.id,
        });
      }
    }
    // The first poll goes out at once unless a view of the job is already in hand.
    if (round > 0 || first !== undefined) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new SnapfleetError(
          'unavailable',
          `job ${t.jobId} on host ${t.host} did not finish within ${budget} ms (last state: ${seen?.state ?? 'never seen'})`,
          { host: t.host, jobId: t.jobId, ...(seen ? { state: seen.state } : {}) },
        );
      }
      await sleep(Math.min(jitter(delay), left), opts.signal);
      delay = Math.min(delay * BACKOFF, MAX_POLL_MS);
    }
    try {
      job = await t.get(Math.min(t.requestTimeoutMs, Math.max(deadline - Date.now(), MIN_POLL_TIMEOUT_MS)));
    } catch (err) {
      // An API replica restarting or a gateway hiccup must not lose a job that is still running.
      if (!hasCode(err, 'unavailable') || Date.now() >= deadline) throw err;
      job = undefined;
    }
  }
}

/** The typed error a failed job carries; its details say which job it was. */
export function jobError(job: JobView): SnapfleetError {
  const where = { host: job.host, jobId: job.id };
  if (job.error === undefined) return new SnapfleetError('internal', `job ${job.id} on host ${job.host} failed without an error`, where);
  return new SnapfleetError(job.error.code, job.error.message, { ...where, ...job.error.details });
}

/** How the result of each async route's job maps to the route's synchronous answer. */
interface Completion<T> {
  ops: readonly OpName[];
  schema: z.ZodType;
  project(result: never): T;
}

function completion<S extends z.ZodType, T>(ops: readonly OpName[], schema: S, project: (r: z.infer<S>) => T): Completion<T> {
  return { ops, schema, project: project as (r: never) => T };
}

export const COMPLETIONS = {
  createSnapshot: completion(['prepare', 'view'], CreateResultSchema, (r) => r),
  commitSnapshot: completion(['commit'], InfoResultSchema, (r) => r),
  // The job returns {info}; PATCH answers the info itself.
  updateSnapshot: completion(['update'], OPS.update.result, (r) => r.info),
  removeSnapshot: completion(['remove'], OPS.remove.result, (): void => undefined),
  cleanupHost: completion(['cleanup'], CleanupResultSchema, (r) => r),
  fsckHost: completion(['fsck'], OPS.fsck.result, (r) => r),
  snapshotUsage: completion(['usage'], UsageSchema, (r) => r),
  runBatch: completion(['batch'], BatchResultSchema, (r) => r),
};
export type AsyncRouteName = keyof typeof COMPLETIONS;
export type CompletionValue<N extends AsyncRouteName> = (typeof COMPLETIONS)[N] extends Completion<infer T> ? T : never;

/** The value of a completed job, checked against its op's result schema. */
export function resultOfJob<N extends AsyncRouteName>(route: N, job: JobView): CompletionValue<N> {
  const c: Completion<CompletionValue<N>> = COMPLETIONS[route] as Completion<CompletionValue<N>>;
  if (!c.ops.includes(job.op)) {
    // Most likely an Idempotency-Key reused for a different operation.
    throw new SnapfleetError('internal', `job ${job.id} on host ${job.host} is a ${job.op} job, expected ${c.ops.join(' or ')}`, {
      host: job.host,
      jobId: job.id,
    });
  }
  const r = c.schema.safeParse(job.result);
  if (!r.success) {
    throw new SnapfleetError('internal', `job ${job.id} on host ${job.host} completed with a malformed result: ${describeIssues(r.error)}`, {
      host: job.host,
      jobId: job.id,
    });
  }
  return c.project(r.data as never);
}

/** ±20 % so many clients waiting on one host do not poll in lockstep. */
const jitter = (ms: number) => Math.round(ms * (0.8 + Math.random() * 0.4));

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(ms, 0));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
