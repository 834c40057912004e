// Migration 4 on a database that already holds snapshots: parented rows get their parent's
// key, the clustered key changes under them, and the store reads them as before. Also the
// way back (down), since an operator rolling back a release runs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource, ensureDatabase, HostStore, keyHash, MetaStore, MIGRATIONS } from '@snapfleet/metastore';
import { makeTestDatabase, type TestDatabase } from '../../../test/support/db';

let db: TestDatabase;
const host = 'layout-host';
const ns = 'default';

async function migrated(count: number): Promise<DataSource> {
  const ds = createDataSource(db.url).setOptions({ migrations: MIGRATIONS.slice(0, count) });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}

const insert = 'INSERT INTO snapshots (host_id, namespace, key_hash, skey, kind, labels, created_at, updated_at, parent_id, parent_kind) VALUES (?, ?, ?, ?, ?, ?, NOW(6), NOW(6), ?, ?)';
const row = (key: string, kind: string, parentId: number | null) => [host, ns, keyHash(key), Buffer.from(key), kind, '{}', parentId, parentId === null ? null : 'committed'];

beforeAll(async () => {
  db = makeTestDatabase('walk_layout');
  await ensureDatabase(db.url);
  // The schema as it was before migration 4, with a parent chain written in it.
  const old = await migrated(4);
  try {
    await new HostStore(old).register({ id: host, root: '/r', device: '/dev/x', fsid: '00000000-0000-0000-0000-000000000000', version: 't' });
    const base = (await old.query(insert, row('base', 'committed', null))) as { insertId: number };
    const layer = (await old.query(insert, row('layer', 'committed', Number(base.insertId)))) as { insertId: number };
    await old.query(insert, row('work', 'active', Number(layer.insertId)));
    await old.query(insert, row('lone', 'view', null));
  } finally {
    await old.destroy();
  }
});
afterAll(async () => {
  await db?.dispose();
});

describe('migration 4 (walk layout)', () => {
  it("gives every parented row its parent's key and clusters rows by (host, namespace, id)", async () => {
    const ds = await migrated(MIGRATIONS.length);
    try {
      const rows = (await ds.query('SELECT skey, parent_key FROM snapshots ORDER BY id')) as { skey: Buffer; parent_key: Buffer | null }[];
      expect(rows.map((r) => [r.skey.toString(), r.parent_key?.toString() ?? null])).toEqual([
        ['base', null],
        ['layer', 'base'],
        ['work', 'layer'],
        ['lone', null],
      ]);
      const keys = (await ds.query("SHOW KEYS FROM snapshots WHERE Key_name = 'PRIMARY'")) as { Column_name: string }[];
      expect(keys.map((k) => k.Column_name)).toEqual(['host_id', 'namespace', 'id']);
      // A parent id without its key (or the reverse) is refused by the schema itself.
      await expect(ds.query("UPDATE snapshots SET parent_key = NULL WHERE skey = 'work'")).rejects.toThrow(/snapshots_parent_key/);
    } finally {
      await ds.destroy();
    }
    const store = await MetaStore.open({ url: db.url });
    try {
      const page = await store.walk(host, ns, []);
      expect(page.snapshots.map((s) => [s.name, s.parent ?? null])).toEqual([
        ['base', null],
        ['layer', 'base'],
        ['work', 'layer'],
        ['lone', null],
      ]);
      expect((await store.getSnapshot(host, ns, 'work')).info.parent).toBe('layer');
      // New rows after the migration get the key at create.
      const tx = await store.begin(host);
      await tx.createSnapshot({ namespace: ns, key: 'next', kind: 'view', parent: 'layer' });
      await tx.commit();
      expect((await store.walk(host, ns, ['name==next'])).snapshots[0]?.parent).toBe('layer');
    } finally {
      await store.close();
    }
  });

  it('goes back down to the old layout, rows intact', async () => {
    const ds = await migrated(MIGRATIONS.length);
    try {
      await ds.undoLastMigration({ transaction: 'each' });
      const cols = (await ds.query("SHOW COLUMNS FROM snapshots LIKE 'parent_key'")) as unknown[];
      expect(cols).toHaveLength(0);
      const keys = (await ds.query("SHOW KEYS FROM snapshots WHERE Key_name = 'PRIMARY'")) as { Column_name: string }[];
      expect(keys.map((k) => k.Column_name)).toEqual(['id']);
      const count = (await ds.query('SELECT COUNT(*) AS n FROM snapshots WHERE parent_id IS NOT NULL')) as { n: number | string }[];
      expect(Number(count[0]?.n)).toBe(3);
    } finally {
      await ds.destroy();
    }
  });
});
