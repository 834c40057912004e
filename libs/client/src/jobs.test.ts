// Waiting for jobs against a real local HTTP server: polling until completed or failed,
// progress reports, the typed error of a failed job, time limits, transient poll failures,
// and the *AndWait methods turning a 202 into the route's value.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnapfleetError, type JobView } from '@snapfleet/contracts';
import { SnapfleetClient } from './client';
import { createResult, info, job, json, problem, startStubApi, type Received, type Reply, type StubApi } from './testing/stub-api';

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

/** Answers GET /v1/jobs/… with the views in turn (the last one repeats); `first` answers the rest. */
function jobSequence(views: (JobView | Reply)[], first?: (r: Received) => Reply): void {
  let i = 0;
  api.handle((r) => {
    if (r.method === 'GET' && r.segments[1] === 'jobs') {
      const v = views[Math.min(i++, views.length - 1)]!;
      return 'state' in v ? json(200, v) : v;
    }
    return first ? first(r) : json(500, { message: 'unexpected' });
  });
}

const polls = () => api.received.filter((r) => r.segments[1] === 'jobs');

describe('waitForJob', () => {
  it('polls until completed and reports each change of state or progress', async () => {
    const base = { id: 'op-7', host: 'h1', op: 'commit' as const };
    jobSequence([
      job({ ...base, state: 'waiting' }),
      job({ ...base, state: 'active', progress: 0 }),
      job({ ...base, state: 'active', progress: 0 }),
      job({ ...base, state: 'active', progress: 60 }),
      job({ ...base, state: 'completed', progress: 100, result: { info: info('n') } }),
    ]);
    const seen: string[] = [];
    const done = await client.waitForJob('h1', 'op-7', { onProgress: (j) => seen.push(`${j.state}:${j.progress ?? '-'}`), requestId: 'r-1' });
    expect(done.state).toBe('completed');
    expect(seen).toEqual(['waiting:-', 'active:0', 'active:60', 'completed:100']);
    expect(polls()).toHaveLength(5);
    for (const r of polls()) {
      expect(r.rawPath).toBe('/v1/jobs/h1/op-7');
      expect(r.headers['x-request-id']).toBe('r-1');
    }
  });

  it("a failed job throws its typed error with the job's identity", async () => {
    jobSequence([
      job({ state: 'active' }),
      job({ state: 'failed', attempts: 1, error: { code: 'failed_precondition', message: 'cannot remove "base": snapshot has children', details: { key: 'base' } } }),
    ]);
    const err = await caught(client.waitForJob('h1', 'op-1'));
    expect(err).toMatchObject({ code: 'failed_precondition', message: 'cannot remove "base": snapshot has children', details: { host: 'h1', jobId: 'op-1', key: 'base' } });
  });

  it('a failed job without an error is internal', async () => {
    jobSequence([job({ state: 'failed' })]);
    expect((await caught(client.waitForJob('h1', 'op-1'))).code).toBe('internal');
  });

  it('gives up after timeoutMs with unavailable, naming the job and its last state', async () => {
    jobSequence([job({ state: 'active', progress: 5 })]);
    const started = Date.now();
    const err = await caught(client.waitForJob('h1', 'op-1', { timeoutMs: 400 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err).toMatchObject({ code: 'unavailable', details: { host: 'h1', jobId: 'op-1', state: 'active' } });
    expect(err.message).toBe('job op-1 on host h1 did not finish within 400 ms (last state: active)');
    // Backoff: a handful of polls, not a busy loop.
    expect(polls().length).toBeGreaterThan(2);
    expect(polls().length).toBeLessThan(12);
  });

  it('keeps polling through transient unavailability of the API', async () => {
    jobSequence([
      problem(503, 'unavailable', 'replica restarting'),
      { status: 502, text: 'bad gateway' },
      job({ state: 'completed', result: createResult('k') }),
    ]);
    expect((await client.waitForJob('h1', 'op-1')).state).toBe('completed');
    expect(polls()).toHaveLength(3);
  });

  it('other poll errors end the wait at once', async () => {
    jobSequence([problem(404, 'not_found', 'job op-1 not found on host h1')]);
    expect(await caught(client.waitForJob('h1', 'op-1'))).toMatchObject({ code: 'not_found', message: 'job op-1 not found on host h1' });
    jobSequence([job({ state: 'unknown' })]);
    expect((await caught(client.waitForJob('h1', 'op-1'))).code).toBe('not_found');
  });

  it('stops when the caller aborts', async () => {
    jobSequence([job({ state: 'active' })]);
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(new Error('enough')), 150);
    await expect(client.waitForJob('h1', 'op-1', { signal: ctrl.signal })).rejects.toThrow('enough');
  });
});

describe('mutations that wait', () => {
  const accepted = (j: JobView) => json(202, { job: j }, { location: `/v1/jobs/${j.host}/${j.id}` });

  it('createSnapshotAndWait: 2xx is returned as is, 202 waits for the job result', async () => {
    api.handle(() => json(201, createResult('k')));
    expect(await client.createSnapshotAndWait('default', 'h1', { key: 'k' })).toEqual(createResult('k'));

    const j = job({ id: 'idem-abc', op: 'view' });
    jobSequence([job({ ...j, state: 'active' }), job({ ...j, state: 'completed', result: createResult('k', { kind: 'view' }) })], () => accepted(j));
    const seen: string[] = [];
    const r = await client.createSnapshotAndWait('default', 'h1', { key: 'k', kind: 'view' }, { idempotencyKey: 'abc', respondAsync: true, onProgress: (v) => seen.push(v.state) });
    expect(r.info.kind).toBe('view');
    expect(seen).toEqual(['waiting', 'active', 'completed']);
    expect(polls().map((p) => p.rawPath)).toEqual(['/v1/jobs/h1/idem-abc', '/v1/jobs/h1/idem-abc']);
  });

  it('each route maps its job result to its own answer', async () => {
    const done = (op: JobView['op'], result: unknown) => {
      const j = job({ op, id: `op-${op}` });
      jobSequence([job({ ...j, state: 'completed', result })], () => accepted(j));
    };
    done('commit', { info: info('n', { kind: 'committed' }) });
    expect(await client.commitSnapshotAndWait('default', 'h1', 'k', { name: 'n' })).toEqual({ info: info('n', { kind: 'committed' }) });
    // The update job returns {info}; PATCH answers the info itself.
    done('update', { info: info('k', { labels: { a: 'b' } }) });
    expect(await client.updateSnapshotAndWait('default', 'h1', 'k', { labels: { a: 'b' } })).toEqual(info('k', { labels: { a: 'b' } }));
    done('remove', { removed: true });
    expect(await client.removeSnapshotAndWait('default', 'h1', 'k')).toBeUndefined();
    done('cleanup', { removed: 2 });
    expect(await client.cleanupHostAndWait('h1')).toEqual({ removed: 2 });
    done('usage', { size: 4096, inodes: 3 });
    expect(await client.snapshotUsage('default', 'h1', 'k')).toEqual({ size: 4096, inodes: 3 });
  });

  it('a failed job surfaces as the typed error of the call', async () => {
    const j = job({ op: 'commit' });
    jobSequence([job({ ...j, state: 'failed', error: { code: 'already_exists', message: 'snapshot "n" already exists' } })], () => accepted(j));
    expect(await caught(client.commitSnapshotAndWait('default', 'h1', 'k', { name: 'n' }))).toMatchObject({ code: 'already_exists', message: 'snapshot "n" already exists' });
  });

  it('a malformed job result, or a job of another op, is internal', async () => {
    const j = job({ op: 'commit' });
    jobSequence([job({ ...j, state: 'completed', result: { info: { name: 'n' } } })], () => accepted(j));
    expect((await caught(client.commitSnapshotAndWait('default', 'h1', 'k', { name: 'n' }))).message).toMatch(/job op-1 on host h1 completed with a malformed result: info\.kind/);
    const other = job({ op: 'remove' });
    jobSequence([job({ ...other, state: 'completed', result: { removed: true } })], () => accepted(other));
    expect((await caught(client.commitSnapshotAndWait('default', 'h1', 'k', { name: 'n' }, { idempotencyKey: 'reused' }))).message).toMatch(/is a remove job, expected commit/);
  });

  it('settle() finishes a 202 the caller chose to look at first', async () => {
    const j = job({ op: 'cleanup', id: 'op-c' });
    jobSequence([job({ ...j, state: 'completed', result: { removed: 9 } })], () => accepted(j));
    const pending = await client.cleanupHost('h1', { respondAsync: true });
    expect(pending.done).toBe(false);
    expect(await client.settle('cleanupHost', pending, { jobTimeoutMs: 5_000 })).toEqual({ removed: 9 });
  });

  it('jobTimeoutMs bounds the wait after a 202; timeoutMs stays per request', async () => {
    const j = job({ op: 'remove' });
    jobSequence([job({ ...j, state: 'active' })], () => accepted(j));
    const err = await caught(client.removeSnapshotAndWait('default', 'h1', 'k', { jobTimeoutMs: 300, timeoutMs: 60_000 }));
    expect(err.message).toMatch(/did not finish within 300 ms/);
  });
});
