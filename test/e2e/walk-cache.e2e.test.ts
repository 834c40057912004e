// The API's walk page cache end to end, real processes: two hosts with a worker each, an API
// process with the cache (the default) and one without it as the reference. Whatever op is
// acknowledged, by either API process, the cached one's next walk and stat show it (stats are
// kept the same way as pages, in a cache of their own); any job of a host
// drops that host's pages and no other's; a host whose event stream is gone is read uncached,
// and so is every host while Redis is hung or down: walks never need Redis.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { QUEUE_PREFIX, queueName, type SnapshotInfo } from '@snapfleet/contracts';
import { REDIS_URL, freePort, startFleet, type Fleet } from '../support/fleet';
import { privateRedis } from '../support/outages';

let fleet: Fleet;
let cached: SnapfleetClient;
let reference: SnapfleetClient;
let cachedUrl: string;
let host: string;
let otherHost: string;
let redis: Redis;

beforeAll(async () => {
  fleet = await startFleet({ label: 'walkcache', hosts: 2, apis: 1 });
  cachedUrl = fleet.apis[0]!.url;
  cached = new SnapfleetClient({ baseUrl: cachedUrl });
  reference = new SnapfleetClient({ baseUrl: (await fleet.startApi({ SNAPFLEET_WALK_CACHE_PAGES: '0' })).url });
  host = fleet.hosts[0]!.id;
  otherHost = fleet.hosts[1]!.id;
  redis = new Redis(REDIS_URL);
}, 120_000);
afterAll(async () => {
  redis?.disconnect();
  cached?.close();
  reference?.close();
  await fleet?.dispose();
});

/** The cached API process's walk-cache counters, by result. */
type CacheCounts = Record<'hit' | 'miss' | 'shared' | 'bypass', number>;

async function cacheCounts(): Promise<CacheCounts> {
  const text = await (await fetch(`${cachedUrl}/metrics`)).text();
  const counts: CacheCounts = { hit: 0, miss: 0, shared: 0, bypass: 0 };
  for (const m of text.matchAll(/^snapfleet_api_walk_cache_total\{result="(hit|miss|shared|bypass)"\} (\d+)/gm)) counts[m[1] as keyof CacheCounts] = Number(m[2]);
  return counts;
}

/** What one more walk request did to the counters. */
async function walkResult(client: SnapfleetClient, ns: string, h = host): Promise<string> {
  const before = await cacheCounts();
  await client.walkSnapshots(ns, h);
  const after = await cacheCounts();
  const moved = (Object.keys(after) as (keyof CacheCounts)[]).filter((k) => after[k] !== before[k]);
  expect(moved).toHaveLength(1);
  return moved[0]!;
}

/** The cached API process's stat-cache counters, by result. */
async function statCounts(): Promise<CacheCounts> {
  const text = await (await fetch(`${cachedUrl}/metrics`)).text();
  const counts: CacheCounts = { hit: 0, miss: 0, shared: 0, bypass: 0 };
  for (const m of text.matchAll(/^snapfleet_api_stat_cache_total\{result="(hit|miss|shared|bypass)"\} (\d+)/gm)) counts[m[1] as keyof CacheCounts] = Number(m[2]);
  return counts;
}

/** Each key's info, or the code of the error its stat got (a removed key: not_found). */
async function stats(client: SnapfleetClient, ns: string, keys: readonly string[]): Promise<unknown[]> {
  return Promise.all(keys.map((k) => client.statSnapshot(ns, host, k).catch((err: unknown) => ({ error: (err as { code?: string }).code }))));
}

async function all(client: SnapfleetClient, ns: string, filters: string[] = [], pageSize = 3): Promise<SnapshotInfo[]> {
  const out: SnapshotInfo[] = [];
  for await (const info of client.walkAll(ns, host, filters, { pageSize })) out.push(info);
  return out;
}

