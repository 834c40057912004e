// One metadata transaction on one host: containerd's snapshots/storage operations (create,
// commit-active, remove, update) on MySQL. The snapshotter opens it, does its btrfs work in
// between, and commits or rolls back. Nothing here knows about btrfs.
//
// Statements are pipelined: writes whose result nobody reads are queued and sent with the
// next statement or with COMMIT as one multi-statement round trip, so an op costs two round
// trips (one for a remove, whose lookup is read back from the COMMIT batch) instead of one
// per statement. On this kind of machine a round trip, not a statement, is what costs.
import type { QueryRunner } from 'typeorm';
import {
  aborted,
  alreadyExists,
  describeIssues,
  failedPrecondition,
  invalidArgument,
  LabelsSchema,
  notFound,
  unavailable,
  type Kind,
  type Labels,
  type SnapshotInfo,
  type Usage,
} from '@snapfleet/contracts';
import { keyHash, normalizeLabels, parseLabels } from './rows';
import { ER_BAD_NULL_ERROR, ER_NO_REFERENCED_ROW_2, ER_ROW_IS_REFERENCED_2, isDuplicateKey, metadataError, sqlErrno } from './sql-errors';

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

export interface ActiveForCommit extends SnapshotRef {
  parentKey: string | null;
}

/** The callback API of a pooled mysql2 connection, as TypeORM's MySQL query runner holds it. */
export interface DriverConnection {
  query(sql: string, values: unknown[], cb: (err: Error | null, result: unknown) => void): void;
}

export interface Statement {
  sql: string;
  params: unknown[];
  /** Receives the statement's own result when the batch it went in succeeds. */
  onResult?: (result: unknown) => void;
}

type Row = Record<string, unknown>;

/** The lock token an op holds and the keys it covers (see fences migration). */
export interface Fence {
  token: bigint;
  namespace: string;
  keys: readonly string[];
  /**
   * The holder registered the token already (MetaStore.registerFence), or knows there is no
   * earlier holder of these keys left to fence out: the transaction only guards its commit.
   */
  registered?: boolean;
}

/**
 * A remove queued to go with COMMIT (MetaTransaction.removeSnapshot): what its lookup found,
 * once the batch carrying it has been answered.
 */
export class QueuedRemoval {
  private answered = false;
  private row: Row | undefined;

  constructor(readonly key: string) {}

  receive(rows: unknown): void {
    this.answered = true;
    this.row = (rows as Row[])[0];
  }

  /** The row the remove deleted (or, before COMMIT, is deleting); undefined until answered or when there was none. */
  get ref(): SnapshotRef | undefined {
    return toRef(this.row);
  }

  /** Whether the key had a row; undefined while the lookup is unanswered. */
  get found(): boolean | undefined {
    return this.answered ? this.row !== undefined : undefined;
  }
}

/** Set right after a queued remove's DELETE: its op record is written only if a row went. */
const REMOVED_VAR = '@snapfleet_removed';

export class MetaTransaction {
  private done = false;
  private sent = false;
  private queued: Statement[];
  private removal: QueuedRemoval | undefined;

  constructor(
    private readonly q: QueryRunner,
    /** The runner's mysql2 connection: the hot path skips TypeORM's per-query bookkeeping. */
    private readonly conn: DriverConnection,
    readonly hostId: string,
    private readonly fence?: Fence,
  ) {
    // The token is registered before the transaction starts (autocommit), so a stale holder
    // of the same keys sees it at its own commit even while this op waits for its rows.
    this.queued = fence && fence.keys.length > 0 && fence.registered !== true ? [registerFence(hostId, fence), START] : [START];
  }

  /** The server's id of this transaction's connection (fault tests kill it). */
  async connectionId(): Promise<number> {
    const [rows] = await this.send([{ sql: 'SELECT CONNECTION_ID() AS id', params: [] }], 'reading the connection id');
    return Number((rows as Row[])[0]?.id);
  }

