// containerd's Snapshotter over btrfs + MySQL metadata for one host. Every mutation follows
// the transaction pattern (DESIGN §3): begin → write metadata → btrfs op → commit; roll back
// when btrfs fails, undo the btrfs op when the commit fails. Ops carrying an op id are
// idempotent: a retry returns the first result instead of failing.
import { randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CommitPayloadSchema,
  CreatePayloadSchema,
  KeyPayloadSchema,
  NamespaceSchema,
  UpdatePayloadSchema,
  hasCode,
  parseOrThrow,
  silentLogger,
  unavailable,
  type CleanupResult,
  type CommitPayload,
  type CreatePayload,
  type CreateResult,
  type InfoResult,
  type KeyPayload,
  type Logger,
  type MountsResult,
  type OpContext,
  type OpName,
  type RemoveResult,
  type SnapshotInfo,
  type UpdatePayload,
  type Usage,
} from '@snapfleet/contracts';
import { isBtrfsError, type BtrfsBackend } from '@snapfleet/btrfs';
import { HostStore, isRetryableConflict, type MetaStore, type MetaTransaction, type WalkPage } from '@snapfleet/metastore';
import { btrfsFailure } from './btrfs-errors';
import type { FaultHook } from './faults';
import { btrfsMounts, KIND_DIRS, subvolumePath } from './layout';

export interface SnapshotterOptions {
  hostId: string;
  /** Host root: a directory on the pool's btrfs filesystem. */
  root: string;
  btrfs: BtrfsBackend;
  store: MetaStore;
  logger?: Logger;
  version?: string;
  faults?: FaultHook;
}

/** How often an op is re-run when InnoDB kills its transaction to break a deadlock. */
const MAX_CONFLICT_RETRIES = 8;

export class Snapshotter {
  readonly hostId: string;
  readonly root: string;
  private readonly btrfs: BtrfsBackend;
  private readonly store: MetaStore;
  private readonly log: Logger;
  private readonly faults: FaultHook | undefined;

  private constructor(
    opts: SnapshotterOptions,
    /** Block device of the pool, the `source` of every mount. */
    readonly device: string,
  ) {
    this.hostId = opts.hostId;
    this.root = opts.root;
    this.btrfs = opts.btrfs;
    this.store = opts.store;
    this.log = opts.logger ?? silentLogger;
    this.faults = opts.faults;
  }

  /** Prepares the layout under the root and registers the host's row. */
  static async open(opts: SnapshotterOptions): Promise<Snapshotter> {
    for (const dir of Object.values(KIND_DIRS)) await mkdir(join(opts.root, dir), { recursive: true, mode: 0o700 });
    const fs = await opts.btrfs.filesystemInfo(opts.root).catch((err: unknown) => {
      throw btrfsFailure(err, opts.hostId, `reading the filesystem of ${opts.root}`);
    });
    await new HostStore(opts.store.dataSource).register({
      id: opts.hostId,
      root: opts.root,
      device: fs.device,
      fsid: fs.fsid,
      version: opts.version ?? 'dev',
    });
    return new Snapshotter(opts, fs.device);
  }

  prepare(payload: CreatePayload, ctx: OpContext = {}): Promise<CreateResult> {
    return this.createSnapshot('prepare', payload, ctx);
  }

  view(payload: CreatePayload, ctx: OpContext = {}): Promise<CreateResult> {
    return this.createSnapshot('view', payload, ctx);
  }

  private async createSnapshot(op: 'prepare' | 'view', payload: CreatePayload, ctx: OpContext): Promise<CreateResult> {
    const p = parseOrThrow(CreatePayloadSchema, payload, `${op} request`);
    const kind = op === 'prepare' ? 'active' : 'view';
    return this.mutate(op, ctx, async (tx) => {
      const s = await tx.createSnapshot({ ...p, kind, ...(ctx.opId === undefined ? {} : { opId: ctx.opId }) });
      const target = subvolumePath(this.root, kind, s.id);
      await this.fault('after-metadata', op, tx);
      await this.makeSubvolume(target, s.parentId, kind === 'view');
      const undo = () => this.deleteSubvolume(target, `undoing ${op}`);
      try {
        const sub = await this.btrfsCall(`reading subvolume ${target}`, () => this.btrfs.subvolumeInfo(target));
        await tx.setSubvolumeId(s.id, sub.id);
        return { result: { info: s.info, mounts: btrfsMounts(this.device, kind, sub.id), path: target }, undo };
      } catch (err) {
        await undo();
        throw err;
      }
    });
  }

