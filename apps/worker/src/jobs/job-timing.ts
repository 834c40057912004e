// Where one job attempt's time went, as far as the worker can tell it apart: how long the job
// sat in its queue before this worker took it, how long its op waited for the key leases, and
// how long its btrfs calls took. The rest of the attempt is the op's metadata round trips and
// the worker's own work. The job's last log line carries these, and the metrics export them.
import type { Job } from 'bullmq';

export class JobTiming {
  /** Time waiting for the Redis leases on the op's keys. */
  lockMs = 0;
  /** Time inside the op's btrfs calls, summed (a group's steps overlap, so it can exceed the attempt). */
  btrfsMs = 0;

  /** `waitMs`: see queueWaitMs; undefined when the attempt has no meaningful queue wait. */
  constructor(readonly waitMs: number | undefined) {}

  /** An OpContext's `btrfsTime`: adds each btrfs call's duration. */
  readonly addBtrfs = (ms: number): void => {
    this.btrfsMs += ms;
  };

  /** Fields for the job's last log line, in ms to a hundredth (sub-millisecond parts are the point). */
  logFields(): { waitMs?: number; lockMs: number; btrfsMs: number } {
    return {
      ...(this.waitMs === undefined ? {} : { waitMs: hundredths(this.waitMs) }),
      lockMs: hundredths(this.lockMs),
      btrfsMs: hundredths(this.btrfsMs),
    };
  }
}

/**
 * How long a job waited in its queue before this attempt started: from when it was added (plus
 * its delay, if any) to when a worker moved it to active. Only a first start has one: a retry
 * waited out its backoff, and a stalled job's restart is not a queue wait. The API stamps the
 * first time and the worker the second, each with its own clock, so across machines the figure
 * includes their clock difference; it is never below 0.
 */
export function queueWaitMs(job: Pick<Job, 'timestamp' | 'processedOn' | 'opts' | 'attemptsStarted' | 'attemptsMade'>): number | undefined {
  if (job.processedOn === undefined || job.attemptsStarted > 1 || job.attemptsMade > 0) return undefined;
  // `opts.delay`, not `delay`: BullMQ zeroes a job's delay when it promotes it to waiting.
  return Math.max(0, job.processedOn - job.timestamp - (job.opts.delay ?? 0));
}

const hundredths = (ms: number) => Math.round(ms * 100) / 100;
