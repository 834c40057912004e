// Against the machine's real Redis.
import { randomBytes } from 'node:crypto';
import { silentLogger } from '@snapfleet/contracts';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockRepository } from './lock.repository';

const REDIS_URL = process.env.SNAPFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379';

describe('LockRepository', () => {
  const hostId = `lk${randomBytes(4).toString('hex')}`;
  let locks: LockRepository;

  beforeAll(async () => {
    locks = await LockRepository.open({ hostId, redisUrl: REDIS_URL, ttlMs: 2000, log: silentLogger });
  });
  afterAll(async () => {
    await locks?.close();
    // The host's fence counter stays behind in Redis (it must, in real use).
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`{snapfleet:${hostId}}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('leases keys with growing fencing tokens', async () => {
    const a = await locks.acquire('default', ['a key with spaces', 'sha256:abc']);
    await a.release();
    const b = await locks.acquire('default', ['a key with spaces']);
    await b.release();
    expect(b.token).toBeGreaterThan(a.token);
    expect(a.resources).toHaveLength(2);
    expect(a.resources.every((r) => r.startsWith(`{snapfleet:${hostId}}:`))).toBe(true);
  });

  it('makes a second holder of a key wait for the first', async () => {
    const first = await locks.acquire('default', ['contended']);
    let secondHeld = false;
    const second = locks.acquire('default', ['contended']).then((lease) => {
      secondHeld = true;
      return lease;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(secondHeld).toBe(false);
    await first.release();
    const lease = await second;
    expect(lease.token).toBeGreaterThan(first.token);
    await lease.release();
  });

  it('keeps namespaces apart: the same key in two namespaces is two locks', async () => {
    const a = await locks.acquire('default', ['k']);
    const b = await locks.acquire('other', ['k']);
    await Promise.all([a.release(), b.release()]);
  });

  it('fails start-up with the reason when Redis is not there', async () => {
    await expect(
      LockRepository.open({ hostId, redisUrl: 'redis://127.0.0.1:1', ttlMs: 2000, log: silentLogger, connectDeadlineMs: 600 }),
    ).rejects.toThrow(/cannot connect to Redis after \d+ attempts: connect ECONNREFUSED 127\.0\.0\.1:1/);
  });
});
