// Issue-3 benchmark cases: prepare→commit→remove through the HTTP API (API process → host
// queue → worker process) at concurrency 16, side by side with the raw ioctl loop and the
// in-process snapshotter on the same pool and database; per-op latency; and read
// throughput (stat, walk) of one API process.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { type SnapfleetClient } from '@snapfleet/client';
import type { BatchStep } from '@snapfleet/contracts';
import type { Snapshotter } from '@snapfleet/snapshotter';
import { measureCpu } from './cpu';
import { percentile, runConcurrent, timed, type RunStats } from './stats';

export interface OpLatencies {
  prepare: number[];
  commit: number[];
  remove: number[];
}

export interface CycleRun {
  stats: RunStats;
  latencies: OpLatencies;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function httpCycle(client: SnapfleetClient, host: string, tag: string, cycles: number, concurrency: number): Promise<CycleRun> {
  const lat: OpLatencies = { prepare: [], commit: [], remove: [] };
  const ns = 'bench';
  const stats = await runConcurrent(cycles, concurrency, async (i) => {
    const key = `${tag}-active-${i}`;
    const name = `${tag}-layer-${i}`;
    await timed(lat.prepare, () => client.createSnapshotAndWait(ns, host, { key }));
    await timed(lat.commit, () => client.commitSnapshotAndWait(ns, host, key, { name }));
    await timed(lat.remove, () => client.removeSnapshotAndWait(ns, host, name));
  });
  return { stats, latencies: lat };
}

/**
 * The same cycles through the batch route: `perRequest` cycles (3 steps each) per request and
 * job, `concurrency` requests in flight. Every batch must run all its steps.
 */
export async function batchCycle(client: SnapfleetClient, host: string, tag: string, cycles: number, concurrency: number, perRequest: number): Promise<RunStats> {
  const ns = 'bench';
  const requests = Math.ceil(cycles / perRequest);
  const stats = await runConcurrent(requests, concurrency, async (i) => {
    const steps: BatchStep[] = [];
    for (let j = i * perRequest; j < Math.min(cycles, (i + 1) * perRequest); j++) {
      const key = `${tag}-active-${j}`;
      const name = `${tag}-layer-${j}`;
      steps.push({ op: 'prepare', key }, { op: 'commit', key, name }, { op: 'remove', key: name });
    }
    const r = await client.runBatchAndWait(ns, host, { steps });
    if (r.failed) throw new Error(`batch ${tag}/${i}: step ${r.failed.step} failed: ${r.failed.error.code}: ${r.failed.error.message}`);
  });
  // Rates per cycle, not per request.
  return { ...stats, ops: cycles, rate: cycles / stats.seconds };
}

/**
 * `pauseMs`: an untimed pause before each op, so that the op starts as a lone op through the
 * fleet does, with MariaDB, btrfs and this process idle: what the machine charges for waking
 * them is then in the op's latency, as it is in the fleet's.
 */
export async function inProcessCycle(s: Snapshotter, tag: string, cycles: number, concurrency: number, opts: { pauseMs?: number } = {}): Promise<CycleRun> {
  const lat: OpLatencies = { prepare: [], commit: [], remove: [] };
  const namespace = 'bench';
  const { pauseMs } = opts;
  const pause = pauseMs === undefined ? () => undefined : () => sleep(pauseMs);
  const stats = await runConcurrent(cycles, concurrency, async (i) => {
    const key = `${tag}-active-${i}`;
    const name = `${tag}-layer-${i}`;
    await pause();
    await timed(lat.prepare, () => s.prepare({ namespace, key }));
    await pause();
    await timed(lat.commit, () => s.commit({ namespace, name, key }));
    await pause();
    await timed(lat.remove, () => s.remove({ namespace, key: name }));
  }, () => s.settled());
  return { stats, latencies: lat };
}

export const p = (xs: number[], q: number) => percentile([...xs].sort((a, b) => a - b), q);

export interface ReadRun {
  requests: number;
  rate: number;
  p50ms: number;
  p99ms: number;
  /** Answers with a status of 400 or more (a 304 of a revalidation is an answer, not a failure). */
  failedStatus: number;
  errors: number;
}

/** The load generators of the read cases: wrk (C, one thread) and autocannon (in this process). */
export type ReadTool = 'wrk' | 'autocannon';

/**
 * Drives GET `path` on the API with `connections` keep-alive connections for `seconds`.
 * The generator shares the machine's two CPUs with the API and MariaDB, so what it costs per
 * request is taken from them: wrk about 50 µs, autocannon about 170 µs (performance.md).
 */
export function readLoad(tool: ReadTool, baseUrl: string, path: string, seconds: number, opts: ReadLoadOptions = {}): Promise<ReadRun> {
  const headers: Record<string, string> = { ...opts.headers, ...(opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` }) };
  const connections = opts.connections ?? 32;
  return tool === 'wrk' ? wrkLoad(baseUrl, path, seconds, headers, connections) : autocannonLoad(baseUrl, path, seconds, headers, connections);
}

export interface ReadLoadOptions {
  token?: string;
  connections?: number;
  /** Sent with every request (e.g. If-None-Match). */
  headers?: Record<string, string>;
}

async function wrkLoad(baseUrl: string, path: string, seconds: number, headers: Record<string, string>, connections: number): Promise<ReadRun> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), `${baseUrl}${path}`];
  const { stdout } = await promisify(execFile)('wrk', args, { timeout: (seconds + 30) * 1000 });
  return parseWrk(stdout);
}

/** wrk's text report: total requests, rate, latency percentiles (in us, ms or s), failures. */
export function parseWrk(out: string): ReadRun {
  const num = (re: RegExp, what: string): number => {
    const m = re.exec(out);
    if (!m) throw new Error(`wrk report has no ${what}:\n${out}`);
    return Number(m[1]);
  };
  const ms = (q: string): number => {
    const m = new RegExp(`^\\s*${q}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    if (!m) throw new Error(`wrk report has no ${q}th percentile:\n${out}`);
    const unit = { us: 0.001, ms: 1, s: 1000 }[m[2] as 'us' | 'ms' | 's'];
    return Math.round(Number(m[1]) * unit * 100) / 100;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requests: num(/(\d+) requests in/, 'request count'),
    rate: num(/Requests\/sec:\s+([\d.]+)/, 'rate'),
    p50ms: ms('50'),
    p99ms: ms('99'),
    // Despite its wording, wrk counts the answers of status 400 and above here.
    failedStatus: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    errors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}

async function autocannonLoad(baseUrl: string, path: string, seconds: number, headers: Record<string, string>, connections: number): Promise<ReadRun> {
  const r = await autocannon({ url: `${baseUrl}${path}`, connections, duration: seconds, pipelining: 1, headers });
  return {
    requests: r.requests.total,
    rate: r.requests.average,
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    failedStatus: r['4xx'] + r['5xx'],
    errors: r.errors,
  };
}

/** The typed client reading one walk page over and over: what a dashboard or a job poller costs. */
export interface ClientReadRun {
  rate: number;
  /** CPU of this process (the client) per read, µs. */
  clientUs: number;
  /** CPU of the API process per read, µs. */
  apiUs: number;
}

/**
 * `concurrency` loops of `client.walkSnapshots(ns, host, {limit})` for `seconds`. Whether the
 * client revalidates (If-None-Match, 304 from its kept page) is the client's own setting.
 */
export async function clientWalkLoad(client: SnapfleetClient, apiPid: number, ns: string, host: string, limit: number, seconds: number, concurrency: number): Promise<ClientReadRun> {
  const own = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  let reads = 0;
  const { cpu } = await measureCpu({ api: [apiPid] }, () =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const page = await client.walkSnapshots(ns, host, { limit });
          if (page.snapshots.length !== limit) throw new Error(`walk page of ${page.snapshots.length} rows, expected ${limit}`);
          reads++;
        }
      }),
    ),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(own);
  return { rate: reads / elapsed, clientUs: (used.user + used.system) / reads, apiUs: ((cpu.api ?? 0) * 1000) / reads };
}

export async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

export { join };
