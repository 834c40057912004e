// Statements that run in every op must touch only the rows of their own keys, however many
// rows other keys, namespaces and hosts left: checked on MariaDB's own plan for each, on
// tables as full as a busy fleet's, and by behaviour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostStore, keyHash, MetaStore } from '@snapfleet/metastore';
import { makeTestDatabase, type TestDatabase } from '../../../test/support/db';
import { fenceGuard, removeLookup, type Fence, type Statement } from './meta-transaction';
import { walkQuery } from './walk-query';

let db: TestDatabase;
let store: MetaStore;
const host = 'plan-host';
const ns = 'default';
const ROWS = 3000;
const CHILDREN = 20;

interface PlanRow {
  table: string;
  type: string;
  key: string | null;
  rows: number | string | null;
  Extra: string | null;
}

async function plan(s: Statement): Promise<PlanRow[]> {
  return store.query<PlanRow[]>(`EXPLAIN ${s.sql}`, s.params, 'explaining');
}

/** No full table or index scan, and no step estimated to read more than `maxRows` rows. */
function expectKeyed(rows: PlanRow[], maxRows: number): void {
  for (const r of rows) {
    expect(['ALL', 'index'], JSON.stringify(r)).not.toContain(r.type);
    // A const table (one row found at optimisation time) names no key.
    if (r.type !== 'const' && r.type !== 'system') expect(r.key, JSON.stringify(r)).not.toBeNull();
    expect(Number(r.rows ?? 0), JSON.stringify(r)).toBeLessThanOrEqual(maxRows);
  }
}

async function insertMany(sql: string, rowSql: string, count: number, row: (i: number) => unknown[]): Promise<void> {
  for (let start = 0; start < count; start += 500) {
    const n = Math.min(500, count - start);
    const params = Array.from({ length: n }, (_, i) => row(start + i)).flat();
    await store.query(`${sql} VALUES ${Array.from({ length: n }, () => rowSql).join(', ')}`, params, 'seeding');
  }
}

beforeAll(async () => {
  db = makeTestDatabase('plans');
  store = await MetaStore.open({ url: db.url });
  const now = new Date();
  const hosts = new HostStore(store.dataSource);
  for (const id of [host, 'plan-other']) await hosts.register({ id, root: '/r', device: '/dev/x', fsid: '00000000-0000-0000-0000-000000000000', version: 't' });
  await insertMany('INSERT INTO fences (host_id, namespace, key_hash, token, updated_at)', '(?, ?, ?, ?, ?)', ROWS, (i) => [
    host, ns, keyHash(`other-${i}`), String(i + 1), now,
  ]);
  // Committed snapshots on this host and another, none of them anyone's parent.
  const snapshot = (h: string) => (i: number) => [h, ns, keyHash(`snap-${i}`), Buffer.from(`snap-${i}`), 'committed', '{}', now, now];
  const insert = 'INSERT INTO snapshots (host_id, namespace, key_hash, skey, kind, labels, created_at, updated_at)';
  await insertMany(insert, '(?, ?, ?, ?, ?, ?, ?, ?)', ROWS, snapshot(host));
  await insertMany(insert, '(?, ?, ?, ?, ?, ?, ?, ?)', ROWS, snapshot('plan-other'));
  // Children of snap-1, for the parent filter.
  for (let i = 0; i < CHILDREN; i++) {
    const tx = await store.begin(host);
    await tx.createSnapshot({ namespace: ns, key: `child-${i}`, kind: 'active', parent: 'snap-1' });
    await tx.commit();
  }
  await store.query('ANALYZE TABLE fences, snapshots', [], 'analyzing');
});
afterAll(async () => {
  await store?.close();
  await db?.dispose();
});

