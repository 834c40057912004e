// Issue-2 benchmark cases: prepare→commit→remove through the in-process snapshotter against
// the same btrfs ioctls with no metadata, and the native backend against btrfs-progs on
// create/delete. All cases run on one pool in one process, rounds interleaved.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BtrfsBackend } from '@snapfleet/btrfs';
import type { Snapshotter } from '@snapfleet/snapshotter';
import { runConcurrent, type RunStats } from './stats';

/**
 * The raw cycle: the same btrfs ioctls a prepare→commit→remove issues (create with the root
 * mode, read-only snapshot, usage search, two deletes), with no metadata at all.
 */
export async function rawCycle(btrfs: BtrfsBackend, dir: string, cycles: number, concurrency: number): Promise<RunStats> {
  await mkdir(join(dir, 'active'), { recursive: true });
  await mkdir(join(dir, 'snapshots'), { recursive: true });
  return runConcurrent(cycles, concurrency, async (i) => {
    const active = join(dir, 'active', String(i));
    const committed = join(dir, 'snapshots', String(i));
    await btrfs.createSubvolume(active, { mode: 0o755 });
    await btrfs.snapshot(active, committed, { readonly: true });
    await btrfs.usage(committed, { sync: false });
    await btrfs.deleteSubvolume(active);
    await btrfs.deleteSubvolume(committed);
  });
}

/** The round ends when the snapshotter's background deletes have, as the raw loop's are inline. */
export async function snapshotterCycle(s: Snapshotter, tag: string, cycles: number, concurrency: number): Promise<RunStats> {
  const namespace = 'bench';
  return runConcurrent(cycles, concurrency, async (i) => {
    const key = `${tag}-active-${i}`;
    const name = `${tag}-layer-${i}`;
    await s.prepare({ namespace, key });
    await s.commit({ namespace, name, key });
    await s.remove({ namespace, key: name });
  }, () => s.settled());
}

export async function createDeleteCycle(btrfs: BtrfsBackend, dir: string, cycles: number, concurrency: number): Promise<RunStats> {
  await mkdir(dir, { recursive: true });
  return runConcurrent(cycles, concurrency, async (i) => {
    const p = join(dir, String(i));
    await btrfs.createSubvolume(p);
    await btrfs.deleteSubvolume(p);
  });
}
