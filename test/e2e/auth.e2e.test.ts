// Authentication and tenant isolation on a real fleet (one host, two API processes, auth on):
// no token or a bad one → 401 on every /v1 route; a token of namespace A reading, listing or
// mutating namespace B → 403 with none of B's data, and B's jobs do not exist for it (also
// once only the op log knows them); scopes
// are enforced (read ≠ write ≠ admin); a token revoked through one API process is refused by
// the other at once; an expired token is refused; snapctl manages tokens; with
// SNAPFLEET_AUTH=off the API says so in its log.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { Queue } from 'bullmq';
import { QUEUE_PREFIX, ROUTES, queueName, routePath, type RouteSpec, type TokenScope } from '@snapfleet/contracts';
import { distEntry } from '../support/dist';
import { REDIS_URL, startFleet, type Fleet } from '../support/fleet';
import { outcomeOf } from '../support/op-stream';

const ADMIN = `auth-e2e-admin-${'z'.repeat(24)}`;
let fleet: Fleet;
let host: string;
let urls: string[];
let admin: SnapfleetClient;

beforeAll(async () => {
  fleet = await startFleet({ label: 'auth', hosts: 1, apis: 2, apiEnv: { SNAPFLEET_AUTH: 'on', SNAPFLEET_ADMIN_TOKEN: ADMIN } });
  host = fleet.hosts[0]!.id;
  urls = fleet.apis.map((a) => a.url);
  admin = new SnapfleetClient({ baseUrl: urls[0]!, token: ADMIN });
}, 120_000);
afterAll(async () => fleet?.dispose());

async function tokenFor(name: string, namespaces: string[], scopes: TokenScope[], expiresInSeconds?: number) {
  return admin.createToken({ name, namespaces, scopes, ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }) });
}

const client = (token: string, api = 0) => new SnapfleetClient({ baseUrl: urls[api]!, token });

const codeOf = outcomeOf;

/** Raw request: status, content type and body text. */
async function raw(method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${urls[0]}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, type: r.headers.get('content-type') ?? '', auth: r.headers.get('www-authenticate'), text: await r.text() };
}

describe('authentication', () => {
  it('every /v1 route answers 401 problem+json without a token, or with a bad one; public routes stay public', async () => {
    const params = { ns: 'a', host, key: 'k', jobId: 'op-x', tokenId: '0123456789abcdef' };
    const bad = [undefined, '', 'garbage', 'sf1_0123456789abcdef_' + 'A'.repeat(43), `${ADMIN}x`];
    for (const [name, route] of Object.entries(ROUTES) as Array<[string, RouteSpec]>) {
      for (const token of bad) {
        const r = await raw(route.method, routePath(route.path, params), token, route.body ? {} : undefined);
        expect(r.status, `${name} with ${JSON.stringify(token)}`).toBe(401);
        expect(r.type).toMatch(/application\/problem\+json/);
        expect(r.auth).toBe('Bearer realm="snapfleet"');
        expect(JSON.parse(r.text)).toMatchObject({ code: 'unauthenticated', status: 401 });
      }
    }
    for (const path of ['/healthz', '/readyz', '/docs/openapi.json', '/ui', '/metrics']) expect((await raw('GET', path)).status, path).toBe(200);
    expect((await raw('GET', '/admin/queues')).status).toBe(401);
  });

  it('the right secret of a real token id is required', async () => {
    const { token } = await tokenFor('secret check', ['a'], ['read']);
    const forged = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(await codeOf(client(forged).listHosts())).toBe('unauthenticated');
    expect(await codeOf(client(forged).statSnapshot('a', host, 'k'))).toBe('unauthenticated');
    expect(await codeOf(client(token).statSnapshot('a', host, 'k'))).toBe('not_found');
  });
});

