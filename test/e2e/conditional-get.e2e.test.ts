// Conditional GET end to end, real processes: one host, an API process with the walk page
// cache (the default) and one without it. Every conditional read answers with an ETag that
// depends only on the body, so both processes, a kept page and a page read anew agree on it;
// If-None-Match naming it gets 304 without a body until the answer changes; errors, HEAD,
// malformed conditions and the routes that are not conditional behave as HTTP says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { startFleet, type Fleet } from '../support/fleet';

let fleet: Fleet;
let client: SnapfleetClient;
let cachedUrl: string;
let uncachedUrl: string;
let host: string;

beforeAll(async () => {
  fleet = await startFleet({ label: 'condget', hosts: 1, apis: 1 });
  cachedUrl = fleet.apis[0]!.url;
  uncachedUrl = (await fleet.startApi({ SNAPFLEET_WALK_CACHE_PAGES: '0' })).url;
  client = new SnapfleetClient({ baseUrl: cachedUrl });
  host = fleet.hosts[0]!.id;
}, 120_000);
afterAll(async () => {
  client?.close();
  await fleet?.dispose();
});

interface Answer {
  status: number;
  etag: string | null;
  cacheControl: string | null;
  length: string | null;
  body: string;
}

async function get(base: string, path: string, ifNoneMatch?: string, method: 'GET' | 'HEAD' = 'GET'): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { method, headers: ifNoneMatch === undefined ? {} : { 'if-none-match': ifNoneMatch } });
  if (res.status === 304) {
    // RFC 9110 §8.6 and §15.4.5: no Content-Length but the 200's (none for GET; the HEAD
    // test checks its own), and no content type.
    if (method === 'GET') expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('content-type')).toBeNull();
  }
  return { status: res.status, etag: res.headers.get('etag'), cacheControl: res.headers.get('cache-control'), length: res.headers.get('content-length'), body: await res.text() };
}

const walkPath = (ns: string, query = '') => `/v1/namespaces/${ns}/hosts/${host}/snapshots${query}`;
const statPath = (ns: string, key: string) => `/v1/namespaces/${ns}/hosts/${host}/snapshots/${encodeURIComponent(key)}`;

