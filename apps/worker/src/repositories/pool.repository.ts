// The host's btrfs pool behind one class: the btrfs backend (native ioctls or btrfs-progs)
// the snapshotter runs on, and the filesystem's figures for the heartbeat.
import { randomBytes } from 'node:crypto';
import { stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadBtrfs, type BtrfsBackend, type BtrfsBackendKind, type FilesystemInfo } from '@snapfleet/btrfs';
import type { Logger } from '@snapfleet/contracts';
import type { WorkerConfig } from '../config/worker-config';

export class PoolRepository {
  private constructor(
    readonly root: string,
    readonly backend: BtrfsBackend,
    /** Block device of the pool (the `source` of every mount). */
    readonly device: string,
    /** UUID of the filesystem the root was on at start. */
    readonly fsid: string,
  ) {}

  /** Loads the backend and checks that the root is a directory on btrfs. Touches nothing. */
  static async open(config: Pick<WorkerConfig, 'root' | 'btrfsBackend'>, opts: { log: Logger }): Promise<PoolRepository> {
    await assertDirectory(config.root);
    const backend = loadBtrfs({ backend: config.btrfsBackend, logger: opts.log });
    const info = await backend.filesystemInfo(config.root).catch((err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`SNAPFLEET_ROOT ${config.root} is not on a btrfs filesystem (${reason})`, { cause: err });
    });
    return new PoolRepository(config.root, backend, info.device, info.fsid);
  }

  get backendKind(): BtrfsBackendKind {
    return this.backend.kind;
  }

  /**
   * Readiness of the pool: the root is still on the filesystem it was on at start (an
   * unmounted pool leaves the root on its parent's filesystem, or gone) and a file can be
   * created and deleted in it (not read-only, not full of metadata). Returns the free bytes.
   */
  async probe(): Promise<{ freeBytes: number }> {
    const info = await this.backend.filesystemInfo(this.root);
    if (info.fsid !== this.fsid) throw new Error(`${this.root} is no longer on the pool's filesystem ${this.fsid} (unmounted?)`);
    const file = join(this.root, `.snapfleet-ready-${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(file, '', { flag: 'wx' });
    await unlink(file);
    return { freeBytes: info.free };
  }

  /** statfs-level figures: cheap enough for every heartbeat. */
  filesystemInfo(): Promise<FilesystemInfo> {
    return this.backend.filesystemInfo(this.root);
  }
}

/**
 * The root must exist: creating it would silently put a mistyped root on whatever
 * filesystem holds its parent.
 */
async function assertDirectory(root: string): Promise<void> {
  const st = await stat(root).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`SNAPFLEET_ROOT ${root} is not accessible (${err.code ?? err.message}): create it on the host's btrfs pool`);
  });
  if (!st.isDirectory()) throw new Error(`SNAPFLEET_ROOT ${root} is not a directory`);
}
