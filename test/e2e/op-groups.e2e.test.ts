// Op groups end to end, real processes: while the API's job slot for a host is taken,
// concurrent single-op requests leave together as one `group` job, and each still answers
// for its own op alone — its result, its typed error, its 202 with a job id of its own that
// polls to its own outcome — and a group retried after a transient failure replays the steps
// that took effect instead of running them twice.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { settledDiff } from '../support/consistency';
import { recordReliability } from '../support/reliability';
import { startFleet, type Fleet } from '../support/fleet';

const FAST_STALLS = { SNAPFLEET_JOB_LOCK_MS: '2000', SNAPFLEET_STALLED_INTERVAL_MS: '1000', SNAPFLEET_LOCK_TTL_MS: '1000' };

let fleet: Fleet;
let client: SnapfleetClient;
let host: string;
const ns = 'groups';

beforeAll(async () => {
  // Views sleep 1.5 s after their metadata step: a view holds the API's one job slot long
  // enough for the ops sent meanwhile to wait and leave as a group. The first update fails
  // once at its commit (an internal error, retried).
  const faults = [
    { point: 'after-metadata', op: 'view', action: 'sleep', ms: 1500, times: 20 },
    { point: 'before-commit', op: 'update', action: 'throw' },
  ];
  fleet = await startFleet({
    label: 'groups',
    hosts: 1,
    apis: 1,
    // Lost jobs are noticed within seconds (the SIGKILL test), by every worker of the host.
    workerEnv: { ...FAST_STALLS, SNAPFLEET_FAULTS: JSON.stringify(faults) },
    apiEnv: { SNAPFLEET_GROUP_SLOTS: '1' },
  });
  client = new SnapfleetClient({ baseUrl: fleet.apis[0]!.url });
  host = fleet.hosts[0]!.id;
}, 120_000);
afterAll(async () => fleet?.dispose());

let holders = 0;

/** Runs `fn` while a slow view holds the API's only job slot for the host. */
async function whileSlotTaken<T>(fn: () => Promise<T>): Promise<T> {
  const holder = client.createSnapshotAndWait(ns, host, { key: `holder-${holders++}`, kind: 'view' });
  // The holder's request reaches the API and takes the slot first.
  await new Promise((r) => setTimeout(r, 150));
  try {
    return await fn();
  } finally {
    await holder;
  }
}

/** Op records of grouped steps (`<group job id>#<step>`), as `op key` by group. */
async function groupedOps(): Promise<Map<string, string[]>> {
  const rows = await fleet.store.query<{ op_id: string; op: string }[]>(
    "SELECT op_id, op FROM ops WHERE host_id = ? AND op_id LIKE 'op-%#%' ORDER BY op_id",
    [host],
    'test',
  );
  const groups = new Map<string, string[]>();
  for (const r of rows) {
    const [group] = r.op_id.split('#');
    groups.set(group!, [...(groups.get(group!) ?? []), r.op]);
  }
  return groups;
}