describe('conditional GET', () => {
  it('gives a walk page the same ETag from a kept page, a fresh read and either process, and 304 while it holds', async () => {
    const ns = 'cg-walk';
    await client.createSnapshotAndWait(ns, host, { key: 'a', labels: { team: 'x' } });
    const first = await get(cachedUrl, walkPath(ns)); // a miss: read and kept
    const kept = await get(cachedUrl, walkPath(ns)); // a hit
    const fresh = await get(uncachedUrl, walkPath(ns));
    expect(first.status).toBe(200);
    expect(first.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(first.cacheControl).toBe('private, no-cache');
    expect(kept.etag).toBe(first.etag);
    expect(fresh.etag).toBe(first.etag);
    expect(fresh.body).toBe(first.body);

    for (const base of [cachedUrl, uncachedUrl]) {
      const again = await get(base, walkPath(ns), first.etag!);
      expect(again).toEqual({ status: 304, etag: first.etag, cacheControl: 'private, no-cache', length: null, body: '' });
    }
    // A job elsewhere on the host drops the kept page, but the page is the same: still 304.
    await client.createSnapshotAndWait('cg-elsewhere', host, { key: 'z' });
    expect((await get(cachedUrl, walkPath(ns), first.etag!)).status).toBe(304);
    // A change in the namespace: a full answer with a new tag, from both processes.
    await client.createSnapshotAndWait(ns, host, { key: 'b', labels: { team: 'y' } });
    const changed = await get(cachedUrl, walkPath(ns), first.etag!);
    expect(changed.status).toBe(200);
    expect(changed.etag).not.toBe(first.etag);
    expect(JSON.parse(changed.body).snapshots.map((s: { name: string }) => s.name)).toEqual(['a', 'b']);
    expect((await get(uncachedUrl, walkPath(ns), first.etag!)).etag).toBe(changed.etag);
    // A filtered page that did not change keeps its tag.
    const filtered = await get(uncachedUrl, walkPath(ns, '?filter=labels.team%3D%3Dx'));
    expect(filtered.etag).not.toBe(changed.etag);
    await client.createSnapshotAndWait(ns, host, { key: 'c', labels: { team: 'y' } });
    expect((await get(cachedUrl, walkPath(ns, '?filter=labels.team%3D%3Dx'), filtered.etag!)).status).toBe(304);
  });

  it('revalidates a stat by weak comparison, in a list or with *, and answers a full 200 after a change', async () => {
    const ns = 'cg-stat';
    await client.createSnapshotAndWait(ns, host, { key: 's', labels: { v: '1' } });
    const first = await get(cachedUrl, statPath(ns, 's'));
    expect(first.status).toBe(200);
    expect(first.etag).not.toBeNull();
    const tag = first.etag!;
    expect((await get(uncachedUrl, statPath(ns, 's'))).etag).toBe(tag);
    for (const condition of [tag, `W/${tag}`, `"nope", ${tag}`, '*']) expect((await get(cachedUrl, statPath(ns, 's'), condition)).status, condition).toBe(304);
    // Not the tag, or not a valid condition: the full answer.
    for (const condition of ['"nope"', tag.slice(1, -1), `${tag} junk`]) {
      const full = await get(cachedUrl, statPath(ns, 's'), condition);
      expect(full.status, condition).toBe(200);
      expect(full.body, condition).toBe(first.body);
    }
    await client.updateSnapshotAndWait(ns, host, 's', { labels: { v: '2' } });
    const changed = await get(cachedUrl, statPath(ns, 's'), tag);
    expect(changed.status).toBe(200);
    expect(JSON.parse(changed.body).labels).toEqual({ v: '2' });
    expect((await get(cachedUrl, statPath(ns, 's'), `${tag}, ${changed.etag}`)).status).toBe(304);
    // Gone: a problem, never a 304, whatever the condition.
    await client.removeSnapshotAndWait(ns, host, 's');
    for (const condition of [tag, changed.etag!, '*']) {
      const gone = await get(cachedUrl, statPath(ns, 's'), condition);
      expect(gone.status).toBe(404);
      expect(gone.etag).toBeNull();
      expect(JSON.parse(gone.body)).toMatchObject({ code: 'not_found' });
    }
  });

  it('answers HEAD with the same ETag and 304', async () => {
    const ns = 'cg-head';
    await client.createSnapshotAndWait(ns, host, { key: 'h' });
    const got = await get(cachedUrl, statPath(ns, 'h'));
    const head = await get(cachedUrl, statPath(ns, 'h'), undefined, 'HEAD');
    const bytes = String(Buffer.byteLength(got.body));
    expect(head).toMatchObject({ status: 200, etag: got.etag, length: bytes, body: '' });
    expect(await get(cachedUrl, statPath(ns, 'h'), got.etag!, 'HEAD')).toMatchObject({ status: 304, etag: got.etag, length: bytes, body: '' });
    const walkHead = await get(cachedUrl, walkPath(ns), undefined, 'HEAD');
    expect(walkHead.etag).toBe((await get(cachedUrl, walkPath(ns))).etag);
  });

  it('tags mounts, hosts and jobs too, and a finished job stays 304', async () => {
    const ns = 'cg-more';
    const created = await fetch(`${cachedUrl}${walkPath(ns)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'm' }) });
    expect(created.status).toBe(201);
    await created.text();
    const job = `/v1/jobs/${host}/${encodeURIComponent(created.headers.get('x-job-id')!)}`;
    const jobTag = (await get(cachedUrl, job)).etag!;
    expect(jobTag).not.toBeNull();
    expect((await get(uncachedUrl, job, jobTag)).status).toBe(304);
    const mounts = await get(cachedUrl, `${statPath(ns, 'm')}/mounts`);
    expect((await get(cachedUrl, `${statPath(ns, 'm')}/mounts`, mounts.etag!)).status).toBe(304);
    const hosts = await get(cachedUrl, '/v1/hosts');
    expect(hosts.etag).not.toBeNull();
    // A heartbeat may land in between: then the answer differs, and so must its tag.
    const again = await get(cachedUrl, '/v1/hosts', hosts.etag!);
    if (again.status === 200) expect(again.etag).not.toBe(hosts.etag);
    else expect(again).toMatchObject({ status: 304, etag: hosts.etag, body: '' });
    const namespaces = await get(cachedUrl, `/v1/hosts/${host}/namespaces`);
    expect((await get(cachedUrl, `/v1/hosts/${host}/namespaces`, namespaces.etag!)).status).toBe(304);
  });

  it("is what the typed client does by itself: its second read of an unchanged page or stat is a 304, a change a full answer", async () => {
    const ns = 'cg-client';
    await client.createSnapshotAndWait(ns, host, { key: 'k', labels: { v: '1' } });
    const revalidated = async () => {
      const text = await (await fetch(`${cachedUrl}/metrics`)).text();
      let n = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith('snapfleet_api_http_request_duration_seconds_count{') && line.includes('method="GET"') && line.includes('status="304"')) n += Number(line.split(' ').at(-1));
      }
      return n;
    };
    const reader = new SnapfleetClient({ baseUrl: cachedUrl });
    const before = await revalidated();
    const page = await reader.walkSnapshots(ns, host);
    const stat = await reader.statSnapshot(ns, host, 'k');
    expect(await reader.walkSnapshots(ns, host)).toEqual(page);
    expect(await reader.statSnapshot(ns, host, 'k')).toEqual(stat);
    expect((await revalidated()) - before).toBe(2);
    await client.updateSnapshotAndWait(ns, host, 'k', { labels: { v: '2' } });
    expect((await reader.statSnapshot(ns, host, 'k')).labels).toEqual({ v: '2' });
    expect((await reader.walkSnapshots(ns, host)).snapshots.map((s) => s.labels)).toEqual([{ v: '2' }]);
    expect((await revalidated()) - before).toBe(2);
    expect(reader.revalidationCache.entries).toBe(2);
    reader.close();
  });

  it('leaves the routes that are not conditional alone', async () => {
    const ns = 'cg-not';
    await client.createSnapshotAndWait(ns, host, { key: 'u' });
    await client.commitSnapshotAndWait(ns, host, 'u', { name: 'u-c' });
    // Usage may run a job on the host; it is not conditional, and neither are mutations.
    const usage = await get(cachedUrl, `${statPath(ns, 'u-c')}/usage`, '*');
    expect(usage.status).toBe(200);
    expect(usage.etag).toBeNull();
    const res = await fetch(`${cachedUrl}${walkPath(ns)}`, { method: 'POST', headers: { 'content-type': 'application/json', 'if-none-match': '*' }, body: JSON.stringify({ key: 'p' }) });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBeNull();
    await res.text();
    expect((await get(cachedUrl, '/healthz', '*')).status).toBe(200);
  });
});