  /** `namespace`: the one the op ran in, undefined for host-wide ops. */
  recordOp(opId: string, op: string, result: unknown, namespace?: string): void {
    const values = [this.hostId, opId, op, namespace ?? null, JSON.stringify(result), new Date()];
    const columns = 'host_id, op_id, op, namespace, result, created_at';
    // After a queued remove, only a remove that deleted its row has a result to replay.
    if (this.removal) this.queue(`INSERT INTO ops (${columns}) SELECT ?, ?, ?, ?, ?, ? FROM DUAL WHERE ${REMOVED_VAR} = 1`, values);
    else this.queue(`INSERT INTO ops (${columns}) VALUES (?, ?, ?, ?, ?, ?)`, values);
  }

  /**
   * containerd's CreateSnapshot. With a parent, the row is inserted only if the parent
   * exists and is committed (INSERT … SELECT takes a shared lock on the parent row, so it
   * cannot be removed before this child commits); otherwise a second look says why.
   */
  async createSnapshot(args: {
    namespace: string;
    key: string;
    kind: 'active' | 'view';
    parent?: string;
    labels?: Labels;
    opId?: string;
  }): Promise<CreatedSnapshot> {
    const now = new Date();
    const labels = normalizeLabels(args.labels);
    const values = [args.kind, JSON.stringify(labels), now, now, args.opId ?? null];
    const ident = [this.hostId, args.namespace, keyHash(args.key), Buffer.from(args.key, 'utf8')];
    const columns = 'host_id, namespace, key_hash, skey, kind, labels, created_at, updated_at, op_id, parent_id, parent_kind, parent_key';
    const insert: Statement =
      args.parent === undefined
        ? { sql: `INSERT INTO snapshots (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)`, params: [...ident, ...values] }
        : {
            sql: `INSERT INTO snapshots (${columns})
                  SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, p.id, 'committed', p.skey FROM snapshots p
                  WHERE p.host_id = ? AND p.namespace = ? AND p.key_hash = ? AND p.kind = 'committed'`,
            params: [...ident, ...values, this.hostId, args.namespace, keyHash(args.parent)],
          };
    // The parent's id is read in the same round trip; the INSERT's shared lock keeps it.
    const parentLookup: Statement[] =
      args.parent === undefined
        ? []
        : [{ sql: 'SELECT id FROM snapshots WHERE host_id = ? AND namespace = ? AND key_hash = ?', params: [this.hostId, args.namespace, keyHash(args.parent)] }];
    let results: unknown[];
    try {
      results = await this.send([insert, ...parentLookup], 'creating the snapshot row', false);
    } catch (err) {
      if (isDuplicateKey(err)) throw alreadyExists(`snapshot ${JSON.stringify(args.key)} already exists`);
      if (sqlErrno(err) === ER_NO_REFERENCED_ROW_2) throw unavailable(`host ${this.hostId} is not registered`, { host: this.hostId });
      throw metadataError(err, 'creating the snapshot row');
    }
    const res = results[0] as { insertId: number; affectedRows: number };
    if (res.affectedRows === 0) await this.explainMissingParent(args.namespace, args.parent ?? '');
    const id = Number(res.insertId);
    const parentRow = (results[1] as Row[] | undefined)?.[0];
    const parentId = parentRow ? Number(parentRow.id) : null;
    const info: SnapshotInfo = { name: args.key, kind: args.kind, labels, created: now.toISOString(), updated: now.toISOString() };
    if (args.parent !== undefined) info.parent = args.parent;
    return { id, kind: args.kind, parentId, info };
  }

  private async explainMissingParent(namespace: string, parent: string): Promise<never> {
    const ref = await this.selectRef(namespace, parent, '');
    if (!ref) throw notFound(`missing parent ${JSON.stringify(parent)}`);
    throw invalidArgument(`parent ${JSON.stringify(parent)} is not committed snapshot`);
  }

  setSubvolumeId(id: number, subvolumeId: number): void {
    this.queue('UPDATE snapshots SET subvolume_id = ? WHERE id = ?', [subvolumeId, id]);
  }