/** The first line of the host worker's log that `match` accepts (the log is written asynchronously). */
async function workerLogLine(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const file = join(fleet.logs, (await readdir(fleet.logs)).find((f) => f.startsWith('worker-'))!);
  for (let i = 0; i < 50; i++) {
    for (const text of (await readFile(file, 'utf8')).split('\n')) {
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      if (match(line)) return line;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no matching line in ${file}`);
}

const codeOf = (err: unknown) => (err as { code?: string }).code ?? String(err);

it('ops sent while the slot is taken share a job, and each answers for its own op', async () => {
  await client.createSnapshotAndWait(ns, host, { key: 'taken' });
  const before = await groupedOps();
  const answers = await whileSlotTaken(() =>
    Promise.allSettled([
      ...Array.from({ length: 8 }, (_, i) => client.createSnapshotAndWait(ns, host, { key: `g-${i}`, labels: { i: String(i) } }, { requestId: `grp-req-${i}` })),
      client.createSnapshotAndWait(ns, host, { key: 'taken' }),
      client.commitSnapshotAndWait(ns, host, 'no-such-key', { name: 'never' }),
      client.removeSnapshotAndWait(ns, host, 'taken'),
    ]),
  );
  for (const [i, a] of answers.slice(0, 8).entries()) {
    expect(a.status, `prepare g-${i}`).toBe('fulfilled');
    const r = (a as PromiseFulfilledResult<{ info: { name: string; labels: Record<string, string> } }>).value;
    expect(r.info).toMatchObject({ name: `g-${i}`, labels: { i: String(i) } });
  }
  // Steps on one key run in the order they came: the prepare of `taken` before its remove.
  expect(answers[8]!.status).toBe('rejected');
  expect(codeOf((answers[8] as PromiseRejectedResult).reason)).toBe('already_exists');
  expect(answers[9]!.status).toBe('rejected');
  expect(codeOf((answers[9] as PromiseRejectedResult).reason)).toBe('not_found');
  expect(answers[10]!.status).toBe('fulfilled');

  // They went in group jobs: fewer jobs than ops, one op record per step that took effect.
  const after = await groupedOps();
  const added = [...after.entries()].filter(([id]) => !before.has(id));
  const steps = added.flatMap(([, ops]) => ops);
  expect(steps.filter((op) => op === 'prepare')).toHaveLength(8);
  expect(steps.filter((op) => op === 'remove')).toHaveLength(1);
  expect(added.length).toBeLessThan(9);
  expect(added.some(([, ops]) => ops.length >= 2)).toBe(true);
  const d = await settledDiff(fleet.store, fleet.hosts[0]!);
  expect(d).toMatchObject({ missingOnDisk: [], orphansOnDisk: [] });

  // The worker's line for a group names the request id of each op it carried.
  const line = await workerLogLine((l) => l.op === 'group' && l.msg === 'job done' && String(l.requestIds ?? '').split(',').includes('grp-req-3'));
  expect(added.map(([id]) => id)).toContain(line.jobId);
}, 60_000);

it('many concurrent prepares of one key in groups: exactly one succeeds, the rest already_exists', async () => {
  const answers = await whileSlotTaken(() =>
    Promise.allSettled(Array.from({ length: 20 }, () => client.createSnapshotAndWait(ns, host, { key: 'contended' }))),
  );
  expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
  expect(answers.filter((a) => a.status === 'rejected').map((a) => codeOf((a as PromiseRejectedResult).reason))).toEqual(Array(19).fill('already_exists'));
  const d = await settledDiff(fleet.store, fleet.hosts[0]!);
  expect(d).toMatchObject({ missingOnDisk: [], orphansOnDisk: [] });
}, 60_000);

it('a grouped op whose wait runs out answers 202 with a job id of its own, which polls to its own result', async () => {
  const accepted = await whileSlotTaken(async () => {
    // A slow view of its own: it waits for the slot, leaves in a group, and outlasts its 0.3 s wait.
    const r = await client.createSnapshot(ns, host, { key: 'slow-view', kind: 'view' }, { wait: 0.3 });
    if (r.done) throw new Error('expected 202');
    return r;
  });
  expect(accepted.job.id).toMatch(/^op-[0-9a-f-]{36}\.0$/);
  expect(accepted.job).toMatchObject({ host, op: 'view' });
  expect(accepted.location).toBe(`/v1/jobs/${host}/${accepted.job.id}`);
  const job = await client.waitForJob(host, accepted.job.id, { timeoutMs: 30_000 });
  expect(job).toMatchObject({ id: accepted.job.id, op: 'view', state: 'completed', result: { info: { name: 'slow-view', kind: 'view' } } });

  // A step id of no job, and one past the group's steps: 404 problem+json.
  for (const id of ['op-00000000-0000-4000-8000-000000000000.0', `${accepted.job.id.slice(0, -2)}.7`]) {
    const res = await fetch(`${fleet.apis[0]!.url}/v1/jobs/${host}/${id}`);
    expect(res.status, id).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  }
}, 60_000);

it('a grouped step that fails transiently fails the group; the retry replays the done steps and answers every op', async () => {
  await client.createSnapshotAndWait(ns, host, { key: 'to-label' });
  const before = await groupedOps();
  // The update throws once at its commit (SNAPFLEET_FAULTS above): the group's attempt fails
  // after its prepares took effect; BullMQ retries it, and the prepares must not run again
  // (they would answer already_exists).
  const answers = await whileSlotTaken(() =>
    Promise.all([
      client.createSnapshotAndWait(ns, host, { key: 'rt-1' }),
      client.updateSnapshotAndWait(ns, host, 'to-label', { labels: { retried: 'yes' } }),
      client.createSnapshotAndWait(ns, host, { key: 'rt-2' }),
    ]),
  );
  expect(answers[0].info.name).toBe('rt-1');
  expect(answers[1].labels).toEqual({ retried: 'yes' });
  expect(answers[2].info.name).toBe('rt-2');
  const added = [...(await groupedOps()).entries()].filter(([id]) => !before.has(id));
  expect(added.flatMap(([, ops]) => ops).sort()).toEqual(['prepare', 'prepare', 'update']);
  // The group that carried the update is an ordinary job of the host: op `group`, retried.
  const [retried] = added.filter(([, ops]) => ops.includes('update'));
  expect(await client.getJob(host, retried![0])).toMatchObject({ op: 'group', state: 'completed', attempts: 2 });
  const d = await settledDiff(fleet.store, fleet.hosts[0]!);
  expect(d).toMatchObject({ missingOnDisk: [], orphansOnDisk: [] });
}, 90_000);

it('a group whose worker is SIGKILLed mid-way is run again by the next worker: the steps done replay, the rest run, every op is answered once', async () => {
  const removed = ['kill-x1', 'kill-x2'];
  const made = Array.from({ length: 8 }, (_, i) => `kill-k${i}`);
  for (const key of removed) await client.createSnapshotAndWait(ns, host, { key });
  const h = fleet.hosts[0]!;
  // A worker that dies right after the first remove's commit.
  const faults = [
    { point: 'after-metadata', op: 'view', action: 'sleep', ms: 1500, times: 5 },
    { point: 'after-commit', op: 'remove', action: 'kill' },
  ];
  for (const w of h.workers) await fleet.stop(w, 10_000);
  const doomed = await fleet.startWorker(h.id, { SNAPFLEET_FAULTS: JSON.stringify(faults) });
  // Once it died, a plain worker takes over the host's queue (and the group).
  const replaced = new Promise<void>((resolve, reject) => {
    doomed.once('exit', () => fleet.startWorker(h.id, { SNAPFLEET_FAULTS: '[]' }).then(() => resolve(), reject));
  });
  const before = await groupedOps();
  const answers = await whileSlotTaken(() =>
    Promise.allSettled([
      client.removeSnapshotAndWait(ns, host, removed[0]!),
      ...made.map((key) => client.createSnapshotAndWait(ns, host, { key })),
      client.removeSnapshotAndWait(ns, host, removed[1]!),
    ]),
  );
  await replaced;

  // Measure and record first, then assert: a failing run records its numbers.
  const names = new Set<string>();
  for await (const snap of client.walkAll(ns, host)) names.add(snap.name);
  const acknowledged = answers.filter((a) => a.status === 'fulfilled').length;
  const added = [...(await groupedOps()).entries()].filter(([id]) => !before.has(id));
  const records = added.flatMap(([, ops]) => ops);
  const d = await settledDiff(fleet.store, h);
  recordReliability({
    id: 'killed-worker-group',
    fault: 'Worker SIGKILLed in the middle of a group job (ops of several requests sharing one job)',
    injected: doomed.signalCode === 'SIGKILL' ? 1 : 0,
    unit: 'SIGKILLs',
    acknowledged,
    lost: made.filter((k) => !names.has(k)).length + (answers.length - acknowledged),
    duplicated: removed.filter((k) => names.has(k)).length + Math.max(0, records.length - answers.length),
    inconsistent: d.missingOnDisk.length + d.orphansOnDisk.length,
    command: 'npx vitest run test/e2e/op-groups.e2e.test.ts',
    notes:
      `${answers.length} concurrent single-op requests (${made.length} prepares, ${removed.length} removes) sent while the API's job slot was taken, so they shared group jobs; ` +
      "the worker killed itself right after the first remove's commit and a plain worker took the group over. " +
      'Lost: prepares not visible afterwards, plus requests never answered. Duplicated: removed snapshots still visible, plus op records beyond one per op (a step applied twice). ' +
      'Inconsistent: rows without their subvolume and subvolumes without their row, once background deletes settled.',
  });

  expect(doomed.signalCode).toBe('SIGKILL');
  expect(answers.map((a) => a.status)).toEqual(Array(answers.length).fill('fulfilled'));
  for (const [i, key] of made.entries()) {
    expect((answers[i + 1] as PromiseFulfilledResult<{ info: { name: string } }>).value.info.name).toBe(key);
  }
  expect(records.sort()).toEqual([...Array(made.length).fill('prepare'), 'remove', 'remove']);
  for (const key of made) expect(names.has(key), key).toBe(true);
  for (const key of removed) expect(names.has(key), key).toBe(false);
  expect(d).toMatchObject({ missingOnDisk: [], orphansOnDisk: [] });
}, 120_000);
