// The API process around its requests: configuration errors, dependencies missing at start
// or lost while running (503, never a hang, and recovery), and graceful shutdown.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { QUEUE_PREFIX, queueName } from '@snapfleet/contracts';
import { MetaStore } from '@snapfleet/metastore';
import { MYSQL_SERVER, makeTestDatabase, type TestDatabase } from '../../../test/support/db';
import { freePort, spawnApi, startApi, type ApiProcess } from '../test/api-process';
import { startFakeHost, type FakeHost } from '../test/fake-host';
import { privateRedis, silentServer, tcpProxy } from '../../../test/support/outages';

const REDIS_URL = process.env.SNAPFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const run = randomBytes(3).toString('hex');
const hostId = (name: string) => `apip${run}-${name}`;

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

function dropQueue(host: string, redisUrl = REDIS_URL): () => Promise<void> {
  return async () => {
    const q = new Queue(queueName(host), { connection: { url: redisUrl }, prefix: QUEUE_PREFIX });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  };
}

async function exitOf(env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | string; output: string; ms: number }> {
  const t0 = Date.now();
  const api = spawnApi({ SNAPFLEET_PORT: String(await freePort()), SNAPFLEET_BIND: '127.0.0.1', ...env });
  const timer = setTimeout(() => api.child.kill('SIGKILL'), timeoutMs);
  const code = await api.exited;
  clearTimeout(timer);
  return { code, output: api.output(), ms: Date.now() - t0 };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('configuration', () => {
  it.each([
    ['SNAPFLEET_PORT', 'eighty'],
    ['SNAPFLEET_PORT', '70000'],
    ['SNAPFLEET_HOST_TIMEOUT_MS', '-1'],
    ['SNAPFLEET_LOG_LEVEL', 'loud'],
    ['SNAPFLEET_REDIS_URL', 'http://127.0.0.1:6379'],
    ['SNAPFLEET_MYSQL_URL', 'postgres://127.0.0.1/x'],
    ['SNAPFLEET_MYSQL_URL', 'mysql://127.0.0.1:3306/bad-name!'],
  ])('exits 1 naming %s when it is %j', async (name, value) => {
    const r = await exitOf({ [name]: value });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain(name);
    expect(r.output).not.toMatch(/\n\s+at /);
  });
});

describe('dependencies missing at start', () => {
  it('exits 1 naming SNAPFLEET_MYSQL_URL when MySQL refuses connections', async () => {
    const r = await exitOf({ SNAPFLEET_MYSQL_URL: `mysql://root@127.0.0.1:${await freePort()}/sf_none`, SNAPFLEET_REDIS_URL: REDIS_URL });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/SNAPFLEET_MYSQL_URL/);
    expect(r.output).toMatch(/ECONNREFUSED/);
  });

  it('exits 1 naming SNAPFLEET_REDIS_URL when Redis refuses connections', async () => {
    const db = makeTestDatabase('apinoredis');
    cleanups.push(() => db.dispose());
    const r = await exitOf({ SNAPFLEET_MYSQL_URL: db.url, SNAPFLEET_REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/SNAPFLEET_REDIS_URL/);
  });

  it('exits 1 within 15 s when MySQL and Redis accept connections but never answer', async () => {
    const [mysqlPort, redisPort] = [await freePort(), await freePort()];
    const silentMysql = await silentServer(mysqlPort);
    const silentRedis = await silentServer(redisPort);
    try {
      const r = await exitOf({ SNAPFLEET_MYSQL_URL: `mysql://root@127.0.0.1:${mysqlPort}/sf_none`, SNAPFLEET_REDIS_URL: `redis://127.0.0.1:${redisPort}` });
      expect(r.code, r.output).toBe(1);
      expect(r.ms).toBeLessThan(15_000);
      expect(r.output).toMatch(/SNAPFLEET_(MYSQL|REDIS)_URL/);
    } finally {
      await silentMysql.close();
      await silentRedis.close();
    }
  }, 30_000);
});

describe('dependencies lost while running', () => {
  it('answers 503 while Redis or MySQL is down, and recovers when they are back', async () => {
    const db: TestDatabase = makeTestDatabase('apiout');
    cleanups.push(() => db.dispose());
    const redis = await privateRedis(await freePort());
    cleanups.push(() => redis.stop());
    const server = new URL(MYSQL_SERVER);
    const proxy = await tcpProxy(await freePort(), { host: server.hostname, port: Number(server.port || 3306) });
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.searchParams.delete('socket');

    const api = await startApi({
      SNAPFLEET_PORT: String(await freePort()),
      SNAPFLEET_BIND: '127.0.0.1',
      SNAPFLEET_MYSQL_URL: viaProxy.toString(),
      SNAPFLEET_REDIS_URL: redis.url,
      SNAPFLEET_HOST_TIMEOUT_MS: '60000',
    });
    cleanups.push(() => api.stop('SIGKILL'));
    const store = await MetaStore.open({ url: db.url, migrate: false });
    cleanups.push(() => store.close());
    const host: FakeHost = await startFakeHost({ id: hostId('out'), redisUrl: redis.url, store });
    cleanups.push(() => host.close());
    const snaps = `${api.url}/v1/namespaces/default/hosts/${host.id}/snapshots`;
    const create = (key: string) =>
      fetch(`${snaps}?wait=10`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });

    expect((await create('before')).status).toBe(201);

    // Redis down: job routes fail fast with 503; reads from MySQL still work.
    await redis.stop();
    let t0 = Date.now();
    const noRedis = await create('during-redis');
    expect(noRedis.status).toBe(503);
    expect(await noRedis.json()).toMatchObject({ code: 'unavailable', detail: expect.stringMatching(/Redis/) });
    expect(Date.now() - t0).toBeLessThan(6000);
    expect((await fetch(`${snaps}/before`)).status).toBe(200);
    expect((await fetch(`${api.url}/v1/jobs/${host.id}/op-x`)).status).toBe(503);

    await redis.start();
    await until('jobs to work again after Redis came back', async () => ((await create('after-redis')).status === 201 ? true : undefined));

    // MySQL down: reads and host checks fail with 503 within the dependency deadline.
    await proxy.cut();
    t0 = Date.now();
    const noMysql = await fetch(`${snaps}/before`);
    expect(noMysql.status).toBe(503);
    expect(await noMysql.json()).toMatchObject({ code: 'unavailable' });
    expect(Date.now() - t0).toBeLessThan(7000);
    expect((await fetch(`${api.url}/v1/hosts`)).status).toBe(503);

    await proxy.restore();
    await until('reads to work again after MySQL came back', async () => ((await fetch(`${snaps}/before`)).status === 200 ? true : undefined));

    expect(await api.stop()).toBe(0);
    await dropQueue(host.id, redis.url)();
  }, 90_000);
});

