// MySQL behind one class: the metadata store the snapshotter writes through, the host's
// heartbeat row, and the pruning of op records and fence rows.
import type { OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@snapfleet/contracts';
import { HostStore, MetaStore, type HostHeartbeat } from '@snapfleet/metastore';
import { connectWithRetry, isNetworkError } from './connect-retry';

export class MetadataRepository implements OnApplicationShutdown {
  private readonly hosts: HostStore;

  private constructor(readonly store: MetaStore) {
    this.hosts = new HostStore(store.dataSource);
  }

  /**
   * Opens the store, creating and migrating the database when needed (migrations run under
   * a MySQL lock, so workers and API replicas starting together migrate once). Waits a
   * bounded time for a server that is not up yet.
   */
  static async open(url: string, opts: { poolSize: number; log: Logger; connectDeadlineMs?: number }): Promise<MetadataRepository> {
    const store = await connectWithRetry('MySQL', () => MetaStore.open({ url, poolSize: opts.poolSize }), {
      log: opts.log,
      transient: isNetworkError,
      ...(opts.connectDeadlineMs === undefined ? {} : { deadlineMs: opts.connectDeadlineMs }),
    });
    return new MetadataRepository(store);
  }

  heartbeat(hostId: string, status: HostHeartbeat): Promise<void> {
    return this.hosts.heartbeat(hostId, status);
  }

  /** One round trip (readiness). */
  async ping(): Promise<void> {
    await this.store.ping();
  }

  hasSnapshots(hostId: string): Promise<boolean> {
    return this.store.hasSnapshots(hostId);
  }

  pruneOps(olderThan: Date): Promise<number> {
    return this.store.pruneOps(olderThan);
  }

  pruneFences(olderThan: Date): Promise<number> {
    return this.store.pruneFences(olderThan);
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** After the drain (WorkerLifecycle runs before shutdown): nothing uses MySQL any more. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