  /**
   * Locks the active snapshot `key` for a commit, with containerd's checks in containerd's
   * order: the key must exist, the name must be free, the key must be active.
   */
  async getActiveForCommit(namespace: string, name: string, key: string): Promise<ActiveForCommit> {
    // One statement: the subquery (name taken) reads without locks — a name taken
    // concurrently surfaces as already_exists at COMMIT.
    const [rows] = await this.send(
      [
        {
          sql: `SELECT s.id, s.kind, s.parent_id, s.subvolume_id, s.parent_key,
                  EXISTS (SELECT 1 FROM snapshots n WHERE n.host_id = ? AND n.namespace = ? AND n.key_hash = ?) AS name_taken
                FROM snapshots s WHERE s.host_id = ? AND s.namespace = ? AND s.key_hash = ? FOR UPDATE`,
          params: [this.hostId, namespace, keyHash(name), this.hostId, namespace, keyHash(key)],
        },
      ],
      'reading the active snapshot',
    );
    const row = (rows as Row[])[0];
    const active = toRef(row);
    if (!active || !row) throw notFound(`failed to get active snapshot ${JSON.stringify(key)}`);
    if (Number(row.name_taken) === 1) throw alreadyExists(`committed snapshot ${JSON.stringify(name)} already exists`);
    if (active.kind !== 'active') throw failedPrecondition(`snapshot ${JSON.stringify(key)} is not active`);
    return { ...active, parentKey: Buffer.isBuffer(row.parent_key) ? row.parent_key.toString('utf8') : null };
  }

  /**
   * Turns the active row into the committed one in place: same id (as containerd), new
   * key, the commit's labels, fresh timestamps, the usage measured at commit and the new
   * subvolume. A concurrent commit to the same name surfaces as already_exists at COMMIT.
   */
  commitActive(args: {
    active: ActiveForCommit;
    name: string;
    labels?: Labels;
    usage: Usage;
    subvolumeId: number;
  }): SnapshotInfo {
    const now = new Date();
    const labels = normalizeLabels(args.labels);
    this.queue(
      `UPDATE snapshots SET kind = 'committed', key_hash = ?, skey = ?, labels = ?, created_at = ?, updated_at = ?,
         subvolume_id = ?, size_bytes = ?, inodes = ?
       WHERE id = ? AND kind = 'active'`,
      [keyHash(args.name), Buffer.from(args.name, 'utf8'), JSON.stringify(labels), now, now, args.subvolumeId,
        args.usage.size, args.usage.inodes, args.active.id],
    );
    const info: SnapshotInfo = { name: args.name, kind: 'committed', labels, created: now.toISOString(), updated: now.toISOString() };
    if (args.active.parentKey !== null) info.parent = args.active.parentKey;
    return info;
  }

  /**
   * containerd's Remove, queued whole so that it travels with COMMIT in one round trip: lock
   * and read the row, delete it, note whether a row went. The parent foreign key refuses to
   * delete a snapshot with children, so COMMIT fails with failed_precondition then, having
   * written nothing; a key with no row makes COMMIT fail with not_found after committing
   * nothing (the op record is conditional on the delete). One remove per transaction.
   */
  removeSnapshot(namespace: string, key: string): QueuedRemoval {
    if (this.removal) throw new Error('metastore: one remove per transaction');
    const removal = new QueuedRemoval(key);
    this.removal = removal;
    this.queued.push({ ...removeLookup(this.hostId, namespace, key), onResult: (rows) => removal.receive(rows) });
    this.queue('DELETE FROM snapshots WHERE host_id = ? AND namespace = ? AND key_hash = ?', [this.hostId, namespace, keyHash(key)]);
    this.queue(`SET ${REMOVED_VAR} = ROW_COUNT()`, []);
    return removal;
  }

