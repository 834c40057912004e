// queueWaitMs against real BullMQ jobs on the machine's Redis: a job that sat in the queue
// while no worker ran waited that long; a delayed job's wait starts when its delay ends; a
// retried attempt has no queue wait. And the log fields keep sub-millisecond parts.
import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { afterAll, expect, it } from 'vitest';
import { JobTiming, queueWaitMs } from './job-timing';

const connection = { url: process.env.SNAPFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379' };
const name = `job-timing-${randomUUID()}`;
const queue = new Queue(name, { connection });
afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
});

/** Runs a worker until `count` starts, recording queueWaitMs of each; with `failFirst`, every first attempt fails. */
async function waits(count: number, failFirst = false): Promise<Array<number | undefined>> {
  const seen: Array<number | undefined> = [];
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const worker = new Worker(
    name,
    async (job: Job) => {
      seen.push(queueWaitMs(job));
      if (seen.length >= count) finish();
      if (failFirst && job.attemptsMade === 0) throw new Error('first attempt fails');
    },
    { connection },
  );
  await finished;
  await worker.close();
  return seen;
}

it('a job added while no worker runs waited until one took it', async () => {
  await queue.add('plain', {});
  await new Promise((r) => setTimeout(r, 400));
  const [wait] = await waits(1);
  expect(wait).toBeGreaterThanOrEqual(350);
  expect(wait).toBeLessThan(30_000);
});

it("a delayed job's wait starts when its delay ends", async () => {
  await queue.add('delayed', {}, { delay: 600 });
  const [wait] = await waits(1);
  expect(wait).toBeGreaterThanOrEqual(0);
  // Without the delay taken off it would be at least 600.
  expect(wait).toBeLessThan(550);
});

it('a retried attempt has no queue wait', async () => {
  await queue.add('retried', {}, { attempts: 2, backoff: { type: 'fixed', delay: 50 } });
  const seen = await waits(2, true);
  expect(seen[0]).toEqual(expect.any(Number));
  expect(seen[1]).toBeUndefined();
});

it('log fields are in ms to a hundredth, and a missing wait is left out', () => {
  const t = new JobTiming(undefined);
  t.lockMs += 0.123456;
  t.btrfsMs += 0.4;
  t.btrfsMs += 1.0049;
  expect(t.logFields()).toEqual({ lockMs: 0.12, btrfsMs: 1.4 });
  expect(new JobTiming(2.345).logFields()).toEqual({ waitMs: 2.35, lockMs: 0, btrfsMs: 0 });
});
