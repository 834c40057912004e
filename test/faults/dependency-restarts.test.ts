// Redis and MariaDB going away during load and coming back. While a dependency is down the
// API answers 503 (not 500, not a hang); workers and API reconnect by themselves; requests
// retried with their idempotency keys all get their answer, and queued jobs complete with
// nothing lost: the model of acknowledged ops equals what the API shows, and fsck is clean.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { SnapfleetError, isRetryable } from '@snapfleet/contracts';
import { loadBtrfs } from '@snapfleet/btrfs';
import { fsckHost } from '@snapfleet/snapshotter';
import { tcpProxy, type TcpProxy } from '../../apps/api/test/outages';
import { freePort, startFleet, type Fleet } from '../support/fleet';
import { OpStream, rng, type Send } from '../support/op-stream';

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host: '127.0.0.1' });
    sock.once('connect', () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
}

/** A redis-server of our own, persisting every write (appendfsync always), so a restart keeps the queues. */
async function durableRedis(port: number) {
  const dir = await mkdtemp(join(tmpdir(), 'sf-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (await listening(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('private redis did not start');
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise((r) => {
      c.once('exit', r);
      c.kill('SIGTERM');
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop, dispose: async () => (await stop(), await rm(dir, { recursive: true, force: true })) };
}

let fleet: Fleet;
let client: SnapfleetClient;
let redis: Awaited<ReturnType<typeof durableRedis>>;
let mysqlProxy: TcpProxy;
const codes = new Map<string, number>();

beforeAll(async () => {
  redis = await durableRedis(await freePort());
  mysqlProxy = await tcpProxy(await freePort(), { host: '127.0.0.1', port: 3306 });
  fleet = await startFleet({
    label: 'deps',
    hosts: 1,
    apis: 1,
    redisUrl: redis.url,
    mysqlVia: { host: '127.0.0.1', port: mysqlProxy.port },
    workerEnv: { SNAPFLEET_JOB_LOCK_MS: '3000', SNAPFLEET_STALLED_INTERVAL_MS: '1000', SNAPFLEET_MAX_STALLED_COUNT: '100' },
  });
  client = new SnapfleetClient({ baseUrl: fleet.apis[0]!.url, timeoutMs: 20_000 });
}, 120_000);
afterAll(async () => {
  await fleet?.dispose();
  await mysqlProxy?.close();
  await redis?.dispose();
});

/** Retries with one idempotency key while the answer is retryable; tallies what it saw. */
const send: Send = async (op, run) => {
  const idempotencyKey = `${op}-${Math.random().toString(36).slice(2)}`;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run({ idempotencyKey, queue: 'always', wait: 5, jobTimeoutMs: 120_000 } as { idempotencyKey: string });
    } catch (err) {
      if (!(err instanceof SnapfleetError)) throw err;
      const status = Number(err.details.status ?? 0);
      codes.set(`${err.code}/${status}`, (codes.get(`${err.code}/${status}`) ?? 0) + 1);
      if (!isRetryable(err.code) || attempt > 120) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
};

async function underLoad(tag: string, outage: () => Promise<void>): Promise<OpStream[]> {
  const streams = ['a', 'b', 'c'].map((ns, i) => new OpStream(fleet.hosts[0]!.id, `${tag}-${ns}`, rng(700 + i), send));
  let done = false;
  const load = Promise.all(
    streams.map(async (s) => {
      for (let i = 0; i < 40 || !done; i++) await s.step(client);
    }),
  );
  await new Promise((r) => setTimeout(r, 1500));
  await outage();
  done = true;
  await load;
  return streams;
}

async function assertConsistent(streams: OpStream[]) {
  for (const s of streams) expect(await s.seen(client)).toEqual(s.model);
  const h = fleet.hosts[0]!;
  await client.cleanupHostAndWait(h.id, { jobTimeoutMs: 60_000 });
  const report = await fsckHost(h.id, h.root, loadBtrfs({ backend: 'native' }), fleet.store);
  expect(report.issues).toEqual([]);
}

/** While down, a read answers 503 problem+json quickly (never a 500, never a hang). */
async function expect503Quickly(path: string) {
  const t0 = Date.now();
  const res = await fetch(`${fleet.apis[0]!.url}${path}`);
  expect(res.status).toBe(503);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(Date.now() - t0).toBeLessThan(8000);
}

it('Redis restarts during load: 503 while down, reconnect, queued jobs complete, nothing lost', async () => {
  const streams = await underLoad('redis', async () => {
    await redis.stop();
    await expect503Quickly(`/v1/jobs/${fleet.hosts[0]!.id}/op-nothing`);
    await new Promise((r) => setTimeout(r, 3000));
    await redis.start();
  });
  await assertConsistent(streams);
  expect([...codes.keys()].some((k) => k.startsWith('internal/500'))).toBe(false);
}, 300_000);

it('MariaDB goes away during load: 503 while down, reconnect, nothing lost', async () => {
  codes.clear();
  const streams = await underLoad('mysql', async () => {
    await mysqlProxy.cut();
    await expect503Quickly(`/v1/namespaces/mysql-a/hosts/${fleet.hosts[0]!.id}/snapshots`);
    await new Promise((r) => setTimeout(r, 3000));
    await mysqlProxy.restore();
  });
  await assertConsistent(streams);
  expect([...codes.keys()].some((k) => k.startsWith('internal/500'))).toBe(false);
}, 300_000);
