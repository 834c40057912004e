// Redis locks behind one class: the leases an op holds on the keys it writes, and the Redis
// connection they travel on (its own, separate from BullMQ's: a lease's extensions must fail
// fast when Redis goes away, while BullMQ's blocking connections wait forever by design).
import type { OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@snapfleet/contracts';
import { RedisLockService, hostLockTag, lockResource, type LockLease } from '@snapfleet/locks';
import { Redis } from 'ioredis';
import { FENCE_ROW_TTL_MS } from '../config/retention';
import { connectWithRetry } from './connect-retry';

export class LockRepository implements OnApplicationShutdown {
  private constructor(
    private readonly hostId: string,
    private readonly redis: Redis,
    private readonly locks: RedisLockService,
    private readonly ttlMs: number,
  ) {}

  /** Connects (bounded wait for a Redis that is not up yet) and checks it answers. */
  static async open(opts: {
    hostId: string;
    redisUrl: string;
    ttlMs: number;
    /** How long a lease that ended unsettled keeps the next holders registering (the fence rows' age limit; default FENCE_ROW_TTL_MS). */
    markerTtlMs?: number;
    log: Logger;
    connectDeadlineMs?: number;
  }): Promise<LockRepository> {
    let connected = false;
    const redis = new Redis(opts.redisUrl, {
      lazyConnect: true,
      // Lease commands fail after one reconnect attempt: the lease's watchdog must see it.
      maxRetriesPerRequest: 1,
      // Start-up does its own bounded retrying; once connected, reconnect for as long as it takes.
      retryStrategy: (times) => (connected ? Math.min(times * 100, 2000) : null),
    });
    let lastError: Error | undefined;
    redis.on('error', (err: Error) => {
      lastError = err;
      opts.log.debug({ err: err.message }, 'lock Redis connection error');
    });
    try {
      await connectWithRetry(
        'Redis',
        async () => {
          lastError = undefined;
          // connect() only says "Connection is closed."; the error event says why.
          if (redis.status !== 'ready') await redis.connect().catch((err: unknown) => Promise.reject(lastError ?? err));
          await redis.ping();
        },
        { log: opts.log, ...(opts.connectDeadlineMs === undefined ? {} : { deadlineMs: opts.connectDeadlineMs }) },
      );
    } catch (err) {
      redis.disconnect();
      throw err;
    }
    connected = true;
    const locks = new RedisLockService(redis, { defaultTtlMs: opts.ttlMs, markerTtlMs: opts.markerTtlMs ?? FENCE_ROW_TTL_MS, logger: opts.log });
    return new LockRepository(opts.hostId, redis, locks, opts.ttlMs);
  }

  /**
   * Leases the given keys of one namespace on this host, all or nothing. Throws `unavailable`
   * when they stay held (or Redis stays unreachable) past the lock service's wait.
   */
  acquire(namespace: string, keys: readonly string[]): Promise<LockLease> {
    const resources = keys.map((key) => lockResource(this.hostId, namespace, key));
    return this.locks.acquire(resources, { ttlMs: this.ttlMs });
  }

  /**
   * For a host with no snapshot rows: no earlier holder's late write can matter, so leases
   * need not report a possible stale holder because Redis has no fence counter for the host
   * yet (libs/locks, settleTag).
   */
  settleNewHost(): Promise<void> {
    return this.locks.settleTag(hostLockTag(this.hostId));
  }

  /** One PING on the lock connection (readiness). */
  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.locks.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** After the drain (WorkerLifecycle runs before shutdown): no op holds a lease any more. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
