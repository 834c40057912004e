// The read pool (MariaDB's connector beside TypeORM's mysql2): rows decode to the types the
// store's row shapes promise, reads see what transactions committed, and an unreachable
// server is a typed `unavailable` within the pool's acquire timeout, not a hang or a crash.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HostStore, MetaStore, ReadPool, metadataError, parseMysqlUrl } from '@snapfleet/metastore';
import { makeTestDatabase, type TestDatabase } from '../../../test/support/db';

let db: TestDatabase;
let store: MetaStore;
const host = 'read-pool-host';

beforeAll(async () => {
  db = makeTestDatabase('readpool');
  store = await MetaStore.open({ url: db.url });
  await new HostStore(store.dataSource).register({ id: host, root: '/r', device: '/dev/x', fsid: '00000000-0000-0000-0000-000000000000', version: 't' });
});

afterAll(async () => {
  await store?.close();
  await db?.dispose();
});

it('decodes ids and counts as numbers, DATETIMEs and JSON as text', async () => {
  const tx = await store.begin(host);
  const s = await tx.createSnapshot({ namespace: 'rp', key: 'k/ü', kind: 'active', labels: { a: 'b' } });
  tx.setSubvolumeId(s.id, 4242);
  await tx.commit();

  const [row] = await store.read<Record<string, unknown>[]>(
    'SELECT id, subvolume_id, labels, created_at, skey, (SELECT COUNT(*) FROM snapshots) AS n FROM snapshots WHERE id = ?',
    [s.id],
    'test',
  );
  expect(row).toBeDefined();
  expect(row?.id).toBe(s.id);
  expect(row?.subvolume_id).toBe(4242);
  expect(row?.n).toBe(1);
  expect(typeof row?.labels).toBe('string');
  expect(JSON.parse(row?.labels as string)).toEqual({ a: 'b' });
  expect(row?.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  expect(Buffer.isBuffer(row?.skey) && (row?.skey as Buffer).toString('utf8')).toBe('k/ü');

  // What the store builds from those rows: the key round-trips, times are ISO in UTC.
  const got = await store.getSnapshot(host, 'rp', 'k/ü');
  expect(got.info).toMatchObject({ name: 'k/ü', kind: 'active', labels: { a: 'b' } });
  expect(got.info.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(Math.abs(Date.parse(got.info.created) - Date.now())).toBeLessThan(60_000);
  expect(got.subvolumeId).toBe(4242);
});

it('answers a dead server with unavailable within its acquire timeout', async () => {
  // A port that accepts nothing: a listener closed again at once.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));

  const pool = ReadPool.open({ ...parseMysqlUrl(db.url), host: '127.0.0.1', port }, { acquireTimeoutMs: 1_500 });
  try {
    const started = Date.now();
    const err = await pool.query('SELECT 1', []).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(metadataError(err, 'reading').code).toBe('unavailable');
  } finally {
    await pool.close();
  }
});

it('ping checks both pools', async () => {
  await expect(store.ping()).resolves.toBeUndefined();
});
