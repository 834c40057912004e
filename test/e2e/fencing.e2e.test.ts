// Fencing with real processes: a worker frozen (SIGSTOP) in the middle of a commit — its
// btrfs snapshot made, its metadata not yet committed — past its lock's TTL. Another worker
// of the host takes the stalled job over with a newer fencing token. When the frozen worker
// is resumed, its commit is refused (aborted) and it writes nothing; the job completes once,
// through the new holder, and disk and metadata agree.
//
// The frozen holder registered no token: every earlier holder of its keys had settled. The
// new holder finds the frozen one's marker in Redis and registers, which is what refuses the
// frozen commit. And after Redis loses a host's lock keys, its workers register every token.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { lockResource } from '@snapfleet/locks';
import { keyHash } from '@snapfleet/metastore';
import { Redis } from 'ioredis';
import { settledDiff } from '../support/consistency';
import { REDIS_URL, startFleet, type Fleet } from '../support/fleet';
import { clearReliability, recordReliability } from '../support/reliability';

let fleet: Fleet;
let redis: Redis;
let client: SnapfleetClient;
let host: string;
const ns = 'fence';

// Short lock, job-lock and stalled-check times so the takeover happens within seconds.
const timing = { SNAPFLEET_LOCK_TTL_MS: '1000', SNAPFLEET_JOB_LOCK_MS: '2000', SNAPFLEET_STALLED_INTERVAL_MS: '1000' };

beforeAll(async () => {
  clearReliability('paused-worker');
  clearReliability('paused-worker-batch');
  fleet = await startFleet({ label: 'fencing', hosts: 1, apis: 1, workersPerHost: 0, workerEnv: timing });
  host = fleet.hosts[0]!.id;
  client = new SnapfleetClient({ baseUrl: fleet.apis[0]!.url });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}, 120_000);
afterAll(async () => {
  redis?.disconnect();
  await fleet?.dispose();
});

/** The token of the last holder of a key that has not settled (its marker beside the lock key), or 0. */
async function markerToken(key: string, namespace = ns): Promise<bigint> {
  return BigInt((await redis.get(`${lockResource(host, namespace, key)}:holder`)) ?? 0);
}

async function fenceToken(key: string, namespace = ns): Promise<bigint> {
  const rows = await fleet.store.query<{ token: string }[]>(
    'SELECT CAST(token AS CHAR) AS token FROM fences WHERE host_id = ? AND namespace = ? AND key_hash = ?',
    [host, namespace, keyHash(key)],
    'test',
  );
  return BigInt(rows[0]?.token ?? 0);
}

