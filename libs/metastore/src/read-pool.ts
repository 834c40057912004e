// The connection pool for single-statement reads (stat, walk pages, op results), on
// MariaDB's own connector rather than TypeORM's mysql2 pool, which keeps transactions and writes.
//
// Why a second driver: a walk page of 100 rows cost the API about 470 µs of CPU per request on
// mysql2 and 385 µs on this connector, and a stat 150 against 135 µs (docs/performance.md,
// "Reads on MariaDB's connector"). mysql2's parse leaves most of each result set alive
// across a young-generation collection. This connector decodes rows with less garbage.
// It speaks the MySQL protocol too (caching_sha2_password included).
import type { EventEmitter } from 'node:events';
import { createPool, type Pool } from 'mariadb';
import type { MysqlTarget } from './data-source';

export interface ReadPoolOptions {
  /** Connections at most; they are opened on demand and closed after a minute idle. */
  size?: number;
  /** How long a read waits for a connection before it fails as `unavailable` (ms). */
  acquireTimeoutMs?: number;
}

export class ReadPool {
  private constructor(private readonly pool: Pool) {}

  static open(t: MysqlTarget, opts: ReadPoolOptions = {}): ReadPool {
    const pool = createPool({
      ...(t.socketPath ? { socketPath: t.socketPath } : { host: t.host, port: t.port }),
      user: t.user,
      password: t.password,
      database: t.database,
      collation: 'UTF8MB4_BIN',
      connectionLimit: opts.size ?? 16,
      // No connections held open by an idle process; a burst opens what it needs.
      minimumIdle: 0,
      idleTimeout: 60,
      // Below the API's 5 s dependency deadline, so an unreachable server surfaces as this
      // pool's own connection error, which maps to `unavailable`.
      acquireTimeout: opts.acquireTimeoutMs ?? 4_000,
      connectTimeout: 2_000,
      keepAliveDelay: 10_000,
      // Rows come back as the callers' SnapshotRow types expect: ids and counts as numbers
      // (they stay below 2^53), DATETIMEs and JSON as their text.
      bigIntAsNumber: true,
      insertIdAsNumber: true,
      decimalAsNumber: true,
      dateStrings: true,
      autoJsonMap: false,
      // Same isolation as the transaction pool, so a read never waits on a gap lock's view.
      initSql: 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
    });
    // The pool reports connection failures on its queries; an 'error' event with no listener
    // would crash the process instead.
    (pool as unknown as EventEmitter).on('error', () => undefined);
    return new ReadPool(pool);
  }

  /** One statement; DATETIME columns come back as their text (`YYYY-MM-DD HH:MM:SS.ffffff`). */
  query<T>(sql: string, params: readonly unknown[]): Promise<T> {
    return this.pool.query({ sql }, params as unknown[]) as Promise<T>;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
