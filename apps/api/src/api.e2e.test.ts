// The API as a real process against real MariaDB and Redis. Hosts are played by a plain
// BullMQ Worker (test/fake-host.ts) that runs ops on the metadata alone, so every route,
// status and problem is checked end to end without btrfs.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_BODY_BYTES,
  QUEUE_PREFIX,
  ROUTES,
  queueName,
  routePath,
  type CreateResult,
  type JobView,
  type SnapshotInfo,
} from '@snapfleet/contracts';
import { MetaStore } from '@snapfleet/metastore';
import { makeTestDatabase, type TestDatabase } from '../../../test/support/db';
import { freePort, startApi, type ApiProcess } from '../test/api-process';
import { COMMIT_USAGE, FAKE_USAGE, startFakeHost, type FakeHost } from '../test/fake-host';

const REDIS_URL = process.env.SNAPFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const run = randomBytes(3).toString('hex');
/** Host ids unique to this run, so parallel test files never share a queue. */
const hostId = (name: string) => `api${run}-${name}`;
const ns = 'default';

interface Res {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary fields
  body: any;
}

let api: ApiProcess;
let db: TestDatabase;
let store: MetaStore;
let up: FakeHost;
let heartbeats: NodeJS.Timeout;
const usedHosts = new Set<string>();

