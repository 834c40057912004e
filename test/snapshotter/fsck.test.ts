// fsck on a real pool: a healthy host reports nothing; each kind of damage done behind the
// snapshotter's back is reported with the row it concerns.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { subvolumePath } from '@snapfleet/contracts';
import type { Snapshotter } from '@snapfleet/snapshotter';
import { makeHarness, type Harness } from '../support/snapshotter';

let h: Harness;
let s: Snapshotter;
const ns = 'default';

beforeAll(async () => {
  h = await makeHarness({ label: 'fsck' });
  s = await h.host();
});
afterAll(async () => h?.dispose());

it('a healthy host has no issues', async () => {
  await s.prepare({ namespace: ns, key: 'a' });
  await s.commit({ namespace: ns, name: 'base', key: 'a' });
  await s.prepare({ namespace: ns, key: 'work', parent: 'base' });
  await s.view({ namespace: ns, key: 'look', parent: 'base' });
  const r = await s.fsck();
  expect(r).toMatchObject({ host: s.hostId, rows: 3, subvolumes: 3, issues: [] });
});

it('reports a missing subvolume, an orphan, a wrong read-only flag', async () => {
  const rows = await h.store.hostRows(s.hostId);
  const work = rows.find((r) => r.key === 'work')!;
  const look = rows.find((r) => r.key === 'look')!;
  await h.btrfs.deleteSubvolume(subvolumePath(s.root, 'active', work.id));
  await h.btrfs.setReadOnly(subvolumePath(s.root, 'view', look.id), false);
  const orphan = join(s.root, 'snapshots', '999999');
  await h.btrfs.createSubvolume(orphan);

  const r = await s.fsck();
  expect(r.issues).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ kind: 'missing-subvolume', key: 'work', namespace: ns }),
      expect.objectContaining({ kind: 'wrong-readonly-flag', key: 'look' }),
      expect.objectContaining({ kind: 'orphan-subvolume', path: orphan }),
    ]),
  );
  expect(r.issues).toHaveLength(3);
  // cleanup repairs what it can (the orphan); fsck still reports the rest.
  expect(await s.cleanup()).toEqual({ removed: 1 });
  expect((await s.fsck()).issues.map((i) => i.kind).sort()).toEqual(['missing-subvolume', 'wrong-readonly-flag']);
});

it("reports a row whose copy of its parent's key is not the parent's key", async () => {
  await h.store.query('UPDATE snapshots SET parent_key = ? WHERE host_id = ? AND skey = ?', [Buffer.from('elsewhere'), s.hostId, Buffer.from('look')], 'damaging');
  const r = await s.fsck();
  expect(r.issues).toContainEqual(
    expect.objectContaining({ kind: 'parent-key-mismatch', key: 'look', namespace: ns, detail: expect.stringContaining('"elsewhere"') }),
  );
  expect(r.issues.filter((i) => i.kind === 'parent-key-mismatch')).toHaveLength(1);
});