  /** New subvolume for a snapshot: empty, or a snapshot of the committed parent. */
  private async makeSubvolume(target: string, parentId: number | null, readonly: boolean): Promise<void> {
    const make = async () => {
      if (parentId === null) {
        await this.btrfs.createSubvolume(target);
        // btrfs makes a new subvolume's root 0777 minus the umask; containerd's layers start
        // at 0755 whatever the process umask is.
        await chmod(target, 0o755);
        if (readonly) await this.btrfs.setReadOnly(target, true);
      } else {
        await this.btrfs.snapshot(subvolumePath(this.root, 'committed', parentId), target, { readonly });
      }
    };
    await this.btrfsCall(`creating subvolume ${target}`, async () => {
      try {
        await make();
      } catch (err) {
        // The row id was allocated by this transaction, so whatever sits at its path is an
        // orphan (e.g. left by a metadata store restored from backup): replace it.
        if (!isBtrfsError(err) || err.code !== 'EEXIST') throw err;
        this.log.warn({ host: this.hostId, path: target }, 'replacing orphan subvolume at a fresh row path');
        await this.btrfs.deleteSubvolume(target);
        await make();
      }
    });
  }

  async commit(payload: CommitPayload, ctx: OpContext = {}): Promise<InfoResult> {
    const p = parseOrThrow(CommitPayloadSchema, payload, 'commit request');
    let source: string | undefined;
    const result = await this.mutate('commit', ctx, async (tx) => {
      const active = await tx.getActiveForCommit(p.namespace, p.name, p.key);
      source = subvolumePath(this.root, 'active', active.id);
      const target = subvolumePath(this.root, 'committed', active.id);
      await this.fault('after-metadata', 'commit', tx);
      await this.makeSnapshotOf(source, target);
      const undo = () => this.deleteSubvolume(target, 'undoing commit');
      try {
        // Measured on the new read-only snapshot: making it flushed and committed the
        // active's data, so no extra filesystem sync is needed.
        const usage = await this.measureUsage(target, active.parentId === null ? undefined : source, false);
        const info = await tx.commitActive({ id: active.id, namespace: p.namespace, name: p.name, labels: p.labels, usage });
        const sub = await this.btrfsCall(`reading subvolume ${target}`, () => this.btrfs.subvolumeInfo(target));
        await tx.setSubvolumeId(active.id, sub.id);
        return { result: { info }, undo };
      } catch (err) {
        await undo();
        throw err;
      }
    });
    // Like containerd: the active subvolume goes once the commit is durable; if this fails
    // it is an orphan that cleanup removes, never a second copy of the key.
    if (source !== undefined) {
      await this.fault('after-commit', 'commit');
      await this.deleteSubvolume(source, 'deleting the committed active subvolume');
    }
    return result;
  }

  private async makeSnapshotOf(source: string, target: string): Promise<void> {
    await this.btrfsCall(`snapshotting ${source}`, async () => {
      try {
        await this.btrfs.snapshot(source, target, { readonly: true });
      } catch (err) {
        // Left by an earlier commit attempt of this same active snapshot, whose row lock we hold.
        if (!isBtrfsError(err) || err.code !== 'EEXIST') throw err;
        this.log.warn({ host: this.hostId, path: target }, 'replacing orphan subvolume left by an earlier commit attempt');
        await this.btrfs.deleteSubvolume(target);
        await this.btrfs.snapshot(source, target, { readonly: true });
      }
    });
  }

  /**
   * Usage of a snapshot's own changes: what changed in `path` since the snapshot `base` was
   * created from its parent (everything when there is no parent).
   */
  private async measureUsage(path: string, base: string | undefined, sync: boolean): Promise<Usage> {
    return this.btrfsCall(`measuring usage of ${path}`, async () => {
      if (base === undefined) return this.btrfs.usage(path, { sync });
      const b = await this.btrfs.subvolumeInfo(base);
      return this.btrfs.usage(path, { since: { transid: b.otransid, otime: b.otime }, sync });
    });
  }

