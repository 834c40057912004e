// Environment → ProxyConfig: defaults, and errors that name each bad variable.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@snapfleet/contracts';
import { loadProxyConfig } from './config';

const good = { SNAPFLEET_PROXY_SOCKET: '/run/snapfleet/proxy.sock', SNAPFLEET_HOST_ID: 'h1', SNAPFLEET_API_URL: 'http://127.0.0.1:8080' };

describe('loadProxyConfig', () => {
  it('reads a minimal environment with defaults', () => {
    expect(loadProxyConfig(good)).toEqual({
      socket: '/run/snapfleet/proxy.sock',
      hostId: 'h1',
      apiUrl: 'http://127.0.0.1:8080',
      defaultNamespace: 'default',
      jobTimeoutMs: 600_000,
      logLevel: 'info',
    });
    expect(loadProxyConfig({ ...good, SNAPFLEET_API_TOKEN: 't', SNAPFLEET_PROXY_NAMESPACE: 'ctr' })).toMatchObject({ apiToken: 't', defaultNamespace: 'ctr' });
  });

  it('names every missing or bad variable', () => {
    expect(() => loadProxyConfig({})).toThrow(ConfigError);
    const message = (env: NodeJS.ProcessEnv) => {
      try {
        loadProxyConfig(env);
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    };
    const all = message({});
    for (const v of ['SNAPFLEET_PROXY_SOCKET', 'SNAPFLEET_HOST_ID', 'SNAPFLEET_API_URL']) expect(all).toContain(v);
    expect(message({ ...good, SNAPFLEET_PROXY_SOCKET: 'relative.sock' })).toMatch(/SNAPFLEET_PROXY_SOCKET: must be an absolute path/);
    expect(message({ ...good, SNAPFLEET_PROXY_SOCKET: `/${'x'.repeat(120)}` })).toMatch(/SNAPFLEET_PROXY_SOCKET: must be at most 107 bytes/);
    expect(message({ ...good, SNAPFLEET_HOST_ID: 'Bad_Host' })).toMatch(/SNAPFLEET_HOST_ID: must match/);
    expect(message({ ...good, SNAPFLEET_API_URL: 'unix:/x' })).toMatch(/SNAPFLEET_API_URL: must be an http/);
    expect(message({ ...good, SNAPFLEET_PROXY_NAMESPACE: 'a/b' })).toMatch(/SNAPFLEET_PROXY_NAMESPACE/);
    expect(message({ ...good, SNAPFLEET_PROXY_JOB_TIMEOUT_MS: '5' })).toMatch(/SNAPFLEET_PROXY_JOB_TIMEOUT_MS: must be at least 1000/);
    expect(message({ ...good, SNAPFLEET_LOG_LEVEL: 'loud' })).toMatch(/SNAPFLEET_LOG_LEVEL/);
  });
});
