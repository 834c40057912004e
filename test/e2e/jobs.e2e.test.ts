// The job flow end to end, real processes: idempotency keys, the async 202 → poll flow, and
// hosts that are down (503 at once, or queued on request and run when the host returns).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { SnapfleetError } from '@snapfleet/contracts';
import { startFleet, type Fleet } from '../support/fleet';

let fleet: Fleet;
let client: SnapfleetClient;
let host: string;
const ns = 'jobs';

beforeAll(async () => {
  fleet = await startFleet({ label: 'jobs', hosts: 1, apis: 1 });
  client = new SnapfleetClient({ baseUrl: fleet.apis[0]!.url });
  host = fleet.hosts[0]!.id;
}, 120_000);
afterAll(async () => fleet?.dispose());

async function rawPost(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${fleet.apis[0]!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

it('the same Idempotency-Key twice runs one op and answers the same body', async () => {
  const path = `/v1/namespaces/${ns}/hosts/${host}/snapshots`;
  const first = await rawPost(path, { key: 'idem-a' }, { 'idempotency-key': 'req-123' });
  const second = await rawPost(path, { key: 'idem-a' }, { 'idempotency-key': 'req-123' });
  expect(first.status).toBe(201);
  expect(second.status).toBe(201);
  expect(second.body).toBe(first.body);
  const all = [];
  for await (const s of client.walkAll(ns, host)) all.push(s.name);
  expect(all.filter((n) => n === 'idem-a')).toHaveLength(1);
  // Without the key, the same request is a second op: already_exists.
  const third = await rawPost(path, { key: 'idem-a' });
  expect(third.status).toBe(409);
  expect(JSON.parse(third.body).code).toBe('already_exists');
});

it('Prefer: respond-async answers 202 with a Location that polls to the result', async () => {
  const res = await client.createSnapshot(ns, host, { key: 'async-a' }, { respondAsync: true });
  expect(res.done).toBe(false);
  if (res.done) return;
  expect(res.location).toBe(`/v1/jobs/${host}/${encodeURIComponent(res.job.id)}`);
  const job = await client.waitForJob(host, res.job.id, { timeoutMs: 30_000 });
  expect(job.state).toBe('completed');
  expect((job.result as { info: { name: string } }).info.name).toBe('async-a');
  expect((await client.statSnapshot(ns, host, 'async-a')).kind).toBe('active');
});

it('a failed job polls to its typed error', async () => {
  const res = await client.commitSnapshot(ns, host, 'missing', { name: 'x' }, { respondAsync: true });
  if (res.done) throw new Error('expected 202');
  const err = await client.waitForJob(host, res.job.id, { timeoutMs: 30_000 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SnapfleetError);
  expect((err as SnapfleetError).code).toBe('not_found');
  const view = await client.getJob(host, res.job.id);
  expect(view).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'not_found' } });
});

it('a dead host answers 503 quickly; queue=always waits for the host to come back', async () => {
  const h = fleet.hosts[0]!;
  const [worker] = h.workers.splice(0, 1);
  await fleet.stop(worker!);
  // The fleet's API declares a host down 3 s after its last heartbeat.
  await new Promise((r) => setTimeout(r, 3500));
  expect((await client.getHost(host)).status).toBe('down');

  const t0 = Date.now();
  const err = await client.createSnapshot(ns, host, { key: 'while-down' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(Date.now() - t0).toBeLessThan(1000);
  expect((err as SnapfleetError).code).toBe('unavailable');
  expect((err as SnapfleetError).message).toContain(host);

  const queued = await client.createSnapshot(ns, host, { key: 'queued' }, { queue: 'always', wait: 0 });
  expect(queued.done).toBe(false);
  if (queued.done) return;
  await fleet.startWorker(host);
  const job = await client.waitForJob(host, queued.job.id, { timeoutMs: 60_000 });
  expect(job.state).toBe('completed');
  expect((await client.statSnapshot(ns, host, 'queued')).name).toBe('queued');
}, 120_000);
