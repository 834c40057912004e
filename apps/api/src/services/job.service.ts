// Runs ops as jobs on their host's queue: host gate, idempotency, enqueue, wait, outcome.
import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import {
  batchStepOpId,
  decodeJobError,
  groupStepJobId,
  parseGroupStepJobId,
  invalidArgument,
  jobIdFor,
  jobOptionsFor,
  notFound,
  SnapfleetError,
  unavailable,
  type BatchStep,
  type JobData,
  type JobView,
  type OpName,
  type OpPayload,
} from '@snapfleet/contracts';
import { ApiMetrics } from '../metrics/api-metrics';
import { JobQueueRepository, type EventReader } from '../repositories/job-queue.repository';
import { MetadataRepository } from '../repositories/metadata.repository';
import { canonicalJson } from '../util/canonical-json';
import { HostService } from './host.service';
import { isSettled, JobWaiter, type Settled } from './job-waiter.service';
import { groupStepOutcome, groupStepView, recordedJobView, toJobView } from './job-view';
import { OpGrouper, type GroupTicket } from './op-grouper.service';

/** Ops a group job can carry: the single-snapshot mutations (a batch step's ops). */
const GROUPABLE: ReadonlySet<OpName> = new Set<OpName>(['prepare', 'view', 'commit', 'remove', 'update']);

/** How the client asked a job to be run and answered. */
export interface JobRequestOptions {
  /** The Idempotency-Key header, unvalidated. */
  idempotencyKey?: string;
  requestId?: string;
  /** Longest to wait for the outcome before answering 202; 0 = answer at once. */
  waitMs: number;
  /** Enqueue even when the host is unknown or down (`?queue=always`). */
  queueAlways: boolean;
}

export type JobOutcome =
  | { kind: 'completed'; jobId: string; result: unknown }
  | { kind: 'failed'; jobId: string; error: SnapfleetError }
  | { kind: 'pending'; jobId: string; job: JobView };

@Injectable()
export class JobService {
  constructor(
    @Inject(JobQueueRepository) private readonly queues: JobQueueRepository,
    @Inject(MetadataRepository) private readonly metadata: MetadataRepository,
    @Inject(HostService) private readonly hosts: HostService,
    @Inject(JobWaiter) private readonly waiter: JobWaiter,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
    @Inject(OpGrouper) private readonly grouper: OpGrouper,
    @Inject(PinoLogger) private readonly log: PinoLogger,
  ) {
    log.setContext(JobService.name);
  }

  async run<N extends OpName>(host: string, op: N, payload: OpPayload<N>, opts: JobRequestOptions): Promise<JobOutcome> {
    // Only an op whose client waits for it, under a job id nobody else knows, may share a
    // job: a keyed request names its job, and an async one is answered with a job to poll.
    if (!this.grouper.enabled || !GROUPABLE.has(op) || opts.idempotencyKey !== undefined || opts.waitMs <= 0) {
      return this.runJob(host, op, payload, opts);
    }
    const down = await this.hosts.whyDown(host);
    if (down && !opts.queueAlways) throw down;
    const release = down ? undefined : this.grouper.trySlot(host, op as BatchStep['op']);
    if (down || release) {
      try {
        return await this.runJob(host, op, payload, opts);
      } finally {
        release?.();
      }
    }
    const { namespace, ...fields } = payload as OpPayload<N> & { namespace: string };
    const enqueuedAt = performance.now();
    const ticket = await this.grouper.join(host, namespace, { op, ...fields } as unknown as BatchStep, opts.requestId);
    try {
      const waitMs = Math.max(1, opts.waitMs - (performance.now() - enqueuedAt));
      const settled = await this.waiter.waitForSettled(host, ticket.jobId, waitMs, { reader: ticket.reader });
      const outcome = await this.outcome(host, ticket.jobId, settled, ticket);
      this.metrics.observeJobWait(op, host, outcome.kind, (performance.now() - enqueuedAt) / 1000);
      return outcome;
    } catch (err) {
      throw namingJob(err, host, groupStepJobId(ticket.jobId, ticket.step));
    } finally {
      ticket.done();
    }
  }

