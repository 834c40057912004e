// MySQL behind one class: snapshot reads, host rows and the op log, each call bounded by a
// deadline so a database that stops answering becomes a 503, not a hung request.
import type { OnApplicationShutdown } from '@nestjs/common';
import { HostStore, MetaStore, TokenStore, isoTime, metadataError, type HostRecord, type StoredSnapshot, type TokenRecord } from '@snapfleet/metastore';
import { OP_NAMES, type OpName } from '@snapfleet/contracts';
import { redactUrl } from '../config/api-config';
import { withDeadline } from '../util/deadline';

/** Longest the API waits for MySQL at start (connect, create the database, migrate). */
const STARTUP_TIMEOUT_MS = 12_000;

export interface OpRecord {
  op: OpName;
  /** The namespace the op ran in; undefined for host-wide ops and older records. */
  namespace?: string;
  result: unknown;
  createdAt: Date;
}

const isOpName = (v: string): v is OpName => (OP_NAMES as readonly string[]).includes(v);

export class MetadataRepository implements OnApplicationShutdown {
  private readonly hosts: HostStore;
  private readonly tokens: TokenStore;

  private constructor(private readonly store: MetaStore) {
    this.hosts = new HostStore(store.dataSource);
    this.tokens = new TokenStore(store.dataSource);
  }

  /** Connects and runs pending migrations (under the metastore's lock), or fails clearly. */
  static async connect(url: string): Promise<MetadataRepository> {
    const opening = MetaStore.open({ url });
    try {
      return new MetadataRepository(await withDeadline(opening, `MySQL at ${redactUrl(url)}`, STARTUP_TIMEOUT_MS));
    } catch (err) {
      // A store that opens after the deadline must not keep the process alive.
      void opening.then((s) => s.close()).catch(() => undefined);
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`cannot open the metadata database at ${redactUrl(url)} (SNAPFLEET_MYSQL_URL): ${reason}`, { cause: err });
    }
  }

  getSnapshot(host: string, namespace: string, key: string): Promise<StoredSnapshot> {
    return withDeadline(this.store.getSnapshot(host, namespace, key), 'MySQL');
  }

  getMountable(host: string, namespace: string, key: string): Promise<StoredSnapshot> {
    return withDeadline(this.store.getMountable(host, namespace, key), 'MySQL');
  }

  /** A walk page as its JSON text: the route sends it as is. */
  walkJson(host: string, namespace: string, filters: readonly string[], page: { limit: number; after?: string }): Promise<string> {
    return withDeadline(this.store.walkJson(host, namespace, filters, page), 'MySQL');
  }

  /**
   * What an op recorded in MySQL when it took effect (its op id is the job id): the durable
   * outcome that outlives the job's entry in Redis.
   */
  async findOpRecord(host: string, opId: string): Promise<OpRecord | undefined> {
    // The metastore exposes the result only (findOp); the op name and time come from the
    // same row, read here through the metastore's read pool.
    const rows = await withDeadline(
      this.store.read<{ op: string; namespace: string | null; result: string; created_at: string }[]>(
        'SELECT op, namespace, result, created_at FROM ops WHERE host_id = ? AND op_id = ?',
        [host, opId],
        'reading the op log',
      ),
      'MySQL',
    );
    const row = rows[0];
    if (!row || !isOpName(row.op)) return undefined;
    return {
      op: row.op,
      ...(row.namespace === null ? {} : { namespace: row.namespace }),
      result: JSON.parse(row.result) as unknown,
      createdAt: new Date(isoTime(row.created_at)),
    };
  }

  /**
   * Snapshot counts per namespace on a host, by name. Reads only the (host, namespace, …)
   * prefix of the unique key index, so its cost follows the host's snapshot count, not the
   * fleet's.
   */
  async namespaceCounts(host: string): Promise<{ name: string; count: number }[]> {
    const rows = await withDeadline(
      this.store.read<{ namespace: string; n: number }[]>(
        'SELECT namespace, COUNT(*) AS n FROM snapshots WHERE host_id = ? GROUP BY namespace ORDER BY namespace',
        [host],
        'counting snapshots per namespace',
      ),
      'MySQL',
    );
    return rows.map((r) => ({ name: r.namespace, count: Number(r.n) }));
  }

  /** One round trip to MySQL (readiness); rejects when it fails or takes longer than `ms`. */
  async ping(ms: number): Promise<void> {
    await withDeadline(this.store.ping(), 'MySQL', ms);
  }

  listHosts(): Promise<HostRecord[]> {
    return withDeadline(this.mapped(this.hosts.list(), 'listing hosts'), 'MySQL');
  }

  getHost(id: string): Promise<HostRecord | undefined> {
    return withDeadline(this.mapped(this.hosts.get(id), 'reading a host'), 'MySQL');
  }

  insertToken(t: Omit<TokenRecord, 'revokedAt'>): Promise<void> {
    return withDeadline(this.mapped(this.tokens.insert(t), 'storing a token'), 'MySQL');
  }

  getToken(id: string): Promise<TokenRecord | undefined> {
    return withDeadline(this.mapped(this.tokens.get(id), 'reading a token'), 'MySQL');
  }

  listTokens(): Promise<TokenRecord[]> {
    return withDeadline(this.mapped(this.tokens.list(), 'listing tokens'), 'MySQL');
  }

  revokeToken(id: string, at: Date): Promise<boolean> {
    return withDeadline(this.mapped(this.tokens.revoke(id, at), 'revoking a token'), 'MySQL');
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** After the HTTP server closed: no request needs the database any more. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** HostStore goes through TypeORM directly: its driver errors get the metastore's typing. */
  private async mapped<T>(work: Promise<T>, what: string): Promise<T> {
    try {
      return await work;
    } catch (err) {
      throw metadataError(err, what);
    }
  }
}