describe('tenants', () => {
  let a: SnapfleetClient;
  let aToken: string;
  let b: SnapfleetClient;
  let bJob: string;

  beforeAll(async () => {
    aToken = (await tokenFor('tenant a', ['ten-a'], ['read', 'write'])).token;
    a = client(aToken);
    b = client((await tokenFor('tenant b', ['ten-b'], ['read', 'write'])).token);
    await a.createSnapshotAndWait('ten-a', host, { key: 'a-work' });
    await b.createSnapshotAndWait('ten-b', host, { key: 'b-secret-work', labels: { owner: 'b' } });
    await b.commitSnapshotAndWait('ten-b', host, 'b-secret-work', { name: 'b-secret-layer', labels: { owner: 'b' } });
    const accepted = await b.createSnapshot('ten-b', host, { key: 'b-async' }, { respondAsync: true });
    if (accepted.done) throw new Error('expected a 202');
    bJob = accepted.job.id;
    await b.waitForJob(host, bJob);
  });

  it('a token of namespace A gets 403 — never data — for every read and mutation in namespace B', async () => {
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['stat', () => a.statSnapshot('ten-b', host, 'b-secret-layer')],
      ['mounts', () => a.snapshotMounts('ten-b', host, 'b-secret-layer')],
      ['usage', () => a.snapshotUsage('ten-b', host, 'b-secret-layer')],
      ['walk', () => a.walkSnapshots('ten-b', host)],
      ['walk filtered', () => a.walkSnapshots('ten-b', host, { filters: ['labels.owner==b'] })],
      ['prepare', () => a.createSnapshot('ten-b', host, { key: 'intruder' })],
      ['prepare on B\'s parent', () => a.createSnapshot('ten-b', host, { key: 'intruder', parent: 'b-secret-layer' })],
      ['commit', () => a.commitSnapshot('ten-b', host, 'b-secret-work', { name: 'stolen' })],
      ['update', () => a.updateSnapshot('ten-b', host, 'b-secret-layer', { labels: { owner: 'a' } })],
      ['remove', () => a.removeSnapshot('ten-b', host, 'b-secret-layer')],
    ];
    for (const [what, attempt] of attempts) expect(await codeOf(attempt()), what).toBe('permission_denied');
    // The raw answers name the token and scope (and echo the URL asked for), not B's data.
    const walked = await raw('GET', routePath(ROUTES.walkSnapshots.path, { ns: 'ten-b', host }), aToken);
    expect(walked.status).toBe(403);
    expect(walked.text).not.toMatch(/b-secret|owner/);
    const stat = await raw('GET', routePath(ROUTES.statSnapshot.path, { ns: 'ten-b', host, key: 'b-secret-layer' }), aToken);
    expect(stat.status).toBe(403);
    const problem = JSON.parse(stat.text) as Record<string, unknown>;
    expect(problem).toMatchObject({ code: 'permission_denied' });
    for (const field of ['labels', 'kind', 'parent', 'created', 'snapshots', 'info']) expect(problem).not.toHaveProperty(field);
    expect(stat.text).not.toMatch(/owner/);
    // B's job does not exist for A; host-wide things are admin's.
    expect(await codeOf(a.getJob(host, bJob))).toBe('not_found');
    expect((await b.getJob(host, bJob)).state).toBe('completed');
    expect(await codeOf(a.cleanupHost(host))).toBe('permission_denied');
    expect(await codeOf(a.listHosts())).toBe('permission_denied');
    expect(await codeOf(a.listTokens())).toBe('permission_denied');
    // Nothing of B's changed.
    const bs = await admin.walkSnapshots('ten-b', host);
    expect(bs.snapshots.map((s) => s.name).sort()).toEqual(['b-async', 'b-secret-layer']);
    expect(bs.snapshots.find((s) => s.name === 'b-secret-layer')?.labels).toEqual({ owner: 'b' });
    // A still works in its own namespace.
    expect((await a.walkSnapshots('ten-a', host)).snapshots.map((s) => s.name)).toEqual(['a-work']);
  });

  it("a job known only from the op log (its Redis entry gone) is shown to its namespace's tokens, not to others", async () => {
    const accepted = await b.createSnapshot('ten-b', host, { key: 'b-logged' }, { respondAsync: true });
    if (accepted.done) throw new Error('expected a 202');
    const jobId = accepted.job.id;
    await b.waitForJob(host, jobId);
    const queue = new Queue(queueName(host), { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX });
    try {
      await queue.remove(jobId);
      expect(await queue.getJob(jobId)).toBeUndefined();
    } finally {
      await queue.close();
    }
    const seen = await b.getJob(host, jobId);
    expect(seen).toMatchObject({ id: jobId, op: 'prepare', state: 'completed' });
    expect(await codeOf(a.getJob(host, jobId))).toBe('not_found');
    expect((await admin.getJob(host, jobId)).state).toBe('completed');
  });

  it('scopes: read cannot write, write cannot read, neither can administer; "*" reaches every namespace', async () => {
    const reader = client((await tokenFor('reader', ['ten-a'], ['read'])).token);
    const writer = client((await tokenFor('writer', ['ten-a'], ['write'])).token);
    const everywhere = client((await tokenFor('all namespaces', ['*'], ['read'])).token);
    expect(await codeOf(reader.statSnapshot('ten-a', host, 'a-work'))).toBe('ok');
    expect(await codeOf(reader.createSnapshot('ten-a', host, { key: 'r1' }))).toBe('permission_denied');
    expect(await codeOf(writer.createSnapshotAndWait('ten-a', host, { key: 'w1' }))).toBe('ok');
    expect(await codeOf(writer.statSnapshot('ten-a', host, 'w1'))).toBe('permission_denied');
    expect(await codeOf(writer.cleanupHost(host))).toBe('permission_denied');
    expect(await codeOf(everywhere.statSnapshot('ten-b', host, 'b-secret-layer'))).toBe('ok');
    expect(await codeOf(everywhere.removeSnapshot('ten-b', host, 'b-secret-layer'))).toBe('permission_denied');
    const adminToken = client((await tokenFor('second admin', ['ten-a'], ['admin'])).token);
    expect(await codeOf(adminToken.listHosts())).toBe('ok');
    expect(await codeOf(adminToken.statSnapshot('ten-b', host, 'b-secret-layer'))).toBe('ok');
  });
});