  /** containerd's UpdateInfo: labels only, by field path. */
  async updateLabels(namespace: string, key: string, labels: Labels, fieldpaths: readonly string[]): Promise<SnapshotInfo> {
    const [rows] = await this.send(
      [
        {
          sql: `SELECT s.id, s.kind, s.skey, s.parent_key,
                  s.labels, s.created_at
                FROM snapshots s WHERE s.host_id = ? AND s.namespace = ? AND s.key_hash = ? FOR UPDATE`,
          params: [this.hostId, namespace, keyHash(key)],
        },
      ],
      'reading the snapshot',
    );
    const row = (rows as Row[])[0];
    if (!row) throw notFound(`snapshot ${JSON.stringify(key)} does not exist`);
    const next = applyFieldpaths(parseLabels(row.labels as string), labels, fieldpaths, key);
    const now = new Date();
    this.queue('UPDATE snapshots SET labels = ?, updated_at = ? WHERE id = ?', [JSON.stringify(next), now, row.id]);
    const info: SnapshotInfo = {
      name: (row.skey as Buffer).toString('utf8'),
      kind: row.kind as Kind,
      labels: next,
      created: (row.created_at as Date).toISOString(),
      updated: now.toISOString(),
    };
    if (Buffer.isBuffer(row.parent_key)) info.parent = row.parent_key.toString('utf8');
    return info;
  }

  /**
   * Locks row `id` (waiting for any transaction writing it) and returns its kind, or
   * undefined when no committed row has that id. Cleanup decides under this lock.
   */
  async lockRow(id: number): Promise<Kind | undefined> {
    const [rows] = await this.send([{ sql: 'SELECT kind FROM snapshots WHERE id = ? AND host_id = ? FOR UPDATE', params: [id, this.hostId] }], 'locking a row');
    return (rows as Row[])[0]?.kind as Kind | undefined;
  }

  /**
   * Sends the queued writes and COMMIT in one round trip, behind the fence guard: when a
   * newer lock holder registered a higher token for one of the keys, the guard fails the
   * batch before COMMIT runs and nothing this op wrote survives.
   */
  /**
   * When it fails, the transaction stays open — its row locks still held — so the caller
   * can undo its btrfs work before rollback() lets the next writer of those rows in.
   */
  async commit(): Promise<void> {
    const guard = this.fence && this.fence.keys.length > 0 ? [fenceGuard(this.hostId, this.fence)] : [];
    try {
      await this.send([...guard, { sql: 'COMMIT', params: [] }], 'committing the transaction', false);
    } catch (err) {
      if (isDuplicateKey(err)) throw alreadyExists('a concurrent operation wrote the same key or op id');
      if (sqlErrno(err) === ER_ROW_IS_REFERENCED_2 && this.removal) {
        throw failedPrecondition(`cannot remove snapshot ${JSON.stringify(this.removal.key)} with child`);
      }
      if (sqlErrno(err) === ER_BAD_NULL_ERROR && this.fence) {
        throw aborted(`lost the lock: a newer holder took over ${this.fence.keys.length > 1 ? 'these keys' : 'this key'} (fence ${this.fence.token})`, {
          host: this.hostId,
        });
      }
      throw metadataError(err, 'committing the transaction');
    }
    this.done = true;
    await this.q.release();
    if (this.removal?.found === false) throw notFound(`snapshot ${JSON.stringify(this.removal.key)} does not exist`);
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      // Nothing to roll back when nothing was sent yet.
      if (this.sent) await this.send([{ sql: 'ROLLBACK', params: [] }], 'rolling back', false);
    } catch {
      // A broken connection rolls back by itself: the server discards the transaction.
    } finally {
      this.queued = [];
      await this.q.release().catch(() => undefined);
    }
  }

  private queue(sql: string, params: unknown[]): void {
    this.queued.push({ sql, params });
  }

  private async selectRef(namespace: string, key: string, lock: string): Promise<SnapshotRef | undefined> {
    const [rows] = await this.send(
      [
        {
          sql: `SELECT id, kind, parent_id, subvolume_id FROM snapshots WHERE host_id = ? AND namespace = ? AND key_hash = ? ${lock}`,
          params: [this.hostId, namespace, keyHash(key)],
        },
      ],
      'reading the snapshot',
    );
    return toRef((rows as Row[])[0]);
  }

  /**
   * Sends the queued statements followed by `statements` in one round trip and returns the
   * results of `statements` only. `wrap` false leaves driver errors raw for the caller to map.
   */
  private async send(statements: Statement[], what: string, wrap = true): Promise<unknown[]> {
    const all = [...this.queued, ...statements];
    this.queued = [];
    this.sent = true;
    const sql = all.map((s) => s.sql).join(';\n');
    const params = all.flatMap((s) => s.params);
    try {
      const raw = await new Promise<unknown>((resolve, reject) => {
        this.conn.query(sql, params, (err, res) => (err ? reject(err) : resolve(res)));
      });
      const results = all.length === 1 ? [raw] : (raw as unknown[]);
      all.forEach((s, i) => s.onResult?.(results[i]));
      return results.slice(all.length - statements.length);
    } catch (err) {
      throw wrap ? metadataError(err, what) : err;
    }
  }
}

