// SnapfleetClient against a real local HTTP server: how requests look on the wire (paths,
// query, headers, bodies), how answers become values, 202s or typed errors, and how
// timeouts, refused connections and malformed answers are reported.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PAGE_SIZE, SnapfleetError } from '@snapfleet/contracts';
import { SnapfleetClient } from './client';
import { createResult, info, job, json, problem, startStubApi, type StubApi } from './testing/stub-api';

let api: StubApi;
let client: SnapfleetClient;
// A fresh server per test: a request a test aborted cannot land in the next test's log.
beforeEach(async () => {
  api = await startStubApi();
  client = new SnapfleetClient({ baseUrl: api.url, timeoutMs: 5_000 });
});
afterEach(() => api.close());

async function caught(p: Promise<unknown>): Promise<SnapfleetError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SnapfleetError);
  return err as SnapfleetError;
}

describe('paths', () => {
  const keys: [string, string][] = [
    ['slash', 'sha256:ab/cd/../ef'],
    ['space', 'extract-171234 sha256:abcd'],
    ['percent', '100% %2F %zz'],
    ['hash', 'a#b'],
    ['question mark', 'a?b=c&d'],
    ['unicode', 'clé 🙂 日本'],
    ['4096 ASCII bytes', 'k'.repeat(4096)],
    ['4096 bytes of 3-byte characters', `${'€'.repeat(1365)}x`],
    ['dots inside', '.hidden..x.'],
  ];
  it.each(keys)('a key with %s is one encoded segment, for every keyed route', async (_, key) => {
    api.handle((r) => {
      if (r.method === 'GET' && r.segments.at(-1) === 'mounts') return json(200, { mounts: [], path: '/p' });
      if (r.method === 'DELETE') return { status: 204 };
      if (r.method === 'POST') return json(201, { info: info('n', { kind: 'committed' }) });
      return json(200, info(r.segments[6] ?? ''));
    });
    expect((await client.statSnapshot('default', 'h1', key)).name).toBe(key);
    await client.snapshotMounts('default', 'h1', key);
    await client.commitSnapshot('default', 'h1', key, { name: 'n' });
    await client.updateSnapshot('default', 'h1', key, { labels: {} });
    await client.removeSnapshot('default', 'h1', key);
    const encoded = encodeURIComponent(key);
    const expected = [
      ['GET', `/v1/namespaces/default/hosts/h1/snapshots/${encoded}`],
      ['GET', `/v1/namespaces/default/hosts/h1/snapshots/${encoded}/mounts`],
      ['POST', `/v1/namespaces/default/hosts/h1/snapshots/${encoded}/commit`],
      ['PATCH', `/v1/namespaces/default/hosts/h1/snapshots/${encoded}`],
      ['DELETE', `/v1/namespaces/default/hosts/h1/snapshots/${encoded}`],
    ];
    expect(api.received.map((r) => [r.method, r.rawPath])).toEqual(expected);
    for (const r of api.received) expect(r.segments[6]).toBe(key);
    expect(api.received.filter((r) => r.method !== 'POST' && r.method !== 'PATCH' && r.method !== 'DELETE').every((r) => r.query.size === 0)).toBe(true);
  });

  it('refuses keys no URL can carry, without sending anything', async () => {
    for (const key of ['.', '..', '', 'lone \ud800 surrogate', 'nul\0', 'k'.repeat(4097)]) {
      expect((await caught(client.statSnapshot('default', 'h1', key))).code).toBe('invalid_argument');
      expect((await caught(client.removeSnapshot('default', 'h1', key))).code).toBe('invalid_argument');
    }
    expect((await caught(client.statSnapshot('bad ns', 'h1', 'k'))).message).toMatch(/namespace/);
    expect((await caught(client.statSnapshot('default', 'Bad_Host', 'k'))).message).toMatch(/host id/);
    expect((await caught(client.getJob('h1', '..'))).code).toBe('invalid_argument');
    expect(api.received).toEqual([]);
  });

  it('keeps a base URL path prefix and encodes host and job id', async () => {
    const prefixed = new SnapfleetClient({ baseUrl: `${api.url}/snapfleet/` });
    api.handle(() => json(200, job({ id: 'idem-a.b~c' })));
    await prefixed.getJob('h1', 'idem-a.b~c');
    expect(api.received[0]?.rawPath).toBe('/snapfleet/v1/jobs/h1/idem-a.b~c');
  });

  it('rejects a base URL that is not http(s)', () => {
    expect(() => new SnapfleetClient({ baseUrl: 'ftp://x' })).toThrow(/http/);
    expect(() => new SnapfleetClient({ baseUrl: 'not a url' })).toThrow(SnapfleetError);
    expect(() => new SnapfleetClient({ baseUrl: api.url, token: 'two words' })).toThrow(/token/);
  });
});