describe('revocation and expiry', () => {
  it('a token revoked through one API process is refused by the other at once (20 rounds)', async () => {
    for (let i = 0; i < 20; i++) {
      const { token, info } = await tokenFor(`revoke-${i}`, ['rev'], ['read']);
      const onOther = client(token, 1);
      // Cached as valid on the other API process first.
      expect(await codeOf(onOther.walkSnapshots('rev', host))).toBe('ok');
      await admin.revokeToken(info.id);
      expect(await codeOf(onOther.walkSnapshots('rev', host)), `round ${i}`).toBe('unauthenticated');
      expect(await codeOf(client(token, 0).walkSnapshots('rev', host))).toBe('unauthenticated');
    }
    const listed = await admin.listTokens();
    expect(listed.tokens.filter((t) => t.name.startsWith('revoke-')).every((t) => t.revokedAt !== null)).toBe(true);
  });

  it('an expired token is refused', async () => {
    const { token } = await tokenFor('short-lived', ['rev'], ['read'], 1);
    expect(await codeOf(client(token).walkSnapshots('rev', host))).toBe('ok');
    await new Promise((r) => setTimeout(r, 1200));
    expect(await codeOf(client(token).walkSnapshots('rev', host))).toBe('unauthenticated');
  });
});

describe('snapctl token', () => {
  const snapctl = (args: string[], token = ADMIN) =>
    spawnSync(process.execPath, [distEntry('apps/cli/src/main.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', SNAPFLEET_API_URL: urls[0]!, SNAPFLEET_API_TOKEN: token, SNAPFLEET_HOST_ID: host },
      encoding: 'utf8',
    });

  it('create prints only the token; list shows it without its secret; revoke ends it; non-admins exit 8', () => {
    const made = snapctl(['token', 'create', 'ci runner', '--scope', 'read,write', '--ns', 'ci', '--ns', 'ci-cache']);
    expect(made.status, made.stderr).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^sf1_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const id = token.slice(4, 20);
    const prepared = snapctl(['-n', 'ci', 'prepare', 'from-cli'], token);
    expect(prepared.status, prepared.stderr).toBe(0);
    const listed = snapctl(['token', 'list']);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+ci runner\\s+read,write\\s+ci,ci-cache`));
    expect(listed.stdout).not.toContain(token.slice(21));
    expect(snapctl(['token', 'list'], token).status).toBe(8);
    expect(snapctl(['token', 'create', 'x', '--scope', 'root']).status).toBe(1);
    expect(snapctl(['token', 'revoke', id]).status).toBe(0);
    expect(snapctl(['-n', 'ci', 'ls'], token).status).toBe(8);
    expect(snapctl(['token', 'revoke', '0123456789abcdef']).status).toBe(2);
  });
});

describe('SNAPFLEET_AUTH=off', () => {
  it('is explicit, said in the log, and has no rate limit', async () => {
    // The rate limit is per token: without tokens there is none, however low it is set.
    const api = await fleet.startApi({ SNAPFLEET_AUTH: 'off', SNAPFLEET_RATE_LIMIT: '1', SNAPFLEET_RATE_BURST: '1' });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${api.url}/v1/hosts`).then((r) => r.status)));
    expect(statuses.every((st) => st === 200)).toBe(true);
    const log = await readFile(join(fleet.logs, `api-${fleet.apis.length - 1}.log`), 'utf8');
    expect(log).toMatch(/authentication is OFF \(SNAPFLEET_AUTH=off\)/);
    const authOn = await readFile(join(fleet.logs, 'api-0.log'), 'utf8');
    expect(authOn).not.toMatch(/authentication is OFF/);
  });
});
