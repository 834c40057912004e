// The job protocol between the API and the host workers: job data, ids, options and how a
// typed error travels through BullMQ's failure reason. Job ids and options are set here
// and nowhere else.
import { randomUUID } from 'node:crypto';
import { SnapfleetError, isErrorCode, type ErrorCode } from './errors';
import { IDEMPOTENCY_KEY_RE } from './http';
import type { OpName, OpPayload } from './ops';

export interface JobData<N extends OpName = OpName> {
  payload: OpPayload<N>;
  /** Request id of the HTTP request that enqueued the job, carried into the worker's logs. */
  requestId?: string;
}

/** Codes that mean "try again later": the job is retried with backoff. */
export const RETRYABLE_CODES: readonly ErrorCode[] = ['unavailable', 'aborted', 'internal'];

export function isRetryable(code: ErrorCode): boolean {
  return RETRYABLE_CODES.includes(code);
}

/** Job id: the client's idempotency key, or a fresh one. Never an integer (BullMQ's own ids). */
export function jobIdFor(idempotencyKey?: string): string {
  if (idempotencyKey === undefined) return `${SERVER_JOB_ID_PREFIX}${randomUUID()}`;
  if (!IDEMPOTENCY_KEY_RE.test(idempotencyKey)) {
    throw new SnapfleetError('invalid_argument', 'Idempotency-Key must be 1-128 characters of [A-Za-z0-9._~-]');
  }
  return `idem-${idempotencyKey}`;
}

/**
 * A job id made by the API (no Idempotency-Key): a fresh UUID, so no earlier op can have run
 * under it; keyed ids (`idem-…`) may name an op that ran before its job was removed.
 */
export const SERVER_JOB_ID_PREFIX = 'op-';

export const isServerJobId = (jobId: string): boolean => jobId.startsWith(SERVER_JOB_ID_PREFIX);

/** BullMQ job options of every snapfleet job. */
export function jobOptionsFor(jobId: string) {
  return {
    jobId,
    attempts: 8,
    backoff: { type: 'exponential' as const, delay: 250 },
    // Finished jobs are kept for polling and dashboards, bounded in time and count.
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 100_000 },
  };
}

/**
 * BullMQ keeps only a failure reason string: "[code] message" then, on a second line, the
 * details as JSON. Readable on a dashboard, decodable by the API.
 */
export function encodeJobError(err: SnapfleetError): string {
  const details = Object.keys(err.details).length > 0 ? `\n${JSON.stringify(err.details)}` : '';
  return `[${err.code}] ${err.message}${details}`;
}

export function decodeJobError(reason: string | undefined): SnapfleetError {
  const m = /^\[(\w+)\] ([^\n]*)(?:\n(.*))?$/s.exec(reason ?? '');
  if (!m || !isErrorCode(m[1])) return new SnapfleetError('internal', reason || 'job failed without a reason');
  let details: Record<string, unknown> = {};
  try {
    if (m[3]) details = JSON.parse(m[3]) as Record<string, unknown>;
  } catch {
    details = { raw: m[3] };
  }
  return new SnapfleetError(m[1], m[2] ?? '', details);
}
