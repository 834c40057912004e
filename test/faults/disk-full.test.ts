// A host whose pool is full: ops that need space fail with a typed error naming the host and
// ENOSPC, leave no half-made snapshot, and the host keeps serving reads and removes; once
// space is freed, ops work again.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { SnapfleetError } from '@snapfleet/contracts';
import { loadBtrfs } from '@snapfleet/btrfs';
import { fsckHost } from '@snapfleet/snapshotter';
import { startFleet, type Fleet } from '../support/fleet';

const run = promisify(execFile);
let fleet: Fleet;
let client: SnapfleetClient;
let host: string;
const ns = 'full';

beforeAll(async () => {
  // --mixed: data and metadata share one space, so filling the pool starves snapshots too.
  fleet = await startFleet({ label: 'full', hosts: 1, apis: 1, poolMiB: 256, mkfsArgs: ['--mixed'] });
  client = new SnapfleetClient({ baseUrl: fleet.apis[0]!.url });
  host = fleet.hosts[0]!.id;
}, 120_000);
afterAll(async () => fleet?.dispose());

async function fill(dir: string): Promise<string> {
  const filler = join(dir, 'filler');
  // dd stops with ENOSPC; its exit status says so, which is what we want.
  await run('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M', 'status=none']).catch(() => undefined);
  await run('sync');
  return filler;
}

it('ENOSPC is a typed error naming the host; reads and removes keep working; nothing half-made', async () => {
  for (let i = 0; i < 3; i++) await client.createSnapshotAndWait(ns, host, { key: `before-${i}` });
  await client.commitSnapshotAndWait(ns, host, 'before-0', { name: 'base' });
  const pool = fleet.hosts[0]!.pool;
  const filler = await fill(pool.dir);

  // Keep trying creations until the pool refuses (metadata reserves may absorb a few).
  let refusal: SnapfleetError | undefined;
  for (let i = 0; i < 200 && !refusal; i++) {
    await client.createSnapshotAndWait(ns, host, { key: `full-${i}`, parent: 'base' }).catch((e: unknown) => {
      if (!(e instanceof SnapfleetError)) throw e;
      refusal = e;
    });
    if (!refusal) await fill(pool.dir);
  }
  expect(refusal, 'the pool never refused an op').toBeDefined();
  expect(refusal!.code).toBe('unavailable');
  expect(refusal!.message).toContain(host);
  expect(refusal!.message).toContain('ENOSPC');
  expect(refusal!.details.errno).toBe('ENOSPC');

  // Reads answer from MySQL; removes free space.
  expect((await client.statSnapshot(ns, host, 'base')).kind).toBe('committed');
  const names = [];
  for await (const s of client.walkAll(ns, host)) names.push(s.name);
  expect(names).toContain('base');
  await client.removeSnapshotAndWait(ns, host, 'before-1');

  // No half-made snapshot: rows and disk agree.
  const btrfs = loadBtrfs({ backend: 'native' });
  await client.cleanupHostAndWait(host);
  expect((await fsckHost(host, fleet.hosts[0]!.root, btrfs, fleet.store)).issues).toEqual([]);

  // Space back, ops back.
  await rm(filler, { force: true });
  await run('btrfs', ['filesystem', 'sync', pool.dir]);
  await client.createSnapshotAndWait(ns, host, { key: 'after', parent: 'base' });
  expect((await client.statSnapshot(ns, host, 'after')).kind).toBe('active');
}, 300_000);
