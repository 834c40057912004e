import { ConfigError } from '@snapfleet/contracts';
import { describe, expect, it } from 'vitest';
import { threadPoolSize } from '../thread-pool-size';
import { loadWorkerConfig } from './worker-config';

const base = { SNAPFLEET_HOST_ID: 'b7', SNAPFLEET_ROOT: '/mnt/pool/snapfleet' };

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadWorkerConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadWorkerConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadWorkerConfig(base)).toEqual({
      hostId: 'b7',
      root: '/mnt/pool/snapfleet',
      mysqlUrl: 'mysql://root@127.0.0.1:3306/snapfleet',
      redisUrl: 'redis://127.0.0.1:6379',
      concurrency: 8,
      heartbeatMs: 2000,
      cleanupIntervalMs: 600_000,
      lockTtlMs: 10_000,
      logLevel: 'info',
      btrfsBackend: 'auto',
      jobLockMs: 30_000,
      stalledIntervalMs: 30_000,
      maxStalledCount: 5,
      httpPort: undefined,
      httpBind: '127.0.0.1',
      faults: [],
    });
  });

  it('reads fault injection specs and refuses malformed ones', () => {
    const spec = [{ point: 'before-commit', op: 'commit', action: 'stop' }];
    expect(loadWorkerConfig({ ...base, SNAPFLEET_FAULTS: JSON.stringify(spec) }).faults).toEqual(spec);
    expect(() => loadWorkerConfig({ ...base, SNAPFLEET_FAULTS: '[{"point":"nowhere"}]' })).toThrow(/SNAPFLEET_FAULTS/);
  });

  it('reads every variable', () => {
    const c = loadWorkerConfig({
      ...base,
      SNAPFLEET_MYSQL_URL: 'mysql://u:p@db:3306/fleet',
      SNAPFLEET_REDIS_URL: 'rediss://cache:6380',
      SNAPFLEET_WORKER_CONCURRENCY: '3',
      SNAPFLEET_HEARTBEAT_MS: '500',
      SNAPFLEET_CLEANUP_INTERVAL_MS: '60000',
      SNAPFLEET_LOCK_TTL_MS: '4000',
      SNAPFLEET_LOG_LEVEL: 'debug',
      SNAPFLEET_BTRFS_BACKEND: 'progs',
      SNAPFLEET_WORKER_HTTP_PORT: '9100',
      SNAPFLEET_WORKER_HTTP_BIND: '0.0.0.0',
    });
    expect(c).toMatchObject({ concurrency: 3, heartbeatMs: 500, cleanupIntervalMs: 60_000, lockTtlMs: 4000, logLevel: 'debug', btrfsBackend: 'progs' });
    expect(c).toMatchObject({ httpPort: 9100, httpBind: '0.0.0.0' });
    expect(c.mysqlUrl).toBe('mysql://u:p@db:3306/fleet');
    expect(c.redisUrl).toBe('rediss://cache:6380');
  });

  it('names a missing host id and root', () => {
    const message = configError({});
    expect(message).toMatch(/SNAPFLEET_HOST_ID: is required/);
    expect(message).toMatch(/SNAPFLEET_ROOT: is required/);
  });

  it('names every bad value at once', () => {
    const message = configError({
      SNAPFLEET_HOST_ID: 'Host_1',
      SNAPFLEET_ROOT: 'relative/dir',
      SNAPFLEET_WORKER_CONCURRENCY: 'many',
      SNAPFLEET_HEARTBEAT_MS: '0',
      SNAPFLEET_BTRFS_BACKEND: 'zfs',
      SNAPFLEET_REDIS_URL: 'http://cache',
      SNAPFLEET_LOG_LEVEL: 'loud',
      SNAPFLEET_WORKER_HTTP_PORT: '65536',
    });
    for (const name of [
      'SNAPFLEET_HOST_ID',
      'SNAPFLEET_ROOT',
      'SNAPFLEET_WORKER_CONCURRENCY',
      'SNAPFLEET_HEARTBEAT_MS',
      'SNAPFLEET_BTRFS_BACKEND',
      'SNAPFLEET_REDIS_URL',
      'SNAPFLEET_LOG_LEVEL',
      'SNAPFLEET_WORKER_HTTP_PORT',
    ]) {
      expect(message).toContain(`${name}:`);
    }
    expect(message).toMatch(/SNAPFLEET_ROOT: must be an absolute path/);
    expect(message).toMatch(/SNAPFLEET_WORKER_CONCURRENCY: must be an integer/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadWorkerConfig({ ...base, SNAPFLEET_WORKER_CONCURRENCY: '' }).concurrency).toBe(8);
  });
});

describe('threadPoolSize', () => {
  it('is twice the concurrency, at least 4', () => {
    expect(threadPoolSize({})).toBe(16);
    expect(threadPoolSize({ SNAPFLEET_WORKER_CONCURRENCY: '1' })).toBe(4);
    expect(threadPoolSize({ SNAPFLEET_WORKER_CONCURRENCY: '32' })).toBe(64);
  });

  it('sizes for the default when the concurrency is bad (validation reports it)', () => {
    expect(threadPoolSize({ SNAPFLEET_WORKER_CONCURRENCY: 'lots' })).toBe(16);
  });

  it('leaves an operator-set UV_THREADPOOL_SIZE alone', () => {
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '6', SNAPFLEET_WORKER_CONCURRENCY: '32' })).toBeUndefined();
  });
});
