// containerd's Snapshotter over btrfs + MySQL metadata for one host. Every mutation follows
// the transaction pattern (DESIGN §3): begin → write metadata → btrfs op → commit; roll back
// when btrfs fails, undo the btrfs op when the commit fails. Ops carrying an op id are
// idempotent: a retry returns the first result instead of failing.
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  btrfsMounts,
  CommitPayloadSchema,
  CreatePayloadSchema,
  KeyPayloadSchema,
  NamespaceSchema,
  UpdatePayloadSchema,
  hasCode,
  KIND_DIRS,
  parseOrThrow,
  silentLogger,
  subvolumePath,
  unavailable,
  type CleanupResult,
  type FsckReport,
  type CommitPayload,
  type CreatePayload,
  type CreateResult,
  type InfoResult,
  type KeyPayload,
  type Kind,
  type Logger,
  type MountsResult,
  type OpContext,
  type OpName,
  type RemoveResult,
  type SnapshotInfo,
  type UpdatePayload,
  type Usage,
} from '@snapfleet/contracts';
import { isBtrfsError, type BtrfsBackend, type SubvolumeInfo } from '@snapfleet/btrfs';
import { HostStore, isRetryableConflict, type MetaStore, type MetaTransaction, type QueuedRemoval, type WalkPage } from '@snapfleet/metastore';
import { btrfsFailure } from './btrfs-errors';
import { fencedKeys, type Fenced } from './keys';
import { DeferredDeletes } from './deferred-deletes';
import { fsckHost } from './fsck';
import type { FaultHook } from './faults';

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

/** What an op's metadata + btrfs step produced, and how to reverse or verify it. */
interface Outcome<R> {
  result: R;
  /** Reverses the btrfs work when the transaction does not commit. */
  undo?: () => Promise<void>;
  /** Reads the committed rows to tell whether this op's commit landed (undefined: cannot tell). */
  landed?: () => Promise<boolean | undefined>;
}

