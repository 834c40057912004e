// RedisLockService against the machine's real Redis: exclusion, waiting, all-or-nothing,
// fencing-token order, auto-extension, lost leases (key gone, Redis unreachable), release
// safety, typed errors. Every key carries a per-run prefix and is deleted afterwards.
import { randomBytes } from 'node:crypto';
import { SnapfleetError } from '@snapfleet/contracts';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lockResource } from './resources';
import { RedisLockService } from './redis-lock-service';
import type { LockLease } from './types';

const REDIS_URL = process.env.SNAPFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const PREFIX = `sft-locks-${process.pid}-${randomBytes(4).toString('hex')}:`;
const HOST = 'lk1';

let redis: Redis;
let locks: RedisLockService;
const extra: { close(): Promise<void> }[] = [];

const res = (key: string, host = HOST) => lockResource(host, 'default', key);
const redisKey = (resource: string) => PREFIX + resource;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves when the signal aborts, with its reason; fails the test after `ms`. */
function aborted(signal: AbortSignal, ms: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve(signal.reason);
    const timer = setTimeout(() => reject(new Error(`signal not aborted within ${ms} ms`)), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(signal.reason);
    });
  });
}

async function expectCode(p: Promise<unknown>, code: string): Promise<SnapfleetError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SnapfleetError);
  expect((err as SnapfleetError).code).toBe(code);
  return err as SnapfleetError;
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping();
  locks = new RedisLockService(redis, { prefix: PREFIX, defaultTtlMs: 2000 });
});