async function processState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '?';
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('a worker paused past its lock TTL is aborted at commit and writes nothing', async () => {
  const stale = await fleet.startWorker(host, {
    SNAPFLEET_FAULTS: JSON.stringify([{ point: 'before-commit', op: 'commit', action: 'stop' }]),
  });
  await client.createSnapshotAndWait(ns, host, { key: 'work' });

  const accepted = await client.commitSnapshot(ns, host, 'work', { name: 'layer' }, { respondAsync: true });
  if (accepted.done) throw new Error('expected 202');
  await waitFor('the worker to freeze at its commit', async () => (await processState(stale.pid!)) === 'T');
  const paused = 1; // seen stopped ('T' in /proc) just above

  // The frozen holder registered nothing (the prepare before it settled); its marker holds its token.
  expect(await fenceToken('work')).toBe(0n);
  const frozenToken = await markerToken('work');
  expect(frozenToken).toBeGreaterThan(0n);
  // A second worker takes the stalled job over once the frozen one's job lock lapses; it
  // finds the frozen holder's marker, registers its newer fence and then waits for the
  // frozen worker's row lock.
  await fleet.startWorker(host);
  await waitFor('the new holder to register a newer fence', async () => (await fenceToken('work')) > frozenToken, 60_000);
  stale.kill('SIGCONT');

  const job = await client.waitForJob(host, accepted.job.id, { timeoutMs: 90_000 });
  const layer = await client.statSnapshot(ns, host, 'layer');

  const staleLog = await readFile(join(fleet.logs, `worker-${host}-0.log`), 'utf8');
  // Exactly one committed snapshot, and nothing on disk that metadata does not know.
  const names: string[] = [];
  for await (const s of client.walkAll(ns, host)) names.push(`${s.kind}:${s.name}`);
  const d = await settledDiff(fleet.store, fleet.hosts[0]!);
  // Recorded before the assertions, so a failing run still reports what it saw.
  const fenced = /lost the lock/.test(staleLog);
  recordReliability({
    id: 'paused-worker',
    fault: 'Worker paused (SIGSTOP) mid-commit past its lock TTL, then resumed',
    injected: paused,
    unit: 'SIGSTOPs',
    acknowledged: 1 + Number(job.state === 'completed'),
    lost: Number(job.state !== 'completed') + Number(!names.includes('committed:layer')),
    duplicated: names.length - Number(names.includes('committed:layer')) + Number(!fenced),
    inconsistent: d.missingOnDisk.length + d.orphansOnDisk.length + Math.abs(d.rows - 1) + Math.abs(d.subvolumes - 1) + Number(layer.kind !== 'committed'),
    command: 'npx vitest run test/e2e/fencing.e2e.test.ts',
    notes:
      'A worker armed to stop itself in a commit, after its btrfs snapshot and before its metadata commit, is frozen past its lock TTL; a second worker takes the job over with a newer fencing token, then the frozen one is resumed. ' +
      'The frozen worker must find it lost the lock and write nothing; the job must complete once, through the new holder. ' +
      'Lost: the job not completed or the committed snapshot missing. Duplicated: any other snapshot listed, or the resumed worker not fenced off. ' +
      'Inconsistent: rows and subvolumes that disagree, or not exactly one of each.',
  });

  expect(job.state).toBe('completed');
  expect(layer).toMatchObject({ name: 'layer', kind: 'committed' });
  expect(staleLog).toMatch(/lost the lock/);
  expect(names).toEqual(['committed:layer']);
  expect(d).toMatchObject({ rows: 1, subvolumes: 1, missingOnDisk: [], orphansOnDisk: [] });
}, 180_000);