async function call(method: string, path: string, opts: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const r = await fetch(`${api.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await r.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: r.status, headers: r.headers, text, body: parsed };
}

/** GET with the path sent exactly as given (node:http does not normalize it). */
function rawGet(path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(api.url);
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
      let text = '';
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

const snapPath = (host: string, key?: string, suffix = '') =>
  `/v1/namespaces/${ns}/hosts/${host}/snapshots${key === undefined ? '' : `/${encodeURIComponent(key)}`}${suffix}`;

function expectProblem(r: Res, status: number, code: string, detail?: RegExp): void {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.body).toMatchObject({ status, code, type: `urn:snapfleet:error:${code}` });
  expect(typeof r.body.title).toBe('string');
  expect(typeof r.body.instance).toBe('string');
  if (detail) expect(r.body.detail).toMatch(detail);
  expect(r.text).not.toMatch(/\n\s+at /); // no stack traces
}

async function prepare(host: string, key: string, extra: Record<string, unknown> = {}): Promise<CreateResult> {
  const r = await call('POST', snapPath(host), { body: { key, ...extra } });
  expect(r.status, r.text).toBe(201);
  return r.body as CreateResult;
}

async function pollJob(location: string, timeoutMs = 10_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call('GET', location);
    expect(r.status, r.text).toBe(200);
    const job = r.body as JobView;
    if (job.state === 'completed' || job.state === 'failed' || Date.now() > deadline) return job;
    await new Promise((res) => setTimeout(res, 100));
  }
}

beforeAll(async () => {
  db = makeTestDatabase('api');
  // The API creates and migrates the database itself (MetaStore.open at start).
  api = await startApi({
    SNAPFLEET_PORT: String(await freePort()),
    SNAPFLEET_BIND: '127.0.0.1',
    SNAPFLEET_MYSQL_URL: db.url,
    SNAPFLEET_REDIS_URL: REDIS_URL,
    SNAPFLEET_HOST_TIMEOUT_MS: '5000',
    SNAPFLEET_LOG_LEVEL: 'info',
  });
  store = await MetaStore.open({ url: db.url, migrate: false });
  up = await startFakeHost({ id: hostId('up'), redisUrl: REDIS_URL, store });
  usedHosts.add(up.id);
  heartbeats = setInterval(() => void up.heartbeat().catch(() => undefined), 1000);
});

afterAll(async () => {
  clearInterval(heartbeats);
  const code = await api?.stop();
  await up?.close();
  for (const host of usedHosts) {
    const q = new Queue(queueName(host), { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  }
  await store?.close();
  await db?.dispose();
  expect(code).toBe(0);
});

describe('snapshot lifecycle through every job route', () => {
  it('prepares, stats, mounts, measures, commits, updates and removes', async () => {
    const h = up.id;
    const created = await call('POST', snapPath(h), { body: { key: 'life-active', labels: { a: '1' } } });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('x-job-id')).toMatch(/^op-/);
    const result = created.body as CreateResult;
    expect(result.info).toMatchObject({ name: 'life-active', kind: 'active', labels: { a: '1' } });
    expect(result.mounts[0]).toMatchObject({ type: 'btrfs', source: up.device, options: [expect.stringMatching(/^subvolid=\d+$/)] });
    expect(result.path.startsWith(`${up.root}/active/`)).toBe(true);

    const stat = await call('GET', snapPath(h, 'life-active'));
    expect(stat.status).toBe(200);
    expect(stat.body).toEqual(result.info);

    // mounts are answered from MySQL and the host row, exactly as the worker answered them
    const mounts = await call('GET', snapPath(h, 'life-active', '/mounts'));
    expect(mounts.status).toBe(200);
    expect(mounts.body).toEqual({ mounts: result.mounts, path: result.path });

    // usage of an active snapshot is a job on the host
    const usage = await call('GET', snapPath(h, 'life-active', '/usage'));
    expect(usage.status, usage.text).toBe(200);
    expect(usage.body).toEqual(FAKE_USAGE);
    expect(usage.headers.get('x-job-id')).toMatch(/^op-/);

    const committed = await call('POST', snapPath(h, 'life-active', '/commit'), { body: { name: 'life-base', labels: { c: '2' } } });
    expect(committed.status, committed.text).toBe(201);
    expect(committed.body.info).toMatchObject({ name: 'life-base', kind: 'committed', labels: { c: '2' } });

    // committed usage comes from MySQL, no job
    const cUsage = await call('GET', snapPath(h, 'life-base', '/usage'));
    expect(cUsage.status).toBe(200);
    expect(cUsage.body).toEqual(COMMIT_USAGE);
    expect(cUsage.headers.get('x-job-id')).toBeNull();

    // mounts of a committed snapshot: containerd's failed precondition
    expectProblem(await call('GET', snapPath(h, 'life-base', '/mounts')), 412, 'failed_precondition');

    const updated = await call('PATCH', snapPath(h, 'life-base'), { body: { labels: { c: '3', d: '4' }, fieldpaths: ['labels.d'] } });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body).toMatchObject({ name: 'life-base', kind: 'committed', labels: { c: '2', d: '4' } });

    const view = await call('POST', snapPath(h), { body: { key: 'life-view', parent: 'life-base', kind: 'view' } });
    expect(view.status, view.text).toBe(201);
    expect(view.body.info).toMatchObject({ kind: 'view', parent: 'life-base' });
    expect(view.body.mounts[0].options).toContain('ro');
    const vUsage = await call('GET', snapPath(h, 'life-view', '/usage'));
    expect(vUsage.body).toEqual({ size: 0, inodes: 0 });

    // a parent with children cannot go: the worker's typed error comes back as a problem
    const blocked = await call('DELETE', snapPath(h, 'life-base'));
    expectProblem(blocked, 412, 'failed_precondition', /child/);
    expect(blocked.headers.get('x-job-id')).toMatch(/^op-/);

    const removed = await call('DELETE', snapPath(h, 'life-view'));
    expect(removed.status, removed.text).toBe(204);
    expect(removed.text).toBe('');
    expect((await call('DELETE', snapPath(h, 'life-base'))).status).toBe(204);
    expectProblem(await call('GET', snapPath(h, 'life-base')), 404, 'not_found');
  });

  it('turns a job that fails with not_found into a 404 problem', async () => {
    const r = await call('POST', snapPath(up.id, 'no-such-active', '/commit'), { body: { name: 'x' } });
    expectProblem(r, 404, 'not_found', /no-such-active/);
    expect(r.headers.get('x-job-id')).toMatch(/^op-/);
  });

  it('runs cleanup as a job on the host', async () => {
    const r = await call('POST', `/v1/hosts/${up.id}/cleanup`);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ removed: 0 });
    expect(r.headers.get('x-job-id')).toMatch(/^op-/);
  });

  it('reports an existing key as already_exists (409)', async () => {
    await prepare(up.id, 'dup-key');
    expectProblem(await call('POST', snapPath(up.id), { body: { key: 'dup-key' } }), 409, 'already_exists');
  });
});

describe('keys in the path', () => {
  const keys = [
    'a/b/c',
    'with space',
    '100%',
    '%2F stays literal',
    'ünïcødé ☃ 🧊',
    'extract-171234 sha256:abcdef',
    'q?x#y&z=1+2;3',
    '\\back\\slash',
    'k'.repeat(4096),
    '€'.repeat(1365), // 4095 bytes of 3-byte characters
  ];
  it.each(keys.map((k) => [k.length > 60 ? `${k.slice(0, 20)}… (${Buffer.byteLength(k)} bytes)` : k, k]))(
    'round-trips %s',
    async (_label, key) => {
      const created = await prepare(up.id, key);
      expect(created.info.name).toBe(key);
      const stat = await call('GET', snapPath(up.id, key));
      expect(stat.status, stat.text).toBe(200);
      expect((stat.body as SnapshotInfo).name).toBe(key);
      const name = `${key.slice(0, 64)}-c`;
      const committed = await call('POST', snapPath(up.id, key, '/commit'), { body: { name } });
      expect(committed.status, committed.text).toBe(201);
      expect((await call('DELETE', snapPath(up.id, name))).status).toBe(204);
    },
  );

  // WHATWG URL parsers (fetch, browsers) turn a `.`/`..` segment, even as %2E, into path
  // navigation, so the contracts refuse these two keys (docs/decisions.md).
  it.each(['.', '..'])('refuses the key %s, in a body and in a path sent as-is', async (key) => {
    expectProblem(await call('POST', snapPath(up.id), { body: { key } }), 400, 'invalid_argument', /key must not be/);
    const r = await rawGet(`/v1/namespaces/${ns}/hosts/${up.id}/snapshots/${key.replace(/\./g, '%2E')}`);
    expect(r.status, r.text).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({ code: 'invalid_argument' });
  });
});

describe('walk', () => {
  it('pages through matches with filters and a cursor', async () => {
    const h = up.id;
    for (let i = 0; i < 5; i++) await prepare(h, `walk-${i}`, { labels: { grp: 'walk', n: String(i) } });
    await prepare(h, 'walk-other', { labels: { grp: 'other' } });

    const first = await call('GET', `${snapPath(h)}?filter=${encodeURIComponent('labels.grp==walk')}&limit=2`);
    expect(first.status, first.text).toBe(200);
    expect(first.body.snapshots.map((s: SnapshotInfo) => s.name)).toEqual(['walk-0', 'walk-1']);
    expect(first.body.next).toMatch(/^\d+$/);
    const second = await call('GET', `${snapPath(h)}?filter=${encodeURIComponent('labels.grp==walk')}&limit=2&after=${first.body.next}`);
    expect(second.body.snapshots.map((s: SnapshotInfo) => s.name)).toEqual(['walk-2', 'walk-3']);
    const last = await call('GET', `${snapPath(h)}?filter=${encodeURIComponent('labels.grp==walk')}&limit=2&after=${second.body.next}`);
    expect(last.body.snapshots.map((s: SnapshotInfo) => s.name)).toEqual(['walk-4']);
    expect(last.body.next).toBeUndefined();

    // repeated filters are OR, comma is AND
    const or = await call('GET', `${snapPath(h)}?filter=${encodeURIComponent('name==walk-1')}&filter=${encodeURIComponent('labels.grp==other,kind==active')}`);
    expect(or.body.snapshots.map((s: SnapshotInfo) => s.name)).toEqual(['walk-1', 'walk-other']);

    const all = await call('GET', snapPath(h));
    expect(all.body.snapshots.length).toBeGreaterThanOrEqual(6);
  });

  it('rejects bad filters, limits and cursors with 400', async () => {
    expectProblem(await call('GET', `${snapPath(up.id)}?filter=${encodeURIComponent('labels.')}`), 400, 'invalid_argument', /filter/);
    expectProblem(await call('GET', `${snapPath(up.id)}?limit=0`), 400, 'invalid_argument', /limit/);
    expectProblem(await call('GET', `${snapPath(up.id)}?limit=1001`), 400, 'invalid_argument', /limit/);
    expectProblem(await call('GET', `${snapPath(up.id)}?after=abc`), 400, 'invalid_argument', /after/);
  });
});

describe('bad input', () => {
  it.each([
    ['a bad namespace', () => call('GET', `/v1/namespaces/bad..ns/hosts/${up.id}/snapshots/k`), /namespace/],
    ['a bad host id', () => call('GET', `/v1/namespaces/${ns}/hosts/Bad_Host/snapshots/k`), /host/],
    ['a 5000-byte key', () => call('GET', snapPath(up.id, 'k'.repeat(5000))), /4096 bytes/],
    ['a key with NUL', () => call('GET', snapPath(up.id, 'a\0b')), /NUL/],
    ['malformed JSON', () => call('POST', snapPath(up.id), { raw: '{"key": ', headers: { 'content-type': 'application/json' } }), /JSON/],
    ['an empty JSON body', () => call('POST', snapPath(up.id), { raw: '', headers: { 'content-type': 'application/json' } }), /empty/],
    ['an unknown field', () => call('POST', snapPath(up.id), { body: { key: 'k', colour: 'red' } }), /colour/],
    ['a missing body', () => call('POST', snapPath(up.id)), /body/],
    ['a bad kind', () => call('POST', snapPath(up.id), { body: { key: 'k', kind: 'committed' } }), /kind/],
    ['a text body', () => call('POST', snapPath(up.id), { raw: 'key=k', headers: { 'content-type': 'text/plain' } }), /application\/json/],
    ['a form body', () => call('POST', snapPath(up.id), { raw: 'key=k', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), /application\/json/],
    ['an oversized label', () => call('POST', snapPath(up.id), { body: { key: 'k', labels: { l: 'v'.repeat(5000) } } }), /label/],
    ['a bad ?wait', () => call('DELETE', `${snapPath(up.id, 'k')}?wait=soon`), /wait/],
    ['a ?wait over the maximum', () => call('DELETE', `${snapPath(up.id, 'k')}?wait=301`), /wait/],
    ['a bad Idempotency-Key', () => call('DELETE', snapPath(up.id, 'k'), { headers: { 'idempotency-key': 'not ok!' } }), /Idempotency-Key/],
    ['a malformed percent-encoding', () => call('GET', `/v1/namespaces/${ns}/hosts/${up.id}/snapshots/%E0%A4%A`), /URL/],
  ])('answers 400 to %s', async (_name, request, detail) => {
    expectProblem(await request(), 400, 'invalid_argument', detail);
  });

  it('answers 413 to a body over the limit', async () => {
    const r = await call('POST', snapPath(up.id), { raw: JSON.stringify({ key: 'k', labels: { x: 'y'.repeat(MAX_BODY_BYTES) } }), headers: { 'content-type': 'application/json' } });
    expectProblem(r, 413, 'invalid_argument', /larger than/);
  });

  it('answers 404 to an unknown route and 405 (with Allow) to a wrong method', async () => {
    expectProblem(await call('GET', '/v1/nothing/here'), 404, 'not_found', /no route/);
    expectProblem(await call('GET', `/v1/namespaces/${ns}/hosts/${up.id}/snapshots/a/b`), 404, 'not_found');
    const r = await call('PUT', snapPath(up.id, 'k'));
    expectProblem(r, 405, 'invalid_argument', /PUT/);
    expect(r.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PATCH']);
    const r2 = await call('POST', '/v1/hosts');
    expectProblem(r2, 405, 'invalid_argument');
    expect(r2.headers.get('allow')).toBe('GET, HEAD');
  });

  it('leaves no job behind for a rejected request', async () => {
    const before = up.ran.length;
    await call('POST', snapPath(up.id), { body: { key: 'k', colour: 'red' } });
    await call('POST', snapPath(up.id), { raw: '{', headers: { 'content-type': 'application/json' } });
    expect(up.ran.length).toBe(before);
    expectProblem(await call('GET', snapPath(up.id, 'k')), 404, 'not_found');
  });
});

describe('hosts', () => {
  it('refuses jobs for an unknown host at once, leaving no job', async () => {
    const ghost = hostId('ghost');
    usedHosts.add(ghost);
    const t0 = Date.now();
    const r = await call('POST', snapPath(ghost), { body: { key: 'k' } });
    expectProblem(r, 503, 'unavailable', new RegExp(`host ${ghost} is not registered`));
    expect(Date.now() - t0).toBeLessThan(2000);
    const q = new Queue(queueName(ghost), { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX });
    expect(await q.count()).toBe(0);
    await q.close();
  });

  it('refuses jobs for a host whose heartbeat is stale, unless ?queue=always', async () => {
    const stale = await startFakeHost({ id: hostId('stale'), redisUrl: REDIS_URL, store });
    usedHosts.add(stale.id);
    await stale.close(); // no worker: the job must not run
    await stale.heartbeat(60_000);
    const r = await call('POST', snapPath(stale.id), { body: { key: 'k' } });
    expectProblem(r, 503, 'unavailable', new RegExp(`host ${stale.id} is down: last heartbeat 6\\d s ago`));

    // queued for a host that is down: answered at once, not after the default 30 s wait
    const t0 = Date.now();
    const queued = await call('POST', `${snapPath(stale.id)}?queue=always`, { body: { key: 'k' } });
    expect(queued.status, queued.text).toBe(202);
    expect(Date.now() - t0).toBeLessThan(2000);
    const jobId = queued.headers.get('x-job-id');
    expect(queued.headers.get('location')).toBe(`/v1/jobs/${stale.id}/${jobId}`);
    expect(queued.body.job).toMatchObject({ id: jobId, host: stale.id, op: 'prepare', state: 'waiting', attempts: 0 });

    const hosts = await call('GET', '/v1/hosts');
    expect(hosts.status).toBe(200);
    const byId = new Map((hosts.body.hosts as { id: string; status: string }[]).map((x) => [x.id, x]));
    expect(byId.get(up.id)).toMatchObject({ status: 'up', root: up.root, device: up.device, workers: 1, draining: false });
    expect(byId.get(stale.id)).toMatchObject({ status: 'down' });

    const one = await call('GET', `/v1/hosts/${up.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: up.id, status: 'up', version: 'fake', sizeBytes: 1 << 30, freeBytes: 1 << 29 });
    expect(typeof one.body.heartbeatAt).toBe('string');
    expect(typeof one.body.registeredAt).toBe('string');
    expectProblem(await call('GET', `/v1/hosts/${hostId('nope')}`), 404, 'not_found', /not registered/);
  });
});

