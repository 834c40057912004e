// The batch route end to end, real processes: steps run in order as one job with one op
// record each; a failing step ends the batch with what ran; a bad body changes nothing; an
// Idempotency-Key runs it once; and a batch retried after a transient failure replays the
// steps that already ran instead of running them twice.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { MAX_BATCH_STEPS, type BatchStep } from '@snapfleet/contracts';
import { settledDiff } from '../support/consistency';
import { startFleet, type Fleet } from '../support/fleet';

let fleet: Fleet;
let client: SnapfleetClient;
let host: string;
const ns = 'batch';

beforeAll(async () => {
  // Injected: one transient failure at the first update's commit (see the retry test), and
  // 100 ms more for each of the first views, so a batch of views lasts long enough to show
  // its progress.
  const faults = [
    { point: 'before-commit', op: 'update', action: 'throw' },
    { point: 'after-metadata', op: 'view', action: 'sleep', ms: 100, times: 25 },
  ];
  fleet = await startFleet({ label: 'batch', hosts: 1, apis: 1, workerEnv: { SNAPFLEET_FAULTS: JSON.stringify(faults) } });
  client = new SnapfleetClient({ baseUrl: fleet.apis[0]!.url });
  host = fleet.hosts[0]!.id;
}, 120_000);
afterAll(async () => fleet?.dispose());

const batchPath = () => `/v1/namespaces/${ns}/hosts/${host}/batch`;

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${fleet.apis[0]!.url}${batchPath()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

async function names(): Promise<string[]> {
  const all: string[] = [];
  for await (const s of client.walkAll(ns, host)) all.push(`${s.kind}:${s.name}`);
  return all.sort();
}

async function opIds(prefix: string): Promise<string[]> {
  const rows = await fleet.store.query<{ op_id: string; op: string }[]>(
    'SELECT op_id, op FROM ops WHERE host_id = ? AND op_id LIKE ? ORDER BY op_id',
    [host, `${prefix}%`],
    'test',
  );
  return rows.map((r) => `${r.op_id}:${r.op}`);
}

it('runs the steps in order, each with its own op record, and answers their results', async () => {
  const steps: BatchStep[] = [
    { op: 'prepare', key: 'base-a', labels: { stage: 'base' } },
    { op: 'commit', key: 'base-a', name: 'base' },
    { op: 'prepare', key: 'work', parent: 'base' },
    { op: 'view', key: 'look', parent: 'base' },
    { op: 'remove', key: 'look' },
  ];
  const r = await post({ steps }, { 'idempotency-key': 'first-batch' });
  expect(r.status).toBe(200);
  const body = JSON.parse(r.text) as { results: Array<Record<string, unknown>>; failed?: unknown };
  expect(body.failed).toBeUndefined();
  expect(body.results).toHaveLength(5);
  expect(body.results[0]).toMatchObject({ info: { name: 'base-a', kind: 'active', labels: { stage: 'base' } } });
  expect(body.results[0]!.mounts).toHaveLength(1);
  expect(body.results[1]).toMatchObject({ info: { name: 'base', kind: 'committed' } });
  expect(body.results[2]).toMatchObject({ info: { name: 'work', kind: 'active', parent: 'base' } });
  expect(body.results[3]).toMatchObject({ info: { name: 'look', kind: 'view', parent: 'base' } });
  expect(body.results[4]).toEqual({ removed: true });
  expect(await names()).toEqual(['active:work', 'committed:base']);
  // One op record per step under the batch's job id, so a retry replays them.
  expect(await opIds('idem-first-batch#')).toEqual([
    'idem-first-batch#0:prepare',
    'idem-first-batch#1:commit',
    'idem-first-batch#2:prepare',
    'idem-first-batch#3:view',
    'idem-first-batch#4:remove',
  ]);

  // The same key again: the first answer, and no step runs twice.
  const again = await post({ steps }, { 'idempotency-key': 'first-batch' });
  expect(again.status).toBe(200);
  expect(again.text).toBe(r.text);
  expect(await names()).toEqual(['active:work', 'committed:base']);
  // The job is an ordinary job of the host: pollable, op `batch`.
  const job = await client.getJob(host, 'idem-first-batch');
  expect(job).toMatchObject({ op: 'batch', state: 'completed' });
});

it('a failing step ends the batch: the steps before it stay done, the ones after never run', async () => {
  const r = await client.runBatchAndWait(ns, host, {
    steps: [
      { op: 'prepare', key: 'f1' },
      { op: 'commit', key: 'no-such-key', name: 'f2' },
      { op: 'prepare', key: 'f3' },
    ],
  });
  expect(r.results).toHaveLength(1);
  expect(r.failed).toMatchObject({ step: 1, error: { code: 'not_found' } });
  expect(r.failed?.error.message).toMatch(/no-such-key/);
  expect(await names()).toEqual(['active:f1', 'active:work', 'committed:base']);
  await client.removeSnapshotAndWait(ns, host, 'f1');
});

it('a bad body is refused as a whole with problem+json, and nothing runs', async () => {
  const before = await names();
  const tooMany = Array.from({ length: MAX_BATCH_STEPS + 1 }, (_, i) => ({ op: 'prepare', key: `many-${i}` }));
  const bad: unknown[] = [
    {},
    { steps: [] },
    { steps: tooMany },
    { steps: [{ op: 'prepare', key: 'ok-1' }, { op: 'cleanup' }] },
    { steps: [{ op: 'prepare', key: 'ok-2' }, { op: 'commit', key: 'ok-2' }] },
    { steps: [{ op: 'prepare', key: 'ok-3', color: 'red' }] },
    { steps: [{ op: 'prepare', key: '..' }] },
    { steps: [{ op: 'prepare', key: 'ok-4' }], extra: true },
  ];
  for (const body of bad) {
    const r = await post(body);
    expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(r.text)).toMatchObject({ code: 'invalid_argument', status: 400 });
  }
  expect(await names()).toEqual(before);
});

