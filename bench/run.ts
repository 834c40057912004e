// `npm run bench`: runs every benchmark case side by side on a fresh pool and database made
// for the run, and writes docs/benchmarks.md with the figures, ratios and the command.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadBtrfs } from '@snapfleet/btrfs';
import { makeHarness } from '../test/support/snapshotter';
import { SnapfleetClient } from '@snapfleet/client';
import type { BatchStep } from '@snapfleet/contracts';
import { Snapshotter } from '@snapfleet/snapshotter';
import { MetaStore } from '@snapfleet/metastore';
import { REDIS_URL, obliterateQueues, startFleet } from '../test/support/fleet';
import { containerdBench, type ContainerdFigures } from './containerd';
import { measureCpu, pidsOf, type CpuShare } from './cpu';
import { createDeleteCycle, rawCycle, snapshotterCycle } from './core';
import { floorLatencies, type FloorRun } from './floor';
import { seedOtherRows, seedViews, walkPages } from './scale';
import { batchCycle, clientWalkLoad, ensureDir, httpCycle, inProcessCycle, p, readLoad, type ClientReadRun, type CycleRun, type ReadRun, type ReadTool } from './fleet';
import { fmt, type RunStats } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 300);
/** Rows of other hosts in the scale case's metadata store. */
const SCALE_ROWS = Number(process.env.BENCH_SCALE_ROWS ?? 50_000);
const WALK_PAGES = 1000;

type Results = Map<string, RunStats[]>;
const SCALE_CYCLE = `snapshotter cycle c=8, ${SCALE_ROWS.toLocaleString('en')} rows of other hosts`;
const SCALE_WALK = `walk page c=8, ${SCALE_ROWS.toLocaleString('en')} rows of other hosts`;
/** The same in-process cycles with MariaDB reached over its unix socket (`?socket=`) instead of TCP loopback. */
const SOCKET_CYCLE = 'snapshotter cycle c=8, MariaDB over its unix socket';
/** CPU ms per cycle (bench process, MariaDB) of each core case, per round. */
const coreCpu = new Map<string, CpuShare[]>();

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** BENCH_ONLY=core|fleet|containerd runs one part (the report then has only that part). */
async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY;
  const runs = (part: string) => only === undefined || only === part;
  const results: Results = new Map();
  const fleet = runs('fleet') ? await fleetBench() : undefined;
  if (runs('core')) await coreBench(results);
  const ctd = runs('containerd')
    ? await containerdBench({
        ...(process.env.BENCH_CTD_LAYERS ? { layers: Number(process.env.BENCH_CTD_LAYERS) } : {}),
        ...(process.env.BENCH_CTD_CYCLES ? { cycles: Number(process.env.BENCH_CTD_CYCLES) } : {}),
      })
    : undefined;
  await writeReport(results, fleet, ctd);
}

async function coreBench(results: Results): Promise<void> {
  const h = await makeHarness({ label: 'bench', poolMiB: 4096 });
  const progs = loadBtrfs({ backend: 'progs' });
  // Lets btrfs's cleaner finish dropping deleted subvolumes and writeback settle, so one
  // case's leftovers do not slow the next one down.
  const quiet = () => {
    execFileSync('btrfs', ['subvolume', 'sync', h.pool.dir]);
    execFileSync('sync');
  };
  const groups = { bench: [process.pid], mariadb: pidsOf('mariadbd') };
  const record = async (name: string, run: () => Promise<RunStats>) => {
    quiet();
    const { value: stats, cpu } = await measureCpu(groups, run);
    results.set(name, [...(results.get(name) ?? []), stats]);
    const perCycle = Object.fromEntries(Object.entries(cpu).map(([k, ms]) => [k, ms / stats.ops]));
    coreCpu.set(name, [...(coreCpu.get(name) ?? []), perCycle]);
    console.error(`${name}: ${fmt(stats.rate)} /s p50 ${fmt(stats.p50ms, 2)} ms p99 ${fmt(stats.p99ms, 2)} ms`);
  };
  // Scale: a second database holding SCALE_ROWS rows of other hosts, same pool and disk.
  const big = await makeHarness({ label: 'bench-scale', poolMiB: 2048 }).catch(async (err: unknown) => {
    await h.dispose();
    throw err;
  });
  let sockStore: MetaStore | undefined;
  try {
    const s = await h.host({ hostId: 'bench' });
    const sBig = await big.host({ hostId: 'bench' });
    sockStore = await openOverSocket(h.db.url, h.store);
    const sSock = sockStore ? await Snapshotter.open({ hostId: 'bench-sock', root: await ensureDir(join(h.pool.dir, 'bench-sock')), btrfs: h.btrfs, store: sockStore }) : undefined;
    await seedOtherRows(big.store, SCALE_ROWS);
    await seedViews(s, 1000);
    await seedViews(sBig, 1000);
    // Warm-up (JIT, connection pool, InnoDB buffer pool, btrfs metadata): not recorded.
    await rawCycle(h.btrfs, join(h.pool.dir, 'warm-raw'), CYCLES, 8);
    await snapshotterCycle(s, 'warm', CYCLES, 8);
    await snapshotterCycle(sBig, 'warm', CYCLES, 8);
    if (sSock) await snapshotterCycle(sSock, 'warm', CYCLES, 8);
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of [1, 8]) {
        await record(`raw ioctl cycle c=${c}`, () => rawCycle(h.btrfs, join(h.pool.dir, `raw-${round}-${c}`), CYCLES, c));
        await record(`snapshotter cycle c=${c}`, () => snapshotterCycle(s, `r${round}c${c}`, CYCLES, c));
      }
      if (sSock) await record(SOCKET_CYCLE, () => snapshotterCycle(sSock, `r${round}`, CYCLES, 8));
      await record('native create+delete c=1', () => createDeleteCycle(h.btrfs, join(h.pool.dir, `nat-${round}`), CYCLES, 1));
      await record('progs create+delete c=1', () => createDeleteCycle(progs, join(h.pool.dir, `prg-${round}`), Math.ceil(CYCLES / 4), 1));
      await record(SCALE_CYCLE, () => snapshotterCycle(sBig, `r${round}`, CYCLES, 8));
      await record('walk page c=8', () => walkPages(s, WALK_PAGES, 8));
      await record(SCALE_WALK, () => walkPages(sBig, WALK_PAGES, 8));
    }
  } finally {
    await sockStore?.close().catch(() => undefined);
    await big.dispose();
    await h.dispose();
  }
}

