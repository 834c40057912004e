// One metadata transaction on one host: containerd's snapshots/storage operations (create,
// commit-active, remove, update, get) on MySQL. The snapshotter opens it, does its btrfs
// work in between, and commits or rolls back. Nothing here knows about btrfs.
import type { QueryRunner } from 'typeorm';
import {
  alreadyExists,
  failedPrecondition,
  describeIssues,
  invalidArgument,
  LabelsSchema,
  notFound,
  unavailable,
  type Kind,
  type Labels,
  type SnapshotInfo,
  type Usage,
} from '@snapfleet/contracts';
import { keyHash, normalizeLabels, SNAPSHOT_COLUMNS, SNAPSHOT_FROM, toInfo, type SnapshotRow } from './rows';
import { isDuplicateKey, metadataError } from './sql-errors';

export interface CreatedSnapshot {
  id: number;
  kind: Kind;
  /** Row id of the committed parent, whose subvolume is snapshotted. */
  parentId: number | null;
  info: SnapshotInfo;
}

export interface SnapshotRef {
  id: number;
  kind: Kind;
  parentId: number | null;
  subvolumeId: number | null;
}

export class MetaTransaction {
  private done = false;

  constructor(
    private readonly q: QueryRunner,
    readonly hostId: string,
  ) {}

  /**
   * Every mutation holds the host row in share mode; cleanup takes it exclusively, so it
   * never sees a subvolume whose row is still uncommitted.
   */
  async lockHost(mode: 'shared' | 'exclusive'): Promise<void> {
    const rows = await this.query<{ id: string }[]>(
      `SELECT id FROM hosts WHERE id = ? ${mode === 'shared' ? 'LOCK IN SHARE MODE' : 'FOR UPDATE'}`,
      [this.hostId],
      'locking the host',
    );
    if (rows.length === 0) throw unavailable(`host ${this.hostId} is not registered`, { host: this.hostId });
  }

  /** The stored result of an op that already took effect, if any. */
  async findOp(opId: string): Promise<unknown> {
    const rows = await this.query<{ result: string }[]>(
      'SELECT result FROM ops WHERE host_id = ? AND op_id = ?',
      [this.hostId, opId],
      'reading the op log',
    );
    return rows[0] ? JSON.parse(rows[0].result) : undefined;
  }

  /** The server's id of this transaction's connection (fault tests kill it). */
  async connectionId(): Promise<number> {
    const rows = await this.query<{ id: number }[]>('SELECT CONNECTION_ID() AS id', [], 'reading the connection id');
    return Number(rows[0]?.id);
  }

  async recordOp(opId: string, op: string, result: unknown): Promise<void> {
    await this.query(
      'INSERT INTO ops (host_id, op_id, op, result, created_at) VALUES (?, ?, ?, ?, ?)',
      [this.hostId, opId, op, JSON.stringify(result), new Date()],
      'recording the op',
    );
  }

