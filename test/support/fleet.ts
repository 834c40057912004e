// A real fleet for end-to-end tests and the benchmark: one loop-mounted btrfs pool per
// host, worker processes per host, API processes, one fresh database, the machine's Redis.
// Everything is a real process started from dist/; dispose() stops and removes it all.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_PREFIX, queueName } from '@snapfleet/contracts';
import { MetaStore } from '@snapfleet/metastore';
import { makeTestDatabase, type TestDatabase } from './db';
import { distEntry, REPO_ROOT } from './dist';
import { createPool, type Pool } from './pool';

export const REDIS_URL = process.env.SNAPFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379';

export interface FleetHost {
  id: string;
  pool: Pool;
  /** The worker's SNAPFLEET_ROOT: a directory on the host's pool. */
  root: string;
  workers: ChildProcess[];
}

export interface FleetApi {
  url: string;
  proc: ChildProcess;
}

export interface Fleet {
  db: TestDatabase;
  store: MetaStore;
  hosts: FleetHost[];
  apis: FleetApi[];
  /** Directory holding every process's log file. */
  logs: string;
  host(id: string): FleetHost;
  startWorker(hostId: string, env?: Record<string, string>): Promise<ChildProcess>;
  startApi(env?: Record<string, string>): Promise<FleetApi>;
  /** Stops a process: SIGTERM (drain) and, after `graceMs`, SIGKILL. Resolves with its exit. */
  stop(proc: ChildProcess, graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  dispose(): Promise<void>;
}

export interface FleetOptions {
  label: string;
  hosts: number;
  apis: number;
  workersPerHost?: number;
  poolMiB?: number;
  /** Extra mkfs.btrfs arguments for the hosts' pools (e.g. --mixed for a tiny pool that fills up). */
  mkfsArgs?: string[];
  workerEnv?: Record<string, string>;
  apiEnv?: Record<string, string>;
  /** Redis for the fleet's processes (default: the machine's). */
  redisUrl?: string;
  /** Where the processes reach MySQL (e.g. a cuttable proxy); the harness itself goes direct. */
  mysqlVia?: { host: string; port: number };
}

let fleetCounter = 0;

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const tag = `${opts.label}${process.pid % 100000}x${++fleetCounter}`.toLowerCase().replace(/[^a-z0-9]/g, '');
  // Logs outlive the run (the pools directory is swept): test-results/ is where CI keeps them.
  const logs = join(REPO_ROOT, 'test-results', 'logs', process.env.SNAPFLEET_TEST_RUN ?? 'adhoc', tag);
  await mkdir(logs, { recursive: true });
  const db = makeTestDatabase(tag);
  const redisUrl = opts.redisUrl ?? REDIS_URL;
  const processMysqlUrl = opts.mysqlVia ? viaProxy(db.url, opts.mysqlVia) : db.url;
  const procs = new Set<ChildProcess>();
  const hosts: FleetHost[] = [];
  const apis: FleetApi[] = [];
  let store: MetaStore | undefined;

