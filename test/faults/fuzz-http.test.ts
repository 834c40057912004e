// 10,000+ generated bad requests to the HTTP API, sent as raw bytes: malformed JSON, wrong
// types, bodies over the limit, bad UTF-8, NUL bytes, path-like keys, 64 KiB keys, label
// bombs, invalid filters, unknown routes and methods, bad idempotency keys, bad query values.
// Every answer is a typed 4xx problem (never a 5xx), and nothing changes: snapshot rows,
// subvolumes and queued jobs are the same before and after.
import { request } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SnapfleetClient } from '@snapfleet/client';
import { ERROR_CODES, QUEUE_PREFIX, queueName } from '@snapfleet/contracts';
import { diffHost } from '../support/consistency';
import { REDIS_URL, startFleet, type Fleet } from '../support/fleet';
import { rng } from '../support/op-stream';
import { clearReliability, compareRows, recordReliability } from '../support/reliability';

const TOTAL = 10_000;
const ADMIN = `fuzz-admin-${'f'.repeat(24)}`;
let fleet: Fleet;
let host: string;
let base: string;
const ns = 'fuzz';

beforeAll(async () => {
  clearReliability('fuzz-http');
  // Auth on, every request with the admin token: the bad input must reach validation.
  fleet = await startFleet({ label: 'fuzz', hosts: 1, apis: 1, apiEnv: { SNAPFLEET_AUTH: 'on', SNAPFLEET_ADMIN_TOKEN: ADMIN, SNAPFLEET_RATE_LIMIT: '0' } });
  host = fleet.hosts[0]!.id;
  base = fleet.apis[0]!.url;
  const c = new SnapfleetClient({ baseUrl: base, token: ADMIN });
  await c.createSnapshotAndWait(ns, host, { key: 'a' });
  await c.commitSnapshotAndWait(ns, host, 'a', { name: 'base' });
  await c.createSnapshotAndWait(ns, host, { key: 'child', parent: 'base' });
}, 120_000);
afterAll(async () => fleet?.dispose());

