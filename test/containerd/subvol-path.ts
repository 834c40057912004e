// Where a btrfs mount's subvolume lives on the host: the gRPC API returns only mounts
// (`subvolid=N` on the pool's device), so a client that wants the host path asks btrfs.
import { join } from 'node:path';
import type { Mount } from '@snapfleet/contracts';
import { runOk } from './run';

/** Resolver for mounts of the btrfs filesystem whose top level is mounted at `poolDir`. */
export function subvolPathResolver(poolDir: string): (mounts: readonly Mount[]) => Promise<string> {
  return async (mounts) => {
    const opt = mounts[0]?.options.find((o) => o.startsWith('subvolid='));
    if (!opt) throw new Error(`no subvolid in mounts ${JSON.stringify(mounts)}`);
    const rel = (await runOk('btrfs', ['inspect-internal', 'subvolid-resolve', opt.slice('subvolid='.length), poolDir])).trim();
    return join(poolDir, rel);
  };
}
