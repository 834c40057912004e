// Real btrfs pools for tests: a sparse image file, mkfs.btrfs, a loop mount. Each pool is
// one simulated host. Everything made here is unmounted and deleted by dispose(), and the
// global teardown sweeps whatever a crashed test file left under this run's directory.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const POOLS_BASE = join(tmpdir(), 'snapfleet-pools');

export interface Pool {
  /** Mount point: the host root handed to the snapshotter. */
  dir: string;
  image: string;
  /** Loop block device backing the mount (what btrfs mounts report as source). */
  device: string;
  dispose(): Promise<void>;
}

export function assertRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('these tests need root: they loop-mount real btrfs pools (run as root)');
  }
}

export async function createPool(opts: { sizeMiB?: number; label?: string; mkfsArgs?: string[] } = {}): Promise<Pool> {
  assertRoot();
  const base = join(POOLS_BASE, process.env.SNAPFLEET_TEST_RUN ?? 'adhoc');
  await mkdir(base, { recursive: true });
  const work = await mkdtemp(join(base, `${opts.label ?? 'pool'}-`));
  const image = join(work, 'pool.img');
  const dir = join(work, 'mnt');
  await mkdir(dir);
  try {
    await run('truncate', ['-s', `${opts.sizeMiB ?? 1024}M`, image]);
    await run('mkfs.btrfs', ['-q', ...(opts.mkfsArgs ?? []), image]);
    await run('mount', ['-o', 'loop', image, dir]);
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw new Error(`cannot make a btrfs pool (needs root, btrfs-progs and loop devices): ${String(err)}`, { cause: err });
  }
  const device = await mountSource(dir);
  let disposed = false;
  return {
    dir,
    image,
    device,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await unmountAndRemove(work, dir);
    },
  };
}

async function mountSource(dir: string): Promise<string> {
  const { stdout } = await run('findmnt', ['-n', '-o', 'SOURCE', '--target', dir]);
  return stdout.trim().replace(/\[.*\]$/, '');
}

export async function unmountAndRemove(work: string, dir: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (!(await isMounted(dir))) break;
    try {
      await run('umount', [dir]);
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  if (await isMounted(dir)) await run('umount', ['-l', dir]).catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}

export async function isMounted(dir: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return mounts.split('\n').some((line) => line.split(' ')[1] === dir);
}

/** Unmounts and deletes every pool under `base` (used by the global teardown). */
export async function sweepPools(base: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m): m is string => !!m && m.startsWith(base + '/'))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run('umount', ['-l', m]).catch(() => undefined);
  await rm(base, { recursive: true, force: true });
}

export async function listSubvolumes(dir: string): Promise<string[]> {
  const { stdout } = await run('btrfs', ['subvolume', 'list', '-o', dir]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^.* path /, ''))
    .sort();
}