interface Raw {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/**
 * Sends raw bytes and reads the answer. A body goes behind `Expect: 100-continue`, so a
 * server refusing it by its headers (413) answers before the body is on the wire; a socket
 * error after the answer arrived (the server closing a refused request) is not a failure.
 */
function send(r: Raw): Promise<{ status: number; type: string; body: string }> {
  const u = new URL(base);
  return new Promise((resolve) => {
    let answered = false;
    const headers: Record<string, string | number> = { connection: 'close', authorization: `Bearer ${ADMIN}`, ...r.headers };
    if (r.body !== undefined) {
      headers['content-length'] = Buffer.byteLength(r.body);
      headers.expect = '100-continue';
    }
    const req = request({ host: u.hostname, port: u.port, method: r.method, path: r.path, headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => undefined);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('continue', () => req.end(r.body));
    req.on('error', (err: Error) => {
      if (!answered) resolve({ status: 0, type: 'none', body: `no answer: ${err.message}` });
    });
    if (r.body === undefined) req.end();
  });
}

const SNAPS = `/v1/namespaces/${ns}/hosts`;
const json = (v: unknown) => ({ 'content-type': 'application/json', body: JSON.stringify(v) });

/** One generator per class of bad input; each returns a request that must be refused. */
function generators(host: string): Array<[string, (r: () => number) => Raw]> {
  const pick = <T,>(r: () => number, xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const junk = (r: () => number, n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
  const snapPath = `${SNAPS}/${host}/snapshots`;
  return [
    ['malformed JSON', (r) => ({ method: 'POST', path: snapPath, headers: { 'content-type': 'application/json' }, body: pick(r, ['{', '{"key":', '[1,2', 'nul', '{"key":"a",}', '\u0000', '{"key":"a"}}', '"x"']) })],
    ['wrong types', (r) => {
      const b = json(pick(r, [{ key: 5 }, { key: null }, { key: ['a'] }, { key: 'x', labels: 'nope' }, { key: 'x', labels: { a: 1 } }, { key: 'x', kind: 'committed' }, { key: 'x', parent: 7 }, {}, [], 'str', 42]));
      return { method: 'POST', path: snapPath, headers: { 'content-type': b['content-type'] }, body: b.body };
    }],
    ['unknown fields', () => ({ method: 'POST', path: snapPath, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'x', evil: true }) })],
    ['body over the limit', () => ({ method: 'POST', path: snapPath, headers: { 'content-type': 'application/json' }, body: `{"key":"x","labels":{"a":"${'v'.repeat(1_100_000)}"}}` })],
    // 0xF8–0xFF never occur in UTF-8, so each such body is invalid whatever the other bytes.
    ['bad UTF-8 in body', (r) => ({ method: 'POST', path: snapPath, headers: { 'content-type': 'application/json' }, body: Buffer.concat([Buffer.from('{"key":"'), junk(r, 6).map((b) => b | 0x80), Buffer.from([0xf8 | Math.floor(r() * 8)]), Buffer.from('"}')]) })],
    ['bad UTF-8 in path', () => ({ method: 'GET', path: `${snapPath}/%C3%28%A0%A1` })],
    ['NUL in key', () => ({ method: 'GET', path: `${snapPath}/a%00b` })],
    ['NUL in body key', () => ({ method: 'POST', path: snapPath, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'a\u0000b' }) })],
    ['path-like keys', (r) => ({ method: pick(r, ['GET', 'DELETE']), path: `${snapPath}/${pick(r, ['..%2F..%2Fx', '%2E%2E', '.', '%2e', '..'])}` })],
    ['64 KiB key', (r) => ({ method: pick(r, ['GET', 'DELETE']), path: `${snapPath}/${'k'.repeat(64 * 1024)}` })],
    ['5,000-byte key in body', () => ({ method: 'POST', path: snapPath, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'k'.repeat(5000) }) })],
    ['label bomb', (r) => ({ method: 'POST', path: snapPath, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'x', labels: Object.fromEntries(Array.from({ length: 300 + Math.floor(r() * 2000) }, (_, i) => [`l${i}`, 'v'])) }) })],
    ['label over size', () => ({ method: 'PATCH', path: `${snapPath}/base`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ labels: { k: 'v'.repeat(5000) } }) })],
    ['invalid filters', (r) => ({ method: 'GET', path: `${snapPath}?filter=${encodeURIComponent(pick(r, ['kind==', '==x', 'labels.', 'name~=/(/', 'a==b ,c', '"unterminated', 'name==/x/']))}` })],
    ['bad query values', (r) => ({ method: 'GET', path: `${snapPath}?${pick(r, ['limit=0', 'limit=-1', 'limit=abc', 'limit=100000', 'after=x', 'after=-5'])}` })],
    ['bad wait', (r) => ({ method: 'DELETE', path: `${snapPath}/nothing-here?${pick(r, ['wait=-1', 'wait=abc', 'wait=100000', 'queue=sometimes'])}` })],
    ['unknown routes', (r) => ({ method: 'GET', path: pick(r, ['/v1/nothing', '/v2/hosts', `/v1/namespaces/${ns}/hosts/${host}/snapshots/base/explode`, '/v1/jobs', `/v1/hosts/${host}/reboot`]) })],
    ['unknown methods', (r) => ({ method: pick(r, ['PUT', 'PATCH', 'DELETE']), path: pick(r, ['/v1/hosts', `/v1/hosts/${host}`, `/v1/jobs/${host}/x`]) })],
    ['unknown ops on a snapshot', (r) => ({ method: 'POST', path: `${snapPath}/base/${pick(r, ['rollback', 'mount', 'clone'])}`, headers: { 'content-type': 'application/json' }, body: '{}' })],
    ['bad idempotency keys', (r) => ({ method: 'POST', path: snapPath, headers: { 'content-type': 'application/json', 'idempotency-key': pick(r, ['a b', 'x'.repeat(200), 'ü', 'a/b', '']) }, body: JSON.stringify({ key: `idem-${Math.floor(r() * 1e9)}` }) })],
    ['bad namespaces', (r) => ({ method: 'GET', path: `/v1/namespaces/${pick(r, ['a%20b', '-x', 'x'.repeat(80), '%2E', 'a..b'])}/hosts/${host}/snapshots` })],
    ['bad hosts', (r) => ({ method: 'GET', path: `/v1/namespaces/${ns}/hosts/${pick(r, ['UPPER', '-x', 'x'.repeat(70), 'a_b'])}/snapshots` })],
    ['bad or missing tokens', (r) => ({
      method: pick(r, ['GET', 'POST', 'DELETE']),
      path: pick(r, [snapPath, `${snapPath}/base`, '/v1/hosts', '/v1/tokens']),
      headers: { authorization: pick(r, ['', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `Bearer ${ADMIN}x`, 'Bearer sf1_0123456789abcdef_' + 'A'.repeat(43), `Bearer sf1_${'g'.repeat(16)}_x`, 'Bearer \u00ff']) },
    })],
    ['wrong content type', () => ({ method: 'POST', path: snapPath, headers: { 'content-type': 'text/plain' }, body: '{"key":"x"}' })],
    ['semantic errors', (r) => pick(r, [
      { method: 'POST', path: snapPath, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'x', parent: 'child' }) },
      { method: 'POST', path: `${snapPath}/missing/commit`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'n' }) },
      { method: 'DELETE', path: `${snapPath}/base` },
      { method: 'POST', path: snapPath, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'base' }) },
      { method: 'GET', path: `${snapPath}/base/mounts` },
    ])],
  ];
}

