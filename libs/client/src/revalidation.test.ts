// The client's conditional reads on a real local HTTP server: a tagged 200 is kept, the next
// GET of the same URL asks with If-None-Match, a 304 is answered from memory with the same
// value, and anything else (a new tag, no tag, an error) replaces or drops what was kept.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnapfleetError } from '@snapfleet/contracts';
import { SnapfleetClient } from './client';
import { RevalidationCache } from './revalidation-cache';
import { info, job, json, problem, startStubApi, type Received, type Reply, type StubApi } from './testing/stub-api';

let api: StubApi;
beforeEach(async () => {
  api = await startStubApi();
});
afterEach(() => api.close());

/** Serves `body()` under `tag()`: 304 when the request names the current tag. */
function tagged(body: () => unknown, tag: () => string | undefined): (r: Received) => Reply {
  return (r) => {
    const t = tag();
    if (t !== undefined && r.headers['if-none-match'] === t) return { status: 304, headers: { etag: t } };
    return json(200, body(), t === undefined ? {} : { etag: t });
  };
}

const conditions = () => api.received.map((r) => r.headers['if-none-match']);

describe('conditional reads', () => {
  it('asks again with the kept tag and answers a 304 with the kept value', async () => {
    const client = new SnapfleetClient({ baseUrl: api.url });
    let labels = { v: '1' };
    let tag = '"t1"';
    api.handle(tagged(() => info('k', { labels }), () => tag));
    const first = await client.statSnapshot('default', 'h1', 'k');
    const second = await client.statSnapshot('default', 'h1', 'k');
    expect(second).toEqual(first);
    expect(second.labels).toEqual({ v: '1' });
    // A caller that changes what it got does not change what the next 304 gives.
    second.labels.v = 'mutated';
    expect((await client.statSnapshot('default', 'h1', 'k')).labels).toEqual({ v: '1' });
    // Changed on the server: the full answer replaces the kept one.
    labels = { v: '2' };
    tag = '"t2"';
    expect((await client.statSnapshot('default', 'h1', 'k')).labels).toEqual({ v: '2' });
    expect((await client.statSnapshot('default', 'h1', 'k')).labels).toEqual({ v: '2' });
    expect(conditions()).toEqual([undefined, '"t1"', '"t1"', '"t1"', '"t2"']);
    expect(client.revalidationCache.entries).toBe(1);
    client.close();
  });

  it('keeps each URL apart: walk pages by their query, jobs, hosts', async () => {
    const client = new SnapfleetClient({ baseUrl: api.url });
    api.handle((r) => {
      const t = `"${r.rawUrl}"`;
      if (r.headers['if-none-match'] === t) return { status: 304 };
      if (r.segments[1] === 'jobs') return json(200, job({ id: r.segments[3]! }), { etag: t });
      if (r.segments[1] === 'hosts') return json(200, { hosts: [] }, { etag: t });
      return json(200, { snapshots: [info(r.query.get('after') ?? 'first')] }, { etag: t });
    });
    const walk = async (after?: string) => (await client.walkSnapshots('default', 'h1', after === undefined ? {} : { after })).snapshots[0]!.name;
    expect([await walk(), await walk('5'), await walk(), await walk('5')]).toEqual(['first', '5', 'first', '5']);
    expect((await client.getJob('h1', 'j1')).id).toBe('j1');
    expect((await client.getJob('h1', 'j1')).id).toBe('j1');
    await client.listHosts();
    await client.listHosts();
    expect(conditions().map((c) => c !== undefined)).toEqual([false, false, true, true, false, true, false, true]);
    client.close();
  });

  it('keeps nothing untagged, and forgets a URL whose answer became an error', async () => {
    const client = new SnapfleetClient({ baseUrl: api.url });
    let gone = false;
    let tag: string | undefined = undefined;
    api.handle((r) => (gone ? problem(404, 'not_found', 'snapshot "k" does not exist') : tagged(() => info('k'), () => tag)(r)));
    await client.statSnapshot('default', 'h1', 'k');
    await client.statSnapshot('default', 'h1', 'k');
    tag = '"t"';
    await client.statSnapshot('default', 'h1', 'k');
    gone = true;
    const err = await client.statSnapshot('default', 'h1', 'k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnapfleetError);
    expect((err as SnapfleetError).code).toBe('not_found');
    gone = false;
    await client.statSnapshot('default', 'h1', 'k');
    expect(conditions()).toEqual([undefined, undefined, undefined, '"t"', undefined]);
    client.close();
  });

  it('keeps the entry when a read gets no answer at all (timeout): that says nothing of the value', async () => {
    const client = new SnapfleetClient({ baseUrl: api.url, timeoutMs: 300 });
    let hang = false;
    api.handle((r) => (hang ? { hang: true } : tagged(() => info('k'), () => '"t"')(r)));
    const first = await client.statSnapshot('default', 'h1', 'k');
    hang = true;
    const err = await client.statSnapshot('default', 'h1', 'k').catch((e: unknown) => e);
    expect((err as SnapfleetError).code).toBe('unavailable');
    hang = false;
    expect(await client.statSnapshot('default', 'h1', 'k')).toEqual(first);
    expect(conditions()).toEqual([undefined, '"t"', '"t"']);
    client.close();
  });

  it('never sends a condition on mutations or on routes that are not conditional, nor when turned off', async () => {
    const on = new SnapfleetClient({ baseUrl: api.url });
    const off = new SnapfleetClient({ baseUrl: api.url, revalidate: false });
    api.handle((r) => {
      if (r.segments.at(-1) === 'usage') return json(200, { size: 1, inodes: 1 }, { etag: '"u"' });
      if (r.method === 'POST') return json(201, { info: info('k', { kind: 'committed' }) }, { etag: '"p"' });
      return json(200, info('k'), { etag: '"s"' });
    });
    for (let i = 0; i < 2; i++) {
      await on.snapshotUsage('default', 'h1', 'k');
      await on.commitSnapshot('default', 'h1', 'k', { name: 'n' });
      await off.statSnapshot('default', 'h1', 'k');
    }
    expect(conditions()).toEqual(Array(6).fill(undefined));
    expect(off.revalidationCache).toEqual({ entries: 0, bytes: 0 });
    on.close();
    off.close();
  });

  it('gives after a 304 exactly the checked value a full answer gives, for every conditional read', async () => {
    const host = { id: 'h1', status: 'up', draining: false, root: '/r', device: '/dev/loop9', fsid: 'f', sizeBytes: 1, freeBytes: 1, workers: 1, version: 'v', heartbeatAt: null, registeredAt: '2024-01-02T03:04:05.000Z' };
    // Each body also has a key the contract does not know: a check drops it, so must a 304.
    const bodyOf = (r: Received): unknown => {
      if (r.segments[1] === 'jobs') return { ...job({ id: r.segments[3]!, result: { info: info('k') } }), extra: 1 };
      if (r.segments[1] === 'hosts') return r.segments.length === 2 ? { hosts: [{ ...host, extra: 1 }], extra: 1 } : { ...host, extra: 1 };
      if (r.segments.at(-1) === 'mounts') return { mounts: [{ type: 'bind', source: '/s', target: '', options: ['rbind', 'ro'], extra: 1 }], path: '/s', extra: 1 };
      if (r.segments.at(-1) === 'snapshots') return { snapshots: [{ ...info('a', { labels: { x: 'y' } }), extra: 1 }], next: '7', extra: 1 };
      return { ...info('k', { parent: 'p' }), extra: 1 };
    };
    api.handle((r) => (r.headers['if-none-match'] === '"e"' ? { status: 304 } : json(200, bodyOf(r), { etag: '"e"' })));
    const reads = (c: SnapfleetClient) => [
      () => c.statSnapshot('default', 'h1', 'k'),
      () => c.snapshotMounts('default', 'h1', 'k'),
      () => c.walkSnapshots('default', 'h1', { filters: ['kind==view'] }),
      () => c.listHosts(),
      () => c.getHost('h1'),
      () => c.getJob('h1', 'j1'),
    ];
    const keeping = new SnapfleetClient({ baseUrl: api.url });
    const plain = new SnapfleetClient({ baseUrl: api.url, revalidate: false });
    for (const [i, read] of reads(keeping).entries()) {
      const first = await read();
      const revalidated = await read();
      expect(api.received.at(-1)!.headers['if-none-match'], `read ${i}`).toBe('"e"');
      expect(revalidated, `read ${i}`).toEqual(first);
      expect(revalidated, `read ${i}`).toEqual(await reads(plain)[i]!());
      expect(JSON.stringify(revalidated), `read ${i}`).not.toContain('extra');
    }
    keeping.close();
    plain.close();
  });

  it('rejects a budget that is not a whole number of bytes', () => {
    for (const maxBytes of [-1, 1.5, Number.NaN, Infinity]) {
      expect(() => new SnapfleetClient({ baseUrl: api.url, revalidate: { maxBytes } }), String(maxBytes)).toThrow(/revalidate.maxBytes/);
    }
  });
});

describe('RevalidationCache', () => {
  const answer = (text: string) => ({ etag: '"e"', text });

  it('stays within its byte budget, dropping the least recently used first', () => {
    const cache = new RevalidationCache(1_000);
    cache.keep('a', answer('x'.repeat(150)));
    cache.keep('b', answer('x'.repeat(150)));
    cache.keep('c', answer('x'.repeat(150)));
    expect(cache.get('a')).toBeDefined(); // now the most recent: b goes first
    cache.keep('d', answer('x'.repeat(150)));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.get('d')).toBeDefined();
    expect(cache.size.bytes).toBeLessThanOrEqual(1_000);
    expect(cache.size.entries).toBe(3);
  });

  it('does not keep a body larger than the whole budget, and drops what the URL held before', () => {
    const cache = new RevalidationCache(1_000);
    cache.keep('a', answer('small'));
    cache.keep('a', answer('x'.repeat(1_000)));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });
});