/** A second store on the same database over the server's unix socket, when it has one here. */
async function openOverSocket(url: string, store: MetaStore): Promise<MetaStore | undefined> {
  const [row] = await store.query<{ socket: string | null }[]>('SELECT @@socket AS socket', [], 'reading the socket path');
  const path = row?.socket;
  if (!path || !existsSync(path)) {
    console.error('core bench: MariaDB has no unix socket on this machine; the socket case is left out');
    return undefined;
  }
  const u = new URL(url);
  u.searchParams.set('socket', path);
  return MetaStore.open({ url: u.toString() });
}

interface FleetFigures {
  rounds: Array<{
    raw: RunStats;
    inproc: CycleRun;
    http: CycleRun;
    /** The same per-op requests through an API process that never groups ops (one job per op). */
    solo: CycleRun;
    /** The same cycles through the batch route, by cycles per request. */
    batch: Record<BatchSize, RunStats>;
    cpu: { raw: CpuShare; inproc: CpuShare; http: CpuShare; solo: CpuShare } & Record<`batch${BatchSize}`, CpuShare>;
  }>;
  reads: ReadCase[];
  /** One client at a time: latency with no queueing behind other requests. */
  serial: { inproc: CycleRun; http: CycleRun };
  /**
   * The in-process cycles again, one at a time, each op after an untimed pause as long as the
   * floor (whole ms): what waking MariaDB, btrfs and the process costs the op's own work.
   */
  pausedInproc: { run: CycleRun; pauseMs: number };
  /** The same one-at-a-time way: what HTTP, a stock queue and a lease cost on this machine with no op behind them. */
  floor: FloorRun;
  /** The typed client polling one walk page, revalidating or not, rounds alternated. */
  clientReads: Array<{ revalidating: ClientReadRun; full: ClientReadRun }>;
}

/** One read path, driven by each load generator in turn. */
interface ReadCase extends Record<ReadTool, ReadRun> {
  name: string;
  /** Share of walk pages the API process served from its cache (wrk's run), when it has one. */
  cachedShare?: number;
  /** Ops per second of the writer running beside the reads, when there is one. */
  writerRate?: number;
}

/** A read case: which API process serves it, and whether a client writes to the namespace meanwhile. */
interface ReadSpec {
  name: string;
  path: string;
  api: 'cached' | 'uncached';
  writer?: { ns: string; host: string };
  /** Every request names the page's current ETag in If-None-Match: each answer is a 304. */
  revalidate?: boolean;
}

const FLEET_C = 16;
/** Cycles per request in the batch cases: one cycle (3 steps), and an unpack-sized batch. */
const BATCH_SIZES = [1, 8] as const;
type BatchSize = (typeof BATCH_SIZES)[number];
const CPU_GROUPS = ['api', 'worker', 'mariadb', 'redis', 'bench'];
const BENCH_ADMIN = `bench-admin-${'b'.repeat(24)}`;
const FLEET_ROUNDS = Number(process.env.BENCH_FLEET_ROUNDS ?? 3);
const FLEET_CYCLES = Number(process.env.BENCH_FLEET_CYCLES ?? 400);
const FLEET_WARM_CYCLES = Number(process.env.BENCH_FLEET_WARM_CYCLES ?? 1500);
const READ_SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 10);
const READ_WARM_SECONDS = Number(process.env.BENCH_READ_WARM_SECONDS ?? 4);
/** The typed client's polling case: rounds of each setting, alternated, and the loops reading at once. */
const CLIENT_READ_ROUNDS = 3;
const CLIENT_READ_CONCURRENCY = 8;
const SERIAL_CYCLES = Number(process.env.BENCH_SERIAL_CYCLES ?? 150);
/** Round trips of each part of the floor (bench/floor.ts), one at a time. */
const FLOOR_ROUNDS = 3 * SERIAL_CYCLES;

/**
 * Runs `fn` with the other API process stopped (SIGSTOP), so that only the API under
 * measurement reads the host's event stream: each API process reads every entry of it, which
 * costs the idle one about 1 ms of CPU per cycle (performance.md, "The API's event reader"),
 * taken from the two CPUs the measured fleet runs on. A deployment of one API process has no
 * second reader. The stopped process catches up on the stream when continued.
 */
async function paused<T>(other: ChildProcess, fn: () => Promise<T>): Promise<T> {
  other.kill('SIGSTOP');
  try {
    return await fn();
  } finally {
    other.kill('SIGCONT');
  }
}

/**
 * The fleet: one host (worker process), one API process, MariaDB and Redis, all on this
 * machine. The raw loop and the in-process snapshotter run from this process on the same
 * pool and database, interleaved with the HTTP cycles.
 */
