// Runs snapshot ops on this host: each mutating op under Redis leases on exactly the keys it
// writes (the snapshotter's fencedKeys), with the lease's fencing token handed to the
// snapshotter so the metadata store refuses the commit of a holder that lost its lease.
import { Inject, Injectable } from '@nestjs/common';
import {
  batchStepOpId,
  SnapfleetError,
  isRetryable,
  toSnapfleetError,
  type BatchResult,
  type CleanupResult,
  type CreateResult,
  type FsckReport,
  type GroupResult,
  type InfoResult,
  type OpContext,
  type OpName,
  type RemoveResult,
  type Usage,
} from '@snapfleet/contracts';
import { Snapshotter, fencedKeys, type Fenced } from '@snapfleet/snapshotter';
import { PinoLogger } from 'nestjs-pino';
import { stepConflictKeys, stepOp, type StepOp } from '../jobs/batch-steps';
import type { JobTiming } from '../jobs/job-timing';
import { runKeyedSteps } from '../jobs/keyed-steps';
import type { OpExecution, ParsedPayload } from '../jobs/op-handlers';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { LockRepository } from '../repositories/lock.repository';
import { QueueRepository } from '../repositories/queue.repository';
import { Reconciler } from './reconciler.service';

/** A job active or waiting longer than this is reported by fsck. */
const FSCK_STALE_JOB_MS = 10 * 60_000;
/** A batch reports its progress at most this often (each report is a Redis round trip). */
const BATCH_PROGRESS_EVERY_MS = 250;

@Injectable()
export class SnapshotOpService {
  constructor(
    @Inject(Snapshotter) private readonly snapshotter: Snapshotter,
    @Inject(LockRepository) private readonly locks: LockRepository,
    @Inject(Reconciler) private readonly reconciler: Reconciler,
    @Inject(PinoLogger) private readonly log: PinoLogger,
    @Inject(WorkerMetrics) private readonly metrics: WorkerMetrics,
    @Inject(QueueRepository) private readonly queue: QueueRepository,
  ) {}

  prepare(payload: ParsedPayload<'prepare'>, exec: OpExecution): Promise<CreateResult> {
    return this.locked('prepare', fencedKeys('prepare', payload), exec, (ctx) => this.snapshotter.prepare(payload, ctx));
  }

  view(payload: ParsedPayload<'view'>, exec: OpExecution): Promise<CreateResult> {
    return this.locked('view', fencedKeys('view', payload), exec, (ctx) => this.snapshotter.view(payload, ctx));
  }

  commit(payload: ParsedPayload<'commit'>, exec: OpExecution): Promise<InfoResult> {
    return this.locked('commit', fencedKeys('commit', payload), exec, (ctx) => this.snapshotter.commit(payload, ctx));
  }

  remove(payload: ParsedPayload<'remove'>, exec: OpExecution): Promise<RemoveResult> {
    return this.locked('remove', fencedKeys('remove', payload), exec, (ctx) => this.snapshotter.remove(payload, ctx));
  }

  update(payload: ParsedPayload<'update'>, exec: OpExecution): Promise<InfoResult> {
    return this.locked('update', fencedKeys('update', payload), exec, (ctx) => this.snapshotter.update(payload, ctx));
  }

  /**
   * The steps in order under one lease on every key they write, each step its own
   * transaction with its own op record (`<job id>#<step>`): a retried batch replays the steps
   * that already ran from the op log, and runs the rest. A step's semantic error ends the
   * batch, answered with the results so far; a retryable one (`aborted`, `unavailable`,
   * `internal`) fails the job, which BullMQ retries.
   */
  batch(payload: ParsedPayload<'batch'>, exec: OpExecution): Promise<BatchResult> {
    const steps = payload.steps.map((step) => stepOp(payload.namespace, step));
    return this.underOneLease('batch', payload.namespace, steps, exec, (ctx) => this.runSteps(steps, ctx, exec));
  }

  /**
   * Independent ops the API carried in one job (a group): one lease and one fence
   * registration for all their keys, then every step at once except that steps sharing a
   * key (or a parent) run in their order. Each step has its own outcome and op record
   * (`<job id>#<step>`). A retryable step error fails the job once every step has settled;
   * the retry replays the steps that took effect from the op log and runs the rest again.
   */
  group(payload: ParsedPayload<'group'>, exec: OpExecution): Promise<GroupResult> {
    const steps = payload.steps.map((step) => stepOp(payload.namespace, step));
    return this.underOneLease('group', payload.namespace, steps, exec, async (stepCtx) => {
      const settled = await runKeyedSteps(steps.map(stepConflictKeys), (i) => this.runStep(steps[i]!, { ...stepCtx, opId: batchStepOpId(exec.opId, i) }));
      const outcomes: GroupResult['outcomes'] = [];
      for (const [i, s] of settled.entries()) {
        if (s.status === 'fulfilled') {
          outcomes.push({ result: s.value });
          continue;
        }
        const typed = toSnapfleetError(s.reason);
        const step = steps[i]!;
        if (isRetryable(typed.code)) {
          throw new SnapfleetError(typed.code, `group step ${i} (${step.op} ${JSON.stringify(step.payload.key)}): ${typed.message}`, { ...typed.details, step: i });
        }
        const details = Object.keys(typed.details).length > 0 ? { details: typed.details } : {};
        outcomes.push({ error: { code: typed.code, message: typed.message, ...details } });
      }
      return { outcomes };
    });
  }

