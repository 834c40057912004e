// The waiter against a real Redis and a real BullMQ worker: it answers from the completed
// event; it skips its first state read only when the host's event reader was delivering
// before the job was added; and an event it relied on that never reaches it costs one poll
// interval, not the answer.
import { randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { QUEUE_PREFIX, queueName, silentLogger } from '@snapfleet/contracts';
import { obliterateQueues, REDIS_URL } from '../../../../test/support/fleet';
import { JobQueueRepository } from '../repositories/job-queue.repository';
import { JobWaiter } from './job-waiter.service';

const tag = randomBytes(4).toString('hex');
const warmHost = `waiter-${tag}-a`;
const coldHost = `waiter-${tag}-b`;
let queues: JobQueueRepository;
let waiter: JobWaiter;
const workers: Worker[] = [];
/** State reads the waiter made (counted on the real repository). */
let stateReads = 0;

beforeAll(async () => {
  queues = await JobQueueRepository.connect(REDIS_URL, silentLogger);
  const read = queues.getJobState.bind(queues);
  queues.getJobState = (host, jobId) => {
    stateReads++;
    return read(host, jobId);
  };
  waiter = new JobWaiter(queues, new PinoLogger({ pinoHttp: { level: 'silent' } }));
  for (const host of [warmHost, coldHost]) {
    workers.push(new Worker(queueName(host), async (job) => ({ ran: job.id }), { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX }));
  }
  // The warm host's reader delivers events from here on.
  await queues.add(warmHost, 'prepare', { payload: { namespace: 'n', key: 'warm' } }, { jobId: 'op-warm' });
  expect((await waiter.waitForSettled(warmHost, 'op-warm', 10_000)).state).toBe('completed');
  // Its reader delivers the next job's events (at least its 'added').
  await addJob(warmHost, 'op-warm-2');
  for (let i = 0; queues.deliveringReader(warmHost) === undefined; i++) {
    if (i > 200) throw new Error('the event reader delivered nothing');
    await new Promise((r) => setTimeout(r, 10));
  }
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await queues?.close();
  await obliterateQueues([warmHost, coldHost]);
});

async function addJob(host: string, jobId: string): Promise<void> {
  await queues.add(host, 'prepare', { payload: { namespace: 'n', key: jobId } }, { jobId });
}

it('answers from the event with no state read when the reader was delivering before the add', async () => {
  const reader = queues.deliveringReader(warmHost);
  expect(reader).toBeDefined();
  stateReads = 0;
  await addJob(warmHost, 'op-fresh');
  const settled = await waiter.waitForSettled(warmHost, 'op-fresh', 10_000, { reader });
  expect(settled.state).toBe('completed');
  expect(settled.event).toEqual({ type: 'completed', returnvalue: { ran: 'op-fresh' } });
  expect(stateReads).toBe(0);
});

it('reads the state first when no reader was delivering, and a new reader still sees the end', async () => {
  expect(queues.deliveringReader(coldHost)).toBeUndefined();
  stateReads = 0;
  await addJob(coldHost, 'op-cold');
  const started = performance.now();
  const settled = await waiter.waitForSettled(coldHost, 'op-cold', 10_000, { reader: queues.deliveringReader(coldHost) });
  expect(settled.state).toBe('completed');
  expect(stateReads).toBeGreaterThanOrEqual(1);
  // The reader made for this wait starts before the job ended, so the end comes as an
  // event, not after the first 500 ms poll.
  expect(performance.now() - started).toBeLessThan(400);
});

it('still answers, after one poll interval, when the event came before anyone listened', async () => {
  const reader = queues.deliveringReader(warmHost);
  await addJob(warmHost, 'op-early');
  // The job ends (and its event goes by) before the wait subscribes.
  for (let i = 0; (await queues.getJobState(warmHost, 'op-early')) !== 'completed'; i++) {
    if (i > 200) throw new Error('op-early did not complete');
    await new Promise((r) => setTimeout(r, 10));
  }
  stateReads = 0;
  const started = performance.now();
  const settled = await waiter.waitForSettled(warmHost, 'op-early', 10_000, { reader });
  const ms = performance.now() - started;
  expect(settled.state).toBe('completed');
  expect(stateReads).toBe(1);
  expect(ms).toBeGreaterThanOrEqual(400);
  expect(ms).toBeLessThan(3_000);
});

it('does not trust a reader that is not the one taken before the add', async () => {
  stateReads = 0;
  await addJob(warmHost, 'op-other');
  const settled = await waiter.waitForSettled(warmHost, 'op-other', 10_000, { reader: {} });
  expect(settled.state).toBe('completed');
  expect(stateReads).toBeGreaterThanOrEqual(1);
});