afterEach(async () => {
  await Promise.all(extra.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await locks.close();
  const stream = redis.scanStream({ match: `${PREFIX}*`, count: 500 }) as AsyncIterable<string[]>;
  for await (const keys of stream) if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('RedisLockService', () => {
  it('acquires with a TTL and a bigint token, releases idempotently', async () => {
    const r = res('basic');
    const lease = await locks.acquire([r], { ttlMs: 1000 });
    expect(typeof lease.token).toBe('bigint');
    expect(lease.token).toBeGreaterThan(0n);
    expect(lease.resources).toEqual([r]);
    const pttl = await redis.pttl(redisKey(r));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1000);

    await lease.release();
    await lease.release();
    expect(await redis.exists(redisKey(r))).toBe(0);
    expect(lease.signal.aborted).toBe(false);
  });

  it('makes a second acquirer wait until the holder releases, then gives it a larger token', async () => {
    const r = res('wait');
    const first = await locks.acquire([r]);
    let released = false;
    const second = locks.acquire([r], { waitMs: 5000 }).then((l) => {
      expect(released).toBe(true);
      return l;
    });
    await sleep(300);
    released = true;
    await first.release();
    const lease = await second;
    expect(lease.token).toBeGreaterThan(first.token);
    await lease.release();
  });

  it('issues strictly increasing tokens across acquisitions, resources and service instances of one host', async () => {
    const other = new RedisLockService(redis, { prefix: PREFIX });
    extra.push(other);
    const [a, b] = [res('tok-a'), res('tok-b')];
    const tokens: bigint[] = [];
    for (const [svc, set] of [
      [locks, [a]],
      [other, [b]],
      [locks, [a, b]],
      [other, [a]],
      [locks, [b]],
      [other, [a, b]],
    ] as const) {
      const lease = await svc.acquire(set);
      tokens.push(lease.token);
      await lease.release();
    }
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1] as bigint);
  });

  it('keeps tokens above earlier ones when the fence counter is lost (Redis restart without persistence)', async () => {
    const r = res('fence-reset');
    const before = await locks.acquire([r]);
    await before.release();
    await redis.del(`${PREFIX}{snapfleet:${HOST}}:fence`);
    const after = await locks.acquire([r]);
    expect(after.token).toBeGreaterThan(before.token);
    await after.release();
  });

  it('is all-or-nothing: a set with one held resource takes none of them', async () => {
    const [r1, r2] = [res('aon-1'), res('aon-2')];
    const holder = await locks.acquire([r2]);
    const err = await expectCode(locks.acquire([r1, r2], { waitMs: 200 }), 'unavailable');
    expect(err.message).toMatch(/held by another owner/);
    expect(await redis.exists(redisKey(r1))).toBe(0);
    const alone = await locks.acquire([r1], { waitMs: 0 });
    await alone.release();
    await holder.release();
    const both = await locks.acquire([r1, r2], { waitMs: 0 });
    expect(both.resources).toEqual([r1, r2]);
    await both.release();
  });

  it('extends a lease past its TTL while the holder lives; nobody else gets in', async () => {
    const r = res('extend');
    const lease = await locks.acquire([r], { ttlMs: 300 });
    const until = Date.now() + 1000; // more than 3 × TTL
    while (Date.now() < until) {
      await expectCode(locks.acquire([r], { waitMs: 0 }), 'unavailable');
      await sleep(50);
    }
    expect(lease.signal.aborted).toBe(false);
    expect(await redis.pttl(redisKey(r))).toBeGreaterThan(0);
    await lease.release();
    const next = await locks.acquire([r], { waitMs: 0 });
    await next.release();
  });

  it('aborts a lease whose key expired and was taken; its release leaves the new holder alone', async () => {
    const r = res('lost-key');
    const old = await locks.acquire([r], { ttlMs: 300 });
    await redis.del(redisKey(r)); // as if the TTL ran out while the holder was paused
    const next = await locks.acquire([r], { waitMs: 0, ttlMs: 5000 });
    expect(next.token).toBeGreaterThan(old.token);

    const reason = await aborted(old.signal, 1000);
    expect(reason).toBeInstanceOf(SnapfleetError);
    expect((reason as SnapfleetError).code).toBe('aborted');
    expect((reason as SnapfleetError).message).toMatch(/lost the lock/);

    const newValue = await redis.get(redisKey(r));
    await old.release();
    expect(await redis.get(redisKey(r))).toBe(newValue);
    expect(next.signal.aborted).toBe(false);
    await next.release();
    expect(await redis.exists(redisKey(r))).toBe(0);
  });

  it('aborts a lease whose holder cannot reach Redis before the TTL runs out; the next holder gets a larger token', async () => {
    const r = res('lost-conn');
    const cut = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const isolated = new RedisLockService(cut, { prefix: PREFIX });
    extra.push(isolated);
    const old = await isolated.acquire([r], { ttlMs: 300 });
    const t0 = Date.now();
    cut.disconnect(); // the holder is cut off: its extensions fail

    const reason = await aborted(old.signal, 2000);
    expect((reason as SnapfleetError).code).toBe('aborted');
    expect(Date.now() - t0).toBeLessThan(300 + 500); // about one TTL, with slack for a loaded machine

    const next = await locks.acquire([r], { waitMs: 2000 });
    expect(next.token).toBeGreaterThan(old.token);
    const newValue = await redis.get(redisKey(r));
    await old.release(); // never throws, even with its client gone
    expect(await redis.get(redisKey(r))).toBe(newValue);
    await next.release();
  });

  it('using() returns fn’s value and releases when fn throws', async () => {
    const r = res('using');
    await expect(locks.using([r], async (lease) => lease.token)).resolves.toBeTypeOf('bigint');
    await expect(
      locks.using([r], async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await redis.exists(redisKey(r))).toBe(0);
    const after = await locks.acquire([r], { waitMs: 0 });
    await after.release();
  });

  it('gives up after waitMs with unavailable, naming the (shortened) resources', async () => {
    const r = res('busy');
    const holder = await locks.acquire([r]);
    const t0 = Date.now();
    const err = await expectCode(locks.acquire([r], { waitMs: 400 }), 'unavailable');
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(400);
    expect(waited).toBeLessThan(1500);
    expect(err.message).toContain(`{snapfleet:${HOST}}:lock:default:`);
    expect(err.message).toContain('…');
    expect(err.message).toContain('within 400 ms');
    await holder.release();
  });

  it('reports an unreachable Redis as unavailable', async () => {
    const down = new RedisLockService('redis://127.0.0.1:1', { prefix: PREFIX });
    extra.push(down);
    const err = await expectCode(down.acquire([res('down')], { waitMs: 300 }), 'unavailable');
    expect(err.message).toMatch(/Redis unreachable/);
  });

  it('throws TypeError for resources of different hash tags or without one', async () => {
    await expect(locks.acquire([res('x', 'lk1'), res('x', 'lk2')])).rejects.toThrow(TypeError);
    await expect(locks.acquire(['no-tag'])).rejects.toThrow(TypeError);
    expect(() => new RedisLockService(redis, { prefix: '{bad}' })).toThrow(TypeError);
  });

  it('locks a resource made from a 4096-byte key with spaces and unicode', async () => {
    let key = '';
    while (Buffer.byteLength(key, 'utf8') < 4090) key += 'extract-1 sha256:ab é 日本 ';
    key = Buffer.from(key, 'utf8').subarray(0, 4096).toString('utf8').replace(/\uFFFD+$/, '');
    const r = res(key);
    const lease = await locks.acquire([r]);
    await expectCode(locks.acquire([res(key)], { waitMs: 0 }), 'unavailable');
    await lease.release();
  });

  it('never lets 20 concurrent using() calls on one resource overlap, and tokens follow entry order', async () => {
    const r = res('crowd');
    let inside = 0;
    let maxInside = 0;
    const entered: bigint[] = [];
    await Promise.all(
      Array.from({ length: 20 }, () =>
        locks.using(
          [r],
          async (lease) => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            entered.push(lease.token);
            await sleep(5);
            inside--;
          },
          { waitMs: 20_000 },
        ),
      ),
    );
    expect(maxInside).toBe(1);
    expect(entered).toHaveLength(20);
    for (let i = 1; i < entered.length; i++) expect(entered[i]).toBeGreaterThan(entered[i - 1] as bigint);
  });

  describe('holder markers: whether an earlier holder may still write', () => {
    /** A host tag of its own per test, settled (counter started) unless told otherwise. */
    const freshHost = async (settle = true) => {
      const host = `mk${randomBytes(3).toString('hex')}`;
      if (settle) await locks.settleTag(`snapfleet:${host}`);
      return host;
    };
    const marker = (resource: string) => `${redisKey(resource)}:holder`;

    it('a settled release lets the next holder skip registration; an unsettled release, a close or a lost key does not', async () => {
      const host = await freshHost();
      const r = res('k', host);
      const a = await locks.acquire([r]);
      expect(a.staleHolderPossible).toBe(false);
      expect(await redis.get(marker(r))).toBe(a.token.toString());
      await a.release({ settled: true });
      expect(await redis.exists(marker(r))).toBe(0);

      const b = await locks.acquire([r]);
      expect(b.staleHolderPossible).toBe(false);
      await b.release(); // not settled: b may not have fenced anyone out
      const c = await locks.acquire([r]);
      expect(c.staleHolderPossible).toBe(true);
      await c.release({ settled: true });

      const svc = new RedisLockService(redis, { prefix: PREFIX });
      const d = await svc.acquire([r]);
      expect(d.staleHolderPossible).toBe(false);
      await svc.close(); // abandons d: its holder may still be running
      const e = await locks.acquire([r]);
      expect(e.staleHolderPossible).toBe(true);
      await e.release({ settled: true });

      const f = await locks.acquire([r], { ttlMs: 300 });
      await redis.del(redisKey(r)); // f's TTL ran out while it was paused
      const g = await locks.acquire([r], { waitMs: 0 });
      expect(g.staleHolderPossible).toBe(true);
      await f.release({ settled: true });
      await g.release({ settled: true });
    });

    it("a lost holder's settled release leaves its successor's marker alone", async () => {
      const host = await freshHost();
      const r = res('k', host);
      const old = await locks.acquire([r], { ttlMs: 300 });
      await redis.del(redisKey(r));
      const next = await locks.acquire([r], { waitMs: 0, ttlMs: 5000 });
      expect(next.staleHolderPossible).toBe(true);
      await old.release({ settled: true });
      expect(await redis.get(marker(r))).toBe(next.token.toString());
      // next registered its token (the caller's part), so it settles: the marker goes.
      await next.release({ settled: true });
      expect(await redis.exists(marker(r))).toBe(0);
      const after = await locks.acquire([r]);
      expect(after.staleHolderPossible).toBe(false);
      await after.release({ settled: true });
    });

    it('a lease taken without markers in between (an older worker mid-upgrade) makes the next acquisition report a possible stale holder', async () => {
      const host = await freshHost();
      const r = res('k', host);
      const a = await locks.acquire([r]);
      await a.release({ settled: true });
      // What an older lock service does: takes a token from the counter and leaves no marker.
      await redis.incr(`${PREFIX}{snapfleet:${host}}:fence`);
      const b = await locks.acquire([r]);
      expect(b.staleHolderPossible).toBe(true);
      await b.release({ settled: true });
      const c = await locks.acquire([r]);
      expect(c.staleHolderPossible).toBe(false);
      await c.release({ settled: true });
    });

    it('one unsettled key among several is enough; markers live for markerTtlMs', async () => {
      const svc = new RedisLockService(redis, { prefix: PREFIX, markerTtlMs: 400 });
      extra.push(svc);
      const host = `mk${randomBytes(3).toString('hex')}`;
      await svc.settleTag(`snapfleet:${host}`);
      const [r1, r2] = [res('a', host), res('b', host)];
      const lone = await svc.acquire([r2]);
      await lone.release();
      expect(await redis.pttl(marker(r2))).toBeLessThanOrEqual(400);
      const both = await svc.acquire([r1, r2]);
      expect(both.staleHolderPossible).toBe(true);
      await both.release();
      await sleep(500);
      const later = await svc.acquire([r1, r2]);
      expect(later.staleHolderPossible).toBe(false);
      await later.release({ settled: true });
    });

    it('while a host has no fence counter (new, or Redis lost its data) every acquisition reports a possible stale holder, until settleTag or markerTtlMs', async () => {
      const host = await freshHost(false);
      const r = res('k', host);
      const first = await locks.acquire([r]);
      expect(first.staleHolderPossible).toBe(true);
      await first.release({ settled: true });
      const second = await locks.acquire([r]);
      expect(second.staleHolderPossible).toBe(true); // the window the missing counter opened
      await second.release({ settled: true });
      await locks.settleTag(`snapfleet:${host}`);
      const third = await locks.acquire([r]);
      expect(third.staleHolderPossible).toBe(false);
      await third.release({ settled: true });

      // Redis loses the counter (and with it, in a real loss, the markers): the window reopens.
      await redis.del(`${PREFIX}{snapfleet:${host}}:fence`);
      const lost = await locks.acquire([r]);
      expect(lost.staleHolderPossible).toBe(true);
      expect(lost.token).toBeGreaterThan(third.token);
      await lost.release({ settled: true });

      const svc = new RedisLockService(redis, { prefix: PREFIX, markerTtlMs: 300 });
      extra.push(svc);
      const other = `mk${randomBytes(3).toString('hex')}`;
      const early = await svc.acquire([res('k', other)]);
      expect(early.staleHolderPossible).toBe(true);
      await early.release({ settled: true });
      await sleep(400);
      const late = await svc.acquire([res('k', other)]);
      expect(late.staleHolderPossible).toBe(false);
      await late.release({ settled: true });
    });
  });

  it('close() aborts live leases, frees their keys and refuses new acquisitions', async () => {
    const svc = new RedisLockService(redis, { prefix: PREFIX });
    const r = res('close');
    const lease: LockLease = await svc.acquire([r]);
    await svc.close();
    expect(lease.signal.aborted).toBe(true);
    expect(await redis.exists(redisKey(r))).toBe(0);
    await expectCode(svc.acquire([r]), 'unavailable');
    expect(redis.status).toBe('ready'); // the caller's client stays open
  });
});
