// BullMQ queues as the queue dashboard (Bull Board) sees them: one adapter per host queue,
// all on one Redis connection of their own — opened on the first dashboard request, so an
// API nobody opens the dashboard on holds no extra connection — and closed at shutdown.
import type { OnApplicationShutdown } from '@nestjs/common';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { Queue } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { QUEUE_PREFIX, queueName } from '@snapfleet/contracts';
import type { ApiConfig } from '../config/api-config';

export type DashboardQueue = BullMQAdapter;

export class DashboardQueuesRepository implements OnApplicationShutdown {
  private redis: Redis | undefined;
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly config: Pick<ApiConfig, 'redisUrl'>) {}

  /** The dashboard adapter of a host's queue (read-only when asked). */
  adapter(host: string, opts: { readOnly: boolean }): DashboardQueue {
    let queue = this.queues.get(host);
    if (!queue) {
      queue = new Queue(queueName(host), { connection: this.connection(), prefix: QUEUE_PREFIX });
      queue.on('error', () => undefined); // reported once by the connection's own listener
      this.queues.set(host, queue);
    }
    return new BullMQAdapter(queue, { readOnlyMode: opts.readOnly, description: `host ${host}` });
  }

  /** Stops showing a host's queue (its row left the hosts table). */
  async forget(host: string): Promise<void> {
    const queue = this.queues.get(host);
    this.queues.delete(host);
    await queue?.close().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.queues.clear();
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }

  private connection(): Redis {
    this.redis ??= new IORedis(this.config.redisUrl, {
      // A dashboard request fails fast while Redis is down instead of queueing commands.
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
      retryStrategy: (times) => Math.min(times * 250, 2_000),
    }).on('error', () => undefined);
    return this.redis;
  }
}
