// Readiness checks of the API's two dependencies, each bounded in time: a MySQL or Redis that
// stops answering makes /readyz say so within READY_CHECK_TIMEOUT_MS, never hang the probe.
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { JobQueueRepository } from '../repositories/job-queue.repository';
import { MetadataRepository } from '../repositories/metadata.repository';

/** Per check; probes typically time out after 1–5 s, so the answer comes before theirs. */
export const READY_CHECK_TIMEOUT_MS = 2_000;

@Injectable()
export class DependencyHealth {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(MetadataRepository) private readonly metadata: MetadataRepository,
    @Inject(JobQueueRepository) private readonly queues: JobQueueRepository,
  ) {}

  /** MySQL answers a query; Redis answers a PING. Run concurrently by terminus. */
  checks(): HealthIndicatorFunction[] {
    const ms = READY_CHECK_TIMEOUT_MS;
    return [
      () => this.indicators.check('mysql').attempt(() => this.metadata.ping(ms)).withTimeout(ms),
      () => this.indicators.check('redis').attempt(() => this.queues.ping(ms)).withTimeout(ms),
    ];
  }
}
