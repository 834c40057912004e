// The API's operational surface in a real fleet: its start-up line, readiness, the metrics
// after real ops (HTTP durations by route, job wait by op and host, queue job counts, hosts
// up/down and pool bytes from the hosts table), the queue dashboard (every host's queue, a
// host registered later appearing without a restart), the namespace counts and the pages.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HostStore } from '@snapfleet/metastore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obliterateQueues, startFleet, type Fleet } from '../../../test/support/fleet';
import { REFRESH_MS } from './dashboard/queue-dashboard';

let fleet: Fleet;
let api: string;
let host: string;

beforeAll(async () => {
  fleet = await startFleet({ label: 'apiops', hosts: 1, apis: 1 });
  api = fleet.apis[0]!.url;
  host = fleet.hosts[0]!.id;
}, 120_000);
afterAll(async () => {
  await fleet?.dispose();
  // The host registered later has no worker, but the dashboard and metrics made its queue.
  if (host) await obliterateQueues([`${host}-late`]);
});

/** Value of the first sample of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split('}')[0] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
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

describe('start-up', () => {
  it('logs the URLs of the API, its docs, the dashboard and the fleet page', async () => {
    const log = await readFile(join(fleet.logs, 'api-0.log'), 'utf8');
    const line = log.split('\n').find((l) => l.includes('snapfleet API is up'));
    expect(line).toBeDefined();
    const { urls } = JSON.parse(line!) as { urls: Record<string, string> };
    expect(urls).toEqual({
      api: `${api}/v1/hosts`,
      docs: `${api}/docs`,
      dashboard: `${api}/admin/queues`,
      fleetPage: `${api}/ui`,
      metrics: `${api}/metrics`,
      health: `${api}/readyz`,
    });
  });
});

describe('metrics', () => {
  it('cover HTTP, job waits, queue counts and the hosts table', async () => {
    const ns = 'metrics';
    expect((await post(`/v1/namespaces/${ns}/hosts/${host}/snapshots`, { key: 'm1' })).status).toBe(201);
    expect((await fetch(`${api}/v1/namespaces/${ns}/hosts/${host}/snapshots/m1`)).status).toBe(200);
    expect((await fetch(`${api}/v1/nowhere`)).status).toBe(404);
    const r = await fetch(`${api}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    const snapshots = '/v1/namespaces/:ns/hosts/:host/snapshots';
    expect(sample(text, 'snapfleet_api_http_request_duration_seconds_count', { route: snapshots, method: 'POST', status: '201' })).toBe(1);
    expect(sample(text, 'snapfleet_api_http_request_duration_seconds_count', { route: `${snapshots}/:key`, method: 'GET', status: '200' })).toBe(1);
    expect(sample(text, 'snapfleet_api_http_request_duration_seconds_count', { route: 'unmatched', method: 'GET', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'snapfleet_api_job_wait_seconds_count', { op: 'prepare', host, outcome: 'completed' })).toBe(1);
    expect(sample(text, 'snapfleet_queue_jobs', { host, state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'snapfleet_queue_jobs', { host, state: 'failed' })).toBe(0);
    expect(sample(text, 'snapfleet_host_up', { host })).toBe(1);
    expect(sample(text, 'snapfleet_host_workers', { host })).toBe(1);
    expect(sample(text, 'snapfleet_host_pool_size_bytes', { host })).toBeGreaterThan(0);
    expect(sample(text, 'snapfleet_host_pool_free_bytes', { host })).toBeGreaterThan(0);
    expect(sample(text, 'process_cpu_user_seconds_total', {})).toBeGreaterThan(0);
  });
});

describe('the queue dashboard', () => {
  interface BoardQueues {
    queues: { name: string }[];
  }
  const boardQueues = async () => ((await (await fetch(`${api}/admin/queues/api/queues`)).json()) as BoardQueues).queues.map((q) => q.name);

  it('serves its page and lists every host queue', async () => {
    const page = await fetch(`${api}/admin/queues`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('snapfleet queues');
    expect(await boardQueues()).toContain(`snapshots-${host}`);
  });

  it('shows a host registered later without a restart; the metrics see it as down', async () => {
    const late = `${host}-late`;
    await new HostStore(fleet.store.dataSource).register({ id: late, root: '/srv/late', device: '/dev/late', fsid: '00000000-0000-4000-8000-000000000001', version: 'test' });
    const names = await until('the new host on the board', async () => {
      const n = await boardQueues();
      return n.includes(`snapshots-${late}`) ? n : undefined;
    }, REFRESH_MS * 3 + 5_000);
    expect(names).toContain(`snapshots-${host}`);
    const text = await (await fetch(`${api}/metrics`)).text();
    expect(sample(text, 'snapfleet_host_up', { host: late })).toBe(0);
    expect(sample(text, 'snapfleet_queue_jobs', { host: late, state: 'waiting' })).toBe(0);
  });
});

describe('hosts and pages', () => {
  it('counts snapshots per namespace on a host', async () => {
    for (const key of ['n1', 'n2']) expect((await post(`/v1/namespaces/counted/hosts/${host}/snapshots`, { key })).status).toBe(201);
    const r = await fetch(`${api}/v1/hosts/${host}/namespaces`);
    expect(r.status).toBe(200);
    const { namespaces } = (await r.json()) as { namespaces: { name: string; count: number }[] };
    expect(namespaces.find((n) => n.name === 'counted')).toEqual({ name: 'counted', count: 2 });
    expect(namespaces.map((n) => n.name)).toEqual([...namespaces.map((n) => n.name)].sort());
    expect((await fetch(`${api}/v1/hosts/${host}/namespaces`, { method: 'POST' })).status).toBe(405);
  });

  it('is ready, and serves the pages with revalidation', async () => {
    expect((await fetch(`${api}/readyz`)).status).toBe(200);
    const home = await fetch(`${api}/`, { redirect: 'manual' });
    expect(home.status).toBe(302);
    expect(home.headers.get('location')).toBe('/ui');
    const page = await fetch(`${api}/ui`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('/assets/fleet.js');
    const etag = page.headers.get('etag')!;
    expect((await fetch(`${api}/ui`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    // The same comparison as the API's reads: weak forms and lists name it too.
    expect((await fetch(`${api}/ui`, { headers: { 'if-none-match': `"other", W/${etag}` } })).status).toBe(304);
    for (const asset of ['fleet.js', 'docs.js', 'style.css']) expect((await fetch(`${api}/assets/${asset}`)).status).toBe(200);
    expect((await fetch(`${api}/assets/..%2Fpackage.json`)).status).toBe(404);
  });
});
