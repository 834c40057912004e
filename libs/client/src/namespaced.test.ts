// namespacedHttpClient (containerd's Snapshotter over HTTP) against a real local HTTP server:
// each method sends the right route and body for its host and namespace, waits through 202s,
// unwraps results as the in-process client does, and throws the API's typed errors.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SnapshotInfo, SnapshotterClient } from '@snapfleet/contracts';
import { SnapfleetClient } from './client';
import { namespacedHttpClient } from './namespaced';
import { createResult, info, job, json, problem, startStubApi, type Received, type Reply, type StubApi } from './testing/stub-api';

let api: StubApi;
let sn: SnapshotterClient;
// A fresh server per test: a request a test aborted cannot land in the next test's log.
beforeEach(async () => {
  api = await startStubApi();
  sn = namespacedHttpClient(new SnapfleetClient({ baseUrl: api.url }), { host: 'h1', namespace: 'testsuite' });
});
afterEach(() => api.close());

/** What arrived, as "METHOD path-below-the-namespace" with query and parsed body. */
const sent = (r: Received) => ({
  call: `${r.method} ${r.rawPath.replace('/v1/namespaces/testsuite/hosts/h1', '')}`,
  ...(r.query.size ? { query: Object.fromEntries(r.query) } : {}),
  ...(r.body ? { body: JSON.parse(r.body) as unknown } : {}),
});

describe('namespacedHttpClient', () => {
  it('prepare/view/commit/remove/update send their routes and return what the in-process client returns', async () => {
    const answers: Reply[] = [
      json(201, createResult('a')),
      json(201, createResult('v', { kind: 'view', parent: 'base' })),
      json(201, { info: info('c', { kind: 'committed' }) }),
      json(200, info('c', { kind: 'committed', labels: { x: 'y' } })),
      { status: 204 },
    ];
    api.handle(() => answers.shift()!);
    expect(await sn.prepare('a', '', { labels: { 'containerd.io/gc.root': 't' } })).toEqual(createResult('a'));
    expect((await sn.view('v', 'base')).info).toMatchObject({ kind: 'view', parent: 'base' });
    expect(await sn.commit('c', 'a')).toEqual(info('c', { kind: 'committed' }));
    expect(await sn.update({ name: 'c', labels: { x: 'y' } }, 'labels.x')).toMatchObject({ labels: { x: 'y' } });
    expect(await sn.remove('v')).toBeUndefined();
    expect(api.received.map(sent)).toEqual([
      { call: 'POST /snapshots', body: { key: 'a', kind: 'active', labels: { 'containerd.io/gc.root': 't' } } },
      { call: 'POST /snapshots', body: { key: 'v', kind: 'view', parent: 'base' } },
      { call: 'POST /snapshots/a/commit', body: { name: 'c' } },
      { call: 'PATCH /snapshots/c', body: { labels: { x: 'y' }, fieldpaths: ['labels.x'] } },
      { call: 'DELETE /snapshots/v' },
    ]);
  });

  it('update without labels sends an empty map and no field paths', async () => {
    api.handle(() => json(200, info('c')));
    await sn.update({ name: 'c' });
    expect(api.received.map(sent)).toEqual([{ call: 'PATCH /snapshots/c', body: { labels: {}, fieldpaths: [] } }]);
  });

  it('reads: stat, mounts, usage, walk over every page', async () => {
    api.handle((r) => {
      const last = r.segments.at(-1);
      if (last === 'mounts') return json(200, { mounts: createResult('a').mounts, path: '/p' });
      if (last === 'usage') return json(200, { size: 10, inodes: 1 });
      if (last === 'snapshots') return json(200, r.query.has('after') ? { snapshots: [info('b')] } : { snapshots: [info('a')], next: '1' });
      return json(200, info('a'));
    });
    expect(await sn.stat('a')).toEqual(info('a'));
    expect((await sn.mounts('a')).path).toBe('/p');
    expect(await sn.usage('a')).toEqual({ size: 10, inodes: 1 });
    const walked: SnapshotInfo[] = [];
    for await (const s of sn.walk('kind==active', 'name==b')) walked.push(s);
    expect(walked.map((s) => s.name)).toEqual(['a', 'b']);
    expect(api.received.map(sent).map((s) => s.call)).toEqual([
      'GET /snapshots/a',
      'GET /snapshots/a/mounts',
      'GET /snapshots/a/usage',
      'GET /snapshots',
      'GET /snapshots',
    ]);
    expect(api.received[4]?.query.getAll('filter')).toEqual(['kind==active', 'name==b']);
  });

  it('waits through 202s until the job is done', async () => {
    const j = job({ op: 'cleanup', id: 'op-cl' });
    let polls = 0;
    api.handle((r) => {
      if (r.rawPath === '/v1/hosts/h1/cleanup') return json(202, { job: j }, { location: '/v1/jobs/h1/op-cl' });
      polls++;
      return json(200, polls < 3 ? job({ ...j, state: 'active' }) : job({ ...j, state: 'completed', result: { removed: 4 } }));
    });
    expect(await sn.cleanup()).toEqual({ removed: 4 });
    expect(polls).toBe(3);
  });

  it('passes queue=always and the default namespace when configured so', async () => {
    const fleet = namespacedHttpClient(new SnapfleetClient({ baseUrl: api.url }), { host: 'h1', queue: 'always' });
    api.handle(() => json(201, createResult('a')));
    await fleet.prepare('a');
    expect(api.received[0]?.rawPath).toBe('/v1/namespaces/default/hosts/h1/snapshots');
    expect(api.received[0]?.query.get('queue')).toBe('always');
  });

  it("throws the API's typed errors, sync or from the job", async () => {
    api.handle(() => problem(412, 'failed_precondition', 'snapshot "base" has children'));
    await expect(sn.remove('base')).rejects.toMatchObject({ code: 'failed_precondition', message: 'snapshot "base" has children' });
    const j = job({ op: 'prepare' });
    api.handle((r) =>
      r.method === 'POST' ? json(202, { job: j }) : json(200, job({ ...j, state: 'failed', error: { code: 'invalid_argument', message: 'parent "a" is not committed snapshot' } })),
    );
    await expect(sn.prepare('x', 'a')).rejects.toMatchObject({ code: 'invalid_argument' });
    api.handle(() => problem(404, 'not_found', 'snapshot "gone" not found'));
    await expect(sn.stat('gone')).rejects.toMatchObject({ code: 'not_found' });
  });
});
