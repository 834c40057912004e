// BtrfsBackend over the btrfs-progs command line: the fallback when the native addon is
// not built. Slower (a process per call, dump-tree for usage and for subvolume otimes) but
// gives the same results and the same error codes as the native backend; pre-checks
// (progs-checks) make the errno exact where progs output is ambiguous.
import { BtrfsError } from './errors';
import { chmodAs, requireBtrfsDirectory, requireCreatable, requireDeletable, requireSubvolume, statfsAs } from './progs-checks';
import { runCommand, streamCommand, type CommandContext, type ProgsOptions } from './progs-exec';
import {
  InodeItemTally,
  UnexpectedOutputError,
  parseFilesystemShow,
  parseFindmntTarget,
  parseSubvolumeShow,
  RootItemScanner,
  type FilesystemShow,
  type RootItemFields,
} from './progs-parse';
import type { BtrfsBackend, FilesystemInfo, SubvolumeInfo, SubvolumeUsage, UsageOptions } from './types';
import { checkBoolean, checkMode, checkPath, checkUsageOptions } from './validate';

export class ProgsBtrfsBackend implements BtrfsBackend {
  readonly kind = 'progs' as const;
  private readonly binary: string;

  constructor(opts: ProgsOptions = {}) {
    this.binary = opts.binary ?? 'btrfs';
  }

  async createSubvolume(path: string, opts: { mode?: number } = {}): Promise<SubvolumeInfo> {
    checkPath('path', path);
    const mode = checkMode('opts.mode', opts.mode);
    const ctx = { op: 'createSubvolume', path };
    const entry = await requireCreatable(ctx, path);
    await this.run(['subvolume', 'create', '--', entry], ctx);
    if (mode !== undefined) await chmodAs(ctx, path, mode);
    return this.subvolumeInfo(path);
  }

  async snapshot(source: string, target: string, opts: { readonly: boolean }): Promise<SubvolumeInfo> {
    checkPath('source', source);
    checkPath('target', target);
    checkBoolean('opts.readonly', opts?.readonly);
    const subject = `${source} -> ${target}`;
    await requireSubvolume({ op: 'snapshot', subject }, source);
    // Must not exist: btrfs-progs would snapshot *into* an existing directory.
    const entry = await requireCreatable({ op: 'snapshot', subject }, target);
    const ro = opts.readonly ? ['-r'] : [];
    await this.run(['subvolume', 'snapshot', ...ro, '--', source, entry], { op: 'snapshot', path: target, subject });
    return this.subvolumeInfo(target);
  }

  async deleteSubvolume(path: string): Promise<void> {
    checkPath('path', path);
    const ctx = { op: 'deleteSubvolume', path };
    const entry = await requireDeletable(ctx, path);
    await this.run(['subvolume', 'delete', '--', entry], ctx);
  }

  async subvolumeInfo(path: string): Promise<SubvolumeInfo> {
    checkPath('path', path);
    const ctx = { op: 'subvolumeInfo', path };
    await requireSubvolume(ctx, path);
    const stdout = await this.run(['subvolume', 'show', '--', path], ctx);
    const shown = parsed(ctx, () => parseSubvolumeShow(stdout));
    // `subvolume show` prints the creation time to the second; the root item holds it to
    // the nanosecond, like the GET_SUBVOL_INFO ioctl returns it.
    const { otime } = await this.rootItem(path, shown.id, shown.uuid, ctx);
    return { ...shown, otime };
  }

  async setReadOnly(path: string, readonly: boolean): Promise<void> {
    checkPath('path', path);
    checkBoolean('readonly', readonly);
    const ctx = { op: 'setReadOnly', path };
    await requireSubvolume(ctx, path);
    await this.run(['property', 'set', '-ts', '--', path, 'ro', String(readonly)], ctx);
  }

  async filesystemInfo(path: string): Promise<FilesystemInfo> {
    checkPath('path', path);
    const ctx = { op: 'filesystemInfo', path };
    await requireBtrfsDirectory(ctx, path, path);
    const show = await this.filesystemShow(path, ctx);
    const device = show.devices[0] as string;
    const st = await statfsAs(ctx, path);
    return { device, fsid: show.fsid, size: st.blocks * st.bsize, free: st.bavail * st.bsize };
  }

