// Scale cases: the same in-process ops on a metadata store that already holds many rows of
// other hosts, against an empty one, so a statement that reads more than its own keys' rows
// shows as a slowdown (per-op cost must not grow with the fleet).
import { keyHash, HostStore, type MetaStore } from '@snapfleet/metastore';
import type { Snapshotter } from '@snapfleet/snapshotter';
import { runConcurrent, type RunStats } from './stats';

const OTHER_HOSTS = 5;
const BATCH = 1000;

/** `rows` committed snapshots spread over OTHER_HOSTS other hosts (metadata only: nobody reads their disk). */
export async function seedOtherRows(store: MetaStore, rows: number): Promise<void> {
  const hosts = new HostStore(store.dataSource);
  const now = new Date();
  const perHost = Math.ceil(rows / OTHER_HOSTS);
  for (let h = 0; h < OTHER_HOSTS; h++) {
    const host = `scale-other-${h}`;
    await hosts.register({ id: host, root: '/nowhere', device: '/dev/null', fsid: '00000000-0000-0000-0000-000000000000', version: 'bench' });
    for (let start = 0; start < perHost; start += BATCH) {
      const n = Math.min(BATCH, perHost - start);
      const params = Array.from({ length: n }, (_, i) => {
        const key = `layer-${start + i}`;
        return [host, 'bench', keyHash(key), Buffer.from(key), 'committed', '{}', now, now];
      }).flat();
      await store.query(
        `INSERT INTO snapshots (host_id, namespace, key_hash, skey, kind, labels, created_at, updated_at)
         VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        params,
        'seeding other hosts',
      );
    }
  }
  await store.query('ANALYZE TABLE snapshots', [], 'analyzing');
}

/** `count` views in namespace `reads`: what the walk case pages through. */
export async function seedViews(s: Snapshotter, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await s.view({ namespace: 'reads', key: `r-${i}` });
}

/** First pages (100 snapshots) of namespace `reads`, `concurrency` at a time. */
export function walkPages(s: Snapshotter, pages: number, concurrency: number): Promise<RunStats> {
  return runConcurrent(pages, concurrency, async () => {
    const page = await s.walk('reads', [], { limit: 100 });
    if (page.snapshots.length !== 100) throw new Error(`walk page had ${page.snapshots.length} snapshots, expected 100`);
  });
}
