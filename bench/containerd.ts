// containerd benchmarks (issue 4): the same private containerd, on this machine, with the
// snapfleet proxy plugin vs its built-in btrfs snapshotter.
//   (a) `ctr images import` of a 50-layer image built offline (each layer: a few small files
//       and one 1 MiB file), unpacked through each snapshotter, one run each;
//   (b) prepare → commit → remove cycles at concurrency 8 over gRPC: straight to the proxy
//       (the gRPC front), and through containerd's snapshots service with snapshotter
//       "snapfleet" and with "btrfs".
// containerdBench() starts everything, runs both and returns the figures; run this file
// directly (node dist/bench/containerd.js) to print them.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { dialSnapshots, unary, type RawSnapshotsClient } from '../test/containerd/grpc-client';
import { busyboxLayer, buildOciImage, put, type LayerWriter } from '../test/containerd/oci-image';
import { PROXY_PLUGIN, startStack, type Stack } from '../test/containerd/stack';
import { fmt, runConcurrent, type RunStats } from './stats';

export interface ImportFigures {
  layers: number;
  layerMiB: number;
  /** Median seconds of `ctr images import` (content already in the store: unpack dominates). */
  snapfleetSeconds: number;
  btrfsSeconds: number;
  /** Median over rounds of btrfs seconds / snapfleet seconds: ≥ 1 means snapfleet is at least as fast. */
  speedup: number;
  /** Every round, in the order run (which snapshotter went first alternates). */
  rounds: Array<{ snapfleetSeconds: number; btrfsSeconds: number }>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export interface CycleFigures {
  cycles: number;
  concurrency: number;
  /** Our gRPC front, called directly (no containerd in between). */
  proxy: RunStats;
  /** containerd's snapshots service → proxy plugin → fleet. */
  containerdSnapfleet: RunStats;
  /** containerd's snapshots service → built-in btrfs snapshotter. */
  containerdBtrfs: RunStats;
  /** proxy rate / containerd-btrfs rate. */
  ratio: number;
}

/** Layer i of the benchmark image: a few small files and one 1 MiB file of random bytes. */
function benchLayer(i: number, fileBytes: number): LayerWriter {
  return async (d) => {
    for (let f = 0; f < 4; f++) await put(d, `l${i}/small-${f}.txt`, `layer ${i} file ${f}\n`);
    await put(d, `l${i}/etc/conf`, `layer=${i}\n`);
    await put(d, `l${i}/big.bin`, randomBytes(fileBytes));
  };
}

/** Lets btrfs's cleaner and writeback settle so one case's leftovers do not slow the next. */
function quiet(stack: Stack): void {
  for (const dir of [stack.host.pool.dir, stack.containerdPool?.dir]) if (dir) execFileSync('btrfs', ['subvolume', 'sync', dir]);
  execFileSync('sync');
}

export async function importBench(stack: Stack, o: { layers?: number; layerMiB?: number; rounds?: number } = {}): Promise<ImportFigures> {
  const ctd = stack.containerd;
  if (!ctd) throw new Error('importBench needs a stack with containerd');
  const layers = o.layers ?? 50;
  const layerMiB = o.layerMiB ?? 1;
  const work = await mkdtemp(join(ctd.dir, 'bench-img-'));
  try {
    const writers = [busyboxLayer, ...Array.from({ length: layers - 1 }, (_, i) => benchLayer(i + 1, layerMiB * 1024 * 1024))];
    const image = await buildOciImage({ workDir: work, name: 'snapfleet.bench/layers50:1', layers: writers });
    // Content first, in a namespace of its own: both measured imports then find every blob
    // in the (global) content store and mostly unpack.
    const pre = await ctd.ctrReady('bench-content', ['images', 'import', '--no-unpack', image.tar]);
    if (pre.code !== 0) throw new Error(`content import failed: ${pre.stderr}`);
    const timeImport = async (snapshotter: string, round: number) => {
      quiet(stack);
      const t0 = process.hrtime.bigint();
      // A namespace per round: each import unpacks every layer afresh.
      const r = await ctd.ctrReady(`bench-${snapshotter}-${round}`, ['images', 'import', '--snapshotter', snapshotter, image.tar], { timeoutMs: 1_800_000 });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (r.code !== 0) throw new Error(`import with ${snapshotter} failed: ${r.stderr}`);
      return seconds;
    };
    // Warm containerd's connection to the proxy (its first dial backs off).
    await ctd.ctrReady('bench-warm', ['snapshots', '--snapshotter', PROXY_PLUGIN, 'ls']);
    // Rounds alternate which snapshotter goes first, so neither always meets a colder or
    // busier disk; the ratio is taken within each round.
    const rounds: ImportFigures['rounds'] = [];
    for (let round = 0; round < (o.rounds ?? 3); round++) {
      const order = round % 2 === 0 ? ['btrfs', PROXY_PLUGIN] : [PROXY_PLUGIN, 'btrfs'];
      const seconds: Record<string, number> = {};
      for (const sn of order) seconds[sn] = await timeImport(sn, round);
      rounds.push({ snapfleetSeconds: seconds[PROXY_PLUGIN]!, btrfsSeconds: seconds.btrfs! });
      console.error(`import round ${round}: snapfleet ${fmt(seconds[PROXY_PLUGIN]!, 2)} s, btrfs ${fmt(seconds.btrfs!, 2)} s`);
    }
    return {
      layers,
      layerMiB,
      snapfleetSeconds: median(rounds.map((r) => r.snapfleetSeconds)),
      btrfsSeconds: median(rounds.map((r) => r.btrfsSeconds)),
      speedup: median(rounds.map((r) => r.btrfsSeconds / r.snapfleetSeconds)),
      rounds,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** prepare → commit → remove `cycles` times, `concurrency` at once, as ctr labels them. */
async function grpcCycles(client: RawSnapshotsClient, snapshotter: string, ns: string, cycles: number, concurrency: number): Promise<RunStats> {
  const labels = () => ({ 'containerd.io/gc.root': new Date().toISOString() });
  return runConcurrent(cycles, concurrency, async (i) => {
    const key = `extract-${i} sha256:${String(i).padStart(64, '0')}`;
    const name = `sha256:${String(i).padStart(64, 'c')}`;
    await unary(client, 'Prepare', { snapshotter, key, parent: '', labels: labels() }, ns);
    await unary(client, 'Commit', { snapshotter, name, key, labels: labels() }, ns);
    await unary(client, 'Remove', { snapshotter, key: name }, ns);
  });
}

export async function cycleBench(stack: Stack, o: { cycles?: number; concurrency?: number } = {}): Promise<CycleFigures> {
  const ctd = stack.containerd;
  if (!ctd) throw new Error('cycleBench needs a stack with containerd');
  const cycles = o.cycles ?? 400;
  const concurrency = o.concurrency ?? 8;
  const proxy = dialSnapshots(stack.proxy.socket);
  const containerd = dialSnapshots(ctd.socket);
  try {
    await ctd.ctrReady('bench-warm', ['snapshots', '--snapshotter', PROXY_PLUGIN, 'ls']);
    // Unrecorded warm-up of each path (connections, JIT, caches).
    await grpcCycles(proxy, PROXY_PLUGIN, 'warm-p', 50, concurrency);
    await grpcCycles(containerd, PROXY_PLUGIN, 'warm-cs', 50, concurrency);
    await grpcCycles(containerd, 'btrfs', 'warm-cb', 50, concurrency);
    quiet(stack);
    const viaProxy = await grpcCycles(proxy, PROXY_PLUGIN, 'cycles-p', cycles, concurrency);
    quiet(stack);
    const viaContainerdSnapfleet = await grpcCycles(containerd, PROXY_PLUGIN, 'cycles-cs', cycles, concurrency);
    quiet(stack);
    const viaContainerdBtrfs = await grpcCycles(containerd, 'btrfs', 'cycles-cb', cycles, concurrency);
    return {
      cycles,
      concurrency,
      proxy: viaProxy,
      containerdSnapfleet: viaContainerdSnapfleet,
      containerdBtrfs: viaContainerdBtrfs,
      ratio: viaProxy.rate / viaContainerdBtrfs.rate,
    };
  } finally {
    proxy.close();
    containerd.close();
  }
}

export interface ContainerdFigures {
  import: ImportFigures;
  cycles: CycleFigures;
}

/** Starts a fleet, the proxy and a private containerd, runs both benchmarks, tears down. */
export async function containerdBench(o: { layers?: number; cycles?: number; concurrency?: number } = {}): Promise<ContainerdFigures> {
  const stack = await startStack({ label: 'benchctd', containerd: true, poolMiB: 8192 });
  try {
    const imp = await importBench(stack, { ...(o.layers ? { layers: o.layers } : {}) });
    console.error(formatImport(imp));
    const cycles = await cycleBench(stack, { ...(o.cycles ? { cycles: o.cycles } : {}), ...(o.concurrency ? { concurrency: o.concurrency } : {}) });
    console.error(formatCycles(cycles));
    return { import: imp, cycles };
  } finally {
    await stack.dispose();
  }
}

export function formatImport(f: ImportFigures): string {
  return `containerd import of a ${f.layers}-layer image (${f.layerMiB} MiB file per layer), median of ${f.rounds.length} rounds: snapfleet ${fmt(f.snapfleetSeconds, 2)} s, btrfs ${fmt(f.btrfsSeconds, 2)} s, btrfs/snapfleet ${fmt(f.speedup, 2)}×`;
}

export function formatCycles(f: CycleFigures): string {
  const row = (name: string, s: RunStats) => `${name} ${fmt(s.rate)} cycles/s (p50 ${fmt(s.p50ms, 1)} ms, p99 ${fmt(s.p99ms, 1)} ms)`;
  return [
    `prepare/commit/remove cycles over gRPC, c=${f.concurrency}, ${f.cycles} cycles:`,
    `  ${row('proxy (gRPC front)', f.proxy)}`,
    `  ${row('containerd → snapfleet', f.containerdSnapfleet)}`,
    `  ${row('containerd → btrfs', f.containerdBtrfs)}`,
    `  proxy / containerd-btrfs = ${fmt(f.ratio, 2)}×`,
  ].join('\n');
}

if (require.main === module) {
  containerdBench({
    ...(process.env.BENCH_CTD_LAYERS ? { layers: Number(process.env.BENCH_CTD_LAYERS) } : {}),
    ...(process.env.BENCH_CTD_CYCLES ? { cycles: Number(process.env.BENCH_CTD_CYCLES) } : {}),
  }).then(
    (f) => console.log(JSON.stringify(f, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
