// The consistency checker as operators run it: POST /v1/hosts/{host}/fsck (a job on the host's
// queue) and `snapctl fsck`. A healthy host reports nothing and exits 0; a subvolume deleted
// behind the service's back, an orphan subvolume and a job that gave up on a retryable error
// are each reported, and snapctl exits 11.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { SnapfleetClient } from '@snapfleet/client';
import { KIND_DIRS, QUEUE_PREFIX, queueName } from '@snapfleet/contracts';
import { distEntry } from '../support/dist';
import { REDIS_URL, startFleet, type Fleet } from '../support/fleet';

let fleet: Fleet;
let client: SnapfleetClient;
let host: string;
const ns = 'fsck';

beforeAll(async () => {
  // Every update fails on this host with an untyped error (internal: retryable), so a job
  // with one attempt gives up the way a job that exhausted its retries does.
  const faults = JSON.stringify([{ point: 'before-commit', op: 'update', action: 'throw', times: 1000 }]);
  fleet = await startFleet({ label: 'fsck', hosts: 1, apis: 1, workerEnv: { SNAPFLEET_FAULTS: faults } });
  host = fleet.hosts[0]!.id;
  client = new SnapfleetClient({ baseUrl: fleet.apis[0]!.url });
}, 120_000);
afterAll(async () => fleet?.dispose());

const snapctl = (args: string[]) =>
  spawnSync(process.execPath, [distEntry('apps/cli/src/main.js'), ...args], {
    env: { PATH: process.env.PATH ?? '', SNAPFLEET_API_URL: fleet.apis[0]!.url, SNAPFLEET_HOST_ID: host },
    encoding: 'utf8',
  });

it('a healthy host: no issues, exit 0', async () => {
  await client.createSnapshotAndWait(ns, host, { key: 'a' });
  await client.commitSnapshotAndWait(ns, host, 'a', { name: 'base' });
  await client.createSnapshotAndWait(ns, host, { key: 'work', parent: 'base' });
  const report = await client.fsckHostAndWait(host);
  expect(report).toMatchObject({ host, rows: 2, subvolumes: 2, issues: [] });
  const cli = snapctl(['fsck']);
  expect(cli.status, cli.stderr).toBe(0);
  expect(cli.stdout).toMatch(/2 metadata rows, 2 subvolumes, 0 issues/);
});

it('reports a missing subvolume, an orphan and a job that gave up; snapctl exits 11', async () => {
  const made = await client.createSnapshotAndWait(ns, host, { key: 'victim' });
  execFileSync('btrfs', ['subvolume', 'delete', made.path], { stdio: 'ignore' });
  const orphan = join(fleet.hosts[0]!.root, KIND_DIRS.committed, '999999');
  execFileSync('btrfs', ['subvolume', 'create', orphan], { stdio: 'ignore' });
  // A job that exhausted its attempts on a retryable error, as the worker leaves it.
  const queue = new Queue(queueName(host), { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX });
  try {
    const job = await queue.add('update', { payload: { namespace: ns, key: 'base', labels: { x: '1' } } }, { jobId: 'op-fsck-gave-up', attempts: 1 });
    for (let i = 0; i < 100 && (await job.getState()) !== 'failed'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await job.getState()).toBe('failed');
  } finally {
    await queue.close();
  }
  const report = await client.fsckHostAndWait(host);
  const kinds = report.issues.map((i) => `${i.kind}:${i.key ?? i.path ?? ''}`);
  expect(kinds).toContain('missing-subvolume:victim');
  expect(kinds).toContain(`orphan-subvolume:${orphan}`);
  expect(report.issues.find((i) => i.kind === 'failed-job')).toMatchObject({ jobId: 'op-fsck-gave-up', namespace: ns, key: 'base' });
  expect(report.issues).toHaveLength(3);
  const cli = snapctl(['fsck']);
  expect(cli.status).toBe(11);
  expect(cli.stdout).toMatch(/missing-subvolume\s+fsck\/victim/);
  expect(cli.stdout).toMatch(/orphan-subvolume/);
  const json = snapctl(['fsck', '--json']);
  expect(JSON.parse(json.stdout).issues.length).toBe(report.issues.length);
  // Repair: cleanup takes the orphan, removing the row's snapshot takes the rest.
  await client.cleanupHostAndWait(host);
  await client.removeSnapshotAndWait(ns, host, 'victim').catch(() => undefined);
});