async function fleetBench(): Promise<FleetFigures> {
  // Auth on, as deployed (token checked on every request); the rate limit is a policy, off here.
  const fleet = await startFleet({
    label: 'bench',
    hosts: 1,
    apis: 1,
    poolMiB: 8192,
    workerEnv: { SNAPFLEET_WORKER_CONCURRENCY: String(FLEET_C) },
    apiEnv: { SNAPFLEET_AUTH: 'on', SNAPFLEET_ADMIN_TOKEN: BENCH_ADMIN, SNAPFLEET_RATE_LIMIT: '0' },
  });
  try {
    const host = fleet.hosts[0]!;
    const api = fleet.apis[0]!;
    const admin = new SnapfleetClient({ baseUrl: api.url, token: BENCH_ADMIN });
    // The load runs with an ordinary namespaced token, as a build farm's clients would.
    const { token } = await admin.createToken({ name: 'bench', namespaces: ['bench', 'reads', 'chain', 'busy'], scopes: ['read', 'write'] });
    const client = new SnapfleetClient({ baseUrl: api.url, token });
    // A second API process, alike but for op groups switched off: the same requests, one job
    // each. Its walk page cache is off too (no cycle walks): it serves the uncached read rows.
    const soloApi = await fleet.startApi({ SNAPFLEET_GROUP_SLOTS: '0', SNAPFLEET_WALK_CACHE_PAGES: '0' });
    const solo = new SnapfleetClient({ baseUrl: soloApi.url, token });
    const root = await ensureDir(join(host.pool.dir, 'inproc'));
    const s = await Snapshotter.open({ hostId: `${host.id}-inproc`, root, btrfs: loadBtrfs({ backend: 'native' }), store: fleet.store });
    const quiet = () => {
      execFileSync('btrfs', ['subvolume', 'sync', host.pool.dir]);
      execFileSync('sync');
    };
    const native = loadBtrfs({ backend: 'native' });
    // The API and worker processes start cold: their JIT needs about a thousand cycles before
    // their CPU per cycle stops falling (2.2 → 1.2 ms for the API over the first 1,400 cycles,
    // 2026-12-06), and the rounds are meant to measure the fleet as it runs, not as it starts.
    await httpCycle(client, host.id, 'warm', FLEET_WARM_CYCLES, FLEET_C);
    await httpCycle(solo, host.id, 'warmsolo', FLEET_WARM_CYCLES, FLEET_C);
    for (const size of BATCH_SIZES) await batchCycle(client, host.id, `warm${size}`, FLEET_CYCLES, FLEET_C, size);
    await inProcessCycle(s, 'warm', FLEET_CYCLES / 2, FLEET_C);
    const rounds: FleetFigures['rounds'] = [];
    const groups = {
      api: [api.proc.pid ?? 0],
      worker: host.workers.map((w) => w.pid ?? 0),
      mariadb: pidsOf('mariadbd'),
      redis: pidsOf('redis-server'),
      bench: [process.pid],
    };
    const soloGroups = { ...groups, api: [soloApi.proc.pid ?? 0] };
    for (let r = 0; r < FLEET_ROUNDS; r++) {
      quiet();
      const rawRun = await measureCpu(groups, () => rawCycle(native, join(host.pool.dir, `raw-${r}`), FLEET_CYCLES, FLEET_C));
      const raw = rawRun.value;
      quiet();
      const inproc = await measureCpu(groups, () => inProcessCycle(s, `r${r}`, FLEET_CYCLES, FLEET_C));
      quiet();
      const http = await paused(soloApi.proc, () => measureCpu(groups, () => httpCycle(client, host.id, `r${r}`, FLEET_CYCLES, FLEET_C)));
      quiet();
      const soloRun = await paused(api.proc, () => measureCpu(soloGroups, () => httpCycle(solo, host.id, `r${r}solo`, FLEET_CYCLES, FLEET_C)));
      const batches = [];
      for (const size of BATCH_SIZES) {
        quiet();
        batches.push(await paused(soloApi.proc, () => measureCpu(groups, () => batchCycle(client, host.id, `r${r}b${size}`, FLEET_CYCLES, FLEET_C, size))));
      }
      await s.settled();
      const [b1, b8] = batches as [(typeof batches)[number], (typeof batches)[number]];
      rounds.push({
        raw,
        inproc: inproc.value,
        http: http.value,
        solo: soloRun.value,
        batch: { 1: b1.value, 8: b8.value },
        cpu: { raw: rawRun.cpu, inproc: inproc.cpu, http: http.cpu, solo: soloRun.cpu, batch1: b1.cpu, batch8: b8.cpu },
      });
      console.error(`cpu ms per cycle: raw ${cpuLine(rawRun.cpu, FLEET_CYCLES)}; in-process ${cpuLine(inproc.cpu, FLEET_CYCLES)}; http ${cpuLine(http.cpu, FLEET_CYCLES)}; http one job per op ${cpuLine(soloRun.cpu, FLEET_CYCLES)}; batch of 8 ${cpuLine(b8.cpu, FLEET_CYCLES)}`);
      console.error(
        `fleet round ${r}: raw ${fmt(raw.rate)} /s, in-process ${fmt(inproc.value.stats.rate)} /s, http ${fmt(http.value.stats.rate)} /s, one job per op ${fmt(soloRun.value.stats.rate)} /s, batch of 1 ${fmt(b1.value.rate)} /s, batch of 8 ${fmt(b8.value.rate)} /s`,
      );
    }
    // Serial: what the fleet path adds to one op when nothing else is running.
    quiet();
    const serialInproc = await inProcessCycle(s, 'serial', SERIAL_CYCLES, 1);
    quiet();
    const serialHttp = await paused(soloApi.proc, () => httpCycle(client, host.id, 'serial', SERIAL_CYCLES, 1));
    await s.settled();
    console.error(`serial: in-process ${fmt(serialInproc.stats.rate)} /s, http ${fmt(serialHttp.stats.rate)} /s`);
    const floor = await paused(soloApi.proc, () => floorLatencies(api.url, REDIS_URL, FLOOR_ROUNDS));
    console.error(`floor p50 ms: http ${fmt(p(floor.http, 50), 2)}, queue ${fmt(p(floor.queue, 50), 2)}, lease ${fmt(p(floor.lease, 50), 2)}`);
    const pauseMs = Math.max(1, Math.round(floorSum(floor)));
    quiet();
    const pausedInproc = { run: await inProcessCycle(s, 'paused', SERIAL_CYCLES, 1, { pauseMs }), pauseMs };
    console.error(`serial in-process after ${pauseMs} ms pauses: ${(['prepare', 'commit', 'remove'] as const).map((op) => fmt(p(pausedInproc.run.latencies[op], 50), 2)).join(' / ')} ms p50`);
    // Reads: 1,000 views to stat and walk through one API process; 1,000 committed snapshots
    // in a chain, each the parent of the next, as layers are (a page of those names a parent
    // on every row); and 1,000 views in a namespace that a client changes while it is walked.
    // All on the worker's host, made through the batch route: the API keeps a walk page while
    // the host's job event stream has not moved, and a host no job ever ran on has none.
    const batches = async (ns: string, steps: BatchStep[]) => {
      for (let i = 0; i < steps.length; i += 100) await client.runBatchAndWait(ns, host.id, { steps: steps.slice(i, i + 100) });
    };
    await batches('reads', Array.from({ length: 1000 }, (_, i): BatchStep => ({ op: 'view', key: `r-${i}` })));
    await batches(
      'chain',
      Array.from({ length: 1000 }, (_, i): BatchStep[] => [
        { op: 'prepare', key: `work-${i}`, ...(i === 0 ? {} : { parent: `layer-${i - 1}` }) },
        { op: 'commit', key: `work-${i}`, name: `layer-${i}` },
      ]).flat(),
    );
    await batches('busy', Array.from({ length: 1000 }, (_, i): BatchStep => ({ op: 'view', key: `b-${i}` })));
    const hostPath = (ns: string) => `/v1/namespaces/${ns}/hosts/${host.id}`;
    const specs: ReadSpec[] = [
      { name: 'stat', path: `${hostPath('reads')}/snapshots/r-500`, api: 'cached' },
      { name: 'stat, cache off', path: `${hostPath('reads')}/snapshots/r-500`, api: 'uncached' },
      { name: 'walk (limit 100)', path: `${hostPath('reads')}/snapshots?limit=100`, api: 'cached' },
      { name: 'walk (limit 100), every row parented', path: `${hostPath('chain')}/snapshots?limit=100`, api: 'cached' },
      { name: 'walk (limit 100), page cache off', path: `${hostPath('reads')}/snapshots?limit=100`, api: 'uncached' },
      { name: 'walk (limit 100), every row parented, page cache off', path: `${hostPath('chain')}/snapshots?limit=100`, api: 'uncached' },
      {
        name: 'walk (limit 100) while a client runs prepare→remove in the namespace (c=1)',
        path: `${hostPath('busy')}/snapshots?limit=100`,
        api: 'cached',
        writer: { ns: 'busy', host: host.id },
      },
      { name: 'walk (limit 100), revalidated: If-None-Match names the page\'s ETag (304, no body)', path: `${hostPath('reads')}/snapshots?limit=100`, api: 'cached', revalidate: true },
      { name: 'walk (limit 100), revalidated, page cache off', path: `${hostPath('reads')}/snapshots?limit=100`, api: 'uncached', revalidate: true },
    ];
    const reads: ReadCase[] = [];
    for (const spec of specs) {
      const [url, other] = spec.api === 'cached' ? [api.url, soloApi.proc] : [soloApi.url, api.proc];
      const writerClient = spec.api === 'cached' ? client : solo;
      // As with the cycles, the read paths are measured warm: their JIT warm-up (the first
      // seconds of a cold path run at half speed or less here) is not what the target is about.
      const by = {} as Record<ReadTool, ReadRun>;
      let cachedShare: number | undefined;
      let writerRate: number | undefined;
      const headers: Record<string, string> = spec.revalidate ? { 'if-none-match': await etagOf(url, spec.path) } : {};
      const load = { token, headers };
      for (const tool of ['wrk', 'autocannon'] as const) {
        by[tool] = await paused(other, async () => {
          await readLoad(tool, url, spec.path, READ_WARM_SECONDS, load);
          const before = spec.api === 'cached' ? await readCacheCounts(url) : undefined;
          const answered = await walkStatusCounts(url);
          const writing = spec.writer ? writeWhile(writerClient, spec.writer.ns, spec.writer.host) : undefined;
          let run: ReadRun;
          try {
            run = await readLoad(tool, url, spec.path, READ_SECONDS, load);
          } finally {
            writing?.stop();
          }
          // A revalidation row is a figure of 304s only: a full answer in it means the tag moved.
          const after = await walkStatusCounts(url);
          const full = (after['200'] ?? 0) - (answered['200'] ?? 0);
          if (spec.revalidate && full > 0) throw new Error(`read case ${spec.name} (${tool}): ${full} full answers where every one should be 304`);
          if (!spec.revalidate && (after['304'] ?? 0) !== (answered['304'] ?? 0)) throw new Error(`read case ${spec.name} (${tool}): 304s without If-None-Match`);
          const ops = await writing?.done;
          if (tool === 'wrk') {
            if (before) cachedShare = cacheShare(before, await readCacheCounts(url));
            if (ops !== undefined) writerRate = ops / READ_SECONDS;
          }
          return run;
        });
      }
      console.error(`${spec.name}: ${fmt(by.wrk.rate)} req/s (wrk), ${fmt(by.autocannon.rate)} req/s (autocannon)`);
      // A rate of refusals is no read figure: stop rather than report it.
      for (const tool of ['wrk', 'autocannon'] as const) {
        const failed = by[tool].failedStatus + by[tool].errors;
        if (failed > 0) throw new Error(`read case ${spec.name} (${tool}): ${failed} of ${by[tool].requests} requests failed`);
      }
      reads.push({ name: spec.name, ...by, ...(cachedShare === undefined ? {} : { cachedShare }), ...(writerRate === undefined ? {} : { writerRate }) });
    }
    // A poller through the typed client, as a dashboard or a job waiter runs it: the same
    // client code with its revalidation on (the default) and off, rounds alternated.
    const clientReads: FleetFigures['clientReads'] = [];
    const apiPid = api.proc.pid!;
    const pollers = { revalidating: new SnapfleetClient({ baseUrl: api.url, token }), full: new SnapfleetClient({ baseUrl: api.url, token, revalidate: false }) };
    const poll = (which: keyof typeof pollers, seconds: number) =>
      paused(soloApi.proc, () => clientWalkLoad(pollers[which], apiPid, 'reads', host.id, 100, seconds, CLIENT_READ_CONCURRENCY));
    await poll('revalidating', READ_WARM_SECONDS);
    await poll('full', READ_WARM_SECONDS);
    for (let r = 0; r < CLIENT_READ_ROUNDS; r++) {
      const order = r % 2 === 0 ? (['revalidating', 'full'] as const) : (['full', 'revalidating'] as const);
      const got = {} as Record<keyof typeof pollers, ClientReadRun>;
      for (const which of order) got[which] = await poll(which, READ_SECONDS / 2);
      clientReads.push(got);
      console.error(`typed client walk poll round ${r}: revalidating ${fmt(got.revalidating.rate)} /s, full ${fmt(got.full.rate)} /s`);
    }
    for (const c of Object.values(pollers)) c.close();
    return { rounds, reads, serial: { inproc: serialInproc, http: serialHttp }, pausedInproc, floor, clientReads };
  } finally {
    await fleet.dispose();
    // The in-process snapshotter's host row has no worker, but the API's metrics and
    // dashboard made a queue for it; without this each run leaves its meta key in Redis.
    await obliterateQueues(fleet.hosts.map((h) => `${h.id}-inproc`));
  }
}