  const launch = (name: string, entry: string, env: Record<string, string>): ChildProcess => {
    // The process writes its log file itself, as under a service manager: relaying it
    // through a pipe would wake this process for every line, and this process is the load
    // generator in the benchmarks.
    const out = openSync(join(logs, `${name}.log`), 'a');
    // FLEET_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") for profiling runs.
    const nodeArgs = (process.env.FLEET_NODE_ARGS ?? '').split(' ').filter(Boolean);
    let proc: ChildProcess;
    try {
      proc = spawn(process.execPath, [...nodeArgs, distEntry(entry)], {
        env: { ...process.env, SNAPFLEET_MYSQL_URL: processMysqlUrl, SNAPFLEET_REDIS_URL: redisUrl, SNAPFLEET_LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
    procs.add(proc);
    proc.once('exit', () => procs.delete(proc));
    return proc;
  };

  const fleet: Fleet = {
    db,
    get store() {
      if (!store) throw new Error('fleet store not open');
      return store;
    },
    hosts,
    apis,
    logs,
    host(id) {
      const h = hosts.find((x) => x.id === id);
      if (!h) throw new Error(`no host ${id} in this fleet`);
      return h;
    },
    async startWorker(hostId, env = {}) {
      const h = fleet.host(hostId);
      const name = `worker-${hostId}-${h.workers.length}`;
      const log = join(logs, `${name}.log`);
      const logFrom = await stat(log).then((st) => st.size, () => 0);
      const proc = launch(name, 'apps/worker/src/main.js', {
        SNAPFLEET_HOST_ID: hostId,
        SNAPFLEET_ROOT: h.root,
        SNAPFLEET_HEARTBEAT_MS: '500',
        ...opts.workerEnv,
        ...env,
      });
      h.workers.push(proc);
      await waitForWorkerStart(hostId, proc, log, logFrom);
      return proc;
    },
    async startApi(env = {}) {
      const port = await freePort();
      const proc = launch(`api-${apis.length}`, 'apps/api/src/main.js', {
        SNAPFLEET_PORT: String(port),
        SNAPFLEET_BIND: '127.0.0.1',
        SNAPFLEET_HOST_TIMEOUT_MS: '3000',
        // Auth has its own tests (test/e2e/auth.e2e.test.ts); a fleet asks for it with apiEnv.
        SNAPFLEET_AUTH: 'off',
        ...opts.apiEnv,
        ...env,
      });
      const api = { url: `http://127.0.0.1:${port}`, proc };
      await waitForHttp(`${api.url}/v1/hosts`, proc);
      apis.push(api);
      return api;
    },
    stop: stopProcess,
    async dispose() {
      await Promise.all([...procs].map((p) => stopProcess(p, 5000)));
      await obliterateQueues(hosts.map((h) => h.id), redisUrl).catch(() => undefined);
      await store?.close().catch(() => undefined);
      await db.dispose().catch(() => undefined);
      for (const h of hosts) await h.pool.dispose().catch(() => undefined);
    },
  };

  try {
    // The database exists and is migrated before any process starts, as `npm start` does.
    store = await MetaStore.open({ url: db.url });
    for (let i = 0; i < opts.hosts; i++) {
      const id = `${tag}-h${i}`;
      const pool = await createPool({
        label: id,
        ...(opts.poolMiB === undefined ? {} : { sizeMiB: opts.poolMiB }),
        ...(opts.mkfsArgs ? { mkfsArgs: opts.mkfsArgs } : {}),
      });
      const root = join(pool.dir, 'snapfleet');
      await mkdir(root, { recursive: true });
      hosts.push({ id, pool, root, workers: [] });
    }
    for (const h of hosts) for (let w = 0; w < (opts.workersPerHost ?? 1); w++) await fleet.startWorker(h.id);
    for (let a = 0; a < opts.apis; a++) await fleet.startApi();
    return fleet;
  } catch (err) {
    await fleet.dispose();
    throw err;
  }
}

function viaProxy(url: string, via: { host: string; port: number }): string {
  const u = new URL(url);
  u.hostname = via.host;
  u.port = String(via.port);
  return u.toString();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function exited(proc: ChildProcess): boolean {
  return proc.exitCode !== null || proc.signalCode !== null;
}

async function waitUntil(what: string, proc: ChildProcess, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(proc)) throw new Error(`${what}: process exited with ${proc.exitCode ?? proc.signalCode} (see its log)`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not ready within ${timeoutMs} ms`);
}

/**
 * Until this process says it started, which it does after its first heartbeat. Its own line,
 * not the host row: a heartbeat there may be a worker's that just stopped, or another one's
 * of the same host.
 */
async function waitForWorkerStart(hostId: string, proc: ChildProcess, log: string, logFrom: number): Promise<void> {
  const line = `"msg":"worker of host ${hostId} started"`;
  await waitUntil(`worker of ${hostId}`, proc, async () => (await readFile(log)).subarray(logFrom).includes(line));
}

async function waitForHttp(url: string, proc: ChildProcess): Promise<void> {
  // 401: up, with auth on.
  await waitUntil(`api ${url}`, proc, async () => {
    const r = await fetch(url);
    return r.ok || r.status === 401;
  });
}

export async function stopProcess(proc: ChildProcess, graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (exited(proc)) return { code: proc.exitCode, signal: proc.signalCode };
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  proc.kill('SIGCONT');
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

/** Removes the hosts' queues and their lock and fence keys from Redis. */
export async function obliterateQueues(hostIds: string[], redisUrl = REDIS_URL): Promise<void> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  try {
    for (const id of hostIds) {
      const q = new Queue(queueName(id), { connection, prefix: QUEUE_PREFIX });
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
      for await (const keys of connection.scanStream({ match: `{snapfleet:${id}}:*`, count: 500 }) as AsyncIterable<string[]>) {
        if (keys.length > 0) await connection.del(...keys);
      }
    }
  } finally {
    connection.disconnect();
  }
}