  /**
   * Deletes the row and commits first, then the subvolume: a failure after the commit
   * leaves an orphan subvolume for cleanup, never a row whose subvolume is gone.
   */
  async remove(payload: KeyPayload, ctx: OpContext = {}): Promise<RemoveResult> {
    const p = parseOrThrow(KeyPayloadSchema, payload, 'remove request');
    let path: string | undefined;
    const result = await this.mutate('remove', ctx, async (tx) => {
      const ref = await tx.removeSnapshot(p.namespace, p.key);
      path = subvolumePath(this.root, ref.kind, ref.id);
      await this.fault('after-metadata', 'remove', tx);
      return { result: { removed: true as const } };
    });
    if (path !== undefined) {
      await this.fault('after-commit', 'remove');
      await this.deleteSubvolume(path, 'deleting a removed snapshot');
    }
    return result;
  }

  async update(payload: UpdatePayload, ctx: OpContext = {}): Promise<InfoResult> {
    const p = parseOrThrow(UpdatePayloadSchema, payload, 'update request');
    return this.mutate('update', ctx, async (tx) => {
      const info = await tx.updateLabels(p.namespace, p.key, p.labels, p.fieldpaths ?? []);
      return { result: { info } };
    });
  }

  async stat(payload: KeyPayload): Promise<SnapshotInfo> {
    const p = parseOrThrow(KeyPayloadSchema, payload, 'stat request');
    return (await this.store.getSnapshot(this.hostId, p.namespace, p.key)).info;
  }

  async mounts(payload: KeyPayload): Promise<MountsResult> {
    const p = parseOrThrow(KeyPayloadSchema, payload, 'mounts request');
    const s = await this.store.getMountable(this.hostId, p.namespace, p.key);
    if (s.subvolumeId === null) throw unavailable(`snapshot ${JSON.stringify(p.key)} has no subvolume id yet`);
    return { mounts: btrfsMounts(this.device, s.info.kind, s.subvolumeId), path: subvolumePath(this.root, s.info.kind, s.id) };
  }

  /** Committed: recorded at commit. Active: measured now. View: zero, as containerd. */
  async usage(payload: KeyPayload): Promise<Usage> {
    const p = parseOrThrow(KeyPayloadSchema, payload, 'usage request');
    const s = await this.store.getSnapshot(this.hostId, p.namespace, p.key);
    if (s.info.kind === 'committed') return s.usage ?? { size: 0, inodes: 0 };
    if (s.info.kind === 'view') return { size: 0, inodes: 0 };
    const path = subvolumePath(this.root, 'active', s.id);
    return this.measureUsage(path, s.parentId === null ? undefined : path, true);
  }

  async walk(namespace: string, filters: readonly string[] = [], page: { limit?: number; after?: string } = {}): Promise<WalkPage> {
    const ns = parseOrThrow(NamespaceSchema, namespace, 'namespace');
    return this.store.walk(this.hostId, ns, filters, page);
  }

  /**
   * Deletes subvolumes no row references. Holds the host row exclusively, so no mutation is
   * between its metadata write and its commit while the disk is compared with the rows.
   */
  async cleanup(ctx: OpContext = {}): Promise<CleanupResult> {
    const tx = await this.store.begin(this.hostId);
    try {
      await tx.lockHost('exclusive');
      const rows = await this.store.idMap(this.hostId);
      const orphans = await this.findOrphans(rows);
      let removed = 0;
      for (const path of orphans) {
        await this.btrfsCall(`deleting orphan ${path}`, () => this.btrfs.deleteSubvolume(path));
        removed++;
        ctx.progress?.(Math.round((removed / orphans.length) * 100));
      }
      await tx.commit();
      if (removed > 0) this.log.info({ host: this.hostId, removed }, 'cleanup removed orphan subvolumes');
      return { removed };
    } catch (err) {
      await tx.rollback();
      throw err;
    }
  }

