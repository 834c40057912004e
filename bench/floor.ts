// What this machine lets a lone op through DESIGN §5's flow take at the least, measured the
// way the serial case runs (one op at a time, nothing else running): an HTTP round trip to
// the API that touches nothing behind it, a job round trip through a stock BullMQ queue to a
// worker in another process that does nothing, and one key lease. An op through the fleet
// pays all three before any of its own work, so their sum is the part of the serial added
// latency that no change to snapfleet's own code can take off; the serial table is read
// against it.
import { fork } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_PREFIX, queueName } from '@snapfleet/contracts';
import { RedisLockService, hostLockTag, lockResource } from '@snapfleet/locks';
import { obliterateQueues } from '../test/support/fleet';
import { timed } from './stats';

export interface FloorRun {
  /** GET /healthz on a keep-alive connection, ms each. */
  http: number[];
  /** Queue.add → the no-op worker's completion seen through QueueEvents, ms each. */
  queue: number[];
  /** One key lease acquired (released after the clock stops), ms each. */
  lease: number[];
}

/**
 * A host no worker serves: its queue and its lock keys are laid out as a real host's are, and
 * go as a test fleet's do (obliterateQueues).
 */
const HOST = 'bench-floor';
/** A job the no-op worker has not answered by then means the worker is gone: fail, not hang. */
const JOB_WAIT_MS = 10_000;

/** The compiled no-op worker next to this file (the bench runs from dist/bench). */
const WORKER_SCRIPT = join(__dirname, 'queue-floor-worker.js');

export async function floorLatencies(apiUrl: string, redisUrl: string, rounds: number, workerScript = WORKER_SCRIPT): Promise<FloorRun> {
  try {
    return { http: await httpFloor(apiUrl, rounds), queue: await queueFloor(redisUrl, rounds, workerScript), lease: await leaseFloor(redisUrl, rounds) };
  } finally {
    await obliterateQueues([HOST], redisUrl);
  }
}

async function httpFloor(apiUrl: string, rounds: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL('/healthz', apiUrl);
  const get = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(url, { agent }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`GET ${url.href}: status ${res.statusCode}`));
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  try {
    const lat: number[] = [];
    for (let i = 0; i < rounds; i++) await timed(lat, get);
    return lat;
  } finally {
    agent.destroy();
  }
}

async function queueFloor(redisUrl: string, rounds: number, workerScript: string): Promise<number[]> {
  const name = queueName(HOST);
  const child = fork(workerScript, [redisUrl, QUEUE_PREFIX, name], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection, prefix: QUEUE_PREFIX });
  const events = new QueueEvents(name, { connection: { url: redisUrl }, prefix: QUEUE_PREFIX });
  try {
    await events.waitUntilReady();
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`queue floor worker exited with ${code} before it was ready`)));
    });
    const lat: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await timed(lat, async () => {
        // Kept (not removed on completion) so that the wait cannot miss the job's end.
        const job = await queue.add('noop', { i }, { removeOnComplete: { count: rounds }, removeOnFail: { count: rounds } });
        const out = (await job.waitUntilFinished(events, JOB_WAIT_MS)) as unknown;
        if ((out as { i?: unknown } | undefined)?.i !== i) throw new Error(`queue floor job ${i} answered ${JSON.stringify(out)}`);
      });
    }
    return lat;
  } finally {
    child.kill('SIGTERM');
    await events.close();
    await queue.close();
    connection.disconnect();
  }
}

async function leaseFloor(redisUrl: string, rounds: number): Promise<number[]> {
  const locks = new RedisLockService(redisUrl);
  try {
    // As the worker does at start on a host with no rows: no earlier holder to fence out.
    await locks.settleTag(hostLockTag(HOST));
    const lat: number[] = [];
    for (let i = 0; i < rounds; i++) {
      let lease: Awaited<ReturnType<RedisLockService['acquire']>> | undefined;
      await timed(lat, async () => {
        lease = await locks.acquire([lockResource(HOST, 'bench', `key-${i}`)]);
      });
      await lease?.release({ settled: true });
    }
    return lat;
  } finally {
    await locks.close();
  }
}