/** A subvolume found on disk whose row is missing or of another kind. */
interface Orphan {
  path: string;
  kind: Kind;
  /** Row id named by the directory, when the name is one. */
  id?: number;
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
  private readonly deletes: DeferredDeletes;

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
    this.deletes = new DeferredDeletes(opts.btrfs, this.log, opts.hostId);
  }

  /** Compares this host's rows with its disk (after background deletes settle). */
  async fsck(): Promise<FsckReport> {
    await this.deletes.drain();
    return fsckHost(this.hostId, this.root, this.btrfs, this.store);
  }

  /**
   * Registers a lease's fencing token for its keys on its own, before the ops that write them
   * under it: those ops then pass `fenceRegistered` and only guard their commits.
   */
  registerFence(fenced: Fenced, token: bigint): Promise<void> {
    return this.store.registerFence(this.hostId, { token, namespace: fenced.namespace, keys: fenced.keys });
  }

  /** Resolves when every background subvolume delete started so far has finished. */
  settled(): Promise<void> {
    return this.deletes.drain();
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
    return this.mutate(op, ctx, fencedKeys(op, p), async (tx) => {
      const s = await tx.createSnapshot({ ...p, kind, ...(ctx.opId === undefined ? {} : { opId: ctx.opId }) });
      const target = subvolumePath(this.root, kind, s.id);
      await this.fault('after-metadata', op, tx);
      const sub = await this.makeSubvolume(target, s.parentId, kind === 'view', ctx);
      const undo = () => this.deleteSubvolume(target, `undoing ${op}`);
      try {
        tx.setSubvolumeId(s.id, sub.id);
        const landed = async () => (await this.store.rowKind(s.id)) !== undefined;
        return { result: { info: s.info, mounts: btrfsMounts(this.device, kind, sub.id), path: target }, undo, landed };
      } catch (err) {
        await undo();
        throw err;
      }
    });
  }

  /** New subvolume for a snapshot: empty, or a snapshot of the committed parent. */
  private async makeSubvolume(target: string, parentId: number | null, readonly: boolean, ctx: OpContext): Promise<SubvolumeInfo> {
    const make = async () => {
      if (parentId !== null) return this.btrfs.snapshot(subvolumePath(this.root, 'committed', parentId), target, { readonly });
      // btrfs makes a new root 0777 minus the umask; containerd's layers start at 0755.
      const sub = await this.btrfs.createSubvolume(target, { mode: 0o755 });
      if (readonly) await this.btrfs.setReadOnly(target, true);
      return sub;
    };
    return this.btrfsCall(`creating subvolume ${target}`, async () => {
      try {
        return await make();
      } catch (err) {
        // The row id was allocated by this transaction, so whatever sits at its path is an
        // orphan (e.g. left by a metadata store restored from backup): replace it.
        if (!isBtrfsError(err) || err.code !== 'EEXIST') throw err;
        this.log.warn({ host: this.hostId, path: target }, 'replacing orphan subvolume at a fresh row path');
        await this.deleteIfPresent(target);
        return make();
      }
    }, ctx);
  }

  async commit(payload: CommitPayload, ctx: OpContext = {}): Promise<InfoResult> {
    const p = parseOrThrow(CommitPayloadSchema, payload, 'commit request');
    let source: string | undefined;
    const result = await this.mutate('commit', ctx, fencedKeys('commit', p), async (tx) => {
      const active = await tx.getActiveForCommit(p.namespace, p.name, p.key);
      source = subvolumePath(this.root, 'active', active.id);
      const target = subvolumePath(this.root, 'committed', active.id);
      await this.fault('after-metadata', 'commit', tx);
      const sub = await this.makeSnapshotOf(source, target, ctx);
      const undo = () => this.deleteSubvolume(target, 'undoing commit');
      try {
        // Measured on the new read-only snapshot: making it flushed and committed the
        // active's data, so no extra filesystem sync is needed.
        const usage = await this.measureUsage(target, active.parentId === null ? undefined : source, false, ctx);
        const info = tx.commitActive({ active, name: p.name, labels: p.labels, usage, subvolumeId: sub.id });
        const landed = async () => (await this.store.rowKind(active.id)) === 'committed';
        return { result: { info }, undo, landed };
      } catch (err) {
        await undo();
        throw err;
      }
    });
    // Like containerd: the active subvolume goes once the commit is durable; if this fails
    // it is an orphan that cleanup removes, never a second copy of the key.
    if (source !== undefined) {
      await this.fault('after-commit', 'commit');
      await this.deletes.schedule(source, 'deleting the committed active subvolume');
    }
    return result;
  }

  private async makeSnapshotOf(source: string, target: string, ctx: OpContext): Promise<SubvolumeInfo> {
    return this.btrfsCall(`snapshotting ${source}`, async () => {
      try {
        return await this.btrfs.snapshot(source, target, { readonly: true });
      } catch (err) {
        // Left by an earlier commit attempt of this same active snapshot, whose row lock we hold.
        if (!isBtrfsError(err) || err.code !== 'EEXIST') throw err;
        this.log.warn({ host: this.hostId, path: target }, 'replacing orphan subvolume left by an earlier commit attempt');
        await this.deleteIfPresent(target);
        return this.btrfs.snapshot(source, target, { readonly: true });
      }
    }, ctx);
  }

  /**
   * Usage of a snapshot's own changes: what changed in `path` since the snapshot `base` was
   * created from its parent (everything when there is no parent).
   */
  private async measureUsage(path: string, base: string | undefined, sync: boolean, ctx: OpContext): Promise<Usage> {
    return this.btrfsCall(`measuring usage of ${path}`, async () => {
      if (base === undefined) return this.btrfs.usage(path, { sync });
      const b = await this.btrfs.subvolumeInfo(base);
      return this.btrfs.usage(path, { since: { transid: b.otransid, otime: b.otime }, sync });
    }, ctx);
  }

  /**
   * Deletes the row and commits first, then the subvolume: a failure after the commit
   * leaves an orphan subvolume for cleanup, never a row whose subvolume is gone. The whole
   * metadata side (lookup, delete, op record, commit) is one round trip; the store's COMMIT
   * reports a missing key or a snapshot with children.
   */
  async remove(payload: KeyPayload, ctx: OpContext = {}): Promise<RemoveResult> {
    const p = parseOrThrow(KeyPayloadSchema, payload, 'remove request');
    let removal: QueuedRemoval | undefined;
    const result = await this.mutate('remove', ctx, fencedKeys('remove', p), async (tx) => {
      const queued = tx.removeSnapshot(p.namespace, p.key);
      removal = queued;
      await this.fault('after-metadata', 'remove', tx);
      const landed = async () => {
        const ref = queued.ref;
        return ref === undefined ? undefined : (await this.store.rowKind(ref.id)) === undefined;
      };
      return { result: { removed: true as const }, landed };
    });
    // Undefined when an earlier run of this op id did the remove (and scheduled the delete).
    const ref = removal?.ref;
    if (ref !== undefined) {
      await this.fault('after-commit', 'remove');
      await this.deletes.schedule(subvolumePath(this.root, ref.kind, ref.id), 'deleting a removed snapshot');
    }
    return result;
  }

  async update(payload: UpdatePayload, ctx: OpContext = {}): Promise<InfoResult> {
    const p = parseOrThrow(UpdatePayloadSchema, payload, 'update request');
    return this.mutate('update', ctx, fencedKeys('update', p), async (tx) => {
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
  async usage(payload: KeyPayload, ctx: OpContext = {}): Promise<Usage> {
    const p = parseOrThrow(KeyPayloadSchema, payload, 'usage request');
    const s = await this.store.getSnapshot(this.hostId, p.namespace, p.key);
    if (s.info.kind === 'committed') return s.usage ?? { size: 0, inodes: 0 };
    if (s.info.kind === 'view') return { size: 0, inodes: 0 };
    const path = subvolumePath(this.root, 'active', s.id);
    return this.measureUsage(path, s.parentId === null ? undefined : path, true, ctx);
  }

  async walk(namespace: string, filters: readonly string[] = [], page: { limit?: number; after?: string } = {}): Promise<WalkPage> {
    const ns = parseOrThrow(NamespaceSchema, namespace, 'namespace');
    return this.store.walk(this.hostId, ns, filters, page);
  }

  /**
   * Deletes subvolumes no row references. Candidates come from comparing the disk with the
   * rows; each is then confirmed under a lock on its row id, which waits for any op still
   * between its metadata write and its commit — so an op in flight never loses its subvolume.
   */
  async cleanup(ctx: OpContext = {}): Promise<CleanupResult> {
    await this.deletes.drain();
    const candidates = await this.findOrphans(await this.store.idMap(this.hostId));
    let removed = 0;
    for (const [i, c] of candidates.entries()) {
      if (await this.removeIfOrphan(c)) removed++;
      ctx.progress?.(Math.round(((i + 1) / candidates.length) * 100));
    }
    if (removed > 0) this.log.info({ host: this.hostId, removed }, 'cleanup removed orphan subvolumes');
    return { removed };
  }

  private async removeIfOrphan(c: Orphan): Promise<boolean> {
    const tx = await this.store.begin(this.hostId);
    try {
      if (c.id !== undefined && (await tx.lockRow(c.id)) === c.kind) return false;
      return await this.btrfsCall(`deleting orphan ${c.path}`, async () => {
        try {
          await this.btrfs.deleteSubvolume(c.path);
          return true;
        } catch (err) {
          // Its op's own undo or post-commit delete got there first.
          if (isBtrfsError(err) && err.code === 'ENOENT') return false;
          throw err;
        }
      });
    } finally {
      await tx.rollback();
    }
  }

  private async findOrphans(rows: Map<number, string>): Promise<Orphan[]> {
    const orphans: Orphan[] = [];
    for (const [kind, dir] of Object.entries(KIND_DIRS) as [Kind, string][]) {
      const base = join(this.root, dir);
      for (const name of await readdir(base)) {
        const id = /^\d{1,15}$/.test(name) ? Number(name) : undefined;
        if (id !== undefined && rows.get(id) === kind) continue;
        const path = join(base, name);
        // btrfs gives every subvolume root inode 256; anything else is not ours to delete.
        const st = await lstat(path).catch(() => undefined);
        if (st?.isDirectory() && st.ino === 256) orphans.push({ path, kind, ...(id === undefined ? {} : { id }) });
        else this.log.warn({ host: this.hostId, path }, 'cleanup: unexpected entry in the snapshot layout left alone');
      }
    }
    return orphans;
  }

  /**
   * The transaction pattern shared by every mutation: idempotency check, the op's own
   * metadata + btrfs work, op record, commit. `act` returns its result, how to undo its
   * btrfs work if the commit does not go through, and how to tell from the rows whether a
   * commit whose answer was lost did land.
   */
  private async mutate<R>(op: OpName, ctx: OpContext, fenced: Fenced, act: (tx: MetaTransaction) => Promise<Outcome<R>>): Promise<R> {
    if (ctx.opId !== undefined && ctx.firstRun !== true) {
      const prior = await this.store.findOp(this.hostId, ctx.opId);
      if (prior !== undefined) return prior as R;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.mutateOnce(op, ctx, fenced, act);
      } catch (err) {
        if (isRetryableConflict(err) && attempt < MAX_CONFLICT_RETRIES) continue;
        if (ctx.opId !== undefined && hasCode(err, 'already_exists')) {
          // A concurrent run of the same op id may have won; its result is the answer.
          const prior = await this.store.findOp(this.hostId, ctx.opId);
          if (prior !== undefined) return prior as R;
        }
        throw err;
      }
    }
  }

  private async mutateOnce<R>(op: OpName, ctx: OpContext, fenced: Fenced, act: (tx: MetaTransaction) => Promise<Outcome<R>>): Promise<R> {
    const opId = ctx.opId;
    const tx = await this.store.begin(
      this.hostId,
      ctx.fence === undefined ? undefined : { token: ctx.fence, namespace: fenced.namespace, keys: fenced.keys, registered: ctx.fenceRegistered === true },
    );
    let done: Outcome<R> | undefined;
    try {
      done = await act(tx);
      if (opId !== undefined) tx.recordOp(opId, op, done.result, fenced.namespace === '' ? undefined : fenced.namespace);
      await this.fault('before-commit', op, tx);
    } catch (err) {
      // Undo before rolling back: the row locks keep the next writer of these keys out
      // until the disk is as it was.
      await done?.undo?.();
      await tx.rollback();
      throw err;
    }
    try {
      await tx.commit();
    } catch (err) {
      try {
        // The server refused a statement of the batch, so COMMIT never ran (or, for a
        // remove of a missing key, committed nothing): no doubt about the outcome.
        if (hasCode(err, 'not_found', 'failed_precondition', 'already_exists', 'aborted')) {
          await done.undo?.();
          throw err;
        }
        return await this.afterFailedCommit(op, opId, done, err);
      } finally {
        await tx.rollback();
      }
    }
    return done.result;
  }

  /**
   * A failed COMMIT is ambiguous: the server may have committed before the connection
   * broke. The op record (or, without an op id, the row itself) says which: landed → the op
   * succeeded; not landed → undo the btrfs work; unknowable now → keep the subvolume (an
   * orphan is harmless and cleanup removes it; a row without its subvolume is not).
   */
  private async afterFailedCommit<R>(op: OpName, opId: string | undefined, done: Outcome<R>, err: unknown): Promise<R> {
    const check =
      opId !== undefined ? async () => (await this.store.findOp(this.hostId, opId)) !== undefined : done.landed;
    const landed = check ? await check().catch(() => undefined) : undefined;
    this.log.error({ host: this.hostId, op, opId, landed, err: String(err) }, 'metadata commit failed');
    if (landed === true) return done.result;
    if (landed === false && done.undo) await done.undo();
    throw err;
  }

  private async deleteIfPresent(path: string): Promise<void> {
    try {
      await this.btrfs.deleteSubvolume(path);
    } catch (err) {
      if (!isBtrfsError(err) || err.code !== 'ENOENT') throw err;
    }
  }

  private async deleteSubvolume(path: string, why: string): Promise<void> {
    try {
      await this.btrfs.deleteSubvolume(path);
    } catch (err) {
      this.log.warn({ host: this.hostId, path, why, err: String(err) }, 'subvolume left for cleanup');
    }
  }

  /** Runs one step of btrfs work, wrapping its failure with what failed; `ctx` is told how long it took. */
  private async btrfsCall<T>(what: string, fn: () => Promise<T>, ctx?: OpContext): Promise<T> {
    const started = ctx?.btrfsTime === undefined ? 0 : performance.now();
    try {
      return await fn();
    } catch (err) {
      throw btrfsFailure(err, this.hostId, what);
    } finally {
      ctx?.btrfsTime?.(performance.now() - started);
    }
  }

  private async fault(point: Parameters<FaultHook>[0], op: OpName, tx?: MetaTransaction): Promise<void> {
    if (this.faults) await this.faults(point, op, tx);
  }
}