  private async findOrphans(rows: Map<number, string>): Promise<string[]> {
    const orphans: string[] = [];
    for (const [kind, dir] of Object.entries(KIND_DIRS)) {
      const base = join(this.root, dir);
      for (const name of await readdir(base)) {
        const id = /^\d+$/.test(name) ? Number(name) : undefined;
        if (id !== undefined && rows.get(id) === kind) continue;
        const path = join(base, name);
        // btrfs gives every subvolume root inode 256; anything else is not ours to delete.
        const st = await lstat(path).catch(() => undefined);
        if (st?.isDirectory() && st.ino === 256) orphans.push(path);
        else this.log.warn({ host: this.hostId, path }, 'cleanup: unexpected entry in the snapshot layout left alone');
      }
    }
    return orphans;
  }

  /**
   * The transaction pattern shared by every mutation: idempotency check, host lock, the
   * op's own metadata + btrfs work, op record, commit. `act` returns its result and, when
   * it made a subvolume, how to undo that if the commit does not go through.
   */
  private async mutate<R>(
    op: OpName,
    ctx: OpContext,
    act: (tx: MetaTransaction) => Promise<{ result: R; undo?: () => Promise<void> }>,
  ): Promise<R> {
    // Every op gets an id, so a failed COMMIT can be told apart from a lost answer.
    const opId = ctx.opId ?? `local-${randomUUID()}`;
    if (ctx.opId !== undefined) {
      const prior = await this.store.findOp(this.hostId, opId);
      if (prior !== undefined) return prior as R;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.mutateOnce(op, opId, act);
      } catch (err) {
        if (isRetryableConflict(err) && attempt < MAX_CONFLICT_RETRIES) continue;
        if (ctx.opId !== undefined && hasCode(err, 'already_exists')) {
          // A concurrent run of the same op id may have won; its result is the answer.
          const prior = await this.store.findOp(this.hostId, opId);
          if (prior !== undefined) return prior as R;
        }
        throw err;
      }
    }
  }

  private async mutateOnce<R>(
    op: OpName,
    opId: string,
    act: (tx: MetaTransaction) => Promise<{ result: R; undo?: () => Promise<void> }>,
  ): Promise<R> {
    const tx = await this.store.begin(this.hostId);
    let done: { result: R; undo?: () => Promise<void> } | undefined;
    try {
      await tx.lockHost('shared');
      done = await act(tx);
      await tx.recordOp(opId, op, done.result);
      await this.fault('before-commit', op, tx);
    } catch (err) {
      await tx.rollback();
      await done?.undo?.();
      throw err;
    }
    try {
      await tx.commit();
    } catch (err) {
      return this.afterFailedCommit(op, opId, done, err);
    }
    return done.result;
  }

  /**
   * A failed COMMIT is ambiguous: the server may have committed before the connection
   * broke. The op record, written in the same transaction, says which: committed → the op
   * succeeded; absent → undo the btrfs work; unknowable now → keep the subvolume (an orphan
   * is harmless and cleanup removes it; a row without its subvolume is not).
   */
  private async afterFailedCommit<R>(
    op: OpName,
    opId: string,
    done: { result: R; undo?: () => Promise<void> },
    err: unknown,
  ): Promise<R> {
    const recorded = await this.store.findOp(this.hostId, opId).then(
      (r) => (r === undefined ? 'absent' : 'present'),
      () => 'unknown' as const,
    );
    this.log.error({ host: this.hostId, op, opId, recorded, err: String(err) }, 'metadata commit failed');
    if (recorded === 'present') return done.result;
    if (recorded === 'absent' && done.undo) await done.undo();
    throw err;
  }

  private async deleteSubvolume(path: string, why: string): Promise<void> {
    try {
      await this.btrfs.deleteSubvolume(path);
    } catch (err) {
      this.log.warn({ host: this.hostId, path, why, err: String(err) }, 'subvolume left for cleanup');
    }
  }

  private async btrfsCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw btrfsFailure(err, this.hostId, what);
    }
  }

  private async fault(point: Parameters<FaultHook>[0], op: OpName, tx?: MetaTransaction): Promise<void> {
    if (this.faults) await this.faults(point, op, tx);
  }
}
