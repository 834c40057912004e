// The BullMQ processor of the host queue, kept thin: a job goes straight to OpJobService.
//
// The queue's name is `snapshots-<hostId>`, known only once the environment is read, while
// @nestjs/bullmq reads a processor's queue name from its class's @Processor metadata (the
// explorer looks at the class, not at an injected value). So the class that carries the
// decorator is made per application by `defineOpProcessor`, from the validated config,
// before the module is created: one decorated subclass per app, no global class mutated,
// and everything else (DI, @OnWorkerEvent, worker lifecycle) stays stock @nestjs/bullmq.
import { Inject, Injectable, type Type } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import { OpJobService } from '../services/op-job.service';

/** Injection token of the app's processor class (made at runtime, see defineOpProcessor). */
export const OP_PROCESSOR_CLASS = Symbol('OP_PROCESSOR_CLASS');

@Injectable()
export class OpProcessor extends WorkerHost {
  constructor(
    @Inject(OpJobService) private readonly jobs: OpJobService,
    @Inject(PinoLogger) private readonly log: PinoLogger,
  ) {
    super();
    log.setContext('OpProcessor');
  }

  process(job: Job): Promise<unknown> {
    return this.jobs.handle(job);
  }

  // Without a listener, connection errors would be thrown out of the worker's EventEmitter.
  @OnWorkerEvent('error')
  onWorkerError(err: Error): void {
    this.log.error({ err: err.message }, 'queue worker error');
  }

  @OnWorkerEvent('stalled')
  onStalled(jobId: string): void {
    this.log.warn({ jobId }, 'job stalled (its worker stopped renewing its lock); BullMQ re-queues it');
  }
}

/**
 * The processor class of one queue. `autorun: false`: WorkerLifecycle starts taking jobs
 * once the host is registered, heartbeating and logged as started.
 */
export function defineOpProcessor(
  queue: string,
  opts: { concurrency: number; lockDuration: number; stalledInterval: number; maxStalledCount: number },
): Type<OpProcessor> {
  class HostQueueProcessor extends OpProcessor {}
  Processor(queue, { ...opts, autorun: false })(HostQueueProcessor);
  return HostQueueProcessor;
}