it('a step that fails transiently fails the attempt; the retry replays the done steps and runs the rest', async () => {
  // The worker throws once at its first update's commit (SNAPFLEET_FAULTS above): an
  // internal error, which BullMQ retries. Step 0 must not run twice (it would be
  // already_exists), and the batch must complete with every step's result.
  const accepted = await client.runBatch(
    ns,
    host,
    {
      steps: [
        { op: 'prepare', key: 'r1' },
        { op: 'update', key: 'r1', labels: { retried: 'yes' } },
        { op: 'commit', key: 'r1', name: 'r1-layer' },
      ],
    },
    { respondAsync: true, idempotencyKey: 'retried-batch' },
  );
  if (accepted.done) throw new Error('expected 202');
  const job = await client.waitForJob(host, accepted.job.id, { timeoutMs: 60_000 });
  expect(job.state).toBe('completed');
  expect(job.attempts).toBeGreaterThanOrEqual(2);
  const result = job.result as { results: Array<{ info: { name: string; labels: Record<string, string> } }>; failed?: unknown };
  expect(result.failed).toBeUndefined();
  expect(result.results.map((x) => x.info.name)).toEqual(['r1', 'r1', 'r1-layer']);
  // The update ran once its retry came; a commit takes only its own labels, as containerd's.
  expect(result.results[1]!.info.labels).toEqual({ retried: 'yes' });
  expect((await client.statSnapshot(ns, host, 'r1-layer')).kind).toBe('committed');
  expect(await opIds('idem-retried-batch#')).toEqual(['idem-retried-batch#0:prepare', 'idem-retried-batch#1:update', 'idem-retried-batch#2:commit']);
  const d = await settledDiff(fleet.store, fleet.hosts[0]!);
  expect(d).toMatchObject({ missingOnDisk: [], orphansOnDisk: [] });
}, 90_000);

it('a long batch reports its progress on the job while it runs', async () => {
  const steps: BatchStep[] = Array.from({ length: 20 }, (_, i) => ({ op: 'view', key: `p-${i}` }));
  const accepted = await client.runBatch(ns, host, { steps }, { respondAsync: true });
  if (accepted.done) throw new Error('expected 202');
  const seen: number[] = [];
  const job = await client.waitForJob(host, accepted.job.id, {
    timeoutMs: 60_000,
    onProgress: (j) => {
      if (j.state === 'active' && j.progress !== undefined) seen.push(j.progress);
    },
  });
  expect(job.state).toBe('completed');
  expect((job.result as { results: unknown[] }).results).toHaveLength(20);
  // About two seconds of steps, reported every 250 ms: several values strictly between.
  const between = seen.filter((p) => p > 0 && p < 100);
  expect(between.length, `progress seen: ${seen.join(', ')}`).toBeGreaterThanOrEqual(2);
  expect([...between].sort((a, b) => a - b)).toEqual(between);
}, 60_000);

it('concurrent batches on the same keys run one after another, never interleaved', async () => {
  // Each batch makes a key and removes it again. Run one at a time (the lease covers the key
  // for the whole batch) every batch finds the key free and completes; interleaved, some
  // would find it taken (already_exists) or gone (not_found).
  const steps: BatchStep[] = [
    { op: 'prepare', key: 'race-x' },
    { op: 'update', key: 'race-x', labels: { by: 'batch' } },
    { op: 'remove', key: 'race-x' },
  ];
  const answers = await Promise.all(Array.from({ length: 10 }, () => client.runBatchAndWait(ns, host, { steps })));
  expect(answers.map((r) => (r.failed ? `failed ${r.failed.step} ${r.failed.error.code}` : 'done'))).toEqual(Array(10).fill('done'));
  expect((await names()).filter((n) => n.includes(':race-'))).toEqual([]);
  const d = await settledDiff(fleet.store, fleet.hosts[0]!);
  expect(d).toMatchObject({ missingOnDisk: [], orphansOnDisk: [] });
}, 90_000);