describe('requests', () => {
  it('sends the mutation headers, query and JSON body', async () => {
    const authed = new SnapfleetClient({ baseUrl: api.url, token: 's3cr3t.tok-en', userAgent: 'snapctl/9' });
    api.handle(() => json(201, createResult('k')));
    const body = { key: 'k', parent: 'p', labels: { a: 'b' }, kind: 'view' as const };
    await authed.createSnapshot('ns1', 'h1', body, { idempotencyKey: 'abc-123', respondAsync: true, requestId: 'req-42', wait: 5, queue: 'always' });
    const r = api.received[0]!;
    expect(r.method).toBe('POST');
    expect(r.rawPath).toBe('/v1/namespaces/ns1/hosts/h1/snapshots');
    expect(Object.fromEntries(r.query)).toEqual({ wait: '5', queue: 'always' });
    expect(JSON.parse(r.body)).toEqual(body);
    expect(r.headers).toMatchObject({
      'idempotency-key': 'abc-123',
      prefer: 'respond-async',
      'x-request-id': 'req-42',
      authorization: 'Bearer s3cr3t.tok-en',
      'content-type': 'application/json',
      'user-agent': 'snapctl/9',
    });
    expect(r.headers.accept).toContain('application/problem+json');
  });

  it('sends no optional headers, query or body when not asked', async () => {
    api.handle(() => ({ status: 204 }));
    await client.removeSnapshot('default', 'h1', 'k');
    const r = api.received[0]!;
    expect(r.query.size).toBe(0);
    expect(r.body).toBe('');
    for (const h of ['idempotency-key', 'prefer', 'x-request-id', 'authorization', 'content-type']) expect(r.headers[h]).toBeUndefined();
  });

  it('checks idempotency keys and wait options before sending', async () => {
    expect((await caught(client.removeSnapshot('default', 'h1', 'k', { idempotencyKey: 'has space' }))).code).toBe('invalid_argument');
    expect((await caught(client.removeSnapshot('default', 'h1', 'k', { wait: 301 }))).code).toBe('invalid_argument');
    expect((await caught(client.cleanupHost('h1', { wait: -1 }))).code).toBe('invalid_argument');
    expect(api.received).toEqual([]);
  });
});

