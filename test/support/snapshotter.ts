// An in-process snapshotter on a real pool and a real database, for tests and the bench:
// one pool and one database per harness, one host (root directory) per `host()` call.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadBtrfs, type BtrfsBackend } from '@snapfleet/btrfs';
import { MetaStore } from '@snapfleet/metastore';
import { Snapshotter, type FaultHook } from '@snapfleet/snapshotter';
import { makeTestDatabase, type TestDatabase } from './db';
import { createPool, type Pool } from './pool';

export interface Harness {
  pool: Pool;
  db: TestDatabase;
  store: MetaStore;
  btrfs: BtrfsBackend;
  /** A new host with its own root directory on the harness's pool. */
  host(opts?: { faults?: FaultHook; hostId?: string }): Promise<Snapshotter>;
  dispose(): Promise<void>;
}

let hostCounter = 0;

export async function makeHarness(opts: { backend?: 'native' | 'progs'; label?: string; poolMiB?: number } = {}): Promise<Harness> {
  const pool = await createPool({ label: opts.label ?? 'snap', ...(opts.poolMiB === undefined ? {} : { sizeMiB: opts.poolMiB }) });
  const db = makeTestDatabase(opts.label ?? 'snap');
  let store: MetaStore | undefined;
  try {
    store = await MetaStore.open({ url: db.url });
    const btrfs = loadBtrfs({ backend: opts.backend ?? 'native' });
    const opened = store;
    return {
      pool,
      db,
      store: opened,
      btrfs,
      async host(h = {}) {
        const hostId = h.hostId ?? `h${process.pid}-${++hostCounter}`;
        const root = join(pool.dir, hostId);
        await mkdir(root, { recursive: true });
        return Snapshotter.open({ hostId, root, btrfs, store: opened, ...(h.faults ? { faults: h.faults } : {}) });
      },
      async dispose() {
        await opened.close().catch(() => undefined);
        await db.dispose().catch(() => undefined);
        await pool.dispose();
      },
    };
  } catch (err) {
    await store?.close().catch(() => undefined);
    await db.dispose().catch(() => undefined);
    await pool.dispose();
    throw err;
  }
}
