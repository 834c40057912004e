// The worker's Prometheus metrics, served at /metrics by the worker's HTTP listener: op
// latency by op, queue wait, lock wait, time in btrfs calls, btrfs errors by errno, jobs
// processed and failed, the pool's free and total bytes (read on scrape), and Node's process
// metrics. Every series carries the host id (`host`, a default label of this registry).
import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { WORKER_CONFIG } from '../config/worker-config.module';
import type { WorkerConfig } from '../config/worker-config';
import type { JobTiming } from '../jobs/job-timing';
import { PoolRepository } from '../repositories/pool.repository';

/** Seconds: a snapshot op takes milliseconds; a cleanup of a big pool or a stuck disk, much longer. */
const OP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds: uncontended acquisitions take one Redis round trip; the lock service gives up after 30 s. */
const LOCK_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** A scrape never waits longer than this for the pool's statfs. */
const POOL_SCRAPE_TIMEOUT_MS = 2_000;

export type OpOutcome = 'completed' | 'failed';

@Injectable()
export class WorkerMetrics {
  readonly registry = new Registry();

  private readonly opDuration = new Histogram({
    name: 'snapfleet_worker_op_duration_seconds',
    help: 'Time to run one job attempt of an op, from handler start to result or error',
    labelNames: ['op', 'outcome'] as const,
    buckets: OP_BUCKETS,
    registers: [this.registry],
  });

  private readonly lockWait = new Histogram({
    name: 'snapfleet_worker_lock_wait_seconds',
    help: 'Time an op waited for the Redis leases on its keys',
    labelNames: ['op', 'outcome'] as const,
    buckets: LOCK_BUCKETS,
    registers: [this.registry],
  });

  private readonly queueWait = new Histogram({
    name: 'snapfleet_worker_queue_wait_seconds',
    help: 'Time a job waited in the host queue before a worker started it (first starts only; API and worker clocks)',
    labelNames: ['op'] as const,
    buckets: OP_BUCKETS,
    registers: [this.registry],
  });

  private readonly btrfsTime = new Histogram({
    name: 'snapfleet_worker_btrfs_seconds',
    help: 'Time one job attempt spent in btrfs calls on its op\'s path (background deletes not included)',
    labelNames: ['op'] as const,
    buckets: LOCK_BUCKETS,
    registers: [this.registry],
  });

  private readonly btrfsErrors = new Counter({
    name: 'snapfleet_worker_btrfs_errors_total',
    help: 'Failed ops whose cause was a btrfs call, by errno code (ENOSPC, EROFS, …)',
    labelNames: ['op', 'errno'] as const,
    registers: [this.registry],
  });

  private readonly processed = new Counter({
    name: 'snapfleet_worker_jobs_processed_total',
    help: 'Job attempts this worker finished, successfully or not',
    labelNames: ['op'] as const,
    registers: [this.registry],
  });

  private readonly failed = new Counter({
    name: 'snapfleet_worker_jobs_failed_total',
    help: 'Job attempts that failed, by typed error code (retryable codes are retried by BullMQ)',
    labelNames: ['op', 'code'] as const,
    registers: [this.registry],
  });

  private readonly fenceRegistrations = new Counter({
    name: 'snapfleet_worker_fence_registrations_total',
    help: 'Fencing tokens registered in MySQL before an op, because an earlier holder of its keys ended its lease unsettled (crash, expiry, failed release)',
    labelNames: ['op'] as const,
    registers: [this.registry],
  });

  constructor(
    @Inject(WORKER_CONFIG) config: WorkerConfig,
    @Inject(PoolRepository) private readonly pool: PoolRepository,
  ) {
    this.registry.setDefaultLabels({ host: config.hostId });
    collectDefaultMetrics({ register: this.registry });
    const poolBytes = (name: string, help: string, pick: (fs: { size: number; free: number }) => number) => {
      const gauge: Gauge = new Gauge({
        name,
        help,
        registers: [this.registry],
        collect: async () => {
          const fs = await this.poolInfo();
          if (fs) gauge.set(pick(fs));
          else gauge.reset();
        },
      });
    };
    poolBytes('snapfleet_worker_pool_free_bytes', 'Free bytes of the host\'s btrfs pool (statfs)', (fs) => fs.free);
    poolBytes('snapfleet_worker_pool_size_bytes', 'Size of the host\'s btrfs pool (statfs)', (fs) => fs.size);
  }

  /** A job attempt starts; `waitMs` is its queue wait when it has one (job-timing.ts). */
  jobStarted(op: string, waitMs: number | undefined): void {
    if (waitMs !== undefined) this.queueWait.observe({ op }, waitMs / 1000);
  }

  /** One finished job attempt. `errno`: the btrfs errno code when a btrfs call failed it. */
  jobFinished(op: string, seconds: number, timing: Pick<JobTiming, 'btrfsMs'>, failure?: { code: string; errno?: string }): void {
    this.processed.inc({ op });
    this.opDuration.observe({ op, outcome: failure ? 'failed' : 'completed' }, seconds);
    if (timing.btrfsMs > 0) this.btrfsTime.observe({ op }, timing.btrfsMs / 1000);
    if (!failure) return;
    this.failed.inc({ op, code: failure.code });
    if (failure.errno) this.btrfsErrors.inc({ op, errno: failure.errno });
  }

  lockWaited(op: string, seconds: number, acquired: boolean): void {
    this.lockWait.observe({ op, outcome: acquired ? 'acquired' : 'failed' }, seconds);
  }

  fenceRegistered(op: string): void {
    this.fenceRegistrations.inc({ op });
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private poolInfo(): Promise<{ size: number; free: number } | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), POOL_SCRAPE_TIMEOUT_MS)));
    const info = this.pool.filesystemInfo().catch(() => undefined);
    return Promise.race([info, timeout]).finally(() => clearTimeout(timer));
  }
}