describe('answers', () => {
  it('2xx mutations are done with their validated value; 204 has none', async () => {
    api.handle(() => json(201, createResult('k')));
    expect(await client.createSnapshot('default', 'h1', { key: 'k' })).toEqual({ done: true, value: createResult('k') });
    api.handle(() => ({ status: 204 }));
    expect(await client.removeSnapshot('default', 'h1', 'k')).toEqual({ done: true, value: undefined });
    api.handle(() => json(200, { removed: 3 }));
    expect(await client.cleanupHost('h1')).toEqual({ done: true, value: { removed: 3 } });
  });

  it('202 is an unfinished job with its location', async () => {
    const running = job({ id: 'idem-x', op: 'commit', state: 'active', progress: 10 });
    api.handle(() => json(202, { job: running }, { location: '/v1/jobs/h1/idem-x' }));
    expect(await client.commitSnapshot('default', 'h1', 'k', { name: 'n' }, { respondAsync: true })).toEqual({ done: false, job: running, location: '/v1/jobs/h1/idem-x' });
    api.handle(() => json(202, { job: running }));
    const r = await client.commitSnapshot('default', 'h1', 'k', { name: 'n' });
    expect(r.done === false && r.location).toBe('/v1/jobs/h1/idem-x');
  });

  it('reads hosts, a host and a job', async () => {
    const host = { id: 'h1', status: 'up', draining: false, root: '/srv', device: '/dev/loop0', fsid: 'u', sizeBytes: 10, freeBytes: 5, workers: 2, version: '0.1.0', heartbeatAt: null, registeredAt: 't' };
    api.handle((r) => (r.rawPath === '/v1/hosts' ? json(200, { hosts: [host] }) : r.rawPath === '/v1/hosts/h1' ? json(200, host) : json(200, job())));
    expect(await client.listHosts()).toEqual({ hosts: [host] });
    expect(await client.getHost('h1')).toEqual(host);
    expect(await client.getJob('h1', 'op-1')).toEqual(job());
  });

  it('a body that is not JSON, or not the contract, is internal and says so', async () => {
    api.handle(() => ({ status: 200, text: '<html>oops</html>', headers: { 'content-type': 'text/html' } }));
    const notJson = await caught(client.statSnapshot('default', 'h1', 'k'));
    expect(notJson.code).toBe('internal');
    expect(notJson.message).toMatch(/malformed response from GET http:\/\/127\.0\.0\.1:\d+\/v1\/namespaces\/default\/hosts\/h1\/snapshots\/k: HTTP 200 body is not JSON/);
    api.handle(() => json(200, { name: 'k', kind: 'weird' }));
    const wrong = await caught(client.statSnapshot('default', 'h1', 'k'));
    expect(wrong.code).toBe('internal');
    expect(wrong.message).toMatch(/does not match the contract: kind/);
    api.handle(() => json(202, { job: { id: 1 } }));
    expect((await caught(client.removeSnapshot('default', 'h1', 'k'))).message).toMatch(/HTTP 202 body does not match/);
  });
});

describe('errors', () => {
  it.each([
    [404, 'not_found'],
    [409, 'already_exists'],
    [412, 'failed_precondition'],
    [400, 'invalid_argument'],
    [503, 'unavailable'],
    [409, 'aborted'],
    [500, 'internal'],
    [401, 'unauthenticated'],
    [403, 'permission_denied'],
    [429, 'resource_exhausted'],
  ] as const)('problem+json %i %s becomes that SnapfleetError', async (status, code) => {
    api.handle(() => problem(status, code, `detail of ${code}`, { host: 'h1', instance: '/v1/x' }));
    const err = await caught(client.statSnapshot('default', 'h1', 'k'));
    expect(err).toMatchObject({ code, message: `detail of ${code}`, details: { status, host: 'h1', instance: '/v1/x' } });
    expect(err.details).not.toHaveProperty('type');
  });

  it('a problem with an unknown code is internal and keeps the code', async () => {
    api.handle(() => problem(418, 'teapot', 'short and stout'));
    const err = await caught(client.statSnapshot('default', 'h1', 'k'));
    expect(err.code).toBe('internal');
    expect(err.message).toMatch(/unknown error code "teapot": short and stout/);
    expect(err.details).toMatchObject({ status: 418, problemCode: 'teapot' });
  });

  it.each([
    [404, 'not_found'],
    [409, 'already_exists'],
    [412, 'failed_precondition'],
    [400, 'invalid_argument'],
    [413, 'invalid_argument'],
    [414, 'invalid_argument'],
    [422, 'invalid_argument'],
    [431, 'invalid_argument'],
    [401, 'unauthenticated'],
    [403, 'permission_denied'],
    [429, 'resource_exhausted'],
    [502, 'unavailable'],
    [503, 'unavailable'],
    [504, 'unavailable'],
    [500, 'internal'],
    [418, 'internal'],
  ] as const)('a non-problem %i is %s, quoting the body', async (status, code) => {
    api.handle(() => json(status, { message: 'Route not found', statusCode: status }));
    const err = await caught(client.getHost('h1'));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(new RegExp(`^GET ${api.url}/v1/hosts/h1 answered HTTP ${status}\\b.*Route not found`));
    expect(err.details).toEqual({ status });
  });

  it('broken problem+json falls back to the status', async () => {
    api.handle(() => ({ status: 412, text: '{not json', headers: { 'content-type': 'application/problem+json' } }));
    expect((await caught(client.getHost('h1'))).code).toBe('failed_precondition');
  });

  it('no answer within the timeout is unavailable naming the URL', async () => {
    const quick = new SnapfleetClient({ baseUrl: api.url, timeoutMs: 150 });
    api.handle(() => ({ hang: true }));
    const started = Date.now();
    const err = await caught(quick.statSnapshot('default', 'h1', 'k'));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err.code).toBe('unavailable');
    expect(err.message).toBe(`no answer from GET ${api.url}/v1/namespaces/default/hosts/h1/snapshots/k within 150 ms`);
  });

  it("a mutation's budget includes the server-side wait it asked for", async () => {
    const quick = new SnapfleetClient({ baseUrl: api.url, timeoutMs: 150 });
    api.handle(() => ({ ...json(200, { removed: 0 }), delayMs: 500 }));
    expect(await quick.cleanupHost('h1', { wait: 1 })).toEqual({ done: true, value: { removed: 0 } });
    // respond-async asks for no server wait: the plain budget applies.
    expect((await caught(quick.cleanupHost('h1', { wait: 1, respondAsync: true }))).code).toBe('unavailable');
  });

  it('a refused connection is unavailable naming the URL', async () => {
    const dead = await startStubApi();
    const url = dead.url;
    await dead.close();
    const err = await caught(new SnapfleetClient({ baseUrl: url }).listHosts());
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain(`cannot reach the snapfleet API at ${url}/v1/hosts (GET)`);
    expect(err.details).toMatchObject({ url: `${url}/v1/hosts`, errno: 'ECONNREFUSED' });
  });

  it("the caller's abort rejects with the caller's reason", async () => {
    api.handle(() => ({ hang: true }));
    const ctrl = new AbortController();
    const p = client.listHosts({ signal: ctrl.signal });
    setTimeout(() => ctrl.abort(new Error('user pressed ^C')), 50);
    await expect(p).rejects.toThrow('user pressed ^C');
  });
});

