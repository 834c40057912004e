// The metadata store: opens transactions for the snapshotter and answers reads (stat, walk,
// mounts, usage of committed snapshots) straight from MySQL with no transaction held.
import type { DataSource } from 'typeorm';
import {
  failedPrecondition,
  invalidArgument,
  notFound,
  equalityConstraints,
  parseFilters,
  snapshotAdaptor,
  type Kind,
  type SnapshotInfo,
  type Usage,
} from '@snapfleet/contracts';
import { createDataSource, ensureDatabase, configureSessions, parseMysqlUrl, rawPool } from './data-source';
import { MetaTransaction, registerFence, type DriverConnection, type Fence, type SnapshotRef } from './meta-transaction';
import { infoJson, keyHash, SNAPSHOT_COLUMNS, toInfo, type SnapshotRow, type WalkRow } from './rows';
import { ReadPool } from './read-pool';
import { metadataError } from './sql-errors';
import { walkQuery } from './walk-query';

export interface MetaStoreOptions {
  url: string;
  poolSize?: number;
  /** Create the database when missing and run pending migrations (default true). */
  migrate?: boolean;
}

export interface StoredSnapshot {
  id: number;
  info: SnapshotInfo;
  subvolumeId: number | null;
  usage: Usage | null;
  parentId: number | null;
}

export interface WalkPage {
  snapshots: SnapshotInfo[];
  /** Cursor for the next page, absent on the last one. */
  next?: string;
}

const WALK_BATCH = 500;
/** A row of a walk page, with its info when the filter had to build it. */
interface WalkHit {
  row: WalkRow;
  info?: SnapshotInfo;
}
const MAX_WALK_BATCH = 1001;

export class MetaStore {
  private constructor(
    readonly dataSource: DataSource,
    private readonly reads: ReadPool,
  ) {}

  static async open(opts: MetaStoreOptions): Promise<MetaStore> {
    if (opts.migrate !== false) await ensureDatabase(opts.url);
    const ds = createDataSource(opts.url, opts.poolSize === undefined ? {} : { poolSize: opts.poolSize });
    await ds.initialize();
    configureSessions(ds);
    try {
      if (opts.migrate !== false) await migrateExclusively(ds);
    } catch (err) {
      await ds.destroy().catch(() => undefined);
      throw err;
    }
    return new MetaStore(ds, ReadPool.open(parseMysqlUrl(opts.url), opts.poolSize === undefined ? {} : { size: opts.poolSize }));
  }