describe('jobs, waiting and idempotency', () => {
  it('answers Prefer: respond-async with 202 and a Location that later holds the result', async () => {
    const r = await call('POST', snapPath(up.id), { body: { key: 'async-1' }, headers: { prefer: 'respond-async' } });
    expect(r.status, r.text).toBe(202);
    expect(r.headers.get('preference-applied')).toBe('respond-async');
    const location = r.headers.get('location') ?? '';
    expect(location).toBe(routePath(ROUTES.getJob.path, { host: up.id, jobId: r.headers.get('x-job-id') ?? '' }));
    expect(r.body.job).toMatchObject({ host: up.id, op: 'prepare' });
    const job = await pollJob(location);
    expect(job.state).toBe('completed');
    expect((job.result as CreateResult).info.name).toBe('async-1');
    expect(job.finishedAt).toEqual(expect.any(String));
    // Created, started, finished: in that order (one machine's clock here).
    expect(job.startedAt).toEqual(expect.any(String));
    expect(Date.parse(job.createdAt)).toBeLessThanOrEqual(Date.parse(job.startedAt!));
    expect(Date.parse(job.startedAt!)).toBeLessThanOrEqual(Date.parse(job.finishedAt!));
  });

  it('answers 202 when the wait runs out, and the job finishes later', async () => {
    const release = up.hold();
    try {
      const t0 = Date.now();
      const r = await call('POST', `${snapPath(up.id)}?wait=0.5`, { body: { key: 'slow-1' } });
      expect(r.status, r.text).toBe(202);
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(['waiting', 'active']).toContain(r.body.job.state);
      // Held by its worker: started, not finished.
      const location = r.headers.get('location') ?? '';
      let held = r.body.job as JobView;
      for (let i = 0; i < 60 && held.state !== 'active'; i++) {
        await new Promise((res) => setTimeout(res, 50));
        held = (await call('GET', location)).body as JobView;
      }
      expect(held.state).toBe('active');
      expect(held.startedAt).toEqual(expect.any(String));
      expect(held.finishedAt).toBeUndefined();
      release();
      const job = await pollJob(r.headers.get('location') ?? '');
      expect(job.state).toBe('completed');
    } finally {
      release();
    }
  });

  it('answers as soon as a held job finishes (woken, not by the wait running out)', async () => {
    const release = up.hold();
    setTimeout(release, 700);
    const t0 = Date.now();
    const r = await call('POST', `${snapPath(up.id)}?wait=20`, { body: { key: 'woken-1' } });
    expect(r.status, r.text).toBe(201);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('reports a failed job with its typed error', async () => {
    const r = await call('DELETE', `${snapPath(up.id, 'never-existed')}?wait=0`);
    expect(r.status).toBe(202);
    const job = await pollJob(r.headers.get('location') ?? '');
    expect(job.state).toBe('failed');
    expect(job.error, JSON.stringify(job)).toMatchObject({ code: 'not_found', message: expect.stringContaining('never-existed') });
  });

  it('answers 404 for an unknown job', async () => {
    expectProblem(await call('GET', `/v1/jobs/${up.id}/op-nope`), 404, 'not_found');
  });

  it('runs a request with an Idempotency-Key once and answers repeats with the same result', async () => {
    const key = `idem-${run}-1`;
    const headers = { 'idempotency-key': key };
    const first = await call('POST', snapPath(up.id), { body: { key: 'idem-snap', labels: { x: '1' } }, headers });
    expect(first.status, first.text).toBe(201);
    expect(first.headers.get('x-job-id')).toBe(`idem-${key}`);
    // same request again, labels serialized in another order is still the same request
    const again = await call('POST', snapPath(up.id), { body: { labels: { x: '1' }, key: 'idem-snap' }, headers });
    expect(again.status, again.text).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(up.ran.filter((id) => id === `idem-${key}`)).toHaveLength(1);

    // the same key for a different request is refused, and nothing runs
    const other = await call('POST', snapPath(up.id), { body: { key: 'idem-other' }, headers });
    expectProblem(other, 400, 'invalid_argument', /Idempotency-Key reused with a different request/);
    const otherOp = await call('DELETE', snapPath(up.id, 'idem-snap'), { headers });
    expectProblem(otherOp, 400, 'invalid_argument', /Idempotency-Key reused/);
    expect(up.ran.filter((id) => id === `idem-${key}`)).toHaveLength(1);
    expect((await call('GET', snapPath(up.id, 'idem-snap'))).status).toBe(200);
  });

  it('answers concurrent repeats of one Idempotency-Key from one job', async () => {
    const key = `idem-${run}-2`;
    const rs = await Promise.all(
      Array.from({ length: 5 }, () => call('POST', snapPath(up.id), { body: { key: 'idem-race' }, headers: { 'idempotency-key': key } })),
    );
    for (const r of rs) expect(r.status, r.text).toBe(201);
    expect(new Set(rs.map((r) => r.text)).size).toBe(1);
    expect(up.ran.filter((id) => id === `idem-${key}`)).toHaveLength(1);
  });
});

describe('request ids', () => {
  it('echoes a given x-request-id, sanitized, and carries it into the job data', async () => {
    const r = await call('POST', snapPath(up.id), { body: { key: 'rid-1' }, headers: { 'x-request-id': 'req-123 <script>' } });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-request-id')).toBe('req-123script');
    const q = new Queue(queueName(up.id), { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX });
    const job = await q.getJob(r.headers.get('x-job-id') ?? '');
    await q.close();
    expect(job?.data.requestId).toBe('req-123script');
  });

  it('makes one up when absent, also on errors', async () => {
    const ok = await call('GET', '/v1/hosts');
    expect(ok.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const err = await call('GET', '/v1/nope', { headers: { 'x-request-id': 'trace-42' } });
    expect(err.status).toBe(404);
    expect(err.headers.get('x-request-id')).toBe('trace-42');
    expect(err.body.requestId).toBe('trace-42');
  });
});

describe('route table', () => {
  it('serves every route of ROUTES with its method', async () => {
    const params = { ns, host: up.id, key: 'route-probe', jobId: 'op-none', tokenId: '0123456789abcdef' };
    for (const [name, route] of Object.entries(ROUTES)) {
      const r = await call(route.method, `${routePath(route.path, params)}?wait=0`, route.method === 'GET' || route.method === 'DELETE' ? {} : { body: {} });
      // A problem is fine (the probe key does not exist); "no such route" is not.
      expect([404, 405].includes(r.status) && /no route|not allowed/.test(r.body?.detail ?? ''), `${name}: ${r.status} ${r.text}`).toBe(false);
    }
  });
});
