// The bench's floor of a lone op (bench/floor.ts): its figures sit beside the serial latency
// in benchmarks.md, so each part must really make the round trip it names and clean up after
// itself. Real Redis, a real BullMQ worker process (the compiled one the bench forks) and a
// real HTTP server standing in for the API's /healthz.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floorLatencies } from '../../bench/floor';
import { REDIS_URL } from '../support/fleet';

const WORKER = join(__dirname, '../../dist/bench/queue-floor-worker.js');

describe('bench floor', () => {
  let status = 200;
  let healthz = 0;
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/healthz') healthz++;
      res.statusCode = req.url === '/healthz' ? status : 404;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('times each part once per round, through the API URL, a worker process and a lease, and leaves no keys', async () => {
    status = 200;
    healthz = 0;
    const f = await floorLatencies(url, REDIS_URL, 25, WORKER);
    expect(healthz).toBe(25);
    for (const part of [f.http, f.queue, f.lease]) {
      expect(part).toHaveLength(25);
      for (const ms of part) expect(ms).toBeGreaterThan(0);
    }
    // A job round trip goes through Redis to another process and back several times.
    expect([...f.queue].sort((a, b) => a - b)[12]).toBeGreaterThan(0.05);
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys('*bench-floor*')).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('fails when the API does not answer 200, rather than timing an error', async () => {
    status = 503;
    await expect(floorLatencies(url, REDIS_URL, 3, WORKER)).rejects.toThrow(/status 503/);
  });

  it('fails when the worker cannot start, rather than waiting for jobs nobody takes', async () => {
    status = 200;
    await expect(floorLatencies(url, REDIS_URL, 3, join(__dirname, 'no-such-worker.js'))).rejects.toThrow(/exited/);
  });
});
