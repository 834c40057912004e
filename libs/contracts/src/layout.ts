// The on-disk layout under a host root, as containerd's btrfs snapshotter: active/<id>,
// view/<id>, snapshots/<id>, where <id> is the metadata row id — and the mounts that point
// at it. No user input ever becomes a path component. Shared by the worker's snapshotter
// and the API (which answers `mounts` from the host row with no queue hop).
import { join } from 'node:path';
import type { Kind, Mount } from './snapshot';

export const KIND_DIRS: Record<Kind, string> = { active: 'active', view: 'view', committed: 'snapshots' };

export function subvolumePath(root: string, kind: Kind, id: number): string {
  return join(root, KIND_DIRS[kind], String(id));
}

/** containerd's btrfs mounts: subvolid on the pool's device, read-only unless active. */
export function btrfsMounts(device: string, kind: Kind, subvolumeId: number): Mount[] {
  const options = [`subvolid=${subvolumeId}`];
  if (kind !== 'active') options.push('ro');
  return [{ type: 'btrfs', source: device, options }];
}
