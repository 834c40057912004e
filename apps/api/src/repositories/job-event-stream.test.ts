// The API's event stream reader against a real Redis and real BullMQ jobs: it decodes the
// endings (completed with its return value, failed with its reason, removed) of the jobs it is
// asked about and nothing else; a connection killed under it costs no ending, since it reads
// on from the position it held; and closing it does not wait for its blocked read.
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { QUEUE_PREFIX, queueName } from '@snapfleet/contracts';
import { obliterateQueues, REDIS_URL } from '../../../../test/support/fleet';
import { JobEventStream, type StreamEnding } from './job-event-stream';

const host = `events-${randomBytes(4).toString('hex')}`;
const connectionName = `snapfleet-test-events-${host}`;
let queue: Queue;
let worker: Worker;
let admin: IORedis;

beforeAll(async () => {
  queue = new Queue(queueName(host), { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX });
  worker = new Worker(
    queueName(host),
    async (job) => {
      if (job.name === 'fail') throw new Error(`refused ${job.id}`);
      return { ran: job.id, labels: { 'a.b': 'x' } };
    },
    { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX },
  );
  admin = new IORedis(REDIS_URL);
});
afterAll(async () => {
  await worker?.close();
  await queue?.close();
  admin?.disconnect();
  await obliterateQueues([host]);
});

/** A reader from "now" that records what it is told, wanting the given job ids. */
function reader(wanted: Set<string>) {
  const endings: [string, StreamEnding][] = [];
  const errors: string[] = [];
  let reached = 0;
  const stream = new JobEventStream(
    REDIS_URL,
    queue.toKey('events'),
    `${Date.now() - 1000}-0`,
    {
      wants: (jobId) => wanted.has(jobId),
      ending: (jobId, ending) => endings.push([jobId, ending]),
      reached: () => reached++,
      error: (message) => errors.push(message),
    },
    connectionName,
  );
  return { stream, endings, errors, reached: () => reached };
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('decodes the endings of the jobs it is asked about, and only those', async () => {
  const r = reader(new Set(['ok-1', 'fail-1', 'gone-1', 'last-1']));
  try {
    await queue.add('prepare', {}, { jobId: 'other-1' });
    await queue.add('prepare', {}, { jobId: 'ok-1' });
    await queue.add('fail', {}, { jobId: 'fail-1', attempts: 1 });
    await queue.add('prepare', {}, { jobId: 'gone-1', delay: 60_000 });
    await queue.remove('gone-1');
    await until('three endings', () => r.endings.length >= 3);
    // The stream is read in order: once a job added after the unwanted one has ended and
    // been delivered, the unwanted one's ending has been read (and must have been skipped).
    for (let i = 0; (await queue.getJobState('other-1')) !== 'completed'; i++) {
      if (i > 500) throw new Error('the unwanted job never completed');
      await new Promise((res) => setTimeout(res, 10));
    }
    await queue.add('prepare', {}, { jobId: 'last-1' });
    await until('the last ending', () => r.endings.length >= 4);
    const byJob = new Map(r.endings);
    expect(byJob.get('ok-1')).toEqual({ type: 'completed', returnvalue: { ran: 'ok-1', labels: { 'a.b': 'x' } } });
    expect(byJob.get('fail-1')).toEqual({ type: 'failed', failedReason: 'refused fail-1' });
    expect(byJob.get('gone-1')).toEqual({ type: 'removed' });
    expect(r.endings.map(([id]) => id)).not.toContain('other-1');
    expect(r.endings.map(([id]) => id).sort()).toEqual(['fail-1', 'gone-1', 'last-1', 'ok-1']);
    expect(r.errors).toEqual([]);
  } finally {
    await r.stream.close();
  }
});

it('loses no ending when its connection is killed: it reads on from where it was', async () => {
  const r = reader(new Set(['before-kill', 'after-kill']));
  try {
    await queue.add('prepare', {}, { jobId: 'before-kill' });
    await until('the first ending', () => r.endings.length === 1);
    // Pause the worker so the next job ends while the reader is cut off, not before.
    await worker.pause();
    await queue.add('prepare', {}, { jobId: 'after-kill' });
    const killed = await killReaders();
    expect(killed).toBeGreaterThan(0);
    worker.resume();
    await until('the ending that came while it reconnected', () => r.endings.length === 2);
    expect(r.endings.map(([id]) => id)).toEqual(['before-kill', 'after-kill']);
    expect(r.endings[1]![1]).toEqual({ type: 'completed', returnvalue: { ran: 'after-kill', labels: { 'a.b': 'x' } } });
    expect(r.errors.length).toBeGreaterThan(0);
  } finally {
    await r.stream.close();
  }
});

it('closes at once while its read is blocked', async () => {
  const r = reader(new Set());
  for (let i = 0; (await readerCount()) === 0; i++) {
    if (i > 200) throw new Error('the reader never connected');
    await new Promise((res) => setTimeout(res, 10));
  }
  // Blocked in XREAD now (nothing is being added); BLOCK_MS is 5 s.
  await new Promise((res) => setTimeout(res, 300));
  const started = Date.now();
  await r.stream.close();
  expect(Date.now() - started).toBeLessThan(1000);
  for (let i = 0; (await readerCount()) > 0; i++) {
    if (i > 100) throw new Error('the reader connection outlived close()');
    await new Promise((res) => setTimeout(res, 10));
  }
});

async function readerIds(): Promise<string[]> {
  const list = (await admin.call('CLIENT', 'LIST')) as string;
  return list
    .split('\n')
    .filter((line) => line.includes(` name=${connectionName} `))
    .map((line) => /\bid=(\d+)/.exec(line)?.[1] ?? '')
    .filter(Boolean);
}

async function readerCount(): Promise<number> {
  return (await readerIds()).length;
}

async function killReaders(): Promise<number> {
  const ids = await readerIds();
  for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', id);
  return ids.length;
}
