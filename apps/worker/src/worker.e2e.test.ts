// The compiled worker as a real process (`npm run build:ts` first), on a real loop-mounted
// btrfs pool, a fresh MariaDB database (the worker creates and migrates it) and the
// machine's Redis. Jobs go in through a plain BullMQ Queue, as the API enqueues them.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import {
  CreateResultSchema,
  QUEUE_PREFIX,
  decodeJobError,
  jobIdFor,
  jobOptionsFor,
  queueName,
  type JobData,
  type OpName,
  type OpPayload,
} from '@snapfleet/contracts';
import { HostStore, MetaStore } from '@snapfleet/metastore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestDatabase, type TestDatabase } from '../../../test/support/db';
import { distEntry } from '../../../test/support/dist';
import { createPool, type Pool } from '../../../test/support/pool';
import { WORKER_COUNT_EVERY_BEATS } from './services/host-heartbeat.service';

const REDIS_URL = process.env.SNAPFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379';

interface Proc {
  child: ChildProcess;
  stdout: string[];
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorker(env: Record<string, string | undefined>): Proc {
  const child = spawn(process.execPath, [distEntry('apps/worker/src/main.js')], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: Proc = {
    child,
    stdout: [],
    stderr: '',
    exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    proc.stdout.push(...lines.filter(Boolean));
  });
  child.stderr?.on('data', (chunk: Buffer) => (proc.stderr += chunk.toString('utf8')));
  return proc;
}

const running = (p: Proc): boolean => p.child.exitCode === null && p.child.signalCode === null;

function logLines(p: Proc): Record<string, unknown>[] {
  return p.stdout.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

async function waitFor<T>(what: string, p: Proc, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running(p)) throw new Error(`${what}: worker exited (${p.child.exitCode ?? p.child.signalCode}):\n${p.stderr}\n${p.stdout.slice(-20).join('\n')}`);
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms:\n${p.stdout.slice(-20).join('\n')}`);
}

describe('worker process', () => {
  const hostId = `wk${process.pid}-${randomBytes(3).toString('hex')}`;
  let pool: Pool | undefined;
  let db: TestDatabase | undefined;
  let store: MetaStore | undefined;
  let worker: Proc | undefined;
  let connection: Redis | undefined;
  let queue: Queue | undefined;
  let events: QueueEvents | undefined;
  let root: string;

  beforeAll(async () => {
    // Queue handles first, so afterAll can obliterate the queue whatever fails later.
    connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(queueName(hostId), { connection, prefix: QUEUE_PREFIX });
    events = new QueueEvents(queueName(hostId), { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX });
    await events.waitUntilReady();
    pool = await createPool({ label: 'worker-e2e' });
    db = makeTestDatabase('worker_e2e');
    root = join(pool.dir, 'snapfleet');
    await mkdir(root);
    worker = startWorker({
      SNAPFLEET_HOST_ID: hostId,
      SNAPFLEET_ROOT: root,
      SNAPFLEET_MYSQL_URL: db.url,
      SNAPFLEET_REDIS_URL: REDIS_URL,
      SNAPFLEET_HEARTBEAT_MS: '300',
      SNAPFLEET_WORKER_CONCURRENCY: '4',
      SNAPFLEET_BTRFS_BACKEND: 'native',
    });
    const w = worker;
    // Logged after the first heartbeat, once the worker takes jobs.
    await waitFor('worker start', w, () => logLines(w).find((l) => String(l.msg).includes('started')));
    store = await MetaStore.open({ url: db.url, migrate: false });
  });

  afterAll(async () => {
    if (worker && running(worker)) {
      worker.child.kill('SIGKILL');
      await worker.exit;
    }
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await events?.close().catch(() => undefined);
    await queue?.close().catch(() => undefined);
    if (connection) {
      // What else the runs left in Redis: the hosts' fence counters, the failed starts' queue.
      const leftovers = [
        ...(await connection.keys(`{snapfleet:${hostId}}*`)),
        ...(await connection.keys(`{snapfleet:${hostId}-x}*`)),
        ...(await connection.keys(`${QUEUE_PREFIX}:${queueName(`${hostId}-x`)}:*`)),
      ];
      if (leftovers.length > 0) await connection.del(...leftovers);
      connection.disconnect();
    }
    await store?.close().catch(() => undefined);
    await db?.dispose().catch(() => undefined);
    await pool?.dispose();
  });

  async function enqueue<N extends OpName>(op: N, payload: OpPayload<N>, requestId?: string): Promise<Job> {
    const data: JobData<N> = { payload, ...(requestId === undefined ? {} : { requestId }) };
    return queue!.add(op, data, jobOptionsFor(jobIdFor()));
  }

  async function run<N extends OpName>(op: N, payload: OpPayload<N>, requestId?: string): Promise<unknown> {
    const job = await enqueue(op, payload, requestId);
    return job.waitUntilFinished(events!, 20_000);
  }

  it('starts with its facts logged: host, root, device, backend, queue, concurrency', () => {
    const started = logLines(worker!).find((l) => String(l.msg).includes('started'));
    expect(started).toMatchObject({
      host: hostId,
      root,
      device: pool!.device,
      btrfsBackend: 'native',
      queue: queueName(hostId),
      concurrency: 4,
      threadPool: 8,
    });
  });

  it('registers the host and keeps its heartbeat fresh', async () => {
    const hosts = new HostStore(store!.dataSource);
    const first = await hosts.get(hostId);
    expect(first).toMatchObject({ id: hostId, root, device: pool!.device, draining: false });
    expect(first!.workers).toBeGreaterThanOrEqual(1);
    expect(first!.sizeBytes).toBeGreaterThan(0);
    expect(first!.freeBytes).toBeGreaterThan(0);
    const before = first!.heartbeatAt!.getTime();
    const fresher = await waitFor('a newer heartbeat', worker!, async () => {
      const h = await hosts.get(hostId);
      return h?.heartbeatAt && h.heartbeatAt.getTime() > before ? h : undefined;
    });
    expect(Date.now() - fresher.heartbeatAt!.getTime()).toBeLessThan(5000);
  });

  it('prepare → commit → remove succeed with the ops’ results', async () => {
    const key = 'extract-1 sha256:ab cd';
    const prepared = CreateResultSchema.parse(await run('prepare', { namespace: 'default', key, labels: { a: 'b' } }));
    expect(prepared.info).toMatchObject({ name: key, kind: 'active', labels: { a: 'b' } });
    expect(prepared.mounts).toEqual([{ type: 'btrfs', source: pool!.device, options: [expect.stringMatching(/^subvolid=\d+$/)] }]);
    expect(prepared.path.startsWith(join(root, 'active') + '/')).toBe(true);

    const committed = await run('commit', { namespace: 'default', name: 'sha256:ab', key });
    expect(committed).toMatchObject({ info: { name: 'sha256:ab', kind: 'committed' } });

    expect(await run('usage', { namespace: 'default', key: 'sha256:ab' })).toEqual({ size: expect.any(Number), inodes: expect.any(Number) });
    expect(await run('remove', { namespace: 'default', key: 'sha256:ab' })).toEqual({ removed: true });
    expect(await run('cleanup', {})).toEqual({ removed: expect.any(Number) });
  });

  it('a semantic error fails once, typed, and is not retried', async () => {
    const job = await enqueue('commit', { namespace: 'default', name: 'n', key: 'no such key' });
    await expect(job.waitUntilFinished(events!, 20_000)).rejects.toThrow(/not_found/);
    const failed = await queue!.getJob(job.id!);
    expect(await failed!.getState()).toBe('failed');
    expect(failed!.attemptsMade).toBe(1);
    expect(decodeJobError(failed!.failedReason).code).toBe('not_found');
  });

  it('refuses a bad payload and an unknown op as invalid_argument, without retry', async () => {
    const bad = await enqueue('prepare', { namespace: 'not a namespace!', key: 'k' });
    await expect(bad.waitUntilFinished(events!, 20_000)).rejects.toThrow();
    const badJob = await queue!.getJob(bad.id!);
    expect(decodeJobError(badJob!.failedReason)).toMatchObject({ code: 'invalid_argument' });
    expect(badJob!.attemptsMade).toBe(1);

    const unknown = await queue!.add('snapshot', { payload: {} }, jobOptionsFor(jobIdFor()));
    await expect(unknown.waitUntilFinished(events!, 20_000)).rejects.toThrow();
    const unknownJob = await queue!.getJob(unknown.id!);
    expect(decodeJobError(unknownJob!.failedReason).code).toBe('invalid_argument');
    expect(unknownJob!.attemptsMade).toBe(1);
  });

  it('a retried job id returns the first result instead of already_exists', async () => {
    const jobId = jobIdFor();
    const payload = { namespace: 'default', key: 'idempotent' };
    const first = await queue!.add('prepare', { payload }, jobOptionsFor(jobId));
    const result = await first.waitUntilFinished(events!, 20_000);
    // The API re-adding a finished job id would be deduplicated by BullMQ; a worker retry
    // after a crash runs the op again with the same op id. Simulate that: remove the job
    // and enqueue the same id again.
    await first.remove();
    const again = await queue!.add('prepare', { payload }, jobOptionsFor(jobId));
    expect(await again.waitUntilFinished(events!, 20_000)).toEqual(result);
  });

  it('tags every log line of a job with jobId, op, host and requestId', async () => {
    const job = await enqueue('prepare', { namespace: 'default', key: 'logged' }, 'req-e2e-1');
    await job.waitUntilFinished(events!, 20_000);
    const lines = await waitFor('the job’s log line', worker!, () => {
      const mine = logLines(worker!).filter((l) => l.jobId === job.id);
      return mine.length > 0 ? mine : undefined;
    });
    for (const line of lines) expect(line).toMatchObject({ jobId: job.id, op: 'prepare', host: hostId, requestId: 'req-e2e-1' });
    expect(lines.some((l) => l.msg === 'job done')).toBe(true);
  });

  it('counts a second worker of the host, and its leaving does not mark the host draining', async () => {
    const hosts = new HostStore(store!.dataSource);
    const second = startWorker({
      SNAPFLEET_HOST_ID: hostId,
      SNAPFLEET_ROOT: root,
      SNAPFLEET_MYSQL_URL: db!.url,
      SNAPFLEET_REDIS_URL: REDIS_URL,
      SNAPFLEET_HEARTBEAT_MS: '300',
    });
    try {
      await waitFor('both workers counted', second, async () => ((await hosts.get(hostId))?.workers === 2 ? true : undefined));
      // Both consume the queue: a burst of jobs completes, whoever takes them.
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => run('prepare', { namespace: 'ha', key: `k${i}` })));
      expect(results).toHaveLength(6);
      second.child.kill('SIGTERM');
      expect(await second.exit).toEqual({ code: 0, signal: null });
      expect(await hosts.get(hostId)).toMatchObject({ draining: false });
      // The leaving worker writes the new count; the one that stays may still beat its own
      // count from before for up to WORKER_COUNT_EVERY_BEATS beats, then counts again.
      const primary = worker!;
      await waitFor('the count to drop to 1', primary, async () => ((await hosts.get(hostId))?.workers === 1 ? true : undefined), (2 * WORKER_COUNT_EVERY_BEATS + 4) * 300);
      expect(await hosts.get(hostId)).toMatchObject({ draining: false, workers: 1 });
    } finally {
      if (running(second)) second.child.kill('SIGKILL');
    }
  });

  it('drains on SIGTERM: marks the host draining and exits 0', async () => {
    const w = worker!;
    // A job in flight when the signal comes is finished, not abandoned.
    const inFlight = await enqueue('prepare', { namespace: 'default', key: 'during-drain' });
    await waitFor('the job to start', w, async () => ((await inFlight.getState()) === 'waiting' ? undefined : true));
    const started = Date.now();
    w.child.kill('SIGTERM');
    const exit = await Promise.race([w.exit, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no exit within 10 s')), 10_000))]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await (await queue!.getJob(inFlight.id!))!.getState()).toBe('completed');
    const host = await new HostStore(store!.dataSource).get(hostId);
    expect(host?.draining).toBe(true);
    expect(logLines(w).some((l) => l.msg === 'drained')).toBe(true);
  });

  it('exits 1 naming the variable when the environment is bad', async () => {
    const p = startWorker({ SNAPFLEET_ROOT: root, SNAPFLEET_WORKER_CONCURRENCY: 'lots' });
    const exit = await p.exit;
    expect(exit.code).toBe(1);
    expect(p.stderr).toMatch(/SNAPFLEET_HOST_ID: is required/);
    expect(p.stderr).toMatch(/SNAPFLEET_WORKER_CONCURRENCY: must be an integer/);
  });

  it('exits 1 with the reason, not a hang, when MySQL or Redis cannot be reached', async () => {
    const common = { SNAPFLEET_HOST_ID: `${hostId}-x`, SNAPFLEET_ROOT: root };
    const noMysql = startWorker({ ...common, SNAPFLEET_MYSQL_URL: 'mysql://root@127.0.0.1:1/nowhere', SNAPFLEET_REDIS_URL: REDIS_URL });
    const noRedis = startWorker({ ...common, SNAPFLEET_MYSQL_URL: db!.url, SNAPFLEET_REDIS_URL: 'redis://127.0.0.1:1' });
    const [a, b] = await Promise.all([noMysql.exit, noRedis.exit]);
    expect(a.code).toBe(1);
    expect(noMysql.stderr).toMatch(/cannot start: cannot connect to MySQL after \d+ attempts: .*ECONNREFUSED/);
    expect(b.code).toBe(1);
    expect(noRedis.stderr).toMatch(/cannot start: cannot connect to Redis after \d+ attempts: connect ECONNREFUSED 127\.0\.0\.1:1/);
  }, 45_000);
});
