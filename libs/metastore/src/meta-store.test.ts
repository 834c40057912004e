// The metadata store on its own (no btrfs): walk pages with filters pushed into SQL or
// applied after, cursors, and the constraints that keep illegal rows out even when the code
// above is wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostStore, MetaStore } from '@snapfleet/metastore';
import { makeTestDatabase, type TestDatabase } from '../../../test/support/db';

let db: TestDatabase;
let store: MetaStore;
const host = 'walk-host';
const ns = 'default';

async function make(key: string, kind: 'active' | 'view', parent?: string, labels: Record<string, string> = {}) {
  const tx = await store.begin(host);
  const s = await tx.createSnapshot({ namespace: ns, key, kind, ...(parent ? { parent } : {}), labels });
  tx.setSubvolumeId(s.id, 1000 + s.id);
  await tx.commit();
  return s.id;
}

async function commit(key: string, name: string) {
  const tx = await store.begin(host);
  const a = await tx.getActiveForCommit(ns, name, key);
  tx.commitActive({ active: a, name, usage: { size: 1, inodes: 1 }, subvolumeId: 5000 + a.id, labels: { c: name } });
  await tx.commit();
}

beforeAll(async () => {
  db = makeTestDatabase('walk');
  store = await MetaStore.open({ url: db.url });
  await new HostStore(store.dataSource).register({ id: host, root: '/r', device: '/dev/x', fsid: '00000000-0000-0000-0000-000000000000', version: 't' });
  // base ← 10 layers; each layer has an active child; 5 views of base.
  await make('base-a', 'active');
  await commit('base-a', 'base');
  for (let i = 0; i < 10; i++) {
    await make(`l${i}-a`, 'active', 'base', { n: String(i) });
    await commit(`l${i}-a`, `layer-${i}`);
    await make(`work-${i}`, 'active', `layer-${i}`);
  }
  for (let i = 0; i < 5; i++) await make(`view-${i}`, 'view', 'base');
});
afterAll(async () => {
  await store?.close();
  await db?.dispose();
});

async function all(filters: string[], limit: number): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let after: string | undefined;
  let pages = 0;
  do {
    const args = { limit, ...(after ? { after } : {}) };
    const page = await store.walk(host, ns, filters, args);
    // The HTTP API sends walkJson's text: byte for byte what stringifying the page gives.
    expect(await store.walkJson(host, ns, filters, args)).toBe(JSON.stringify(page));
    pages++;
    expect(page.snapshots.length).toBeLessThanOrEqual(limit);
    names.push(...page.snapshots.map((s) => s.name));
    after = page.next;
  } while (after !== undefined);
  return { names, pages };
}

describe('walk', () => {
  it.each([
    [[], 26],
    [['kind==committed'], 11],
    [['parent==base'], 15],
    [['parent==""'], 1],
    [['kind==view,parent==base'], 5],
    [['name==layer-3'], 1],
    [['labels.c'], 11],
    [['kind==active', 'kind==view'], 15],
    [['name~=^layer-[0-4]$'], 5],
    [['kind==committed,labels.c~=layer'], 10],
  ])('%j returns %i snapshots over every page size, with next only when more exist', async (filters, count) => {
    const full = await all(filters, 1000);
    expect(full.names).toHaveLength(count);
    expect(full.pages).toBe(1);
    for (const limit of [1, 3, 7]) {
      const paged = await all(filters, limit);
      expect(paged.names).toEqual(full.names);
      expect(paged.pages).toBe(Math.max(1, Math.ceil(count / limit)));
    }
  });

  it('a bad cursor is invalid_argument', async () => {
    await expect(store.walk(host, ns, [], { after: 'x' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('constraints', () => {
  it('refuse a parent that is not committed, a row of another namespace as parent, and removing a parent', async () => {
    const q = (sql: string, params: unknown[]) => store.query(sql, params, 'test');
    const [active] = await q("SELECT id FROM snapshots WHERE kind = 'active' LIMIT 1", []) as { id: number }[];
    const [committed] = await q("SELECT id FROM snapshots WHERE kind = 'committed' LIMIT 1", []) as { id: number }[];
    const insert = (nsName: string, parentId: number, parentKind: string) =>
      q(
        `INSERT INTO snapshots (host_id, namespace, key_hash, skey, kind, parent_id, parent_kind, labels, created_at, updated_at)
         VALUES (?, ?, UNHEX(SHA2(RAND(), 256)), 'x', 'active', ?, ?, '{}', NOW(), NOW())`,
        [host, nsName, parentId, parentKind],
      );
    await expect(insert(ns, active!.id, 'active')).rejects.toThrow();
    await expect(insert(ns, active!.id, 'committed')).rejects.toThrow();
    await expect(insert('other', committed!.id, 'committed')).rejects.toThrow();
    await expect(q('DELETE FROM snapshots WHERE id = ?', [committed!.id])).rejects.toThrow();
    await expect(q("UPDATE snapshots SET size_bytes = 1 WHERE kind = 'active'", [])).rejects.toThrow();
  });
});

// A remove goes whole with COMMIT (one round trip), so its refusals come from COMMIT: they
// must still change nothing and leave no op record that a retry would replay as success.
describe('remove', () => {
  async function removeWithOp(key: string, opId: string) {
    const tx = await store.begin(host);
    const removal = tx.removeSnapshot(ns, key);
    tx.recordOp(opId, 'remove', { removed: true }, ns);
    try {
      await tx.commit();
      return removal;
    } finally {
      await tx.rollback();
    }
  }
  const rowCount = async () => ((await store.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM snapshots', [], 'test'))[0]?.n ?? -1);

  it('of a missing key is not_found and records no op', async () => {
    const before = await rowCount();
    await expect(removeWithOp('no-such-key', 'rm-missing')).rejects.toMatchObject({ code: 'not_found', message: 'snapshot "no-such-key" does not exist' });
    expect(await store.findOp(host, 'rm-missing')).toBeUndefined();
    expect(await rowCount()).toBe(before);
  });

  it('of a parent is failed_precondition and records no op', async () => {
    const before = await rowCount();
    await expect(removeWithOp('layer-3', 'rm-parent')).rejects.toMatchObject({ code: 'failed_precondition', message: 'cannot remove snapshot "layer-3" with child' });
    expect(await store.findOp(host, 'rm-parent')).toBeUndefined();
    expect(await rowCount()).toBe(before);
  });

  it('of a leaf deletes its row, reports it and records the op', async () => {
    await make('leaf-to-remove', 'view', 'base');
    const removal = await removeWithOp('leaf-to-remove', 'rm-leaf');
    expect(removal.ref).toMatchObject({ kind: 'view' });
    expect(await store.findOp(host, 'rm-leaf')).toEqual({ removed: true });
    await expect(store.getSnapshot(host, ns, 'leaf-to-remove')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('hasSnapshots', () => {
  it('is true for a host with rows and false for a registered host without any', async () => {
    const empty = 'empty-host';
    await new HostStore(store.dataSource).register({ id: empty, root: '/e', device: '/dev/y', fsid: '00000000-0000-0000-0000-000000000001', version: 't' });
    expect(await store.hasSnapshots(host)).toBe(true);
    expect(await store.hasSnapshots(empty)).toBe(false);
    expect(await store.hasSnapshots('never-registered')).toBe(false);
  });
});
