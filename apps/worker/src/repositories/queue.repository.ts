// The host's BullMQ queue behind one class, for what the worker asks of the queue itself
// (rather than of its jobs): how many worker processes are consuming it.
import type { Queue } from 'bullmq';

export class QueueRepository {
  constructor(private readonly queue: Queue) {}

  get name(): string {
    return this.queue.name;
  }

  /**
   * Live workers of this queue, from Redis' CLIENT LIST (BullMQ names each worker's
   * connection after its queue). Undefined where CLIENT LIST is refused (some managed Redis).
   */
  async countWorkers(): Promise<number | undefined> {
    const workers = await this.queue.getWorkers();
    if (workers.some((w) => w.name?.includes('does not support'))) return undefined;
    return workers.length;
  }
}
