// The host's BullMQ queue behind one class, for what the worker asks of the queue itself
// (rather than of its jobs): how many worker processes are consuming it, and which jobs are
// stuck or gave up (fsck).
import type { Job, Queue } from 'bullmq';
import { decodeJobError, RETRYABLE_CODES, type FsckIssue } from '@snapfleet/contracts';

/** At most this many jobs of each state are examined (the newest). */
const FSCK_JOB_SCAN = 1000;

function jobWhere(job: Job): Pick<FsckIssue, 'jobId' | 'namespace' | 'key'> {
  const p = (job.data as { payload?: { namespace?: unknown; key?: unknown } } | undefined)?.payload ?? {};
  return {
    ...(job.id === undefined ? {} : { jobId: job.id }),
    ...(typeof p.namespace === 'string' ? { namespace: p.namespace } : {}),
    ...(typeof p.key === 'string' ? { key: p.key } : {}),
  };
}

export class QueueRepository {
  constructor(private readonly queue: Queue) {}

  get name(): string {
    return this.queue.name;
  }

  /**
   * Live workers of this queue, from Redis' CLIENT LIST (BullMQ names each worker's
   * connection after its queue). Undefined where CLIENT LIST is refused (some managed Redis).
   */
  async countWorkers(): Promise<number | undefined> {
    const workers = await this.queue.getWorkers();
    if (workers.some((w) => w.name?.includes('does not support'))) return undefined;
    return workers.length;
  }

  /**
   * Jobs that will not finish by themselves, or finished without a definitive answer: active
   * or waiting for longer than `staleAfterMs` (a queue that does not drain), and failed after
   * their last attempt with a code that means "try again" (the op never got its answer).
   */
  async jobIssues(o: { staleAfterMs: number; except?: string; now?: number }): Promise<FsckIssue[]> {
    const now = o.now ?? Date.now();
    const issues: FsckIssue[] = [];
    const seconds = (ms: number) => Math.round(ms / 1000);
    for (const job of await this.queue.getJobs(['active'], 0, FSCK_JOB_SCAN - 1)) {
      if (job.id === o.except || job.processedOn === undefined) continue;
      const age = now - job.processedOn;
      if (age > o.staleAfterMs) issues.push({ kind: 'stuck-job', ...jobWhere(job), detail: `${job.name} active for ${seconds(age)} s (attempt ${job.attemptsMade + 1})` });
    }
    for (const job of await this.queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, FSCK_JOB_SCAN - 1)) {
      const age = now - job.timestamp;
      if (age > o.staleAfterMs) issues.push({ kind: 'stuck-job', ...jobWhere(job), detail: `${job.name} queued for ${seconds(age)} s and not started` });
    }
    for (const job of await this.queue.getJobs(['failed'], 0, FSCK_JOB_SCAN - 1)) {
      const err = decodeJobError(job.failedReason);
      if (RETRYABLE_CODES.includes(err.code)) {
        issues.push({ kind: 'failed-job', ...jobWhere(job), detail: `${job.name} gave up after ${job.attemptsMade} attempts: [${err.code}] ${err.message}` });
      }
    }
    return issues;
  }
}
