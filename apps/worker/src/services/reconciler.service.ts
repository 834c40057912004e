// The reconciler: makes the disk agree with the metadata again after crashes (cleanup deletes
// subvolumes no row references) and keeps the bookkeeping tables bounded (op records older
// than a day, fence rows older than an hour). Runs at start and every
// SNAPFLEET_CLEANUP_INTERVAL_MS; cleanup jobs from the API queue behind it. Runs never
// overlap: two cleanups would only race each other for the same orphans.
import { Inject, Injectable } from '@nestjs/common';
import type { CleanupResult } from '@snapfleet/contracts';
import { Snapshotter } from '@snapfleet/snapshotter';
import { PinoLogger } from 'nestjs-pino';
import { WORKER_CONFIG } from '../config/worker-config.module';
import type { WorkerConfig } from '../config/worker-config';
import { MetadataRepository } from '../repositories/metadata.repository';
import { FENCE_ROW_TTL_MS, OP_RECORD_TTL_MS } from '../config/retention';

@Injectable()
export class Reconciler {
  /** End of the last queued run: every run starts after the previous one settled. */
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(Snapshotter) private readonly snapshotter: Snapshotter,
    @Inject(MetadataRepository) private readonly metadata: MetadataRepository,
    @Inject(PinoLogger) private readonly log: PinoLogger,
  ) {
    log.setContext(Reconciler.name);
  }

  /** First run now, then one every interval after the previous run ended. */
  start(): void {
    this.schedule(0);
  }

  /** Deletes orphan subvolumes, after any run in progress. */
  cleanup(ctx: { progress?: (percent: number) => void } = {}): Promise<CleanupResult> {
    return this.serialize(() => this.snapshotter.cleanup(ctx));
  }

  /** One full pass: cleanup, then pruning. */
  reconcile(): Promise<{ removed: number; prunedOps: number; prunedFences: number }> {
    return this.serialize(async () => {
      const { removed } = await this.snapshotter.cleanup();
      const now = Date.now();
      const prunedOps = await this.metadata.pruneOps(new Date(now - OP_RECORD_TTL_MS));
      const prunedFences = await this.metadata.pruneFences(new Date(now - FENCE_ROW_TTL_MS));
      return { removed, prunedOps, prunedFences };
    });
  }

  /** No new runs; waits for the one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tail;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    const started = Date.now();
    try {
      const r = await this.reconcile();
      const changed = r.removed + r.prunedOps + r.prunedFences > 0;
      this.log[changed ? 'info' : 'debug']({ ...r, ms: Date.now() - started }, 'reconciled');
    } catch (err) {
      // Next interval tries again; a cleanup failing is not a reason to stop serving ops.
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'reconcile failed');
    }
    this.schedule(this.config.cleanupIntervalMs);
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
