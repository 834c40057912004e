// Conformance-suite helpers that mount containerd `Mount[]` lists with the real mount(8) and
// unmount them again, so the suite reads and writes snapshots exactly the way containerd does
// (mount.All / mount.UnmountAll), never through a shortcut the implementation might offer.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, realpath, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Mount } from '@snapfleet/contracts';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** mount(8) arguments for one containerd mount. Bind mounts carry no fs type, like containerd. */
export function mountArgs(m: Mount, target: string): string[] {
  const isBind = m.type === 'bind' || m.type === 'rbind' || m.options.some((o) => o === 'bind' || o === 'rbind');
  const args = isBind ? [] : ['-t', m.type];
  if (m.options.length > 0) args.push('-o', m.options.join(','));
  args.push(m.source, m.target ? join(target, m.target) : target);
  return args;
}

/** Mounts every entry of `mounts` on `target`, in order (containerd's mount.All). */
export async function mountAll(mounts: readonly Mount[], target: string): Promise<void> {
  if (mounts.length === 0) throw new Error('no mounts to mount: a snapshot must return at least one');
  let done = 0;
  try {
    for (const m of mounts) {
      const args = mountArgs(m, target);
      await run('mount', args).catch((err: { stderr?: string }) => {
        throw new Error(`mount ${args.join(' ')} failed: ${err.stderr?.trim() ?? String(err)}`);
      });
      done++;
    }
  } catch (err) {
    // Leave nothing half-mounted behind a failed mount.All.
    if (done > 0) await unmountAll(target).catch(() => undefined);
    throw err;
  }
}

/** Mount points currently listed by the kernel (octal escapes such as \040 decoded). */
export async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

export async function isMountPoint(dir: string): Promise<boolean> {
  const real = await realpath(dir).catch(() => dir);
  return (await mountPoints()).includes(real);
}

/**
 * Unmounts `target` until it is no longer a mount point (containerd's UnmountAll), retrying
 * while the kernel says EBUSY: a just-closed file handle can keep a btrfs mount busy briefly.
 */
export async function unmountAll(target: string, attempts = 50): Promise<void> {
  let lastError = '';
  for (let i = 0; i < attempts; i++) {
    if (!(await isMountPoint(target))) return;
    try {
      await run('umount', [target]);
      continue;
    } catch (err) {
      lastError = (err as { stderr?: string }).stderr?.trim() ?? String(err);
      if (!/busy/i.test(lastError) && !(await isMountPoint(target))) return;
    }
    await sleep(100);
  }
  if (await isMountPoint(target)) throw new Error(`cannot unmount ${target}: ${lastError}`);
}

/**
 * A scratch directory for one test. It holds the mount targets and the "flat" reference trees.
 * dispose() unmounts anything left below it first and refuses to delete recursively while
 * something is still mounted there: `rm -r` through a live mount would erase a snapshot.
 */
export interface WorkDir {
  dir: string;
  /** Mounts `mounts` on a fresh directory under the work dir and returns that directory. */
  mount(mounts: readonly Mount[]): Promise<string>;
  /** Unmounts a directory returned by mount() and removes it (it is empty once unmounted). */
  unmount(dir: string): Promise<void>;
  /** A fresh, empty, unmounted directory under the work dir. */
  tempDir(prefix: string): Promise<string>;
  dispose(): Promise<void>;
}

/** Where work dirs live: one subdirectory per test. */
export const WORK_BASE = join(tmpdir(), 'snapfleet-conformance');

export async function makeWorkDir(prefix = 'run-'): Promise<WorkDir> {
  const base = WORK_BASE;
  await mkdir(base, { recursive: true });
  // realpath: /proc/self/mountinfo lists resolved paths, and dispose() compares against them.
  const dir = await realpath(await mkdtemp(join(base, prefix)));
  const live = new Set<string>();
  const tempDir = (p: string) => mkdtemp(join(dir, p));
  return {
    dir,
    tempDir,
    async mount(mounts) {
      const target = await tempDir('mnt-');
      await mountAll(mounts, target);
      live.add(target);
      return target;
    },
    async unmount(target) {
      await unmountAll(target);
      live.delete(target);
      await rmdir(target);
    },
    async dispose() {
      const errors: string[] = [];
      // Unmount what tests left mounted (deepest first), then anything else below the dir.
      const below = (await mountPoints()).filter((p) => p.startsWith(dir + '/'));
      for (const p of [...new Set([...live, ...below])].sort((a, b) => b.length - a.length)) {
        await unmountAll(p).catch((e: unknown) => errors.push(String(e)));
      }
      const still = (await mountPoints()).filter((p) => p.startsWith(dir + '/'));
      if (still.length > 0) {
        throw new Error(`not removing ${dir}: still mounted: ${still.join(', ')}; ${errors.join('; ')}`);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For a global teardown, after every test file has finished: unmounts whatever a crashed
 * test process left under WORK_BASE (a live mount keeps a pool's loop device busy), then
 * deletes the tree. Never call it while conformance tests are running.
 */
export async function sweepWorkDirs(): Promise<void> {
  const base = await realpath(WORK_BASE).catch(() => undefined);
  if (base === undefined) return;
  const left = (await mountPoints()).filter((p) => p.startsWith(base + '/')).sort((a, b) => b.length - a.length);
  for (const p of left) await unmountAll(p).catch(() => run('umount', ['-l', p]).catch(() => undefined));
  if ((await mountPoints()).some((p) => p.startsWith(base + '/'))) return; // never rm through a mount
  await rm(base, { recursive: true, force: true });
}