describe('fence guard', () => {
  for (const keys of [['other-7'], ['other-7', 'other-2500']]) {
    it(`reads ${keys.length} fence row(s) by primary key, not the whole table`, async () => {
      const rows = await plan(fenceGuard(host, { token: 10n, namespace: ns, keys }));
      expect(rows).toHaveLength(1);
      expect(rows[0]!.key).toBe('PRIMARY');
      expectKeyed(rows, keys.length * 2);
    });
  }

  it('passes a holder whose token is the newest, refuses one a newer token overtook', async () => {
    const run = async (fence: Fence) => {
      const tx = await store.begin(host, fence);
      try {
        await tx.commit();
        return 'committed';
      } catch (err) {
        await tx.rollback();
        return (err as { code?: string }).code;
      }
    };
    // Registering 5000 makes it the newest token of other-9 (seeded with 10).
    expect(await run({ token: 5000n, namespace: ns, keys: ['other-9'] })).toBe('committed');
    expect(await run({ token: 4000n, namespace: ns, keys: ['other-9'] })).toBe('aborted');
    expect(await run({ token: 6000n, namespace: ns, keys: ['other-9', 'fresh-key'] })).toBe('committed');
    expect(await run({ token: 5500n, namespace: ns, keys: ['fresh-key'] })).toBe('aborted');
    // Other namespaces' fences are not this holder's concern.
    expect(await run({ token: 1n, namespace: 'elsewhere', keys: ['other-9'] })).toBe('committed');
  });
});

describe('remove', () => {
  it('locks and deletes its row through the unique key, not by scanning snapshots', async () => {
    expectKeyed(await plan(removeLookup(host, ns, 'snap-42')), 1);
    const del = { sql: 'DELETE FROM snapshots WHERE host_id = ? AND namespace = ? AND key_hash = ?', params: [host, ns, keyHash('snap-42')] };
    expectKeyed(await plan(del), 1);
  });

  // The children check is the parent foreign key's, which InnoDB makes through that key's index.
  it('still tells a parent from a leaf, in one round trip with COMMIT', async () => {
    const tx = await store.begin(host);
    try {
      await tx.createSnapshot({ namespace: ns, key: 'child-of-42', kind: 'active', parent: 'snap-42' });
      const removal = tx.removeSnapshot(ns, 'snap-42');
      await expect(tx.commit()).rejects.toMatchObject({ code: 'failed_precondition' });
      expect(removal.found).toBeUndefined();
    } finally {
      await tx.rollback();
    }
    expect((await store.getSnapshot(host, ns, 'snap-42')).info.kind).toBe('committed');
    const tx2 = await store.begin(host);
    const removal = tx2.removeSnapshot(ns, 'snap-43');
    await tx2.commit();
    expect(removal.ref?.kind).toBe('committed');
    await expect(store.getSnapshot(host, ns, 'snap-43')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('walk page', () => {
  const page = (eq: Parameters<typeof walkQuery>[2]) => plan(walkQuery(host, ns, eq, 0, 101));

  for (const [what, eq] of [
    ['every snapshot', undefined],
    ['one kind', { kind: 'committed' }],
  ] as const) {
    it(`of ${what} is one range scan of the namespace's rows in order, with no sort and no join`, async () => {
      const rows = await page(eq);
      // The rows are clustered by (host, namespace, id) and carry their parent's key: no
      // secondary index to go through and no parent row to look up per row (migration 4).
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ table: 's', key: 'PRIMARY', type: 'range' });
      expect(rows[0]!.Extra ?? '').not.toMatch(/filesort/i);
    });
  }

  it('by name reads one row by the unique key', async () => {
    const rows = await page({ name: 'snap-5' });
    expect(rows[0]).toMatchObject({ table: 's', key: 'snapshots_key' });
    expectKeyed(rows, 2);
  });

  it("by parent reads only the parent's children", async () => {
    const rows = await page({ parent: 'snap-1' });
    expect(rows.find((r) => r.table === 's')).toMatchObject({ key: 'snapshots_parent' });
    expectKeyed(rows, CHILDREN * 2);
    const walked = await store.walk(host, ns, ['parent==snap-1'], { limit: 5 });
    expect(walked.snapshots.map((x) => x.name)).toEqual(['child-0', 'child-1', 'child-2', 'child-3', 'child-4']);
    expect(walked.next).toBeDefined();
  });
});
