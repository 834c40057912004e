// /healthz and /readyz of the API process while its dependencies fail: a Redis that hangs
// (SIGSTOP: connections open, no answers) and a MySQL whose connections are cut. Readiness
// says which one is down within its bounded time, liveness stays 200, and both come back.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MYSQL_SERVER, makeTestDatabase, type TestDatabase } from '../../../../test/support/db';
import { freePort, startApi, type ApiProcess } from '../../test/api-process';
import { privateRedis, tcpProxy, type PrivateRedis, type TcpProxy } from '../../../../test/support/outages';
import { READY_CHECK_TIMEOUT_MS } from './dependency-health';

let api: ApiProcess;
let db: TestDatabase;
let redis: PrivateRedis;
let mysql: TcpProxy;

interface Health {
  status: string;
  info?: Record<string, { status: string; message?: string }>;
  error?: Record<string, { status: string; message?: string }>;
}

async function probe(path: string): Promise<{ status: number; body: Health; ms: number }> {
  const t0 = Date.now();
  const r = await fetch(`${api.url}${path}`);
  return { status: r.status, body: (await r.json()) as Health, ms: Date.now() - t0 };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  db = makeTestDatabase(`ready${randomBytes(2).toString('hex')}`);
  redis = await privateRedis(await freePort());
  const server = new URL(MYSQL_SERVER);
  mysql = await tcpProxy(await freePort(), { host: server.hostname, port: Number(server.port || 3306) });
  const url = new URL(db.url);
  url.port = String(mysql.port);
  url.hostname = '127.0.0.1';
  api = await startApi({
    SNAPFLEET_PORT: String(await freePort()),
    SNAPFLEET_BIND: '127.0.0.1',
    SNAPFLEET_MYSQL_URL: url.toString(),
    SNAPFLEET_REDIS_URL: redis.url,
  });
});

afterAll(async () => {
  redis?.resume();
  await api?.stop();
  await redis?.stop();
  await mysql?.close();
  await db?.dispose();
});

it('is ready when MySQL and Redis answer', async () => {
  const live = await probe('/healthz');
  expect(live).toMatchObject({ status: 200, body: { status: 'ok' } });
  const ready = await probe('/readyz');
  expect(ready.status).toBe(200);
  expect(ready.body).toMatchObject({ status: 'ok', info: { mysql: { status: 'up' }, redis: { status: 'up' } } });
});

it('says Redis is down within its bounded time when Redis hangs, and recovers', async () => {
  redis.pause();
  try {
    const ready = await probe('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('error');
    expect(ready.body.error?.redis).toMatchObject({ status: 'down', message: expect.stringMatching(/timeout|did not answer/) });
    expect(ready.body.info?.mysql?.status).toBe('up');
    expect(ready.ms).toBeLessThan(READY_CHECK_TIMEOUT_MS + 1500);
    // Liveness does not depend on the dependencies.
    const live = await probe('/healthz');
    expect(live.status).toBe(200);
    expect(live.ms).toBeLessThan(1000);
  } finally {
    redis.resume();
  }
  await until('ready again', async () => (await probe('/readyz')).status === 200);
});

it('says MySQL is down when its connections are cut, and recovers', async () => {
  await mysql.cut();
  try {
    await until('MySQL reported down', async () => {
      const ready = await probe('/readyz');
      return ready.status === 503 && ready.body.error?.mysql?.status === 'down' && ready.body.info?.redis?.status === 'up';
    });
  } finally {
    await mysql.restore();
  }
  await until('ready again', async () => (await probe('/readyz')).status === 200);
  expect(api.output()).toMatch(/"msg":"not ready"/);
  expect(api.output()).toMatch(/"msg":"ready: MySQL and Redis answer"/);
});
