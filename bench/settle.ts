// Waits for InnoDB to write back what a bulk load dirtied. The scale case's seed (tens of
// thousands of rows) leaves thousands of dirty pages that InnoDB flushes lazily, in the
// background, for minutes: without this wait the first rounds after the seed would measure
// the snapshotter's redo-log flushes competing with that writeback.
import type { MetaStore } from '@snapfleet/metastore';

export async function dirtyPages(store: MetaStore): Promise<number> {
  const rows = await store.query<{ Value: string }[]>("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'", [], 'reading InnoDB status');
  return Number(rows[0]?.Value ?? 0);
}

/** Resolves once at most `target` pages are dirty, or after `maxMs`; returns the count then. */
export async function innodbWriteback(store: MetaStore, target: number, maxMs = 120_000): Promise<number> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const dirty = await dirtyPages(store);
    if (dirty <= target || Date.now() > deadline) return dirty;
    await new Promise((r) => setTimeout(r, 500));
  }
}