const START: Statement = { sql: 'START TRANSACTION', params: [] };

/**
 * Locks and reads the row a remove deletes (by the unique key). Whether it has children is
 * left to the parent foreign key, whose check uses its own index.
 */
export function removeLookup(hostId: string, namespace: string, key: string): Statement {
  return {
    sql: 'SELECT id, kind, parent_id, subvolume_id FROM snapshots WHERE host_id = ? AND namespace = ? AND key_hash = ? FOR UPDATE',
    params: [hostId, namespace, keyHash(key)],
  };
}

export function registerFence(hostId: string, fence: Fence): Statement {
  const now = new Date();
  return {
    sql: `INSERT INTO fences (host_id, namespace, key_hash, token, updated_at) VALUES ${fence.keys.map(() => '(?, ?, ?, ?, ?)').join(', ')}
          ON DUPLICATE KEY UPDATE token = GREATEST(token, VALUES(token)), updated_at = VALUES(updated_at)`,
    params: fence.keys.flatMap((k) => [hostId, fence.namespace, keyHash(k), fence.token.toString(), now]),
  };
}

/**
 * Fails (NOT NULL violation) when any key's registered token is above ours. Host and
 * namespace are plain equalities: MariaDB does not use the primary key for a one-element
 * row-constructor IN (`(a, b, c) IN ((?, ?, ?))`) and scanned every fence row per commit.
 */
export function fenceGuard(hostId: string, fence: Fence): Statement {
  return {
    sql: `UPDATE fences SET token = IF(token > ?, NULL, token)
          WHERE host_id = ? AND namespace = ? AND key_hash IN (${fence.keys.map(() => '?').join(', ')})`,
    params: [fence.token.toString(), hostId, fence.namespace, ...fence.keys.map((k) => keyHash(k))],
  };
}

function toRef(row: Row | undefined): SnapshotRef | undefined {
  if (!row) return undefined;
  return {
    id: Number(row.id),
    kind: row.kind as Kind,
    parentId: row.parent_id === null || row.parent_id === undefined ? null : Number(row.parent_id),
    subvolumeId: row.subvolume_id === null || row.subvolume_id === undefined ? null : Number(row.subvolume_id),
  };
}

/** containerd's field path rules: `labels` replaces all, `labels.<k>` sets or deletes one. */
export function applyFieldpaths(current: Labels, given: Labels, fieldpaths: readonly string[], name: string): Labels {
  let next: Labels;
  if (fieldpaths.length === 0) next = { ...given };
  else {
    next = { ...current };
    for (const path of fieldpaths) {
      if (path.startsWith('labels.')) {
        const k = path.slice('labels.'.length);
        next[k] = given[k] ?? '';
      } else if (path === 'labels') {
        next = { ...given };
      } else {
        throw invalidArgument(`cannot update ${JSON.stringify(path)} field on snapshot ${JSON.stringify(name)}`);
      }
    }
  }
  const result = normalizeLabels(next);
  const check = LabelsSchema.safeParse(result);
  if (!check.success) throw invalidArgument(`invalid labels: ${describeIssues(check.error)}`);
  return result;
}