describe('shutdown', () => {
  it('on SIGTERM answers in-flight waits with 202, closes everything and exits 0', async () => {
    const db = makeTestDatabase('apistop');
    cleanups.push(() => db.dispose());
    const api: ApiProcess = await startApi({
      SNAPFLEET_PORT: String(await freePort()),
      SNAPFLEET_BIND: '127.0.0.1',
      SNAPFLEET_MYSQL_URL: db.url,
      SNAPFLEET_REDIS_URL: REDIS_URL,
    });
    cleanups.push(() => api.stop('SIGKILL'));
    const store = await MetaStore.open({ url: db.url, migrate: false });
    cleanups.push(() => store.close());
    const host = await startFakeHost({ id: hostId('stop'), redisUrl: REDIS_URL, store });
    cleanups.push(() => host.close());
    cleanups.push(dropQueue(host.id));
    const release = host.hold();
    cleanups.push(async () => release());

    const inFlight = fetch(`${api.url}/v1/namespaces/default/hosts/${host.id}/snapshots?wait=60`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'held' }),
    });
    await until('the job to reach the host', async () => (host.ran.length > 0 ? true : undefined));
    const t0 = Date.now();
    api.child.kill('SIGTERM');
    const r = await inFlight;
    expect(r.status).toBe(202);
    expect(r.headers.get('location')).toMatch(new RegExp(`^/v1/jobs/${host.id}/op-`));
    expect(await api.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    // no longer listening
    await expect(fetch(`${api.url}/v1/hosts`)).rejects.toThrow();
  });
});