  /**
   * One lease on every key the steps write, and at most one fencing-token registration for
   * them all (see locked; each step's commit still checks the token); `run` gets the context each step runs in,
   * without the job's progress callback: the batch or group reports its own, a step's would
   * jump back and forth between steps.
   */
  private underOneLease<R>(op: 'batch' | 'group', namespace: string, steps: readonly StepOp[], exec: OpExecution, run: (stepCtx: OpContext) => Promise<R>): Promise<R> {
    const keys = [...new Set(steps.flatMap((s) => fencedKeys(s.op, s.payload).keys))];
    const fenced = { namespace, keys };
    return this.locked(op, fenced, exec, (ctx) => {
      const { progress: _own, ...stepCtx } = ctx;
      return run(stepCtx);
    });
  }

  private async runSteps(steps: readonly StepOp[], stepCtx: OpContext, exec: OpExecution): Promise<BatchResult> {
    const results: BatchResult['results'] = [];
    let reported = performance.now();
    for (const [i, step] of steps.entries()) {
      try {
        results.push(await this.runStep(step, { ...stepCtx, opId: batchStepOpId(exec.opId, i) }));
      } catch (err) {
        const typed = toSnapfleetError(err);
        if (isRetryable(typed.code)) {
          throw new SnapfleetError(typed.code, `batch step ${i} (${step.op} ${JSON.stringify(step.payload.key)}): ${typed.message}`, { ...typed.details, step: i });
        }
        const details = Object.keys(typed.details).length > 0 ? { details: typed.details } : {};
        return { results, failed: { step: i, error: { code: typed.code, message: typed.message, ...details } } };
      }
      if (performance.now() - reported >= BATCH_PROGRESS_EVERY_MS) {
        reported = performance.now();
        exec.progress(Math.floor(((i + 1) * 100) / steps.length));
      }
    }
    return { results };
  }

  private runStep(step: StepOp, ctx: OpContext): Promise<BatchResult['results'][number]> {
    switch (step.op) {
      case 'prepare':
        return this.snapshotter.prepare(step.payload, ctx);
      case 'view':
        return this.snapshotter.view(step.payload, ctx);
      case 'commit':
        return this.snapshotter.commit(step.payload, ctx);
      case 'remove':
        return this.snapshotter.remove(step.payload, ctx);
      case 'update':
        return this.snapshotter.update(step.payload, ctx);
    }
  }

  /** A read (of an active snapshot's disk): no lock, no op record. */
  usage(payload: ParsedPayload<'usage'>, exec: OpExecution): Promise<Usage> {
    return this.snapshotter.usage(payload, { btrfsTime: exec.timing.addBtrfs });
  }

  /** Queued behind (never beside) the reconciler's own periodic cleanup. */
  cleanup(_payload: ParsedPayload<'cleanup'>, exec: OpExecution): Promise<CleanupResult> {
    return this.reconciler.cleanup({ progress: exec.progress });
  }

  /**
   * The host's rows against its disk (after background deletes settle), and its queue: jobs
   * active or waiting far too long, jobs that gave up on a retryable error. Read-only. Under
   * load an op between its btrfs step and its commit can show for a moment; run it again.
   */
  async fsck(exec: OpExecution): Promise<FsckReport> {
    exec.progress(10);
    const report = await this.snapshotter.fsck();
    exec.progress(80);
    const jobs = await this.queue.jobIssues({ staleAfterMs: FSCK_STALE_JOB_MS, except: exec.opId });
    exec.progress(100);
    return { ...report, issues: [...report.issues, ...jobs] };
  }

  /** Leases the keys, timing the wait (lock contention shows in snapfleet_worker_lock_wait_seconds). */
  private async acquire(op: OpName, namespace: string, keys: readonly string[], timing: JobTiming) {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const lease = await this.locks.acquire(namespace, keys);
      this.metrics.lockWaited(op, seconds(), true);
      return lease;
    } catch (err) {
      this.metrics.lockWaited(op, seconds(), false);
      throw err;
    } finally {
      timing.lockMs += performance.now() - started;
    }
  }

  private async locked<R>(op: OpName, fenced: Fenced, exec: OpExecution, run: (ctx: OpContext) => Promise<R>): Promise<R> {
    const ctx: OpContext = { opId: exec.opId, firstRun: exec.firstRun, progress: exec.progress, btrfsTime: exec.timing.addBtrfs };
    const { namespace, keys } = fenced;
    if (keys.length === 0) return run(ctx);
    const lease = await this.acquire(op, namespace, keys, exec.timing);
    // Nothing to interrupt: the metadata store checks the fence at commit and refuses a
    // holder that lost its lease (the op then fails `aborted` and is retried). Worth a line
    // for whoever wonders why.
    const onLost = () => this.log.warn({ resources: lease.resources }, 'lock lost mid-op: its commit will be refused by the fence');
    lease.signal.addEventListener('abort', onLost, { once: true });
    // The token is registered (its own durable commit) only when an earlier holder of these
    // keys may still write, so that holder is refused at its commit; the lease says so when
    // one ended without settling (decisions.md, "Fencing tokens are registered only when
    // needed"). Every commit still checks the token, which refuses this holder if it is
    // itself paused past its TTL and a newer one registers.
    let settled = !lease.staleHolderPossible;
    try {
      if (lease.staleHolderPossible) {
        await this.snapshotter.registerFence(fenced, lease.token);
        this.metrics.fenceRegistered(op);
        settled = true;
      }
      return await run({ ...ctx, fence: lease.token, fenceRegistered: true });
    } finally {
      lease.signal.removeEventListener('abort', onLost);
      // Not awaited: the op's outcome is durable already, and release() never throws; the
      // next holder of these keys waits at most for this one round trip. Settled: this holder
      // writes no more, and no earlier one can write after it.
      void lease.release({ settled });
    }
  }
}
