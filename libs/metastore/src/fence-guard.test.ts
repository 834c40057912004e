// The fence guard runs in every fenced commit, so it must touch only the rows of its own
// keys however many fence rows other keys left behind: checked on MariaDB's own plan for
// the statement, with a fences table as full as a busy host's, and by behaviour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyHash, MetaStore } from '@snapfleet/metastore';
import { makeTestDatabase, type TestDatabase } from '../../../test/support/db';
import { fenceGuard, type Fence } from './meta-transaction';

let db: TestDatabase;
let store: MetaStore;
const host = 'fence-host';
const ns = 'default';
const OTHER_KEYS = 3000;

beforeAll(async () => {
  db = makeTestDatabase('fenceguard');
  store = await MetaStore.open({ url: db.url });
  const now = new Date();
  for (let start = 0; start < OTHER_KEYS; start += 500) {
    const keys = Array.from({ length: 500 }, (_, i) => `other-${start + i}`);
    await store.query(
      `INSERT INTO fences (host_id, namespace, key_hash, token, updated_at) VALUES ${keys.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      keys.flatMap((k, i) => [host, ns, keyHash(k), String(start + i + 1), now]),
      'seeding fences',
    );
  }
  await store.query('ANALYZE TABLE fences', [], 'analyzing fences');
});
afterAll(async () => {
  await store?.close();
  await db?.dispose();
});

interface PlanRow {
  type: string;
  key: string | null;
  rows: number | string;
}

describe('fence guard', () => {
  for (const keys of [['other-7'], ['other-7', 'other-2500']]) {
    it(`reads ${keys.length} fence row(s) by primary key, not the whole table`, async () => {
      const g = fenceGuard(host, { token: 10n, namespace: ns, keys });
      const plan = await store.query<PlanRow[]>(`EXPLAIN ${g.sql}`, g.params, 'explaining the guard');
      expect(plan).toHaveLength(1);
      expect(plan[0]!.key).toBe('PRIMARY');
      expect(['range', 'const', 'eq_ref', 'ref']).toContain(plan[0]!.type);
      expect(Number(plan[0]!.rows)).toBeLessThanOrEqual(keys.length * 2);
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
    // Other namespaces' and hosts' fences are not this holder's concern.
    expect(await run({ token: 1n, namespace: 'elsewhere', keys: ['other-9'] })).toBe('committed');
  });
});