/** The current ETag of a read path, from one GET. */
async function etagOf(baseUrl: string, path: string): Promise<string> {
  const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${BENCH_ADMIN}` } });
  await res.arrayBuffer();
  const tag = res.headers.get('etag');
  if (res.status !== 200 || tag === null) throw new Error(`GET ${path}: ${res.status} without an ETag`);
  return tag;
}

/** Walk requests the API process has answered, by status (its request-duration histogram). */
async function walkStatusCounts(baseUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${BENCH_ADMIN}` } })).text();
  const counts: Record<string, number> = {};
  const route = 'route="/v1/namespaces/:ns/hosts/:host/snapshots"';
  for (const line of text.split('\n')) {
    if (!line.startsWith('snapfleet_api_http_request_duration_seconds_count{') || !line.includes(route) || !line.includes('method="GET"')) continue;
    const status = /status="(\d+)"/.exec(line)?.[1];
    if (status) counts[status] = (counts[status] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return counts;
}

/** The API process's read cache counters (its /metrics: walk pages and stats), by result. */
async function readCacheCounts(baseUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${BENCH_ADMIN}` } })).text();
  const counts: Record<string, number> = {};
  // Walk pages and stats together: a read case is one or the other.
  for (const m of text.matchAll(/^snapfleet_api_(?:walk|stat)_cache_total\{result="(\w+)"\} (\d+)/gm)) counts[m[1]!] = (counts[m[1]!] ?? 0) + Number(m[2]);
  return counts;
}

/** Share of the pages between two counter readings that did not read MySQL (hits and shared reads). */
function cacheShare(before: Record<string, number>, after: Record<string, number>): number | undefined {
  const d = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
  const total = d('hit') + d('shared') + d('miss') + d('bypass');
  return total === 0 ? undefined : (d('hit') + d('shared')) / total;
}

/** One client creating and removing a view in `ns`, one op at a time, until stopped; resolves with its op count. */
function writeWhile(client: SnapfleetClient, ns: string, host: string): { stop: () => void; done: Promise<number> } {
  let stopped = false;
  const done = (async () => {
    let ops = 0;
    for (let i = 0; !stopped; i++) {
      await client.createSnapshotAndWait(ns, host, { key: `w-${i}`, kind: 'view' });
      await client.removeSnapshotAndWait(ns, host, `w-${i}`);
      ops += 2;
    }
    return ops;
  })();
  return { stop: () => (stopped = true), done };
}

function cpuLine(cpu: CpuShare, cycles: number): string {
  return Object.entries(cpu).map(([k, ms]) => `${k} ${fmt(ms / cycles, 2)}`).join(', ');
}

function fleetSection(f: FleetFigures): string[] {
  const med = (xs: number[]) => median(xs);
  const rate = (pick: (r: FleetFigures['rounds'][number]) => number) => med(f.rounds.map(pick));
  const ratio = (pick: (r: FleetFigures['rounds'][number]) => number) => f.rounds.map(pick);
  const httpVsRaw = ratio((r) => r.http.stats.rate / r.raw.rate);
  const soloVsRaw = ratio((r) => r.solo.stats.rate / r.raw.rate);
  const groupGain = ratio((r) => r.http.stats.rate / r.solo.stats.rate);
  const inprocVsRaw = ratio((r) => r.inproc.stats.rate / r.raw.rate);
  const batchVsRaw = (size: BatchSize) => ratio((r) => r.batch[size].rate / r.raw.rate);
  const batchName = (size: BatchSize) => `HTTP batch route, ${size === 1 ? 'one cycle (3 steps)' : `${size} cycles (${size * 3} steps)`} per request`;
  const ops = ['prepare', 'commit', 'remove'] as const;
  const lat = (which: 'http' | 'solo' | 'inproc', op: (typeof ops)[number], q: number) => med(f.rounds.map((r) => p(r[which].latencies[op], q)));
  const show = (xs: number[]) => xs.map((x) => `${fmt(x * 100)} %`).join(', ');
  return [
    '## Fleet: HTTP → queue → worker, vs in-process and raw ioctls (one host)',
    '',
    `One API process (auth on: every request carries a namespaced bearer token; no rate limit), one worker`,
    `process (concurrency ${FLEET_C}), MariaDB and Redis on this machine (a second API process, alike but with op groups off,`,
    'serves the one-job-per-op row; each process\'s CPU counts only in its own rows, and while one API process is measured',
    'the other is stopped with SIGSTOP, so that only one reads the host\'s event stream, as with one API process deployed); the load',
    `generator, the in-process snapshotter and the raw loop run in the bench process. Concurrency ${FLEET_C},`,
    `${FLEET_ROUNDS} rounds of ${FLEET_CYCLES} prepare→commit→remove cycles per case, interleaved, after ${FLEET_WARM_CYCLES.toLocaleString('en')} unrecorded`,
    'warm-up cycles through HTTP (the API and worker processes start cold); medians over rounds.',
    'An in-process round ends when its background subvolume deletes have; the worker\'s are not waited for.',
    '',
    '| case | cycles/s |',
    '|---|---:|',
    `| raw ioctl cycle c=${FLEET_C} | ${fmt(rate((r) => r.raw.rate))} |`,
    `| in-process snapshotter c=${FLEET_C} | ${fmt(rate((r) => r.inproc.stats.rate))} |`,
    `| HTTP end to end c=${FLEET_C}, one request per op (op groups on, the default) | ${fmt(rate((r) => r.http.stats.rate))} |`,
    `| HTTP end to end c=${FLEET_C}, one request and one job per op (SNAPFLEET_GROUP_SLOTS=0) | ${fmt(rate((r) => r.solo.stats.rate))} |`,
    ...BATCH_SIZES.map((size) => `| ${batchName(size)}, c=${FLEET_C} requests | ${fmt(rate((r) => r.batch[size].rate))} |`),
    '',
    '| ratio | median | per round | target |',
    '|---|---:|---|---:|',
    `| HTTP / raw ioctl | ${fmt(med(httpVsRaw) * 100)} % | ${show(httpVsRaw)} | ≥ 60 % |`,
    `| HTTP, one job per op / raw ioctl | ${fmt(med(soloVsRaw) * 100)} % | ${show(soloVsRaw)} | — |`,
    `| HTTP, op groups on / one job per op | ${fmt(med(groupGain) * 100)} % | ${show(groupGain)} | — |`,
    `| in-process / raw ioctl | ${fmt(med(inprocVsRaw) * 100)} % | ${show(inprocVsRaw)} | — |`,
    ...BATCH_SIZES.map((size) => `| ${batchName(size)} / raw ioctl | ${fmt(med(batchVsRaw(size)) * 100)} % | ${show(batchVsRaw(size))} | — |`),
    '',
    'Both HTTP rows send one request per op; the first goes through an API process with its defaults, which',
    'carries concurrent ops in shared `group` jobs while the host already has its jobs in flight (decisions.md,',
    '"Op groups"); the second through a second API process of the same fleet with that switched off. The batch',
    'route (`POST …/batch`) is measured beside them because it is what a client with many ops at hand can send.',
    '',
    '| op | in-process p50 ms | HTTP p50 ms | added p50 ms (target ≤ 3) | in-process p99 ms | HTTP p99 ms | one job per op p50 ms | one job per op p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...ops.map(
      (op) =>
        `| ${op} | ${fmt(lat('inproc', op, 50), 2)} | ${fmt(lat('http', op, 50), 2)} | ${fmt(lat('http', op, 50) - lat('inproc', op, 50), 2)} | ${fmt(lat('inproc', op, 99), 2)} | ${fmt(lat('http', op, 99), 2)} | ${fmt(lat('solo', op, 50), 2)} | ${fmt(lat('solo', op, 99), 2)} |`,
    ),
    '',
    `The same cycles one at a time (concurrency 1, ${SERIAL_CYCLES} cycles each), so that no op queues behind another:`,
    '',
    '| op | in-process p50 ms | HTTP p50 ms | added p50 ms | in-process p99 ms | HTTP p99 ms |',
    '|---|---:|---:|---:|---:|---:|',
    ...ops.map((op) => {
      const q = (which: 'http' | 'inproc', x: number) => p(f.serial[which].latencies[op], x);
      return `| ${op} | ${fmt(q('inproc', 50), 2)} | ${fmt(q('http', 50), 2)} | ${fmt(q('http', 50) - q('inproc', 50), 2)} | ${fmt(q('inproc', 99), 2)} | ${fmt(q('http', 99), 2)} |`;
    }),
    '',
    ...floorSection(f),
    '',
    'Where the CPU goes: CPU ms per prepare→commit→remove cycle by process (utime + stime from /proc, medians',
    'over rounds; kernel btrfs work done in a syscall counts for the calling process, btrfs\'s own kernel',
    'threads are not counted). In the raw and in-process cases the bench process is the loop or the snapshotter.',
    '',
    `| case | ${CPU_GROUPS.join(' | ')} | total |`,
    `|---|${CPU_GROUPS.map(() => '---:|').join('')}---:|`,
    ...(['raw', 'inproc', 'http', 'solo', 'batch1', 'batch8'] as const).map((which) => {
      const per = (k: string) => med(f.rounds.map((r) => (r.cpu[which][k] ?? 0) / FLEET_CYCLES));
      const total = med(f.rounds.map((r) => Object.values(r.cpu[which]).reduce((a, b) => a + b, 0) / FLEET_CYCLES));
      const names = { raw: 'raw ioctls', inproc: 'in-process', http: 'HTTP end to end', solo: 'HTTP, one job per op', batch1: 'HTTP batch, 1 cycle per request', batch8: 'HTTP batch, 8 cycles per request' };
      return `| ${names[which]} | ${CPU_GROUPS.map((k) => fmt(per(k), 2)).join(' | ')} | ${fmt(total, 2)} |`;
    }),
    '',
    `Reads from one API process, ${READ_SECONDS} s each after ${READ_WARM_SECONDS} s unrecorded, 32 keep-alive connections, 1,000 snapshots`,
    'in the namespace. The load generator shares the two CPUs: wrk (one thread, C) is the figure against the target;',
    'autocannon (in the bench process, as in runs before 2026-12-07 14:00 UTC) is shown beside it, same run.',
    '',
    '| read | req/s (wrk) | p50 ms | p99 ms | 4xx, 5xx, socket errors | req/s (autocannon) | p50 ms | answers from the cache (wrk) | writer ops/s | target |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...f.reads.map(
      (r) =>
        `| ${r.name} | ${fmt(r.wrk.rate)} | ${r.wrk.p50ms} | ${r.wrk.p99ms} | ${r.wrk.failedStatus + r.wrk.errors + r.autocannon.failedStatus + r.autocannon.errors} | ` +
        `${fmt(r.autocannon.rate)} | ${r.autocannon.p50ms} | ${r.cachedShare === undefined ? '—' : `${fmt(r.cachedShare * 100)} %`} | ${r.writerRate === undefined ? '—' : fmt(r.writerRate)} | ≥ 3,000 |`,
    ),
    '',
    'The walk rows go through the API\'s walk page cache, the stat row through its stat cache, kept the same way',
    '(docs/decisions.md, "Walk page cache"): a page or a stat is served',
    'again while its host\'s job event stream has not moved, which every job does when it ends, after its commit',
    'and before its op is acknowledged. The "page cache off" and "cache off" rows are the same reads through the second',
    'API process, whose caches are off, so every read goes to MySQL: the cost of a read after each change. The "writer" row walks a',
    'namespace of 1,000 views on the worker\'s host while one client creates and removes a view in it, one op at a',
    'time, through the same API process. The "revalidated" rows send the page\'s ETag in If-None-Match, as a poller',
    '(the fleet page, a browser) does: every answer is a 304 without a body (the bench stops if one is not). Through',
    'the process without a page cache, each such answer still reads the page from MySQL and hashes it.',
    'The snapshots read are made through the batch route beforehand.',
    '',
    `The typed client (libs/client) polling that walk page (limit 100) from ${CLIENT_READ_CONCURRENCY} loops in the bench process, as a`,
    'dashboard or a job waiter does: with its revalidation on (the default: it keeps the page and sends its ETag,',
    'the API answers 304 and the client parses the kept body) and off (`revalidate: false`: every answer in full).',
    `${CLIENT_READ_ROUNDS} rounds of ${READ_SECONDS / 2} s each, alternated; CPU from /proc (API) and process.cpuUsage (client) per read:`,
    '',
    '| round | revalidating, reads/s | client µs | API µs | full answers, reads/s | client µs | API µs |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...f.clientReads.map(
      (c, i) => `| ${i + 1} | ${fmt(c.revalidating.rate)} | ${fmt(c.revalidating.clientUs)} | ${fmt(c.revalidating.apiUs)} | ${fmt(c.full.rate)} | ${fmt(c.full.clientUs)} | ${fmt(c.full.apiUs)} |`,
    ),
    '',
  ];
}

/** The floor's three parts, each one at a time (bench/floor.ts): their p50s add up to the floor. */
function floorSum(floor: FloorRun): number {
  return p(floor.http, 50) + p(floor.queue, 50) + p(floor.lease, 50);
}

/**
 * The serial table read against the floor: what HTTP, a stock BullMQ job and a key lease cost
 * one at a time on this machine, with no op behind them (bench/floor.ts), and what the op's own
 * round trips cost more when they start from idle, as a lone op's do in the fleet.
 */
function floorSection(f: FleetFigures): string[] {
  const parts = [
    ['HTTP round trip to the API (`GET /healthz`, keep-alive, `node:http`)', f.floor.http],
    ['job round trip through a stock BullMQ queue to a no-op worker process (`Queue.add` → completion seen by `QueueEvents`)', f.floor.queue],
    ['one key lease (the lock service\'s `acquire`)', f.floor.lease],
  ] as const;
  const sum = floorSum(f.floor);
  const ops = ['prepare', 'commit', 'remove'] as const;
  const p50 = (run: CycleRun, op: (typeof ops)[number]) => p(run.latencies[op], 50);
  const { run: paused, pauseMs } = f.pausedInproc;
  return [
    `What a lone op through the fleet pays before any work of its own: the same one-at-a-time way, ${FLOOR_ROUNDS} round trips each, same`,
    'fleet and Redis, right after the serial cycles. A mutation through the API is at least one of each.',
    '',
    '| part | p50 ms | p99 ms |',
    '|---|---:|---:|',
    ...parts.map(([name, lat]) => `| ${name} | ${fmt(p(lat, 50), 2)} | ${fmt(p(lat, 99), 2)} |`),
    `| sum of the p50s: the floor of the added latency on this machine | ${fmt(sum, 2)} | — |`,
    '',
    `A lone op through the fleet also starts its own work (metadata round trips, btrfs call) with MariaDB, btrfs and its process idle,`,
    `where the in-process cycles above run back to back. So the in-process cycles were run once more, one at a time (${SERIAL_CYCLES} cycles),`,
    `with an untimed pause of ${pauseMs} ms (the floor, in whole ms) before each op. What that adds is the machine's charge for waking`,
    'them; what is left of the added p50 after both is snapfleet\'s own part (the API\'s checks and wait, the worker\'s job handling,',
    'the typed client).',
    '',
    `| op | added p50 ms | floor ms | in-process after a ${pauseMs} ms pause, p50 ms | its wake-up charge ms | snapfleet's own part ms |`,
    '|---|---:|---:|---:|---:|---:|',
    ...ops.map((op) => {
      const added = p50(f.serial.http, op) - p50(f.serial.inproc, op);
      const wake = p50(paused, op) - p50(f.serial.inproc, op);
      return `| ${op} | ${fmt(added, 2)} | ${fmt(sum, 2)} | ${fmt(p50(paused, op), 2)} | ${fmt(wake, 2)} | ${fmt(added - sum - wake, 2)} |`;
    }),
  ];
}

function containerdSection(f: ContainerdFigures): string[] {
  const i = f.import;
  const c = f.cycles;
  const row = (name: string, s: RunStats) => `| ${name} | ${fmt(s.rate)} | ${fmt(s.p50ms, 2)} | ${fmt(s.p99ms, 2)} |`;
  return [
    '## containerd: the proxy snapshotter vs containerd\'s own btrfs snapshotter',
    '',
    'One private containerd (Debian\'s build) on this machine with two snapshotters: `snapfleet` (the proxy',
    'plugin → one API process → one worker, all as in the fleet case) and its built-in `btrfs` on a',
    'second loop-mounted btrfs pool of the same size on the same disk. Same image, same run.',
    '',
    `Import: \`ctr images import --snapshotter …\` of a ${i.layers}-layer OCI image built offline (busybox, then`,
    `layers of a few small files and one ${i.layerMiB} MiB file); its blobs are already in the content store, so`,
    'the time is unpacking: one Prepare → apply diff → Commit per layer, in order.',
    '',
    `${i.rounds.length} rounds; which snapshotter imports first alternates; medians, and the ratio within each round:`,
    '',
    '| import | seconds (median) | per round |',
    '|---|---:|---|',
    `| snapfleet | ${fmt(i.snapfleetSeconds, 2)} | ${i.rounds.map((r) => fmt(r.snapfleetSeconds, 2)).join(', ')} |`,
    `| containerd btrfs | ${fmt(i.btrfsSeconds, 2)} | ${i.rounds.map((r) => fmt(r.btrfsSeconds, 2)).join(', ')} |`,
    '',
    '| ratio | median | per round | target |',
    '|---|---:|---|---:|',
    `| btrfs seconds / snapfleet seconds | ${fmt(i.speedup, 2)}× | ${i.rounds.map((r) => `${fmt(r.btrfsSeconds / r.snapfleetSeconds, 2)}×`).join(', ')} | ≥ 1.0× |`,
    '',
    `Cycles: ${c.cycles} prepare → commit → remove, concurrency ${c.concurrency}, over gRPC with containerd's own request`,
    'shapes (keys `extract-… sha256:…`, gc labels).',
    '',
    '| path | cycles/s | p50 ms | p99 ms |',
    '|---|---:|---:|---:|',
    row('snapfleet gRPC front (proxy socket, no containerd)', c.proxy),
    row('containerd snapshots service → snapfleet', c.containerdSnapfleet),
    row('containerd snapshots service → btrfs', c.containerdBtrfs),
    '',
    `Ratio, snapfleet gRPC front / containerd btrfs: **${fmt(c.ratio, 2)}×**; containerd → snapfleet / containerd → btrfs: ${fmt(c.containerdSnapfleet.rate / c.containerdBtrfs.rate, 2)}×.`,
    '',
  ];
}

async function writeReport(results: Results, fleet: FleetFigures | undefined, ctd: ContainerdFigures | undefined): Promise<void> {
  const runs = (name: string) => {
    const r = results.get(name);
    if (!r) throw new Error(`missing bench case ${name}`);
    return r;
  };
  const rate = (name: string) => median(runs(name).map((x) => x.rate));
  /** Median over rounds of the ratio of two cases measured back to back in the same round. */
  const pairedRatio = (a: string, b: string) => median(runs(a).map((x, i) => x.rate / (runs(b)[i]?.rate ?? NaN)));
  const row = (name: string) => {
    const r = runs(name);
    return `| ${name} | ${fmt(rate(name))} | ${fmt(median(r.map((x) => x.p50ms)), 2)} | ${fmt(median(r.map((x) => x.p99ms)), 2)} |`;
  };
  /** `target` undefined: a ratio with no target, in a table without that column. */
  const ratioRow = (label: string, a: string, b: string, target: string | undefined, percent = true) => {
    const paired = pairedRatio(a, b);
    const perRound = runs(a).map((x, i) => x.rate / (runs(b)[i]?.rate ?? NaN));
    const show = (v: number) => (percent ? `${fmt(v * 100)} %` : `${fmt(v, 1)}×`);
    return `| ${label} | ${show(paired)} | ${perRound.map(show).join(', ')} |${target === undefined ? '' : ` ${target} |`}`;
  };
  const lines = [
    '# Benchmarks',
    '',
    'Produced by `npm run bench` (scripts/bench.mjs → bench/run.ts). Every figure below comes from',
    'one run of that command: the cases run interleaved in one process on one fresh loop-mounted',
    `btrfs pool and a fresh MariaDB database; after one unrecorded warm-up, ${ROUNDS} rounds of`,
    `${CYCLES} cycles each (btrfs-progs: a quarter of that), with btrfs's cleaner and writeback let`,
    'settle before each case. Tables show the median round; ratios are the median of the ratios',
    'measured back to back within each round (every round listed).',
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version};`,
    `MariaDB and the pool's image file share one virtual disk. Run ${new Date().toISOString()}.`,
    '',
    ...(fleet ? fleetSection(fleet) : []),
    ...(ctd ? containerdSection(ctd) : []),
    '## Core: in-process snapshotter vs raw ioctls, native vs btrfs-progs',
    '',
    '| case | cycles/s | p50 ms | p99 ms |',
    '|---|---:|---:|---:|',
    ...(results.size === 0 ? [] : [
      'raw ioctl cycle c=1',
      'snapshotter cycle c=1',
      'raw ioctl cycle c=8',
      'snapshotter cycle c=8',
      ...(results.has(SOCKET_CYCLE) ? [SOCKET_CYCLE] : []),
      'native create+delete c=1',
      'progs create+delete c=1',
    ].map(row)),
    '',
    '| ratio | median | per round | target |',
    '|---|---:|---|---:|',
    ...(results.size === 0 ? [] : [
      ratioRow('snapshotter / raw ioctl, c=1', 'snapshotter cycle c=1', 'raw ioctl cycle c=1', '—'),
      ratioRow('snapshotter / raw ioctl, c=8', 'snapshotter cycle c=8', 'raw ioctl cycle c=8', '≥ 70 %'),
      ...(results.has(SOCKET_CYCLE) ? [ratioRow('snapshotter over the unix socket / raw ioctl, c=8', SOCKET_CYCLE, 'raw ioctl cycle c=8', '—')] : []),
      ratioRow('native / btrfs-progs, create+delete', 'native create+delete c=1', 'progs create+delete c=1', '≥ 3×', false),
    ]),
    '',
    ...(coreCpu.size === 0 ? [] : [
      'CPU ms per cycle (utime + stime from /proc, medians over rounds): the bench process (the loop or the',
      "snapshotter, with the btrfs work done in its syscalls) and MariaDB; btrfs's own kernel threads are not counted.",
      '',
      '| case | bench | mariadb | total |',
      '|---|---:|---:|---:|',
      ...['raw ioctl cycle c=1', 'snapshotter cycle c=1', 'raw ioctl cycle c=8', 'snapshotter cycle c=8'].map((name) => {
        const per = coreCpu.get(name) ?? [];
        const m = (k: string) => median(per.map((c) => c[k] ?? 0));
        return `| ${name} | ${fmt(m('bench'), 2)} | ${fmt(m('mariadb'), 2)} | ${fmt(median(per.map((c) => (c.bench ?? 0) + (c.mariadb ?? 0))), 2)} |`;
      }),
      '',
    ]),
    ...(results.size === 0 ? [] : [
      `Scale: the same cases on a second database that also holds ${SCALE_ROWS.toLocaleString('en')} committed snapshots of five other`,
      'hosts (same pool, same disk, interleaved in the same rounds). A walk page is the first 100 of 1,000',
      'views in one namespace, read in-process. Per-op cost should not grow with the rest of the fleet:',
      '',
      '| case | per second | p50 ms | p99 ms |',
      '|---|---:|---:|---:|',
      ...['snapshotter cycle c=8', SCALE_CYCLE, 'walk page c=8', SCALE_WALK].map(row),
      '',
      '| ratio | median | per round |',
      '|---|---:|---|',
      ratioRow('snapshotter c=8, full / empty table', SCALE_CYCLE, 'snapshotter cycle c=8', undefined),
      ratioRow('walk page c=8, full / empty table', SCALE_WALK, 'walk page c=8', undefined),
      '',
    ]),
    'A raw cycle is the ioctls a prepare→commit→remove issues — create subvolume (root mode set),',
    'read-only snapshot, usage search, delete both — with no metadata. A snapshotter cycle is',
    'prepare → commit → remove through `libs/snapshotter`: each op one MariaDB transaction',
    '(durable commit), usage measured at commit. The snapshotter deletes subvolumes in the background',
    '(the active after a commit, a removed snapshot); a round ends when those deletes have, so they',
    'count toward its rate as the raw loop\'s inline deletes do (the HTTP case cannot wait for the',
    'worker\'s, which flatters it slightly).',
    ...(results.has(SOCKET_CYCLE)
      ? [
          'The target row reaches MariaDB over TCP loopback, as the tests and the default URL do; the socket row is',
          'the same snapshotter with `?socket=` in its URL (same database, same pool, same rounds), the setup to',
          'use when MariaDB runs on the host itself.',
        ]
      : []),
    '',
  ];
  const out = join(__dirname, '..', '..', 'docs', 'benchmarks.md');
  await writeFile(out, lines.join('\n'));
  console.error(`wrote ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