  async close(): Promise<void> {
    await this.reads.close().catch(() => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  async begin(hostId: string, fence?: Fence): Promise<MetaTransaction> {
    const q = this.dataSource.createQueryRunner('master');
    let conn: DriverConnection;
    try {
      // START TRANSACTION is queued by the transaction and sent with its first statement.
      conn = (await q.connect()) as DriverConnection;
    } catch (err) {
      await q.release().catch(() => undefined);
      throw metadataError(err, 'starting a transaction');
    }
    return new MetaTransaction(q, conn, hostId, fence);
  }

  async getSnapshot(hostId: string, namespace: string, key: string): Promise<StoredSnapshot> {
    const rows = await this.read<SnapshotRow[]>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots s WHERE s.host_id = ? AND s.namespace = ? AND s.key_hash = ?`,
      [hostId, namespace, keyHash(key)],
      'reading the snapshot',
    );
    const row = rows[0];
    if (!row) throw notFound(`snapshot ${JSON.stringify(key)} does not exist`);
    return {
      id: Number(row.id),
      info: toInfo(row),
      subvolumeId: row.subvolume_id === null ? null : Number(row.subvolume_id),
      usage: row.size_bytes === null ? null : { size: Number(row.size_bytes), inodes: Number(row.inodes ?? 0) },
      parentId: row.parent_id === null ? null : Number(row.parent_id),
    };
  }

  /** containerd's GetSnapshot: only active and view snapshots have mounts. */
  async getMountable(hostId: string, namespace: string, key: string): Promise<StoredSnapshot> {
    const s = await this.getSnapshot(hostId, namespace, key);
    if (s.info.kind !== 'active' && s.info.kind !== 'view') {
      throw failedPrecondition(`requested snapshot ${JSON.stringify(key)} not active or view`);
    }
    return s;
  }

  /**
   * One page of the namespace's snapshots matching containerd filters (OR of the given
   * strings), in row order. The cursor is the last row id returned, so pages stay stable
   * while snapshots come and go; `next` is given only when a further match exists.
   */
  async walk(
    hostId: string,
    namespace: string,
    filters: readonly string[],
    page: { limit?: number; after?: string } = {},
  ): Promise<WalkPage> {
    const { hits, next } = await this.walkHits(hostId, namespace, filters, page);
    const snapshots = hits.map((h) => h.info ?? toInfo(h.row));
    return next === undefined ? { snapshots } : { snapshots, next };
  }

  /** The same page as walk(), as the JSON text of a WalkPage (what the HTTP API sends). */
  async walkJson(
    hostId: string,
    namespace: string,
    filters: readonly string[],
    page: { limit?: number; after?: string } = {},
  ): Promise<string> {
    const { hits, next } = await this.walkHits(hostId, namespace, filters, page);
    const items = hits.map((h) => (h.info ? JSON.stringify(h.info) : infoJson(h.row)));
    return `{"snapshots":[${items.join(',')}]${next === undefined ? '' : `,"next":${JSON.stringify(next)}`}}`;
  }

  /**
   * The rows of one walk page. Equality tests on kind, name and parent narrow the SQL itself
   * (walk-query.ts); when they are all the filter says, the page is one indexed query of
   * `limit + 1` rows. Other filters are matched here, on the info they had to build.
   */
  private async walkHits(
    hostId: string,
    namespace: string,
    filters: readonly string[],
    page: { limit?: number; after?: string },
  ): Promise<{ hits: WalkHit[]; next?: string }> {
    const filter = parseFilters(filters);
    const eq = equalityConstraints(filter);
    const exact = eq?.exact === true;
    const limit = page.limit ?? Number.MAX_SAFE_INTEGER;
    const batch = exact ? Math.min(limit + 1, MAX_WALK_BATCH) : WALK_BATCH;
    let cursor = page.after === undefined ? 0 : parseCursor(page.after);
    const hits: WalkHit[] = [];
    for (;;) {
      const q = walkQuery(hostId, namespace, eq, cursor, batch);
      const rows = await this.read<WalkRow[]>(q.sql, q.params, 'walking snapshots');
      for (const row of rows) {
        let hit: WalkHit = { row };
        if (!exact) {
          const info = toInfo(row);
          if (!filter.match(snapshotAdaptor(info))) {
            cursor = Number(row.id);
            continue;
          }
          hit = { row, info };
        }
        if (hits.length === limit) return { hits, next: String(cursor) };
        hits.push(hit);
        cursor = Number(row.id);
      }
      if (rows.length < batch) return { hits };
    }
  }

  /** Every row of a host with what fsck compares against the disk. */
  async hostRows(hostId: string): Promise<{ id: number; kind: Kind; namespace: string; key: string; subvolumeId: number | null }[]> {
    const rows = await this.read<{ id: number; kind: Kind; namespace: string; skey: Buffer; subvolume_id: number | null }[]>(
      'SELECT id, kind, namespace, skey, subvolume_id FROM snapshots WHERE host_id = ? ORDER BY id',
      [hostId],
      'listing snapshot rows',
    );
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      namespace: r.namespace,
      key: r.skey.toString('utf8'),
      subvolumeId: r.subvolume_id === null ? null : Number(r.subvolume_id),
    }));
  }

  /**
   * Rows of a host whose copy of their parent's key differs from the parent's key. The copy
   * is made at create and a committed key never changes (migration 4), so fsck expects none;
   * the schema cannot enforce it (a key is too long for a foreign key to cover).
   */
  async parentKeyMismatches(hostId: string): Promise<{ id: number; namespace: string; key: string; copied: string; actual: string }[]> {
    const rows = await this.read<{ id: number; namespace: string; skey: Buffer; parent_key: Buffer | null; actual: Buffer }[]>(
      `SELECT s.id, s.namespace, s.skey, s.parent_key, p.skey AS actual
         FROM snapshots s JOIN snapshots p ON p.host_id = s.host_id AND p.namespace = s.namespace AND p.id = s.parent_id
        WHERE s.host_id = ? AND NOT (s.parent_key <=> p.skey)`,
      [hostId],
      'comparing parent keys',
    );
    return rows.map((r) => ({
      id: Number(r.id),
      namespace: r.namespace,
      key: r.skey.toString('utf8'),
      copied: r.parent_key?.toString('utf8') ?? '',
      actual: r.actual.toString('utf8'),
    }));
  }

  /** Row ids and kinds of every snapshot of a host, for cleanup's disk comparison. */
  async idMap(hostId: string): Promise<Map<number, SnapshotRef['kind']>> {
    const rows = await this.read<{ id: number; kind: SnapshotRef['kind'] }[]>(
      'SELECT id, kind FROM snapshots WHERE host_id = ?',
      [hostId],
      'listing snapshot ids',
    );
    return new Map(rows.map((r) => [Number(r.id), r.kind]));
  }

  /** Kind of the committed row `id`, or undefined when there is none. */
  async rowKind(id: number): Promise<Kind | undefined> {
    const rows = await this.read<{ kind: Kind }[]>('SELECT kind FROM snapshots WHERE id = ?', [id], 'reading a row');
    return rows[0]?.kind;
  }

  /** The stored result of an op that already took effect, read outside any transaction. */
  async findOp(hostId: string, opId: string): Promise<unknown> {
    const rows = await this.read<{ result: string }[]>(
      'SELECT result FROM ops WHERE host_id = ? AND op_id = ?',
      [hostId, opId],
      'reading the op log',
    );
    return rows[0] ? JSON.parse(rows[0].result) : undefined;
  }

  /**
   * Registers a lease's fencing token for its keys on its own (autocommit), for a holder
   * whose transactions then pass the fence as `registered`: a stale holder of any of these
   * keys is refused at its commit from now on.
   */
  async registerFence(hostId: string, fence: Fence): Promise<void> {
    if (fence.keys.length === 0) return;
    const { sql, params } = registerFence(hostId, fence);
    await this.query(sql, params, 'registering a fencing token');
  }

  /** Whether the host has any snapshot row (a host with none has never committed an op's metadata). */
  async hasSnapshots(hostId: string): Promise<boolean> {
    const rows = await this.query<{ one: number }[]>('SELECT 1 AS one FROM snapshots WHERE host_id = ? LIMIT 1', [hostId], 'looking for the host\'s snapshots');
    return rows.length > 0;
  }

  /** Fence rows not touched since `olderThan`: no lock or paused worker is that old. */
  async pruneFences(olderThan: Date): Promise<number> {
    const res = await this.query<{ affectedRows: number }>('DELETE FROM fences WHERE updated_at < ?', [olderThan], 'pruning fences');
    return res.affectedRows;
  }

  async pruneOps(olderThan: Date): Promise<number> {
    const res = await this.query<{ affectedRows: number }>('DELETE FROM ops WHERE created_at < ?', [olderThan], 'pruning the op log');
    return res.affectedRows;
  }

  /**
   * One read-only statement on the read pool (read-pool.ts): DATETIMEs come back as text, ids
   * and counts as numbers, JSON as its text.
   */
  async read<T>(sql: string, params: readonly unknown[], what: string): Promise<T> {
    try {
      return await this.reads.query<T>(sql, params);
    } catch (err) {
      throw metadataError(err, what);
    }
  }

  /** One round trip on each pool: reads and transactions may lose their server apart. */
  async ping(): Promise<void> {
    await Promise.all([this.read('SELECT 1', [], 'checking the read pool'), this.query('SELECT 1', [], 'checking the transaction pool')]);
  }

  /**
   * Any one statement on its own (autocommit) on mysql2's pool under TypeORM, for writes
   * outside transactions and for tools; hot reads use read(). Straight on the pool: TypeORM's
   * query runner (a runner object per call, promise wrappers capturing a stack per query)
   * costs more than the statement. Sessions are set up by configureSessions.
   */
  async query<T>(sql: string, params: unknown[], what: string): Promise<T> {
    try {
      return await new Promise<T>((resolve, reject) =>
        rawPool(this.dataSource).query(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as T))),
      );
    } catch (err) {
      throw metadataError(err, what);
    }
  }
}

function parseCursor(after: string): number {
  if (!/^\d{1,15}$/.test(after)) throw invalidArgument(`invalid cursor ${JSON.stringify(after.slice(0, 32))}`);
  return Number(after);
}

/**
 * Runs pending migrations under a MySQL named lock, so API and worker replicas starting
 * together migrate once and the others wait for it.
 */
async function migrateExclusively(ds: DataSource): Promise<void> {
  const q = ds.createQueryRunner('master');
  try {
    const [got] = (await q.query("SELECT GET_LOCK('snapfleet:migrations', 120) AS got")) as { got: number | null }[];
    if (got?.got !== 1) throw new Error('metastore: timed out waiting for another process to finish migrating');
    try {
      await ds.runMigrations({ transaction: 'each' });
    } finally {
      await q.query("SELECT RELEASE_LOCK('snapfleet:migrations')");
    }
  } finally {
    await q.release();
  }
}
