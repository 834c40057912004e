// JobQueueRepository.eventPosition against a real Redis and real BullMQ jobs: the walk page
// cache's tag must be the stream BullMQ writes a host's job endings to, absent while that
// stream is, and move with every ending (decisions.md, "Walk page cache").
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { QUEUE_PREFIX, queueName, silentLogger } from '@snapfleet/contracts';
import { obliterateQueues, REDIS_URL } from '../../../../test/support/fleet';
import { JobQueueRepository } from './job-queue.repository';

const host = `position-${randomBytes(4).toString('hex')}`;
let queue: Queue;
let events: QueueEvents;
let worker: Worker;
let repo: JobQueueRepository;
let admin: IORedis;

beforeAll(async () => {
  const connection = { url: REDIS_URL };
  queue = new Queue(queueName(host), { connection, prefix: QUEUE_PREFIX });
  events = new QueueEvents(queueName(host), { connection, prefix: QUEUE_PREFIX });
  worker = new Worker(queueName(host), async (job) => {
    if (job.name === 'fail') throw new Error('refused');
    return { ran: job.id };
  }, { connection, prefix: QUEUE_PREFIX, autorun: false });
  repo = await JobQueueRepository.connect(REDIS_URL, silentLogger);
  admin = new IORedis(REDIS_URL);
  await events.waitUntilReady();
});
afterAll(async () => {
  await worker?.close();
  await events?.close();
  await queue?.close();
  await repo?.close();
  admin?.disconnect();
  await obliterateQueues([host]);
});

/** The id of the newest entry of the stream BullMQ itself names as the queue's events. */
async function newestEntry(): Promise<string | undefined> {
  const entries = (await admin.xrevrange(queue.toKey('events'), '+', '-', 'COUNT', 1)) as [string, string[]][];
  return entries[0]?.[0];
}

it('is absent before the host has an event stream', async () => {
  expect(await repo.eventPosition(host, 1_000)).toBeUndefined();
});

it('is the newest entry of BullMQ\'s event stream, and moves with each job that ends, completed or failed', async () => {
  const seen: string[] = [];
  void worker.run();
  for (const name of ['ok', 'fail', 'ok']) {
    const job = await queue.add(name, {});
    await job.waitUntilFinished(events).catch(() => undefined);
    const position = await repo.eventPosition(host, 1_000);
    expect(position).toBeDefined();
    expect(position).toBe(await newestEntry());
    seen.push(position!);
  }
  expect(new Set(seen).size).toBe(3);
});