  async createSnapshot(args: {
    namespace: string;
    key: string;
    kind: 'active' | 'view';
    parent?: string;
    labels?: Labels;
    opId?: string;
  }): Promise<CreatedSnapshot> {
    let parentId: number | null = null;
    if (args.parent !== undefined) {
      // Shared lock: the parent cannot be removed until this child is committed.
      const parent = await this.selectRef(args.namespace, args.parent, 'LOCK IN SHARE MODE');
      if (!parent) throw notFound(`missing parent ${JSON.stringify(args.parent)}`);
      if (parent.kind !== 'committed') {
        throw invalidArgument(`parent ${JSON.stringify(args.parent)} is not committed snapshot`);
      }
      parentId = parent.id;
    }
    const now = new Date();
    const labels = normalizeLabels(args.labels);
    let id: number;
    try {
      const res = await this.q.query(
        `INSERT INTO snapshots (host_id, namespace, key_hash, skey, kind, parent_id, parent_kind, labels,
           created_at, updated_at, op_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          this.hostId,
          args.namespace,
          keyHash(args.key),
          Buffer.from(args.key, 'utf8'),
          args.kind,
          parentId,
          parentId === null ? null : 'committed',
          JSON.stringify(labels),
          now,
          now,
          args.opId ?? null,
        ],
      );
      id = Number((res as { insertId: number }).insertId);
    } catch (err) {
      if (isDuplicateKey(err)) throw alreadyExists(`snapshot ${JSON.stringify(args.key)} already exists`);
      throw metadataError(err, 'creating the snapshot row');
    }
    const info: SnapshotInfo = {
      name: args.key,
      kind: args.kind,
      labels,
      created: now.toISOString(),
      updated: now.toISOString(),
    };
    if (args.parent !== undefined) info.parent = args.parent;
    return { id, kind: args.kind, parentId, info };
  }

  async setSubvolumeId(id: number, subvolumeId: number): Promise<void> {
    await this.query('UPDATE snapshots SET subvolume_id = ? WHERE id = ?', [subvolumeId, id], 'recording the subvolume id');
  }

  /** Locks and returns the active snapshot `key` for a commit, with containerd's checks. */
  async getActiveForCommit(namespace: string, name: string, key: string): Promise<SnapshotRef> {
    // containerd's order: the key must exist, then the name must be free, then the key
    // must be active.
    const active = await this.selectRef(namespace, key, 'FOR UPDATE');
    if (!active) throw notFound(`failed to get active snapshot ${JSON.stringify(key)}`);
    if (await this.selectRef(namespace, name, 'LOCK IN SHARE MODE')) {
      throw alreadyExists(`committed snapshot ${JSON.stringify(name)} already exists`);
    }
    if (active.kind !== 'active') throw failedPrecondition(`snapshot ${JSON.stringify(key)} is not active`);
    return active;
  }

  /**
   * Turns the active row into the committed one in place: same id (as containerd), new
   * key, the commit's labels, fresh timestamps and the usage measured at commit.
   */
  async commitActive(args: {
    id: number;
    namespace: string;
    name: string;
    labels?: Labels;
    usage: Usage;
  }): Promise<SnapshotInfo> {
    const now = new Date();
    const labels = normalizeLabels(args.labels);
    try {
      await this.q.query(
        `UPDATE snapshots SET kind = 'committed', key_hash = ?, skey = ?, labels = ?, created_at = ?, updated_at = ?,
           subvolume_id = NULL, size_bytes = ?, inodes = ?
         WHERE id = ? AND kind = 'active'`,
        [keyHash(args.name), Buffer.from(args.name, 'utf8'), JSON.stringify(labels), now, now, args.usage.size,
          args.usage.inodes, args.id],
      );
    } catch (err) {
      if (isDuplicateKey(err)) throw alreadyExists(`committed snapshot ${JSON.stringify(args.name)} already exists`);
      throw metadataError(err, 'committing the snapshot row');
    }
    const row = await this.selectInfoRow(args.id);
    return toInfo(row);
  }

  /** Deletes `key`'s row after containerd's checks; returns what the caller must delete on disk. */
  async removeSnapshot(namespace: string, key: string): Promise<SnapshotRef> {
    const ref = await this.selectRef(namespace, key, 'FOR UPDATE');
    if (!ref) throw notFound(`snapshot ${JSON.stringify(key)} does not exist`);
    const children = await this.query<{ id: number }[]>(
      'SELECT id FROM snapshots WHERE parent_id = ? LIMIT 1',
      [ref.id],
      'looking for children',
    );
    if (children.length > 0) throw failedPrecondition(`cannot remove snapshot ${JSON.stringify(key)} with child`);
    await this.query('DELETE FROM snapshots WHERE id = ?', [ref.id], 'deleting the snapshot row');
    return ref;
  }

  /** containerd's UpdateInfo: labels only, by field path. */
  async updateLabels(namespace: string, key: string, labels: Labels, fieldpaths: readonly string[]): Promise<SnapshotInfo> {
    const rows = await this.query<SnapshotRow[]>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM ${SNAPSHOT_FROM}
       WHERE s.host_id = ? AND s.namespace = ? AND s.key_hash = ? FOR UPDATE`,
      [this.hostId, namespace, keyHash(key)],
      'reading the snapshot',
    );
    const row = rows[0];
    if (!row) throw notFound(`snapshot ${JSON.stringify(key)} does not exist`);
    const current = toInfo(row);
    const next = applyFieldpaths(current.labels, labels, fieldpaths, key);
    const now = new Date();
    await this.query(
      'UPDATE snapshots SET labels = ?, updated_at = ? WHERE id = ?',
      [JSON.stringify(next), now, row.id],
      'updating labels',
    );
    return { ...current, labels: next, updated: now.toISOString() };
  }

  async commit(): Promise<void> {
    this.done = true;
    try {
      await this.q.query('COMMIT');
    } catch (err) {
      throw metadataError(err, 'committing the transaction');
    } finally {
      await this.q.release();
    }
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.q.query('ROLLBACK');
    } catch {
      // A broken connection rolls back by itself: the server discards the transaction.
    } finally {
      await this.q.release().catch(() => undefined);
    }
  }

  private async selectRef(namespace: string, key: string, lock: string): Promise<SnapshotRef | undefined> {
    const rows = await this.query<{ id: number; kind: Kind; parent_id: number | null; subvolume_id: number | null }[]>(
      `SELECT id, kind, parent_id, subvolume_id FROM snapshots
       WHERE host_id = ? AND namespace = ? AND key_hash = ? ${lock}`,
      [this.hostId, namespace, keyHash(key)],
      'reading the snapshot',
    );
    const r = rows[0];
    return r && { id: Number(r.id), kind: r.kind, parentId: r.parent_id === null ? null : Number(r.parent_id), subvolumeId: r.subvolume_id };
  }

  private async selectInfoRow(id: number): Promise<SnapshotRow> {
    const rows = await this.query<SnapshotRow[]>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM ${SNAPSHOT_FROM} WHERE s.id = ?`,
      [id],
      'reading the snapshot',
    );
    if (!rows[0]) throw notFound(`snapshot row ${id} vanished`);
    return rows[0];
  }

  private async query<T>(sql: string, params: unknown[], what: string): Promise<T> {
    try {
      return (await this.q.query(sql, params)) as T;
    } catch (err) {
      throw metadataError(err, what);
    }
  }
}

/** containerd's field path rules: `labels` replaces all, `labels.<k>` sets or deletes one. */
export function applyFieldpaths(current: Labels, given: Labels, fieldpaths: readonly string[], name: string): Labels {
  if (fieldpaths.length === 0) return normalizeLabels(given);
  let next: Labels = { ...current };
  for (const path of fieldpaths) {
    if (path.startsWith('labels.')) {
      const k = path.slice('labels.'.length);
      next[k] = given[k] ?? '';
      continue;
    }
    if (path === 'labels') {
      next = { ...given };
      continue;
    }
    throw invalidArgument(`cannot update ${JSON.stringify(path)} field on snapshot ${JSON.stringify(name)}`);
  }
  const result = normalizeLabels(next);
  const check = LabelsSchema.safeParse(result);
  if (!check.success) throw invalidArgument(`invalid labels: ${describeIssues(check.error)}`);
  return result;
}
