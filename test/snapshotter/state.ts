// Captures a host's whole observable state — subvolumes on disk, snapshot rows and op
// records — so tests can assert that a failed op changed nothing at all.
import type { MetaStore } from '@snapfleet/metastore';
import type { Snapshotter } from '@snapfleet/snapshotter';
import { listSubvolumes } from '../support/pool';

export interface HostState {
  subvolumes: string[];
  rows: unknown[];
  ops: unknown[];
}

/** The host's state once its background subvolume deletes have finished. */
export async function captureState(s: Snapshotter, store: MetaStore, poolDir: string): Promise<HostState> {
  await s.settled();
  const hostId = s.hostId;
  const rows = await store.query<unknown[]>(
    `SELECT id, namespace, HEX(key_hash) AS key_hash, HEX(skey) AS skey, kind, parent_id, labels,
            created_at, updated_at, subvolume_id, size_bytes, inodes
       FROM snapshots WHERE host_id = ? ORDER BY id`,
    [hostId],
    'test state',
  );
  const ops = await store.query<unknown[]>('SELECT op_id, op, result FROM ops WHERE host_id = ? ORDER BY op_id', [hostId], 'test state');
  const subvolumes = (await listSubvolumes(poolDir)).filter((p) => p.startsWith(`${hostId}/`));
  return { subvolumes, rows, ops };
}