  async usage(path: string, opts: UsageOptions): Promise<SubvolumeUsage> {
    checkPath('path', path);
    const { since, sync } = checkUsageOptions(opts);
    const ctx = { op: 'usage', path };
    await requireSubvolume(ctx, path);
    const id = await this.rootId(path, ctx);
    const { devices } = await this.filesystemShow(path, ctx);
    // dump-tree reads the committed on-disk tree: commit pending changes first unless the
    // caller knows the tree is committed (the native backend does the same).
    if (sync) await this.run(['filesystem', 'sync', '--', path], ctx);
    // Either way drop the device's page cache, which btrfs's own metadata writes bypass, so
    // it may hold stale copies of reused tree blocks.
    await this.flushDeviceCache(devices, ctx);
    const tally = new InodeItemTally(since);
    const args = ['inspect-internal', 'dump-tree', '--noscan', '--hide-names', '-t', String(id), '--', ...devices];
    await parsedAsync(ctx, () => streamCommand(this.binary, args, ctx, (line) => tally.line(line)));
    return parsed(ctx, () => tally.result());
  }

  private run(args: string[], ctx: CommandContext): Promise<string> {
    return runCommand(this.binary, args, ctx);
  }

  private async filesystemShow(path: string, ctx: CommandContext): Promise<FilesystemShow> {
    // `filesystem show` takes a mount point or device, not any directory of the filesystem.
    const json = await runCommand('findmnt', ['--json', '--output', 'TARGET', '--target', path], ctx);
    const mountPoint = parsed(ctx, () => parseFindmntTarget(json));
    const stdout = await this.run(['filesystem', 'show', '--raw', '--', mountPoint], ctx);
    return parsed(ctx, () => parseFilesystemShow(stdout));
  }

  private async rootId(path: string, ctx: CommandContext): Promise<number> {
    const stdout = await this.run(['inspect-internal', 'rootid', '--', path], ctx);
    return parsed(ctx, () => {
      const id = stdout.trim();
      if (!/^\d+$/.test(id)) throw new UnexpectedOutputError(`rootid: ${id}`);
      return Number(id);
    });
  }

  private async flushDeviceCache(devices: string[], ctx: CommandContext): Promise<void> {
    // BLKFLSBUF syncs and drops clean cached pages only: harmless on a mounted device.
    for (const device of devices) {
      await runCommand('blockdev', ['--flushbufs', device], ctx);
    }
  }

  /**
   * Subvolume `id`'s ROOT_ITEM from the on-disk root tree, checked against the uuid the
   * kernel reports. A subvolume's root item may not be committed yet (a fresh subvolume):
   * then, or when the read fails (the live tree can move under dump-tree), commit and read
   * once more. The fields read (uuid, otime) never change after creation, so any committed
   * copy is exact.
   */
  private async rootItem(path: string, id: number, uuid: string, ctx: CommandContext): Promise<RootItemFields> {
    const { devices } = await this.filesystemShow(path, ctx);
    const read = async (): Promise<RootItemFields | undefined> => {
      await this.flushDeviceCache(devices, ctx);
      const scanner = new RootItemScanner(id);
      const args = ['inspect-internal', 'dump-tree', '--noscan', '--hide-names', '-t', 'root', '--', ...devices];
      await parsedAsync(ctx, () => streamCommand(this.binary, args, ctx, (line) => scanner.line(line)));
      const found = parsed(ctx, () => scanner.result());
      return found?.uuid === uuid ? found : undefined;
    };
    const first = await read().catch(() => undefined);
    if (first) return first;
    await this.run(['filesystem', 'sync', '--', path], ctx);
    const second = await read();
    if (second) return second;
    throw asOutputError(ctx, new UnexpectedOutputError(`dump-tree: no root item for subvolume ${id} with uuid ${uuid}`));
  }
}

function parsed<T>(ctx: CommandContext, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw asOutputError(ctx, err);
  }
}

async function parsedAsync<T>(ctx: CommandContext, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw asOutputError(ctx, err);
  }
}

function asOutputError(ctx: CommandContext, err: unknown): unknown {
  if (!(err instanceof UnexpectedOutputError)) return err;
  return new BtrfsError({ ...ctx, code: 'EIO', syscall: 'btrfs-progs output', detail: err.message, cause: err });
}