describe('walk page cache', () => {
  it('shows every acknowledged op in the next walk of the caching process, through either process', async () => {
    const ns = 'wc-ops';
    const filter = ['labels.team==a'];
    await reference.createSnapshotAndWait(ns, host, { key: 'base', labels: { team: 'a' } });
    await reference.commitSnapshotAndWait(ns, host, 'base', { name: 'base-c', labels: { team: 'a' } });
    const start = await cacheCounts();
    const statStart = await statCounts();
    const actives: string[] = [];
    const committed: string[] = [];
    const keys = ['base', 'base-c'];
    for (let i = 0; i < 40; i++) {
      // Both pages walked (and kept) before each op, whole namespace and a filtered one, and
      // every key ever used stated (and kept).
      await all(cached, ns);
      await all(cached, ns, filter);
      await stats(cached, ns, keys);
      const via = i % 2 === 0 ? reference : cached;
      const step = i % 5;
      if (step === 0 || actives.length === 0) {
        const key = `a${i}`;
        await via.createSnapshotAndWait(ns, host, { key, parent: 'base-c', labels: { team: i % 3 === 0 ? 'a' : 'b' } });
        actives.push(key);
        keys.push(key);
      } else if (step === 1) {
        const key = actives.shift()!;
        await via.commitSnapshotAndWait(ns, host, key, { name: `c${i}`, labels: { team: 'a' } });
        committed.push(`c${i}`);
        keys.push(`c${i}`);
      } else if (step === 2) {
        await via.updateSnapshotAndWait(ns, host, 'base-c', { labels: { team: 'a', round: String(i) } });
      } else if (step === 3 && committed.length > 0) {
        await via.removeSnapshotAndWait(ns, host, committed.shift()!);
      } else {
        await via.createSnapshotAndWait(ns, host, { key: `v${i}`, parent: 'base-c', kind: 'view', labels: { team: 'a' } });
        keys.push(`v${i}`);
      }
      expect(await all(cached, ns)).toEqual(await all(reference, ns));
      expect(await all(cached, ns, filter)).toEqual(await all(reference, ns, filter));
      expect(await stats(cached, ns, keys)).toEqual(await stats(reference, ns, keys));
    }
    const end = await cacheCounts();
    // The cache was in play: pages were served kept between ops, and read anew after each.
    expect(end.hit - start.hit).toBeGreaterThan(40);
    expect(end.miss - start.miss).toBeGreaterThan(40);
    expect(end.bypass - start.bypass).toBe(0);
    // So were stats: read anew after each op, and found kept at the next round's first stat.
    const statEnd = await statCounts();
    expect(statEnd.hit - statStart.hit).toBeGreaterThan(40);
    expect(statEnd.miss - statStart.miss).toBeGreaterThan(40);
    expect(statEnd.bypass - statStart.bypass).toBe(0);
  });

  it('drops every page of a host after any job of that host, and no page of another host', async () => {
    await reference.createSnapshotAndWait('wc-quiet', host, { key: 'q' });
    await reference.createSnapshotAndWait('wc-quiet', otherHost, { key: 'q' });
    await cached.walkSnapshots('wc-quiet', host);
    await cached.walkSnapshots('wc-quiet', otherHost);
    expect(await walkResult(cached, 'wc-quiet')).toBe('hit');
    // A job in another namespace of the host, and one that changes no row at all.
    await reference.createSnapshotAndWait('wc-busy', host, { key: 'b0' });
    expect(await walkResult(cached, 'wc-quiet')).toBe('miss');
    expect(await walkResult(cached, 'wc-quiet')).toBe('hit');
    await reference.cleanupHostAndWait(host);
    expect(await walkResult(cached, 'wc-quiet')).toBe('miss');
    expect(await walkResult(cached, 'wc-quiet', otherHost)).toBe('hit');
  });

  it('reads uncached while the host has no event stream, and caches again once a job writes one', async () => {
    const ns = 'wc-lost';
    await reference.createSnapshotAndWait(ns, host, { key: 'x0' });
    await cached.walkSnapshots(ns, host);
    expect(await walkResult(cached, ns)).toBe('hit');
    // As after a Redis restart without persistence: the host's stream is gone.
    await redis.del(`${QUEUE_PREFIX}:${queueName(host)}:events`);
    expect(await walkResult(cached, ns)).toBe('bypass');
    await reference.createSnapshotAndWait(ns, host, { key: 'x1' });
    expect((await cached.walkSnapshots(ns, host)).snapshots.map((s) => s.name)).toEqual(['x0', 'x1']);
    expect(await walkResult(cached, ns)).toBe('hit');
  });

  it('reads uncached, and answers, while Redis hangs or is down', async () => {
    const redisOwn = await privateRedis(await freePort());
    const own = await startFleet({ label: 'walkcacheredis', hosts: 1, apis: 1, redisUrl: redisOwn.url });
    const c = new SnapfleetClient({ baseUrl: own.apis[0]!.url });
    const h = own.hosts[0]!.id;
    const counts = async () => {
      const text = await (await fetch(`${own.apis[0]!.url}/metrics`)).text();
      return Number(/^snapfleet_api_walk_cache_total\{result="bypass"\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    try {
      await c.createSnapshotAndWait('wc-redis', h, { key: 'k0' });
      await c.walkSnapshots('wc-redis', h);
      const names = ['k0'];
      for (const [what, takeAway, giveBack] of [
        ['hung', () => redisOwn.pause(), () => redisOwn.resume()],
        ['down', () => redisOwn.stop(), () => redisOwn.start()],
      ] as const) {
        const bypassed = await counts();
        await takeAway();
        try {
          for (let i = 0; i < 3; i++) {
            const started = performance.now();
            const page = await c.walkSnapshots('wc-redis', h);
            expect(page.snapshots.map((x) => x.name), what).toEqual(names);
            // The position is waited for 250 ms at most, then MySQL is read.
            expect(performance.now() - started, what).toBeLessThan(2_000);
          }
          expect(await counts(), what).toBe(bypassed + 3);
        } finally {
          await giveBack();
        }
      }
      // A Redis without its data has no stream for the host: uncached until a job writes one.
      const bypassed = await counts();
      await c.walkSnapshots('wc-redis', h);
      expect(await counts()).toBe(bypassed + 1);
    } finally {
      c.close();
      await own.dispose();
      await redisOwn.stop();
    }
  }, 120_000);
});
