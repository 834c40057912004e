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
import { clearReliability, recordReliability } from '../support/reliability';

const run = promisify(execFile);
let fleet: Fleet;
let client: SnapfleetClient;
let host: string;
const ns = 'full';

beforeAll(async () => {
  clearReliability('disk-full');
  // --mixed: data and metadata share one space, so filling the pool starves snapshots too.
  fleet = await startFleet({ label: 'full', hosts: 1, apis: 1, poolMiB: 256, mkfsArgs: ['--mixed'] });
  client = new SnapfleetClient({ baseUrl: fleet.apis[0]!.url });
  host = fleet.hosts[0]!.id;
}, 120_000);
afterAll(async () => fleet?.dispose());

/** Writes the API acknowledged in this test. */
let acknowledged = 0;
async function acked<T>(p: Promise<T>): Promise<T> {
  const result = await p;
  acknowledged++;
  return result;
}

async function fill(dir: string): Promise<string> {
  const filler = join(dir, 'filler');
  // dd stops with ENOSPC; its exit status says so, which is what we want.
  await run('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M', 'status=none']).catch(() => undefined);
  await run('sync');
  return filler;
}

it('ENOSPC is a typed error naming the host; reads and removes keep working; nothing half-made', async () => {
  for (let i = 0; i < 3; i++) await acked(client.createSnapshotAndWait(ns, host, { key: `before-${i}` }));
  await acked(client.commitSnapshotAndWait(ns, host, 'before-0', { name: 'base' }));
  const pool = fleet.hosts[0]!.pool;
  const filler = await fill(pool.dir);

  // Keep trying creations until the pool refuses (metadata reserves may absorb a few).
  let refusal: SnapfleetError | undefined;
  let attempts = 0;
  const absorbed: string[] = [];
  for (let i = 0; i < 200 && !refusal; i++) {
    attempts++;
    await acked(client.createSnapshotAndWait(ns, host, { key: `full-${i}`, parent: 'base' })).then(
      () => absorbed.push(`full-${i}`),
      (e: unknown) => {
        if (!(e instanceof SnapfleetError)) throw e;
        refusal = e;
      },
    );
    if (!refusal) await fill(pool.dir);
  }
  const typed = refusal?.code === 'unavailable' && refusal.message.includes(host) && refusal.message.includes('ENOSPC') && refusal.details.errno === 'ENOSPC';

  // Reads answer from MySQL; removes free space. (Measured here, asserted after recording.)
  const baseKind = (await client.statSnapshot(ns, host, 'base')).kind;
  const names: string[] = [];
  for await (const s of client.walkAll(ns, host)) names.push(s.name);
  await acked(client.removeSnapshotAndWait(ns, host, 'before-1'));

  // No half-made snapshot: rows and disk agree.
  const btrfs = loadBtrfs({ backend: 'native' });
  await client.cleanupHostAndWait(host);
  const issues = (await fsckHost(host, fleet.hosts[0]!.root, btrfs, fleet.store)).issues;

  // Space back, ops back.
  await rm(filler, { force: true });
  await run('btrfs', ['filesystem', 'sync', pool.dir]);
  await acked(client.createSnapshotAndWait(ns, host, { key: 'after', parent: 'base' }));
  const afterKind = (await client.statSnapshot(ns, host, 'after')).kind;

  // What the listing on the full pool should have shown: every acknowledged snapshot, and not the refused one.
  const expected = ['before-1', 'before-2', 'base', ...absorbed];
  recordReliability({
    id: 'disk-full',
    fault: 'Pool out of space (ENOSPC) on a host',
    injected: attempts,
    unit: 'creations on a full pool',
    acknowledged,
    lost: expected.filter((n) => !names.includes(n)).length + Number(baseKind !== 'committed') + Number(afterKind !== 'active'),
    duplicated: names.length - new Set(names).size,
    inconsistent: names.filter((n) => !expected.includes(n)).length + issues.length + Number(!typed),
    command: 'npx vitest run test/faults/disk-full.test.ts',
    notes:
      `A 256 MiB --mixed pool was filled with dd until ENOSPC, then snapshot creations were tried until one was refused (${absorbed.length} absorbed by btrfs's reserves first); ` +
      'the refusal must be a typed `unavailable` error naming the host and ENOSPC. Reads and a remove must still work on the full pool, and after space is freed a creation works again. ' +
      'Lost: acknowledged snapshots missing from the listing on the full pool, or the one created after space was freed not there. Duplicated: names listed twice. ' +
      "Inconsistent: snapshots listed that no acknowledged op made (a half-made refused one), fsck issues after the reconciler's cleanup, and a refusal that was not the typed ENOSPC error.",
  });

  expect(refusal, 'the pool never refused an op').toBeDefined();
  expect(refusal!.code).toBe('unavailable');
  expect(refusal!.message).toContain(host);
  expect(refusal!.message).toContain('ENOSPC');
  expect(refusal!.details.errno).toBe('ENOSPC');
  expect(baseKind).toBe('committed');
  expect(names).toContain('base');
  expect(issues).toEqual([]);
  expect(afterKind).toBe('active');
}, 300_000);
