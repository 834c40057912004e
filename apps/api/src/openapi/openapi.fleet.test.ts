// Live responses against the document: a real fleet (worker on a btrfs pool, API, MySQL,
// Redis) answers every route — successes, 202s, and errors — and each answer's status is
// documented for its operation, its required headers are there, its content type is one the
// document lists, and its body validates against the document's schema. Bodies are checked
// with the zod schema each component was generated from (ajv is not a dependency; the
// component's equality with z.toJSONSchema of that schema is asserted here and in
// openapi.test.ts), parsed output compared to the body so extra properties fail too.
import { request } from 'node:http';
import { MAX_BODY_BYTES, ROUTES, routePath } from '@snapfleet/contracts';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../../../test/support/fleet';
import { OPERATIONAL_PATHS as P } from '../http/operational-paths';
import { PENDING_ROUTES } from '../http/pending-routes';
import { jsonSchemaOf } from './json-schema';
import { buildOpenApi } from './openapi-document';
import { componentName } from './schema-components';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking a JSON document
type Json = any;

let fleet: Fleet;
let api: string;
let host: string;
let doc: Json;
const { components } = buildOpenApi('test');
const ns = 'oa';
const checked = new Set<string>();
const ADMIN = `openapi-admin-${'a'.repeat(24)}`;

beforeAll(async () => {
  fleet = await startFleet({
    label: 'openapi',
    hosts: 1,
    apis: 1,
    apiEnv: { SNAPFLEET_AUTH: 'on', SNAPFLEET_ADMIN_TOKEN: ADMIN, SNAPFLEET_RATE_LIMIT: '10', SNAPFLEET_RATE_BURST: '300' },
  });
  api = fleet.apis[0]!.url;
  host = fleet.hosts[0]!.id;
  doc = await (await fetch(`${api}${P.openapi}`)).json();
}, 120_000);
afterAll(async () => fleet?.dispose());

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function call(method: string, template: string, params: Record<string, string> = {}, opts: { body?: unknown; raw?: string; headers?: Record<string, string>; query?: string } = {}): Promise<Answer> {
  // The admin token unless the call says otherwise ('' = no Authorization header).
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN}`, ...opts.headers };
  if (headers.authorization === '') delete headers.authorization;
  let body: string | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const url = `${api}${routePath(template, params)}${opts.query ?? ''}`;
  const r = await fetch(url, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
  const answer = { status: r.status, headers: r.headers, text: await r.text() };
  conforms(method, template, answer);
  return answer;
}

/**
 * POSTs a body over the limit with node:http: the API answers 413 before reading it and
 * closes the connection, so the client may meet EPIPE while still writing — after the answer.
 */
function postOversized(template: string, params: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = Buffer.alloc(MAX_BODY_BYTES + 64 * 1024, 'k');
    const headers = { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${ADMIN}` };
    const req = request(`${api}${routePath(template, params)}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        const answer = { status: res.statusCode ?? 0, headers, text };
        conforms('POST', template, answer);
        resolve(answer);
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    req.end(body);
  });
}

/** The answer is one the document describes for this operation. */
function conforms(method: string, template: string, a: Answer): void {
  const what = `${method} ${template} → ${a.status}`;
  const op = doc.paths[template]?.[method.toLowerCase()];
  expect(op, `${method} ${template} is documented`).toBeDefined();
  const response = op.responses[String(a.status)];
  expect(response, `${what} is documented (body: ${a.text.slice(0, 300)})`).toBeDefined();
  checked.add(`${method} ${template} ${a.status}`);
  for (const [name, h] of Object.entries(response.headers ?? {}) as [string, Json][]) {
    const header = h.$ref ? doc.components.headers[h.$ref.split('/').pop()] : h;
    if (header.required) expect(a.headers.get(name), `${what}: header ${name}`).toBeTruthy();
  }
  if (!response.content) {
    expect(a.text, `${what} has no body`).toBe('');
    return;
  }
  const mediaType = (a.headers.get('content-type') ?? '').split(';', 1)[0]!.trim();
  const declared = Object.keys(response.content).map((t) => t.split(';', 1)[0]!.trim());
  expect(declared, `${what}: content type`).toContain(mediaType);
  const schema = response.content[Object.keys(response.content)[declared.indexOf(mediaType)]!].schema;
  const name = componentName(schema);
  if (!name) {
    // Text bodies (pages, scripts, metrics) are described as strings inline.
    expect(schema).toEqual(jsonSchemaOf(z.string(), 'output'));
    expect(a.text.length).toBeGreaterThan(0);
    return;
  }
  const component = components.all().get(name);
  expect(component, `component ${name}`).toBeDefined();
  expect(doc.components.schemas[name]).toEqual(jsonSchemaOf(component!.schema, component!.io));
  const body: unknown = JSON.parse(a.text);
  const parsed = component!.schema.safeParse(body);
  expect(parsed.success, `${what}: body matches ${name}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues)}\n${a.text.slice(0, 500)}`).toBe(true);
  expect(parsed.data, `${what}: no properties beyond ${name}'s`).toEqual(body);
}