describe('walk', () => {
  it('walkAll follows next cursors with the same filters', async () => {
    const pages: Record<string, { snapshots: ReturnType<typeof info>[]; next?: string }> = {
      '': { snapshots: [info('a'), info('b')], next: '2' },
      '2': { snapshots: [info('c')], next: '7' },
      '7': { snapshots: [] , next: '9' },
      '9': { snapshots: [info('d')] },
    };
    api.handle((r) => json(200, pages[r.query.get('after') ?? '']));
    const names: string[] = [];
    for await (const s of client.walkAll('default', 'h1', ['kind==committed', 'labels."a.b"==v,name~=x'])) names.push(s.name);
    expect(names).toEqual(['a', 'b', 'c', 'd']);
    expect(api.received.map((r) => r.query.get('after'))).toEqual([null, '2', '7', '9']);
    for (const r of api.received) {
      expect(r.query.getAll('filter')).toEqual(['kind==committed', 'labels."a.b"==v,name~=x']);
      expect(r.query.get('limit')).toBe(String(MAX_PAGE_SIZE));
    }
  });

  it('walkSnapshots sends one page query; walkAll takes a page size', async () => {
    api.handle(() => json(200, { snapshots: [info('a')] }));
    expect(await client.walkSnapshots('default', 'h1', { limit: 5, after: '3' })).toEqual({ snapshots: [info('a')] });
    expect(api.received[0]?.rawUrl).toBe('/v1/namespaces/default/hosts/h1/snapshots?limit=5&after=3');
    for await (const _ of client.walkAll('default', 'h1', [], { pageSize: 2 })) void _;
    expect(api.received[1]?.rawUrl).toBe('/v1/namespaces/default/hosts/h1/snapshots?limit=2');
  });

  it('a cursor that does not advance is internal, not an endless loop', async () => {
    api.handle(() => json(200, { snapshots: [info('a')], next: '5' }));
    const walk = async () => {
      for await (const _ of client.walkAll('default', 'h1')) void _;
    };
    const err = await caught(walk());
    expect(err).toMatchObject({ code: 'internal' });
    expect(err.message).toMatch(/cursor 5 did not advance/);
    expect(api.received).toHaveLength(2);
  });
});
