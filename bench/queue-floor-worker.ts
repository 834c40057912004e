// The no-op worker of the queue floor (floor.ts): a stock BullMQ worker in a process of its
// own, as the fleet's worker is, answering every job with its data at once.
import { Worker } from 'bullmq';

const [redisUrl, prefix, name] = process.argv.slice(2);
if (!redisUrl || !prefix || !name) throw new Error('usage: queue-floor-worker <redis url> <prefix> <queue>');
const worker = new Worker(name, async (job) => job.data as unknown, { connection: { url: redisUrl }, prefix, concurrency: 16 });
worker.on('error', (err) => console.error(`queue floor worker: ${err.message}`));
void worker.waitUntilReady().then(() => process.send?.('ready'));
process.on('SIGTERM', () => {
  void worker.close().finally(() => process.exit(0));
});