  private async runJob<N extends OpName>(host: string, op: N, payload: OpPayload<N>, opts: JobRequestOptions): Promise<JobOutcome> {
    const jobId = jobIdFor(opts.idempotencyKey);
    let waitMs = opts.waitMs;
    /** Set when this request enqueued the job: the job-wait histogram's start. */
    let enqueuedAt: number | undefined;
    let reader: EventReader | undefined;
    // A retried request whose job exists is answered from that job, even if the host has
    // gone down since: the client asked the same question and the answer is known.
    const idempotent = opts.idempotencyKey !== undefined;
    if (!idempotent || !(await this.matchesExisting(host, jobId, op, payload))) {
      const down = await this.hosts.whyDown(host);
      if (down && !opts.queueAlways) throw down;
      // Queued for a host that is down: nobody runs it soon, so answer 202 at once.
      if (down) waitMs = 0;
      const data: JobData<N> = opts.requestId === undefined ? { payload } : { payload, requestId: opts.requestId };
      // Taken before the add: a reader already delivering then will see this job's events.
      // Not for keyed requests, whose job may have ended long before this one.
      if (!idempotent) reader = this.queues.deliveringReader(host);
      enqueuedAt = performance.now();
      await this.queues.add(host, op, data, jobOptionsFor(jobId));
      // Two requests with one key may race past the check above: BullMQ keeps the first
      // job, and the loser must find out whether it asked the same thing.
      if (idempotent) await this.matchesExisting(host, jobId, op, payload);
    }
    try {
      const settled = waitMs > 0 ? await this.waiter.waitForSettled(host, jobId, waitMs, { reader }) : undefined;
      const outcome = await this.outcome(host, jobId, settled);
      if (enqueuedAt !== undefined) this.metrics.observeJobWait(op, host, outcome.kind, (performance.now() - enqueuedAt) / 1000);
      return outcome;
    } catch (err) {
      throw namingJob(err, host, jobId);
    }
  }

  /**
   * GET /v1/jobs/{host}/{jobId}. `may` says whether the caller may see a job of a namespace
   * (undefined: a host-wide job such as cleanup, or one known only from the op log, which
   * does not record it); a job it may not see does not exist for it.
   */
  async view(host: string, jobId: string, may: (namespace: string | undefined) => boolean = () => true): Promise<JobView> {
    const step = parseGroupStepJobId(jobId);
    if (step) return this.stepView(host, jobId, step.groupJobId, step.step, may);
    const missing = () =>
      notFound(`job ${jobId} does not exist on host ${host} (finished jobs are kept for a bounded time)`, { host, jobId });
    // State first: BullMQ writes a job's outcome and moves it to its final set in one
    // script, so a job read after its state is never older than that state.
    const state = await this.queues.getJobState(host, jobId);
    const job = await this.queues.getJob(host, jobId);
    if (job) {
      const payload = job.data.payload as { namespace?: unknown };
      if (!may(typeof payload.namespace === 'string' ? payload.namespace : undefined)) throw missing();
      return toJobView(host, job, state);
    }
    const record = await this.metadata.findOpRecord(host, jobId);
    if (record && may(record.namespace)) return recordedJobView(host, jobId, record.op, record.result, record.createdAt);
    throw missing();
  }

  /** An op carried in a group, seen through its group job, or through its op record once that is gone. */
  private async stepView(host: string, jobId: string, groupJobId: string, step: number, may: (namespace: string | undefined) => boolean): Promise<JobView> {
    const missing = () =>
      notFound(`job ${jobId} does not exist on host ${host} (finished jobs are kept for a bounded time)`, { host, jobId });
    const state = await this.queues.getJobState(host, groupJobId);
    const job = await this.queues.getJob(host, groupJobId);
    if (job) {
      const payload = job.data.payload as { namespace?: unknown; steps?: unknown };
      const op = Array.isArray(payload.steps) ? (payload.steps[step] as { op?: OpName } | undefined)?.op : undefined;
      if (job.name !== 'group' || op === undefined || !may(typeof payload.namespace === 'string' ? payload.namespace : undefined)) throw missing();
      return groupStepView(toJobView(host, job, state), jobId, op, step);
    }
    const record = await this.metadata.findOpRecord(host, batchStepOpId(groupJobId, step));
    if (record && may(record.namespace)) return recordedJobView(host, jobId, record.op, record.result, record.createdAt);
    throw missing();
  }

