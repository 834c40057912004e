// The host's pulse in MySQL (host_status): pool size and free space, whether the host is
// draining, and how many worker processes consume its queue. The API reads it to tell live
// hosts from dead ones. Beats are sequential, so a slow one is never overtaken by a later
// one carrying older facts (e.g. "not draining").
import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { WORKER_CONFIG } from '../config/worker-config.module';
import type { WorkerConfig } from '../config/worker-config';
import { MetadataRepository } from '../repositories/metadata.repository';
import { PoolRepository } from '../repositories/pool.repository';
import { QueueRepository } from '../repositories/queue.repository';

/** Counting workers costs a CLIENT LIST on Redis: refreshed every this many beats (10 s by default). */
export const WORKER_COUNT_EVERY_BEATS = 5;

@Injectable()
export class HostHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private draining = false;
  private beating: Promise<void> = Promise.resolve();
  /** This process at least; refreshed from the queue's worker list. */
  private workers = 1;
  private workersCountedAt = 0;
  private failing = false;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(MetadataRepository) private readonly metadata: MetadataRepository,
    @Inject(PoolRepository) private readonly pool: PoolRepository,
    @Inject(QueueRepository) private readonly queue: QueueRepository,
    @Inject(PinoLogger) private readonly log: PinoLogger,
  ) {
    log.setContext(HostHeartbeat.name);
  }

  /** Beats now, then every SNAPFLEET_HEARTBEAT_MS. Resolves after the first beat. */
  async start(): Promise<void> {
    await this.beat();
    this.schedule();
  }

  /**
   * Tells the fleet this process is leaving. When it is the host's only worker the host is
   * marked draining (the API stops sending it work); when other workers of the host are
   * still consuming the queue, the host stays up and only the worker count drops.
   */
  async markDraining(): Promise<void> {
    const others = (await this.countWorkers(true)) - 1;
    this.draining = others <= 0;
    this.workers = Math.max(1, others);
    this.workersCountedAt = Number.POSITIVE_INFINITY; // keep these figures until the end
    await this.beat();
  }

  /** No more beats; waits for one in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.beating;
  }

  /** One heartbeat, after any still in flight; none once stopped. Never rejects: a missed beat is logged. */
  beat(): Promise<void> {
    this.beating = this.beating.then(() => this.beatOnce());
    return this.beating;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.beat().then(() => this.schedule());
    }, this.config.heartbeatMs);
  }

  private async beatOnce(): Promise<void> {
    // After stop() the row keeps the last facts (e.g. draining) until another worker beats.
    if (this.stopped) return;
    try {
      const fs = await this.pool.filesystemInfo();
      const workers = await this.countWorkers(false);
      await this.metadata.heartbeat(this.config.hostId, { sizeBytes: fs.size, freeBytes: fs.free, draining: this.draining, workers });
      if (this.failing) this.log.info('heartbeat recovered');
      this.failing = false;
    } catch (err) {
      // Logged once per outage, not every beat; the API will see the host's heartbeat age.
      if (!this.failing) this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'heartbeat failed');
      this.failing = true;
    }
  }

  /** Live workers of the queue (this one included), refreshed every WORKER_COUNT_EVERY_BEATS beats. */
  private async countWorkers(now: boolean): Promise<number> {
    if (now || Date.now() - this.workersCountedAt >= WORKER_COUNT_EVERY_BEATS * this.config.heartbeatMs) {
      const counted = await this.queue.countWorkers().catch((err: unknown) => {
        this.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'cannot count queue workers');
        return undefined;
      });
      // Where Redis refuses CLIENT LIST each process reports itself; the API sees at least 1.
      this.workers = Math.max(1, counted ?? 1);
      this.workersCountedAt = Date.now();
    }
    return this.workers;
  }
}
