// Compares a fleet host's metadata rows with the subvolumes on its pool, one to one: every
// row has its subvolume at <root>/<kind dir>/<id>, and every subvolume under the root has
// its row. Background deletes finish within moments, so the check waits for agreement.
import { relative } from 'node:path';
import { KIND_DIRS, type Kind } from '@snapfleet/contracts';
import type { FleetHost } from './fleet';
import type { MetaStore } from '@snapfleet/metastore';
import { listSubvolumes } from './pool';

export interface HostDiff {
  rows: number;
  subvolumes: number;
  /** Rows whose subvolume is missing. */
  missingOnDisk: string[];
  /** Subvolumes no row references. */
  orphansOnDisk: string[];
}

export async function diffHost(store: MetaStore, host: FleetHost): Promise<HostDiff> {
  const rows = await store.query<{ id: number; kind: Kind }[]>('SELECT id, kind FROM snapshots WHERE host_id = ?', [host.id], 'consistency');
  const prefix = relative(host.pool.dir, host.root);
  const expected = new Set(rows.map((r) => `${prefix}/${KIND_DIRS[r.kind]}/${r.id}`));
  const onDisk = new Set((await listSubvolumes(host.pool.dir)).filter((p) => p.startsWith(`${prefix}/`)));
  return {
    rows: expected.size,
    subvolumes: onDisk.size,
    missingOnDisk: [...expected].filter((p) => !onDisk.has(p)),
    orphansOnDisk: [...onDisk].filter((p) => !expected.has(p)),
  };
}

/** Waits (up to `timeoutMs`) for the host's rows and subvolumes to agree; returns the last diff. */
export async function settledDiff(store: MetaStore, host: FleetHost, timeoutMs = 15_000): Promise<HostDiff> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await diffHost(store, host);
    if ((d.missingOnDisk.length === 0 && d.orphansOnDisk.length === 0) || Date.now() > deadline) return d;
    await new Promise((r) => setTimeout(r, 250));
  }
}