it('a worker paused mid-batch past its lock TTL is refused at its step\'s commit; the new holder replays and finishes the batch', async () => {
  const bns = 'fence-batch';
  // Only the worker armed to freeze may take the batch.
  for (const w of fleet.hosts[0]!.workers) if (w.exitCode === null && w.signalCode === null) await fleet.stop(w, 5000);
  const stale = await fleet.startWorker(host, {
    SNAPFLEET_FAULTS: JSON.stringify([{ point: 'before-commit', op: 'commit', action: 'stop' }]),
  });
  const steps = [
    { op: 'prepare' as const, key: 'bwork' },
    { op: 'commit' as const, key: 'bwork', name: 'blayer' },
    { op: 'prepare' as const, key: 'bchild', parent: 'blayer' },
  ];
  const accepted = await client.runBatch(bns, host, { steps }, { respondAsync: true, idempotencyKey: 'fenced-batch' });
  if (accepted.done) throw new Error('expected 202');
  // Step 0 committed; step 1 frozen between its btrfs snapshot and its metadata commit.
  await waitFor('the worker to freeze at its commit', async () => (await processState(stale.pid!)) === 'T');
  expect(await fenceToken('bwork', bns)).toBe(0n);
  const frozenToken = await markerToken('bwork', bns);
  expect(frozenToken).toBeGreaterThan(0n);
  await fleet.startWorker(host);
  await waitFor('the new holder to register a newer fence', async () => (await fenceToken('bwork', bns)) > frozenToken, 60_000);
  stale.kill('SIGCONT');

  const job = await client.waitForJob(host, accepted.job.id, { timeoutMs: 90_000 });
  const result = job.result as { results: Array<{ info: { name: string; kind: string } }>; failed?: unknown } | undefined;
  const staleLog = await readFile(join(fleet.logs, `worker-${host}-${fleet.hosts[0]!.workers.indexOf(stale)}.log`), 'utf8');
  const names: string[] = [];
  for await (const sn of client.walkAll(bns, host)) names.push(`${sn.kind}:${sn.name}`);
  names.sort();
  const d = await settledDiff(fleet.store, fleet.hosts[0]!);
  const want = ['active:bchild', 'committed:blayer'];
  const fenced = /lost the lock/.test(staleLog);
  recordReliability({
    id: 'paused-worker-batch',
    fault: 'Worker paused (SIGSTOP) in the middle of a batch, at a step\'s commit, past its lock TTL, then resumed',
    injected: 1,
    unit: 'SIGSTOPs',
    acknowledged: Number(job.state === 'completed'),
    lost: Number(job.state !== 'completed') + want.filter((n) => !names.includes(n)).length,
    duplicated: names.filter((n) => !want.includes(n)).length + Number(!fenced),
    inconsistent: d.missingOnDisk.length + d.orphansOnDisk.length + Number(result?.failed !== undefined),
    command: 'npx vitest run test/e2e/fencing.e2e.test.ts',
    notes:
      'A three-step batch (prepare, commit, prepare a child of the commit) whose worker freezes itself at the commit step, after its btrfs snapshot and before its metadata commit; a second worker takes the stalled batch over with a newer fencing token for all its keys, replays the first step from the op log and waits for the frozen commit\'s row lock; then the frozen worker is resumed. ' +
      'The frozen worker must be refused at its commit and write nothing; the batch must complete once, every step through the new holder or the op log. ' +
      'Lost: the job not completed, or a snapshot of the batch missing. Duplicated: any other snapshot, or the resumed worker not fenced off. Inconsistent: rows and subvolumes that disagree, or a failed step.',
  });

  expect(job.state).toBe('completed');
  expect(result?.failed).toBeUndefined();
  expect(result?.results.map((r) => `${r.info.kind}:${r.info.name}`)).toEqual(['active:bwork', 'committed:blayer', 'active:bchild']);
  expect(staleLog).toMatch(/lost the lock/);
  expect(names).toEqual(want);
  expect(d).toMatchObject({ missingOnDisk: [], orphansOnDisk: [] });
}, 180_000);

it('after Redis loses a host\'s lock keys, a restarted worker registers every token; ops that settle leave no marker', async () => {
  const lns = 'fence-loss';
  for (const w of fleet.hosts[0]!.workers) if (w.exitCode === null && w.signalCode === null) await fleet.stop(w, 5000);
  await fleet.startWorker(host);
  await client.createSnapshotAndWait(lns, host, { key: 'settled' });
  // The host has snapshots and a fence counter: this op's holder had nobody to fence out.
  expect(await fenceToken('settled', lns)).toBe(0n);
  expect(await markerToken('settled', lns)).toBe(0n);

  // As after a Redis restart without persistence: the host's counter, markers and locks are gone.
  for (const w of fleet.hosts[0]!.workers) if (w.exitCode === null && w.signalCode === null) await fleet.stop(w, 5000);
  for await (const keys of redis.scanStream({ match: `{snapfleet:${host}}:*`, count: 500 }) as AsyncIterable<string[]>) {
    if (keys.length > 0) await redis.del(...keys);
  }
  await fleet.startWorker(host);
  await client.createSnapshotAndWait(lns, host, { key: 'after-loss' });
  await client.commitSnapshotAndWait(lns, host, 'settled', { name: 'settled-layer' });
  // A paused holder from before the loss could still be running: every holder registers.
  expect(await fenceToken('after-loss', lns)).toBeGreaterThan(0n);
  expect(await fenceToken('settled-layer', lns)).toBeGreaterThan(0n);
}, 120_000);
