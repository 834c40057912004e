// The worker's health and metrics listener in a real fleet: liveness, readiness with every
// check (MySQL, Redis, the pool mounted and writable, taking jobs), readiness lost and back
// when the pool goes read-only — ops failing then with EROFS, counted by errno — the op,
// queue wait, lock, btrfs time and job metrics after real ops, and a chosen port that is
// taken (bind-listener.test.ts covers the fallback from the default port).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startFleet, type Fleet } from '../../../../test/support/fleet';

const run = promisify(execFile);

let fleet: Fleet;
let host: string;
let api: string;
let url: string;
const ns = 'whttp';

beforeAll(async () => {
  fleet = await startFleet({ label: 'whttp', hosts: 1, apis: 1, workersPerHost: 0 });
  host = fleet.hosts[0]!.id;
  api = fleet.apis[0]!.url;
  const port = await freePort();
  await fleet.startWorker(host, { SNAPFLEET_WORKER_HTTP_PORT: String(port) });
  url = `http://127.0.0.1:${port}`;
}, 120_000);
afterAll(async () => fleet?.dispose());

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> & { status?: string; details?: Record<string, Record<string, unknown>> } }> {
  const r = await fetch(`${url}${path}`);
  return { status: r.status, body: (await r.json()) as never };
}

/** Value of the first sample of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split('}')[0] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function metrics(): Promise<string> {
  const r = await fetch(`${url}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return r.text();
}

async function snapshotCall(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${api}/v1/namespaces/${ns}/hosts/${host}/snapshots${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('health', () => {
  it('/healthz: the process is up', async () => {
    expect(await getJson('/healthz')).toEqual({ status: 200, body: { status: 'ok', info: {}, error: {}, details: {} } });
  });

  it('/readyz: MySQL, Redis, the pool and the worker are up', async () => {
    const { status, body } = await getJson('/readyz');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details!).sort()).toEqual(['mysql', 'pool', 'redis', 'worker']);
    for (const check of Object.values(body.details!)) expect(check.status).toBe('up');
    expect(body.details!.pool).toMatchObject({ root: fleet.host(host).root, freeBytes: expect.any(Number) });
  });

  it('other paths are 404, other methods 405', async () => {
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const post = await fetch(`${url}/readyz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('metrics', () => {
  it('op latency, jobs processed and failed, queue wait, lock wait, btrfs time and pool bytes, per host', async () => {
    expect((await snapshotCall('POST', '', { key: 'm-active' })).status).toBe(201);
    expect((await snapshotCall('POST', '/m-active/commit', { name: 'm-layer' })).status).toBe(201);
    expect((await snapshotCall('POST', '/no-such-key/commit', { name: 'x' })).status).toBe(404);
    const text = await metrics();
    const h = { host };
    expect(sample(text, 'snapfleet_worker_op_duration_seconds_count', { ...h, op: 'prepare', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'snapfleet_worker_op_duration_seconds_bucket', { ...h, op: 'commit', outcome: 'completed', le: '+Inf' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'snapfleet_worker_jobs_processed_total', { ...h, op: 'commit' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'snapfleet_worker_jobs_failed_total', { ...h, op: 'commit', code: 'not_found' })).toBe(1);
    expect(sample(text, 'snapfleet_worker_lock_wait_seconds_count', { ...h, op: 'prepare', outcome: 'acquired' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'snapfleet_worker_queue_wait_seconds_count', { ...h, op: 'prepare' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'snapfleet_worker_btrfs_seconds_count', { ...h, op: 'prepare' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'snapfleet_worker_btrfs_seconds_sum', { ...h, op: 'commit' })).toBeGreaterThan(0);
    expect(sample(text, 'snapfleet_worker_pool_free_bytes', h)).toBeGreaterThan(0);
    expect(sample(text, 'snapfleet_worker_pool_size_bytes', h)).toBeGreaterThanOrEqual(sample(text, 'snapfleet_worker_pool_free_bytes', h)!);
    expect(sample(text, 'process_resident_memory_bytes', h)).toBeGreaterThan(0);
  });
});

describe('a pool that turns read-only', () => {
  it('makes /readyz 503 naming the pool, and ops fail with EROFS counted by errno; back to ready when writable', async () => {
    const dir = fleet.host(host).pool.dir;
    await run('mount', ['-o', 'remount,ro', dir]);
    try {
      const down = await getJson('/readyz');
      expect(down.status).toBe(503);
      expect(down.body.status).toBe('error');
      expect(down.body.details!.pool).toMatchObject({ status: 'down', message: expect.stringMatching(/read-only|EROFS/) });
      expect(down.body.details!.mysql!.status).toBe('up');
      // The op fails on the btrfs call (retried by BullMQ: EROFS is `unavailable`); answered 202 after 1 s.
      expect((await fetch(`${api}/v1/namespaces/${ns}/hosts/${host}/snapshots?wait=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: 'ro-1' }),
      })).status).toBeLessThan(500);
      const erofs = await until('an EROFS in the metrics', async () => sample(await metrics(), 'snapfleet_worker_btrfs_errors_total', { host, op: 'prepare', errno: 'EROFS' }));
      expect(erofs).toBeGreaterThanOrEqual(1);
    } finally {
      await run('mount', ['-o', 'remount,rw', dir]);
    }
    await until('ready again', async () => ((await getJson('/readyz')).status === 200 ? true : undefined));
  });
});

describe('the port', () => {
  it('that was chosen and is taken stops the worker at start, naming the variable', async () => {
    const index = fleet.host(host).workers.length;
    const taken = new URL(url).port;
    // Resolves on the other worker's heartbeat, or rejects when this one has exited already.
    await fleet.startWorker(host, { SNAPFLEET_WORKER_HTTP_PORT: taken }).catch(() => undefined);
    const proc = fleet.host(host).workers[index]!;
    const code = proc.exitCode ?? (await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c))));
    expect(code).toBe(1);
    const log = await readFile(join(fleet.logs, `worker-${host}-${index}.log`), 'utf8');
    expect(log).toMatch(/cannot listen on 127\.0\.0\.1:\d+ \(SNAPFLEET_WORKER_HTTP_PORT/);
    expect(log).toMatch(/EADDRINUSE/);
  });
});
