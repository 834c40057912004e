// The start-up line's URLs: clickable for the address the API was bound to.
import { describe, expect, it } from 'vitest';
import { apiUrls, bannerMessage } from './startup-banner';

describe('apiUrls', () => {
  it('names localhost for a wildcard bind address', () => {
    expect(apiUrls('0.0.0.0', 8080)).toEqual({
      api: 'http://localhost:8080/v1/hosts',
      docs: 'http://localhost:8080/docs',
      dashboard: 'http://localhost:8080/admin/queues',
      fleetPage: 'http://localhost:8080/ui',
      metrics: 'http://localhost:8080/metrics',
      health: 'http://localhost:8080/readyz',
    });
    expect(apiUrls('::', 80).docs).toBe('http://localhost:80/docs');
  });

  it('keeps a specific address, brackets for IPv6', () => {
    expect(apiUrls('127.0.0.1', 9000).fleetPage).toBe('http://127.0.0.1:9000/ui');
    expect(apiUrls('::1', 9000).dashboard).toBe('http://[::1]:9000/admin/queues');
  });

  it('says all of them in one line', () => {
    const line = bannerMessage(apiUrls('0.0.0.0', 8080));
    for (const url of ['/v1/hosts', '/docs', '/admin/queues', '/ui']) expect(line).toContain(`http://localhost:8080${url}`);
  });
});
