// The walk page cache on its own: what it serves again and what it must read anew.
import { describe, expect, it } from 'vitest';
import { entityTag } from '../http/entity-tag';
import { ReadCache, walkPageKey } from './read-cache';

function clock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function reader(text: (n: number) => string = (n) => `page-${n}`) {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    read: () => Promise.resolve(text(++reads)),
  };
}

describe('ReadCache', () => {
  it('serves a page again while its tag and TTL hold, and reads it anew when the tag moves', async () => {
    const c = clock();
    const cache = new ReadCache({ maxPages: 10, maxBytes: 1 << 20, ttlMs: 1000 }, c.now);
    const r = reader();
    expect(await cache.answer('k', 'g1', r.read)).toMatchObject({ json: 'page-1', result: 'miss' });
    expect(await cache.answer('k', 'g1', r.read)).toMatchObject({ json: 'page-1', result: 'hit' });
    expect(await cache.answer('k', 'g2', r.read)).toMatchObject({ json: 'page-2', result: 'miss' });
    expect(await cache.answer('k', 'g2', r.read)).toMatchObject({ json: 'page-2', result: 'hit' });
    expect(r.reads).toBe(2);
  });

  it('gives every answer of a page its entity tag: the miss, the hit and a shared read alike', async () => {
    const cache = new ReadCache({ maxPages: 10, maxBytes: 1 << 20, ttlMs: 1000 }, clock().now);
    const r = reader();
    const etag = entityTag('page-1');
    expect(await cache.answer('k', 'g', r.read)).toEqual({ json: 'page-1', etag, result: 'miss' });
    expect(await cache.answer('k', 'g', r.read)).toEqual({ json: 'page-1', etag, result: 'hit' });
    const slow = new ReadCache({ maxPages: 10, maxBytes: 1 << 20, ttlMs: 1000 }, clock().now);
    const [a, b] = await Promise.all([slow.answer('k', 'g', r.read), slow.answer('k', 'g', r.read)]);
    expect([a.result, b.result]).toEqual(['miss', 'shared']);
    expect(b).toMatchObject({ json: a.json, etag: entityTag(a.json) });
  });

  it('reads a page anew once it is older than the TTL, tag unchanged', async () => {
    const c = clock();
    const cache = new ReadCache({ maxPages: 10, maxBytes: 1 << 20, ttlMs: 1000 }, c.now);
    const r = reader();
    await cache.answer('k', 'g', r.read);
    c.advance(999);
    expect((await cache.answer('k', 'g', r.read)).result).toBe('hit');
    c.advance(1);
    expect(await cache.answer('k', 'g', r.read)).toMatchObject({ json: 'page-2', result: 'miss' });
  });

  it('keeps at most maxPages, the least recently used leaving first', async () => {
    const cache = new ReadCache({ maxPages: 2, maxBytes: 1 << 20, ttlMs: 60_000 }, clock().now);
    const r = reader();
    await cache.answer('a', 'g', r.read);
    await cache.answer('b', 'g', r.read);
    await cache.answer('a', 'g', r.read); // a used last: b goes first
    await cache.answer('c', 'g', r.read);
    expect(cache.size.pages).toBe(2);
    expect((await cache.answer('a', 'g', r.read)).result).toBe('hit');
    expect((await cache.answer('b', 'g', r.read)).result).toBe('miss');
  });

  it('keeps at most maxBytes of page text, and never a page larger than that', async () => {
    const cache = new ReadCache({ maxPages: 100, maxBytes: 25, ttlMs: 60_000 }, clock().now);
    const ten = () => Promise.resolve('x'.repeat(10));
    await cache.answer('a', 'g', ten);
    await cache.answer('b', 'g', ten);
    expect(cache.size).toEqual({ pages: 2, bytes: 20 });
    await cache.answer('c', 'g', ten);
    expect(cache.size).toEqual({ pages: 2, bytes: 20 });
    expect((await cache.answer('a', 'g', ten)).result).toBe('miss');
    const big = await cache.answer('big', 'g', () => Promise.resolve('y'.repeat(26)));
    expect(big.json).toHaveLength(26);
    expect((await cache.answer('big', 'g', () => Promise.resolve('y'.repeat(26)))).result).toBe('miss');
    expect(cache.size.bytes).toBeLessThanOrEqual(25);
  });

  it('lets concurrent misses of one page under one tag share one read, but not across tags', async () => {
    const cache = new ReadCache({ maxPages: 10, maxBytes: 1 << 20, ttlMs: 60_000 }, clock().now);
    let release!: () => void;
    let reads = 0;
    const slow = () => {
      reads++;
      return new Promise<string>((resolve) => (release = () => resolve(`page-${reads}`)));
    };
    const first = cache.answer('k', 'g1', slow);
    const second = cache.answer('k', 'g1', slow);
    release();
    expect(await first).toMatchObject({ json: 'page-1', result: 'miss' });
    expect(await second).toMatchObject({ json: 'page-1', result: 'shared' });
    const other = cache.answer('k', 'g2', () => Promise.resolve('page-g2'));
    expect((await other).json).toBe('page-g2');
    expect(reads).toBe(1);
  });

  it('does not keep a failed read, and the next request reads again', async () => {
    const cache = new ReadCache({ maxPages: 10, maxBytes: 1 << 20, ttlMs: 60_000 }, clock().now);
    await expect(cache.answer('k', 'g', () => Promise.reject(new Error('MySQL away')))).rejects.toThrow('MySQL away');
    expect(cache.size.pages).toBe(0);
    expect(await cache.answer('k', 'g', () => Promise.resolve('ok'))).toMatchObject({ json: 'ok', result: 'miss' });
  });

  it('does not let a read that started earlier replace a page read later', async () => {
    const c = clock();
    const cache = new ReadCache({ maxPages: 10, maxBytes: 1 << 20, ttlMs: 60_000 }, c.now);
    let releaseOld!: () => void;
    const old = cache.answer('k', 'g1', () => new Promise<string>((resolve) => (releaseOld = () => resolve('old'))));
    c.advance(5);
    await cache.answer('k', 'g2', () => Promise.resolve('new'));
    releaseOld();
    await old;
    expect(await cache.answer('k', 'g2', () => Promise.resolve('again'))).toMatchObject({ json: 'new', result: 'hit' });
  });

  it('is off with maxPages 0', () => {
    expect(new ReadCache({ maxPages: 0, maxBytes: 1, ttlMs: 1 }).enabled).toBe(false);
  });

  it('keys pages by every part that selects rows, whatever characters they hold', () => {
    const keys = new Set([
      walkPageKey('h', 'ns', [], 100, undefined),
      walkPageKey('h', 'ns', [], 100, 'a'),
      walkPageKey('h', 'ns', [], 10, undefined),
      walkPageKey('h', 'ns', ['kind==view'], 100, undefined),
      walkPageKey('h', 'ns', ['a', 'b'], 100, undefined),
      walkPageKey('h', 'ns', ['a,b'], 100, undefined),
      walkPageKey('h', 'ns2', [], 100, undefined),
      walkPageKey('h2', 'ns', [], 100, undefined),
    ]);
    expect(keys.size).toBe(8);
  });
});
