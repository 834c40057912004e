// Pre-checks of the progs backend, done with fs calls in the order the kernel checks, so
// errors carry the same exact errno as the native backend. btrfs-progs messages alone are
// ambiguous ("Could not statfs" for a missing path) and some commands change meaning when
// a path exists (`subvolume snapshot a b` snapshots into b/ when b is a directory).
import { chmod, lstat, stat, statfs } from 'node:fs/promises';
import type { Stats, StatsFs } from 'node:fs';
import { BtrfsError } from './errors';
import { errnoOf } from './errno';
import { checkPathLength, splitSubvolumePath, type ParentAndName } from './paths';

const BTRFS_SUPER_MAGIC = 0x9123683e;
/** Inode number of every subvolume's root directory. */
const FIRST_FREE_OBJECTID = 256;

export interface CheckContext {
  op: string;
  subject?: string;
}

function fsError(ctx: CheckContext, path: string, err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string') return err;
  return new BtrfsError({ ...ctx, path, code: e.code, errno: errnoOf(e.code), syscall: e.syscall, cause: err });
}

async function statAs(ctx: CheckContext, target: string, reportPath: string, follow = true): Promise<Stats> {
  try {
    return await (follow ? stat(target) : lstat(target));
  } catch (err) {
    throw fsError(ctx, reportPath, err);
  }
}

/** Like opening `dir` with O_DIRECTORY and checking the filesystem magic. */
export async function requireBtrfsDirectory(ctx: CheckContext, dir: string, reportPath: string): Promise<Stats> {
  checkPathLength(ctx.op, reportPath, ctx.subject);
  const st = await statAs(ctx, dir, reportPath);
  if (!st.isDirectory()) throw new BtrfsError({ ...ctx, path: reportPath, code: 'ENOTDIR', syscall: 'open' });
  const { type } = await statfsAs(ctx, dir, reportPath);
  if (type >>> 0 !== BTRFS_SUPER_MAGIC) {
    throw new BtrfsError({ ...ctx, path: reportPath, code: 'ENOTTY', syscall: 'statfs' });
  }
  return st;
}

/** statfs(2), failures reported against `reportPath`. */
export async function statfsAs(ctx: CheckContext, path: string, reportPath = path): Promise<StatsFs> {
  try {
    return await statfs(path);
  } catch (err) {
    throw fsError(ctx, reportPath, err);
  }
}

/** `path` must be a subvolume root: EINVAL otherwise, as the ioctls answer. */
export async function requireSubvolume(ctx: CheckContext, path: string): Promise<void> {
  const st = await requireBtrfsDirectory(ctx, path, path);
  if (st.ino !== FIRST_FREE_OBJECTID) {
    throw new BtrfsError({ ...ctx, path, code: 'EINVAL', syscall: 'stat' });
  }
}

/** `parent/name` without trailing slashes, which would make lstat follow a symlink. */
function entryPath({ parent, name }: ParentAndName): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/**
 * The parent must be a btrfs directory and the entry must not exist (EEXIST). Returns the
 * entry's normalised path, the one to hand to btrfs-progs.
 */
export async function requireCreatable(ctx: CheckContext, path: string): Promise<string> {
  const split = splitSubvolumePath(ctx.op, path, ctx.subject);
  await requireBtrfsDirectory(ctx, split.parent, path);
  const entry = entryPath(split);
  const existing = await lstat(entry).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw fsError(ctx, path, err);
  });
  if (existing) throw new BtrfsError({ ...ctx, path, code: 'EEXIST', syscall: 'lstat' });
  return entry;
}

/**
 * The entry itself (not a symlink's target) must be a subvolume root, as SNAP_DESTROY
 * looks the name up in the parent: ENOENT, ENOTDIR for non-directories, EINVAL for plain
 * directories. Returns the entry's normalised path.
 */
export async function requireDeletable(ctx: CheckContext, path: string): Promise<string> {
  const split = splitSubvolumePath(ctx.op, path, ctx.subject);
  await requireBtrfsDirectory(ctx, split.parent, path);
  const entry = entryPath(split);
  const st = await statAs(ctx, entry, path, false);
  if (!st.isDirectory()) throw new BtrfsError({ ...ctx, path, code: 'ENOTDIR', syscall: 'lstat' });
  if (st.ino !== FIRST_FREE_OBJECTID) throw new BtrfsError({ ...ctx, path, code: 'EINVAL', syscall: 'lstat' });
  return entry;
}

/** chmod with the failure reported as a BtrfsError of the calling op. */
export async function chmodAs(ctx: CheckContext, path: string, mode: number): Promise<void> {
  try {
    await chmod(path, mode);
  } catch (err) {
    throw fsError(ctx, path, err);
  }
}
