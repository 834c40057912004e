// The worker's readiness checks, each bounded in time: MySQL answers, Redis answers, the
// pool is still mounted and writable (a file is created and deleted in the root), and the
// worker is taking jobs (started, not draining). Run concurrently by terminus.
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { LockRepository } from '../repositories/lock.repository';
import { MetadataRepository } from '../repositories/metadata.repository';
import { PoolRepository } from '../repositories/pool.repository';
import { WorkerLifecycle } from '../services/worker-lifecycle.service';

/** Per check: a stuck disk or dependency makes /readyz answer 503 within this, not hang. */
export const READY_CHECK_TIMEOUT_MS = 2_000;

@Injectable()
export class WorkerHealth {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(MetadataRepository) private readonly metadata: MetadataRepository,
    @Inject(LockRepository) private readonly locks: LockRepository,
    @Inject(PoolRepository) private readonly pool: PoolRepository,
    @Inject(WorkerLifecycle) private readonly lifecycle: WorkerLifecycle,
  ) {}

  checks(): HealthIndicatorFunction[] {
    const ms = READY_CHECK_TIMEOUT_MS;
    return [
      () => this.indicators.check('mysql').attempt(() => this.metadata.ping()).withTimeout(ms),
      () => this.indicators.check('redis').attempt(() => this.locks.ping()).withTimeout(ms),
      () =>
        this.indicators
          .check('pool')
          .attempt(async () => ({ root: this.pool.root, ...(await this.pool.probe()) }))
          .withTimeout(ms),
      () => {
        const worker = this.indicators.check('worker');
        const state = this.lifecycle.state;
        if (state === 'running') return worker.up();
        return worker.down({ message: state === 'draining' ? 'draining: taking no new jobs' : 'starting: not taking jobs yet' });
      },
    ];
  }
}
