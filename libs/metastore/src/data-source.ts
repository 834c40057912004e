// Connecting to MySQL/MariaDB: URL parsing, database creation, and the TypeORM DataSource
// with the session settings the metastore's locking relies on.
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306/snapfleet';

export interface MysqlTarget {
  host: string;
  port: number;
  /** Unix socket path (`?socket=` in the URL): cheaper than TCP when MySQL is local. */
  socketPath?: string;
  user: string;
  password: string;
  database: string;
}

export function parseMysqlUrl(url: string): MysqlTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`SNAPFLEET_MYSQL_URL is not a URL: ${JSON.stringify(url)}`);
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
    throw new Error(`SNAPFLEET_MYSQL_URL must start with mysql:// (got ${u.protocol}//)`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) {
    throw new Error(`SNAPFLEET_MYSQL_URL must name a database ([A-Za-z0-9_]{1,64}), got ${JSON.stringify(database)}`);
  }
  const socketPath = u.searchParams.get('socket') ?? undefined;
  if (socketPath !== undefined && !socketPath.startsWith('/')) {
    throw new Error(`SNAPFLEET_MYSQL_URL: socket must be an absolute path, got ${JSON.stringify(socketPath)}`);
  }
  return {
    ...(socketPath === undefined ? {} : { socketPath }),
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database,
  };
}

function serverOptions(t: MysqlTarget) {
  return { host: t.host, port: t.port, user: t.user, password: t.password, ...(t.socketPath ? { socketPath: t.socketPath } : {}) };
}

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const t = parseMysqlUrl(url);
  const conn = await createConnection(serverOptions(t));
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${t.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await conn.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const t = parseMysqlUrl(url);
  const conn = await createConnection(serverOptions(t));
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${t.database}\``);
  } finally {
    await conn.end();
  }
}

export function createDataSource(url: string, opts: { poolSize?: number } = {}): DataSource {
  const t = parseMysqlUrl(url);
  return new DataSource({
    type: 'mysql',
    host: t.host,
    port: t.port,
    username: t.user,
    password: t.password,
    database: t.database,
    ...(t.socketPath ? { socketPath: t.socketPath } : {}),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    charset: 'utf8mb4_bin',
    poolSize: opts.poolSize ?? 16,
    // Transactions pipeline queued writes with the next statement (see MetaTransaction).
    multipleStatements: true,
    extra: { enableKeepAlive: true },
  });
}

/** The part of mysql2's callback pool under TypeORM's MySQL driver that the store uses. */
export interface RawPool {
  query(sql: string | { sql: string; dateStrings?: boolean }, params: unknown[], cb: (err: Error | null, rows: unknown) => void): void;
  on(event: 'connection', fn: (conn: unknown) => void): void;
}

export function rawPool(ds: DataSource): RawPool {
  const pool = (ds.driver as unknown as { pool?: RawPool }).pool;
  if (!pool) throw new Error('metastore: the MySQL driver exposes no pool');
  return pool;
}

/**
 * Every pooled connection runs READ COMMITTED (and strict mode): duplicate-key and foreign-key checks still
 * lock the rows they touch, but no gap locks, so concurrent inserts of different keys do
 * not deadlock each other.
 */
export function configureSessions(ds: DataSource): void {
  rawPool(ds).on('connection', (conn) => {
    const c = conn as { query(sql: string): void };
    c.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    // Strict mode makes bad writes errors, not warnings; the fence guard relies on it.
    c.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')");
  });
}
