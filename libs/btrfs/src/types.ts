// The btrfs primitives snapfleet needs, as one interface with two backends: the native
// ioctl addon and the btrfs-progs command line. Paths are absolute host paths; nothing here
// knows about snapshots, keys or SQL.

export type BtrfsBackendKind = 'native' | 'progs';

/** A btrfs on-disk timestamp: seconds since the epoch and nanoseconds (0..999 999 999). */
export interface Timespec {
  sec: number;
  nsec: number;
}

export interface SubvolumeInfo {
  /** Subvolume (tree) id, as used in `subvolid=` mount options. */
  id: number;
  /** Last transaction that changed the subvolume. */
  generation: number;
  /** Transaction in which the subvolume/snapshot was created ("Gen at creation"). */
  otransid: number;
  /**
   * Creation time of the subvolume/snapshot (its root item's otime), to the nanosecond.
   * With `otransid` it is the baseline `usage` measures a snapshot's own changes from.
   */
  otime: Timespec;
  readonly: boolean;
  uuid: string;
  /** UUID of the subvolume this one is a snapshot of, null for plain subvolumes. */
  parentUuid: string | null;
}

export interface FilesystemInfo {
  /** Block device of the filesystem (first device), e.g. /dev/loop3. */
  device: string;
  /** Filesystem UUID. */
  fsid: string;
  /** Total and available bytes, as statfs reports them. */
  size: number;
  free: number;
}

/**
 * Where a subvolume's own changes start: the `otransid` and `otime` of the snapshot it
 * was taken as (see `SubvolumeInfo`).
 */
export interface UsageBaseline {
  transid: number;
  otime: Timespec;
}

export interface UsageOptions {
  /**
   * Count only what changed since this baseline: inodes whose btrfs transid is greater than
   * `since.transid` AND whose ctime is at or after `since.otime`. Absent: count every inode.
   */
  since?: UsageBaseline;
  /**
   * Commit the filesystem first (`BTRFS_IOC_SYNC`, like `btrfs filesystem sync`) so that
   * recent writes, still in memory, are counted. `false` only when the tree is known to be
   * committed, e.g. a read-only snapshot just created (creating a snapshot commits).
   */
  sync: boolean;
}

export interface SubvolumeUsage {
  /** Sum of inode_item.nbytes over the counted inodes. */
  size: number;
  /** Number of counted inodes. */
  inodes: number;
}

export interface BtrfsBackend {
  readonly kind: BtrfsBackendKind;
  /**
   * Creates an empty subvolume at `path` (parent dir must exist, `path` must not) and
   * returns its info. `mode` sets the new root's permission bits: btrfs itself makes it
   * 0777 & ~umask.
   */
  createSubvolume(path: string, opts?: { mode?: number }): Promise<SubvolumeInfo>;
  /** Snapshots subvolume `source` to new path `target`, read-only if asked; returns its info. */
  snapshot(source: string, target: string, opts: { readonly: boolean }): Promise<SubvolumeInfo>;
  /** Deletes the subvolume at `path` (read-only ones too). */
  deleteSubvolume(path: string): Promise<void>;
  subvolumeInfo(path: string): Promise<SubvolumeInfo>;
  setReadOnly(path: string, readonly: boolean): Promise<void>;
  filesystemInfo(path: string): Promise<FilesystemInfo>;
  /**
   * Usage (inode count, sum of nbytes) of the subvolume's own changes since `opts.since`
   * (pass a snapshot's `{ transid: otransid, otime }`), or of everything without it.
   * An inode counts when its transid > `since.transid` and its ctime >= `since.otime`: the
   * ctime floor leaves out inodes only *read* since the snapshot, whose atime update bumped
   * the transid. Reads btree metadata only; with `since`, cost grows with what changed,
   * not with the tree size.
   */
  usage(path: string, opts: UsageOptions): Promise<SubvolumeUsage>;
}