const key = 'oa base/with space%';

describe('live answers conform to the OpenAPI document', () => {
  it('hosts, namespaces', async () => {
    expect((await call('GET', ROUTES.listHosts.path)).status).toBe(200);
    expect((await call('GET', ROUTES.getHost.path, { host })).status).toBe(200);
    expect((await call('GET', ROUTES.getHost.path, { host: 'no-such-host' })).status).toBe(404);
    expect((await call('GET', ROUTES.getHost.path, { host: 'Bad_Host' })).status).toBe(400);
    expect((await call('GET', PENDING_ROUTES.listNamespaces.path, { host: 'no-such-host' })).status).toBe(404);
  });

  it('a snapshot\'s whole life, with its errors', async () => {
    const s = (k?: string) => ({ ns, host, ...(k === undefined ? {} : { key: k }) });
    expect((await call('POST', ROUTES.createSnapshot.path, s(), { body: { key, labels: { a: '1' } } })).status).toBe(201);
    expect((await call('POST', ROUTES.createSnapshot.path, s(), { body: { key } })).status).toBe(409);
    expect((await call('POST', ROUTES.createSnapshot.path, s(), { body: { key: 'x', colour: 'red' } })).status).toBe(400);
    expect((await postOversized(ROUTES.createSnapshot.path, s())).status).toBe(413);
    expect((await call('GET', ROUTES.statSnapshot.path, s(key))).status).toBe(200);
    expect((await call('GET', ROUTES.statSnapshot.path, s('missing'))).status).toBe(404);
    expect((await call('GET', ROUTES.snapshotMounts.path, s(key))).status).toBe(200);
    expect((await call('GET', ROUTES.snapshotUsage.path, s(key))).status).toBe(200); // active: measured by a job
    expect((await call('POST', ROUTES.commitSnapshot.path, s(key), { body: { name: 'oa-layer' } })).status).toBe(201);
    expect((await call('POST', ROUTES.commitSnapshot.path, s('missing'), { body: { name: 'n' } })).status).toBe(404);
    expect((await call('GET', ROUTES.snapshotUsage.path, s('oa-layer'))).status).toBe(200); // committed: from MySQL
    expect((await call('GET', ROUTES.snapshotMounts.path, s('oa-layer'))).status).toBe(412);
    expect((await call('PATCH', ROUTES.updateSnapshot.path, s('oa-layer'), { body: { labels: { b: '2' }, fieldpaths: ['labels.b'] } })).status).toBe(200);
    expect((await call('POST', ROUTES.createSnapshot.path, s(), { body: { key: 'oa-child', parent: 'oa-layer', kind: 'view' } })).status).toBe(201);
    expect((await call('DELETE', ROUTES.removeSnapshot.path, s('oa-layer'))).status).toBe(412);
    expect((await call('GET', ROUTES.walkSnapshots.path, s(), { query: `?filter=${encodeURIComponent('kind==committed')}&limit=1` })).status).toBe(200);
    expect((await call('GET', ROUTES.walkSnapshots.path, s(), { query: '?limit=0' })).status).toBe(400);
    expect((await call('GET', PENDING_ROUTES.listNamespaces.path, { host })).status).toBe(200);
    expect((await call('DELETE', ROUTES.removeSnapshot.path, s('oa-child'))).status).toBe(204);
    const steps = [{ op: 'prepare', key: 'oa-b' }, { op: 'commit', key: 'oa-b', name: 'oa-b-layer', labels: { c: '3' } }, { op: 'remove', key: 'oa-b-layer' }];
    expect((await call('POST', ROUTES.runBatch.path, s(), { body: { steps } })).status).toBe(200);
    // A failing step is still a 200: its error is in the answer's `failed`.
    expect(JSON.parse((await call('POST', ROUTES.runBatch.path, s(), { body: { steps: [{ op: 'remove', key: 'missing' }] } })).text)).toMatchObject({ failed: { step: 0 } });
    expect((await call('POST', ROUTES.runBatch.path, s(), { body: { steps: [] } })).status).toBe(400);
  });

  it('202 with Location, and the job it points to', async () => {
    const accepted = await call('POST', ROUTES.createSnapshot.path, { ns, host }, { body: { key: 'oa-async' }, headers: { prefer: 'respond-async', 'idempotency-key': 'oa-async-1' } });
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location')!;
    expect(location).toBe(routePath(ROUTES.getJob.path, { host, jobId: accepted.headers.get('x-job-id')! }));
    const jobId = decodeURIComponent(location.split('/').pop()!);
    for (let i = 0; i < 100; i++) {
      const job = await call('GET', ROUTES.getJob.path, { host, jobId });
      if (JSON.parse(job.text).state === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await call('GET', ROUTES.getJob.path, { host, jobId: 'no-such-job' })).status).toBe(404);
    expect((await call('POST', ROUTES.cleanupHost.path, { host })).status).toBe(200);
    expect((await call('POST', ROUTES.fsckHost.path, { host })).status).toBe(200);
  });

  it('a host that is not registered: 503', async () => {
    expect((await call('DELETE', ROUTES.removeSnapshot.path, { ns, host: 'nohost', key: 'k' })).status).toBe(503);
  });

  it('tokens: create, list, revoke; 401, 403 and 429 as documented', async () => {
    const made = await call('POST', ROUTES.createToken.path, {}, { body: { name: 'oa reader', namespaces: [ns], scopes: ['read'] } });
    expect(made.status).toBe(201);
    const { token, info } = JSON.parse(made.text) as { token: string; info: { id: string } };
    expect((await call('POST', ROUTES.createToken.path, {}, { body: { name: 'x', namespaces: ['bad ns'], scopes: ['read'] } })).status).toBe(400);
    expect((await call('GET', ROUTES.listTokens.path)).status).toBe(200);
    const asReader = { headers: { authorization: `Bearer ${token}` } };
    expect((await call('GET', ROUTES.walkSnapshots.path, { ns, host }, asReader)).status).toBe(200);
    expect((await call('GET', ROUTES.walkSnapshots.path, { ns: 'other', host }, asReader)).status).toBe(403);
    expect((await call('GET', ROUTES.listHosts.path, {}, asReader)).status).toBe(403);
    expect((await call('GET', ROUTES.listHosts.path, {}, { headers: { authorization: '' } })).status).toBe(401);
    // Over the rate limit (burst 300 at 10/s): 429 with Retry-After.
    const statuses = await Promise.all(
      Array.from({ length: 600 }, () => fetch(`${api}${routePath(ROUTES.statSnapshot.path, { ns, host, key: 'missing' })}`, asReader).then((r) => r.status)),
    );
    expect(statuses.filter((st) => st === 429).length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1100));
    let limited: Answer | undefined;
    for (let i = 0; i < 600 && !limited; i++) {
      const a = await fetch(`${api}${routePath(ROUTES.statSnapshot.path, { ns, host, key: 'missing' })}`, asReader);
      if (a.status === 429) limited = { status: 429, headers: a.headers, text: await a.text() };
      else await a.arrayBuffer();
    }
    expect(limited, 'a 429 after the burst').toBeDefined();
    conforms('GET', ROUTES.statSnapshot.path, limited!);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await call('DELETE', ROUTES.revokeToken.path, { tokenId: info.id })).status).toBe(204);
    expect((await call('DELETE', ROUTES.revokeToken.path, { tokenId: '0123456789abcdef' })).status).toBe(404);
    expect((await call('DELETE', ROUTES.revokeToken.path, { tokenId: 'nope' })).status).toBe(400);
    expect((await call('GET', ROUTES.walkSnapshots.path, { ns, host }, asReader)).status).toBe(401);
  });

  it('health, metrics, docs, pages and the dashboard', async () => {
    expect((await call('GET', P.live)).status).toBe(200);
    expect((await call('GET', P.ready)).status).toBe(200);
    expect((await call('GET', P.metrics)).status).toBe(200);
    expect((await call('GET', P.openapi)).status).toBe(200);
    expect((await call('GET', P.docs)).status).toBe(200);
    expect((await call('GET', P.ui)).status).toBe(200);
    expect((await call('GET', P.asset, { file: 'fleet.js' })).status).toBe(200);
    expect((await call('GET', P.asset, { file: 'nope.js' })).status).toBe(404);
    expect((await call('GET', P.root)).headers.get('location')).toBe(P.ui);
    expect((await call('GET', P.dashboard)).status).toBe(200);
    expect((await call('GET', P.dashboard, {}, { headers: { authorization: '' } })).status).toBe(401);
  });

  it('checked a response of every documented operation', () => {
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    const seen = new Set([...checked].map((c) => c.split(' ').slice(0, 2).join(' ')));
    expect(operations.filter((o) => !seen.has(o))).toEqual([]);
  });
});
