// Start and drain of the worker process. Start (the host row is registered by then, when the
// snapshotter was opened): heartbeats begin, the reconciler's first pass starts, then the
// queue worker takes jobs. Drain (before the application closes its connections): mark the host draining, stop
// taking jobs and let the active ones finish, finish the reconciler's pass and the
// background subvolume deletes, stop the heartbeat.
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Snapshotter } from '@snapfleet/snapshotter';
import { PinoLogger } from 'nestjs-pino';
import { WORKER_CONFIG } from '../config/worker-config.module';
import type { WorkerConfig } from '../config/worker-config';
import { OP_PROCESSOR_CLASS, type OpProcessor } from '../jobs/op.processor';
import { PoolRepository } from '../repositories/pool.repository';
import { QueueRepository } from '../repositories/queue.repository';
import { HostHeartbeat } from './host-heartbeat.service';
import { Reconciler } from './reconciler.service';

@Injectable()
export class WorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private draining: Promise<void> | undefined;
  private running = false;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(OP_PROCESSOR_CLASS) private readonly processorClass: Type<OpProcessor>,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(PoolRepository) private readonly pool: PoolRepository,
    @Inject(Snapshotter) private readonly snapshotter: Snapshotter,
    @Inject(QueueRepository) private readonly queue: QueueRepository,
    @Inject(HostHeartbeat) private readonly heartbeat: HostHeartbeat,
    @Inject(Reconciler) private readonly reconciler: Reconciler,
    @Inject(PinoLogger) private readonly log: PinoLogger,
  ) {
    log.setContext(WorkerLifecycle.name);
  }

  async onApplicationBootstrap(): Promise<void> {
    // The first beat is what the API (and the test fleet) wait for: the host is up.
    await this.heartbeat.start();
    this.reconciler.start();
    const worker = this.processor().worker;
    worker.run().catch((err: unknown) => {
      // BullMQ's loop retries its own errors; reaching here means it cannot run at all. A
      // process that heartbeats without taking jobs would look alive to the API: crash, and
      // let the supervisor restart it.
      this.log.fatal({ err: err instanceof Error ? err.message : String(err) }, 'queue worker cannot run');
      process.exit(1);
    });
    this.running = true;
    this.log.info(
      {
        root: this.config.root,
        device: this.pool.device,
        btrfsBackend: this.pool.backendKind,
        queue: this.queue.name,
        concurrency: this.config.concurrency,
        threadPool: Number(process.env.UV_THREADPOOL_SIZE),
      },
      `worker of host ${this.config.hostId} started`,
    );
  }

  private processor(): OpProcessor {
    return this.moduleRef.get(this.processorClass, { strict: false });
  }

  /** starting: not taking jobs yet; running: taking jobs; draining: from the first drain request on. */
  get state(): 'starting' | 'running' | 'draining' {
    if (this.draining !== undefined) return 'draining';
    return this.running ? 'running' : 'starting';
  }

  /** Drains once, however often it is asked. */
  drain(reason: string): Promise<void> {
    this.draining ??= this.drainOnce(reason);
    return this.draining;
  }

  beforeApplicationShutdown(signal?: string): Promise<void> {
    return this.drain(signal ?? 'application shutdown');
  }

  private async drainOnce(reason: string): Promise<void> {
    const started = Date.now();
    this.log.info({ reason }, 'draining: no new jobs; waiting for active ones');
    await this.heartbeat.markDraining();
    // close() stops fetching and resolves once every active job has finished.
    await this.processor().worker.close();
    await this.reconciler.stop();
    await this.snapshotter.settled();
    await this.heartbeat.stop();
    this.log.info({ ms: Date.now() - started }, 'drained');
  }
}