  /**
   * True when a job with this id exists and asks for the same op and payload; a different
   * request under the same key is refused rather than answered with another request's result.
   */
  private async matchesExisting(host: string, jobId: string, op: OpName, payload: unknown): Promise<boolean> {
    const existing = await this.queues.getJob(host, jobId);
    if (!existing) return false;
    // A job hash read back without its name or payload (seen right after a Redis restart)
    // cannot be compared: that is a retry-later, not the client reusing its key.
    if (!existing.name || existing.data?.payload === undefined) {
      throw unavailable(`job ${jobId} on host ${host} cannot be read completely yet; retry`, { host, jobId });
    }
    const [was, now] = [canonicalJson(existing.data.payload), canonicalJson(payload)];
    if (existing.name !== op || was !== now) {
      // Both requests in the log: a client reusing its key, or (if it ever were) a job read
      // back wrong, can then be told apart.
      this.log.warn({ host, jobId, existingOp: existing.name, op, existingPayload: was, payload: now }, 'Idempotency-Key reused with a different request');
      throw invalidArgument('Idempotency-Key reused with a different request', {
        jobId,
        host,
        existingOp: existing.name,
      });
    }
    return true;
  }

  /**
   * The outcome of a job that settled (or not yet). For an op carried in a group, `step` names
   * it: the group's job is read, the answer is the step's own, under the step's job id.
   */
  private async outcome(host: string, jobId: string, settled: Settled | undefined, step?: GroupTicket): Promise<JobOutcome> {
    const answerId = step ? groupStepJobId(step.jobId, step.step) : jobId;
    const completed = (returnvalue: unknown): JobOutcome => {
      if (!step) return { kind: 'completed', jobId, result: returnvalue };
      const o = groupStepOutcome(returnvalue, step.step);
      if ('result' in o) return { kind: 'completed', jobId: answerId, result: o.result };
      return { kind: 'failed', jobId: answerId, error: new SnapfleetError(o.error.code, o.error.message, o.error.details ?? {}) };
    };
    const event = settled?.event;
    if (event?.type === 'completed') return completed(event.returnvalue);
    if (event?.type === 'failed') return { kind: 'failed', jobId: answerId, error: decodeJobError(event.failedReason) };
    const state = settled?.state;
    if (state !== undefined && isSettled(state)) {
      const job = await this.queues.getJob(host, jobId);
      if (job && state === 'completed') return completed(job.returnvalue);
      if (job && state === 'failed') return { kind: 'failed', jobId: answerId, error: decodeJobError(job.failedReason) };
      if (!job) {
        // Removed from Redis after it finished: the op's own record in MySQL still knows.
        const record = await this.metadata.findOpRecord(host, step ? batchStepOpId(step.jobId, step.step) : jobId);
        if (record) return { kind: 'completed', jobId: answerId, result: record.result };
        throw notFound(`job ${answerId} on host ${host} disappeared before it finished`, { host, jobId: answerId });
      }
    }
    return { kind: 'pending', jobId: answerId, job: await this.view(host, answerId) };
  }
}

/**
 * A problem raised while waiting on a job that exists (Redis or MySQL failed meanwhile) names
 * the job, so the client can still poll for its outcome.
 */
function namingJob(err: unknown, host: string, jobId: string): unknown {
  if (err instanceof SnapfleetError && err.details.jobId === undefined) {
    return new SnapfleetError(err.code, err.message, { ...err.details, host, jobId }, { cause: err });
  }
  return err;
}
