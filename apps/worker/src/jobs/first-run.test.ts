// isFirstRun against real BullMQ jobs on the machine's Redis: a server-made job id on its
// first start is a first run; a retried attempt, a stalled job started again, a manually
// retried failed job and any keyed id are not.
import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { jobIdFor } from '@snapfleet/contracts';
import { isFirstRun } from './first-run';

const connection = { url: process.env.SNAPFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379' };
const name = `first-run-${randomUUID()}`;
const queue = new Queue(name, { connection });
afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
});

/** Runs jobs with `process` until `done` says so; returns what isFirstRun said per start. */
async function starts(add: () => Promise<unknown>, process: (job: Job, n: number) => Promise<unknown>, done: (seen: boolean[]) => boolean) {
  const seen: boolean[] = [];
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const worker = new Worker(
    name,
    async (job) => {
      seen.push(isFirstRun(job));
      try {
        return await process(job, seen.length);
      } finally {
        if (done(seen)) finish();
      }
    },
    { connection, stalledInterval: 500, lockDuration: 500, maxStalledCount: 5 },
  );
  try {
    await add();
    await finished;
  } finally {
    await worker.close(true);
  }
  return seen;
}

describe('isFirstRun', () => {
  it('is true for a server-made id on its first start, false on its retry', async () => {
    const seen = await starts(
      () => queue.add('op', {}, { jobId: jobIdFor(), attempts: 2, backoff: 0 }),
      async (_job, n) => {
        if (n === 1) throw new Error('first attempt fails');
      },
      (s) => s.length === 2,
    );
    expect(seen).toEqual([true, false]);
  });

  it('is false for a job started again after its worker stalled', async () => {
    const id = jobIdFor();
    let hold!: () => void;
    const held = new Promise<void>((resolve) => (hold = resolve));
    // The first worker takes the job and stops renewing its lock (as a worker paused or killed).
    const first = new Worker(name, async (job) => {
      const firstRun = isFirstRun(job);
      hold();
      await new Promise(() => undefined);
      return firstRun;
    }, { connection, lockDuration: 500, autorun: false });
    first.run().catch(() => undefined);
    await queue.add('op', {}, { jobId: id });
    await held;
    await first.close(true);
    const seen = await starts(async () => undefined, async () => undefined, (s) => s.length === 1);
    expect(seen).toEqual([false]);
    expect((await queue.getJob(id))?.attemptsStarted).toBe(2);
  });

  it('is false for a keyed job id even on its first start', async () => {
    const seen = await starts(() => queue.add('op', {}, { jobId: jobIdFor(`k-${randomUUID()}`) }), async () => undefined, (s) => s.length === 1);
    expect(seen).toEqual([false]);
  });

  it('is false for a failed job retried by hand (its stack trace and counts stay)', async () => {
    const id = jobIdFor();
    await starts(
      () => queue.add('op', {}, { jobId: id, attempts: 1 }),
      () => Promise.reject(new Error('fails')),
      (s) => s.length === 1,
    );
    const job = await queue.getJob(id);
    expect(await job?.getState()).toBe('failed');
    const seen = await starts(() => job!.retry('failed'), async () => undefined, (s) => s.length === 1);
    expect(seen).toEqual([false]);
  });
});
