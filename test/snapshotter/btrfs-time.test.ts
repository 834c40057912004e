// An op tells its caller how long each of its own btrfs calls took (OpContext.btrfsTime), on
// a real pool: the worker adds these up to say where a job's time went.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { subvolumePath } from '@snapfleet/contracts';
import type { Snapshotter } from '@snapfleet/snapshotter';
import { makeHarness, type Harness } from '../support/snapshotter';

let h: Harness;
let s: Snapshotter;
const ns = 'default';

beforeAll(async () => {
  h = await makeHarness({ label: 'btrfstime' });
  s = await h.host();
});
afterAll(async () => h?.dispose());

function recorder() {
  const calls: number[] = [];
  return { calls, btrfsTime: (ms: number) => void calls.push(ms) };
}

it('prepare reports its subvolume create; commit its snapshot and usage; usage of an active its measure; update none', async () => {
  const prepare = recorder();
  await s.prepare({ namespace: ns, key: 'a' }, { btrfsTime: prepare.btrfsTime });
  expect(prepare.calls).toHaveLength(1);

  const commit = recorder();
  await s.commit({ namespace: ns, name: 'base', key: 'a' }, { btrfsTime: commit.btrfsTime });
  // The read-only snapshot, then the usage of what the layer changed.
  expect(commit.calls).toHaveLength(2);

  // Usage measures an active snapshot on disk; a committed one's was recorded at commit.
  await s.prepare({ namespace: ns, key: 'measured' });
  const activeUsage = recorder();
  await s.usage({ namespace: ns, key: 'measured' }, { btrfsTime: activeUsage.btrfsTime });
  expect(activeUsage.calls).toHaveLength(1);
  const committedUsage = recorder();
  await s.usage({ namespace: ns, key: 'base' }, { btrfsTime: committedUsage.btrfsTime });
  expect(committedUsage.calls).toHaveLength(0);

  const update = recorder();
  await s.update({ namespace: ns, key: 'base', labels: { x: '1' } }, { btrfsTime: update.btrfsTime });
  expect(update.calls).toHaveLength(0);

  for (const ms of [...prepare.calls, ...commit.calls, ...activeUsage.calls]) {
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(60_000);
  }
});

it('a failed btrfs call is reported too, and the op fails with what failed', async () => {
  const child = recorder();
  await s.prepare({ namespace: ns, key: 'child', parent: 'base' }, { btrfsTime: child.btrfsTime });
  expect(child.calls).toHaveLength(1);

  // A parent's committed subvolume removed behind the snapshotter's back: the snapshot of it fails.
  const rows = await h.store.hostRows(s.hostId);
  const base = rows.find((r) => r.key === 'base')!;
  await h.btrfs.setReadOnly(subvolumePath(s.root, 'committed', base.id), false);
  await h.btrfs.deleteSubvolume(subvolumePath(s.root, 'committed', base.id));
  const failed = recorder();
  await expect(s.prepare({ namespace: ns, key: 'orphaned-child', parent: 'base' }, { btrfsTime: failed.btrfsTime })).rejects.toMatchObject({
    code: expect.any(String),
    message: expect.stringContaining('creating subvolume'),
  });
  expect(failed.calls).toHaveLength(1);
  // Nothing of the failed op stays behind.
  expect((await h.store.hostRows(s.hostId)).map((r) => r.key)).not.toContain('orphaned-child');
});