async function snapshotOfState() {
  const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const q = new Queue(queueName(host), { connection: conn, prefix: QUEUE_PREFIX });
  try {
    const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const diff = await diffHost(fleet.store, fleet.hosts[0]!);
    const rows = await fleet.store.query('SELECT id, kind, HEX(skey) k, labels, updated_at FROM snapshots ORDER BY id', [], 'fuzz');
    return { counts, diff, rows };
  } finally {
    await q.close();
    conn.disconnect();
  }
}

it(`${TOTAL.toLocaleString('en')} bad requests: typed 4xx problems only, no state change`, async () => {
  const before = await snapshotOfState();
  const gens = generators(host);
  const random = rng(9457);
  const byClass = new Map<string, number>();
  const bad: string[] = [];
  /** Every answer that was not a typed 4xx problem (`bad` keeps only the first 20), and any 2xx. */
  let badAnswers = 0;
  let accepted = 0;
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= TOTAL) return;
      const [name, gen] = gens[i % gens.length]!;
      const req = gen(random);
      const res = await send(req);
      byClass.set(name, (byClass.get(name) ?? 0) + 1);
      const problem = /application\/problem\+json/.test(res.type) ? (JSON.parse(res.body) as { code?: string; status?: number }) : undefined;
      const ok = res.status >= 400 && res.status < 500 && problem !== undefined && ERROR_CODES.includes(problem.code as never) && problem.status === res.status;
      if (res.status >= 200 && res.status < 300) accepted++;
      if (!ok) {
        badAnswers++;
        if (bad.length < 20) bad.push(`${name}: ${req.method} ${req.path.slice(0, 120)} → ${res.status} ${res.type} ${res.body.slice(0, 200)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  const after = await snapshotOfState();
  const rows = compareRows(before.rows as { id: number }[], after.rows as { id: number }[]);
  recordReliability({
    id: 'fuzz-http',
    fault: `Bad HTTP requests (${byClass.size} classes, sent as raw bytes)`,
    injected: [...byClass.values()].reduce((a, b) => a + b, 0),
    unit: 'requests',
    acknowledged: accepted,
    lost: rows.goneOrChanged,
    duplicated: rows.added,
    inconsistent: badAnswers + Number(!isDeepStrictEqual(after.counts, before.counts)) + Number(!isDeepStrictEqual(after.diff, before.diff)),
    command: 'npx vitest run test/faults/fuzz-http.test.ts',
    notes:
      'Each request (all but the bad-token class carry the admin token, so the bad input reaches validation) must be answered with a typed 4xx problem+json (a known error code, status matching), never a 5xx, a 2xx or no answer; ' +
      'snapshot rows, subvolumes and queued jobs must be the same before and after. ' +
      `Requests per class: ${gens.map(([k]) => `${k} ${byClass.get(k) ?? 0}`).join(', ')}. ` +
      'Acknowledged: requests answered 2xx. Lost: snapshot rows gone or changed. Duplicated: snapshot rows added. ' +
      'Inconsistent: answers that were not a typed 4xx problem, plus a change in queued jobs or in rows vs subvolumes on disk.',
  });
  expect(bad).toEqual([]);
  expect([...byClass.values()].reduce((a, b) => a + b, 0)).toBe(TOTAL);
  expect(after).toEqual(before);
}, 600_000);
