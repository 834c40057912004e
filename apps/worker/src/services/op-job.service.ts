// Handles one job of the host queue: the job name picks the op's handler, the payload is
// validated against the op's schema, the handler's result (checked against the op's result
// schema) becomes the job's return value, and any failure leaves as a typed, encoded error
// that BullMQ retries or not (job-failure.ts). Every log line of the job — this service's,
// the snapshotter's, the lock service's — carries jobId, op, host and requestId, because the
// whole handling runs in a logging context bound to them.
import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { OPS, OP_NAMES, SnapfleetError, describeIssues, invalidArgument, isRetryable, toSnapfleetError, type OpName } from '@snapfleet/contracts';
import { PinoLogger } from 'nestjs-pino';
import { isFirstRun } from '../jobs/first-run';
import { toJobFailure } from '../jobs/job-failure';
import { JobTiming, queueWaitMs } from '../jobs/job-timing';
import { OpHandlerMap } from '../jobs/op-handlers';
import { snapshotOpHandlers } from '../jobs/snapshot-op-handlers';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { SnapshotOpService } from './snapshot-op.service';

const MAX_REQUEST_ID_LENGTH = 200;

@Injectable()
export class OpJobService {
  private readonly handlers: OpHandlerMap;

  constructor(
    @Inject(SnapshotOpService) ops: SnapshotOpService,
    @Inject(PinoLogger) private readonly log: PinoLogger,
    @Inject(WorkerMetrics) private readonly metrics: WorkerMetrics,
  ) {
    // Throws at start-up when an op has no handler or two.
    this.handlers = OpHandlerMap.of(snapshotOpHandlers(ops));
  }

  handle(job: Job): Promise<unknown> {
    return this.log.runInContext(() => this.run(job), { bindings: jobBindings(job) });
  }

  private async run(job: Job): Promise<unknown> {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    // A job name that is no op is one label value, whatever was enqueued.
    const op = (OP_NAMES as readonly string[]).includes(job.name) ? job.name : 'unknown';
    const timing = new JobTiming(queueWaitMs(job));
    this.metrics.jobStarted(op, timing.waitMs);
    this.log.debug({ attempt: job.attemptsMade + 1 }, 'job started');
    try {
      const result = await this.execute(job, timing);
      this.log.info({ ms: ms(), ...timing.logFields() }, 'job done');
      this.metrics.jobFinished(op, (performance.now() - started) / 1000, timing);
      return result;
    } catch (err) {
      const typed = toSnapfleetError(err);
      const retry = isRetryable(typed.code);
      this.metrics.jobFinished(op, (performance.now() - started) / 1000, timing, { code: typed.code, errno: errnoOf(typed) });
      this.log[retry ? 'warn' : 'info'](
        { ms: ms(), ...timing.logFields(), code: typed.code, err: typed.message, retry, attempt: job.attemptsMade + 1 },
        retry ? 'job failed; BullMQ retries it' : 'job failed',
      );
      throw toJobFailure(typed);
    }
  }

  private async execute(job: Job, timing: JobTiming): Promise<unknown> {
    const entry = this.handlers.get(job.name);
    if (!entry) throw invalidArgument(`unknown op ${JSON.stringify(job.name)}: expected one of ${this.handlers.ops.join(', ')}`);
    const op = entry.op as OpName;
    if (job.id === undefined) throw new SnapfleetError('internal', 'job has no id');
    const data: unknown = job.data;
    const raw = data && typeof data === 'object' ? (data as { payload?: unknown }).payload : undefined;
    const parsed = OPS[op].payload.safeParse(raw);
    if (!parsed.success) throw invalidArgument(`invalid ${op} payload: ${describeIssues(parsed.error)}`);
    const result = await entry.handle(parsed.data as never, {
      opId: job.id,
      firstRun: isFirstRun(job),
      timing,
      progress: (percent) => {
        job.updateProgress(percent).catch((err: unknown) => this.log.debug({ err: String(err) }, 'progress update lost'));
      },
    });
    const checked = OPS[op].result.safeParse(result);
    if (!checked.success) throw new SnapfleetError('internal', `${op} produced a malformed result: ${describeIssues(checked.error)}`);
    return checked.data;
  }
}

/** The errno code of a failed btrfs call (the snapshotter puts it in the error's details). */
function errnoOf(err: SnapfleetError): string | undefined {
  const errno = err.details.errno;
  return typeof errno === 'string' && /^E[A-Z0-9]{1,15}$/.test(errno) ? errno : undefined;
}

/** What every log line of a job carries (the host comes from the root logger's base). */
export function jobBindings(job: Pick<Job, 'id' | 'name' | 'data'>): Record<string, string> {
  const bindings: Record<string, string> = { jobId: job.id ?? '', op: job.name };
  const requestId: unknown = job.data && typeof job.data === 'object' ? (job.data as { requestId?: unknown }).requestId : undefined;
  if (typeof requestId === 'string' && requestId.length > 0) bindings.requestId = requestId.slice(0, MAX_REQUEST_ID_LENGTH);
  // A group job carries the request id of each op it runs, in step order.
  const payload: unknown = job.data && typeof job.data === 'object' ? (job.data as { payload?: unknown }).payload : undefined;
  const requestIds: unknown = payload && typeof payload === 'object' ? (payload as { requestIds?: unknown }).requestIds : undefined;
  if (Array.isArray(requestIds) && requestIds.length > 0) {
    bindings.requestIds = requestIds.map((id) => (typeof id === 'string' ? id.slice(0, MAX_REQUEST_ID_LENGTH) : '')).join(',');
  }
  return bindings;
}
