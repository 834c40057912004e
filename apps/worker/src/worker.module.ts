// The worker application: one host's queue consumer with its heartbeat and reconciler, and
// a small HTTP listener for health and metrics. Built from the validated config because the
// queue's name depends on the host id.
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import { LoggerModule } from 'nestjs-pino';
import { QUEUE_PREFIX, queueName } from '@snapfleet/contracts';
import { loggerParams } from './config/logger-params';
import type { WorkerConfig } from './config/worker-config';
import { WORKER_CONFIG, WorkerConfigModule } from './config/worker-config.module';
import { WorkerHealth } from './http/worker-health';
import { WorkerHttpServer } from './http/worker-http.server';
import { OP_PROCESSOR_CLASS, defineOpProcessor } from './jobs/op.processor';
import { WorkerMetrics } from './metrics/worker-metrics';
import { LockRepository } from './repositories/lock.repository';
import { QueueRepository } from './repositories/queue.repository';
import { RepositoryModule } from './repositories/repository.module';
import { HostHeartbeat } from './services/host-heartbeat.service';
import { OpJobService } from './services/op-job.service';
import { Reconciler } from './services/reconciler.service';
import { SnapshotOpService } from './services/snapshot-op.service';
import { WorkerLifecycle } from './services/worker-lifecycle.service';

@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    const queue = queueName(config.hostId);
    const processor = defineOpProcessor(queue, {
      concurrency: config.concurrency,
      lockDuration: config.jobLockMs,
      stalledInterval: config.stalledIntervalMs,
      maxStalledCount: config.maxStalledCount,
    });
    return {
      module: WorkerModule,
      imports: [
        WorkerConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        RepositoryModule,
        BullModule.forRootAsync({
          // LockRepository is injected only for its ordering: it has proved Redis reachable
          // (or failed start-up) before BullMQ opens connections that would retry forever.
          inject: [WORKER_CONFIG, LockRepository],
          useFactory: (c: WorkerConfig) => ({
            // Blocking connections (the worker's job fetch) must never give up a command.
            connection: { url: c.redisUrl, maxRetriesPerRequest: null },
            // Hash-tagged, so every key of the fleet's queues works on Redis Cluster.
            prefix: QUEUE_PREFIX,
          }),
        }),
        BullModule.registerQueue({ name: queue }),
        // Terminus' own logger is off: WorkerHttpServer logs readiness changes once each.
        TerminusModule.forRoot({ logger: false }),
      ],
      providers: [
        { provide: QueueRepository, inject: [getQueueToken(queue)], useFactory: (q: Queue) => new QueueRepository(q) },
        WorkerMetrics,
        Reconciler,
        SnapshotOpService,
        OpJobService,
        HostHeartbeat,
        processor,
        // The class, not an alias of the instance: @nestjs/bullmq makes a worker for every
        // provider whose instance is a processor, so `useExisting` would start a second one.
        { provide: OP_PROCESSOR_CLASS, useValue: processor },
        WorkerLifecycle,
        WorkerHealth,
        WorkerHttpServer,
      ],
      exports: [WorkerLifecycle],
    };
  }
}
