// `npm run bench`: runs every benchmark case side by side on a fresh pool and database made
// for the run, and writes docs/benchmarks.md with the figures, ratios and the command.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadBtrfs } from '@snapfleet/btrfs';
import { makeHarness } from '../test/support/snapshotter';
import { createDeleteCycle, rawCycle, snapshotterCycle } from './core';
import { fmt, type RunStats } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 300);

type Results = Map<string, RunStats[]>;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const h = await makeHarness({ label: 'bench', poolMiB: 4096 });
  const progs = loadBtrfs({ backend: 'progs' });
  const results: Results = new Map();
  // Lets btrfs's cleaner finish dropping deleted subvolumes and writeback settle, so one
  // case's leftovers do not slow the next one down.
  const quiet = () => {
    execFileSync('btrfs', ['subvolume', 'sync', h.pool.dir]);
    execFileSync('sync');
  };
  const record = async (name: string, run: () => Promise<RunStats>) => {
    quiet();
    const stats = await run();
    results.set(name, [...(results.get(name) ?? []), stats]);
    console.error(`${name}: ${fmt(stats.rate)} /s p50 ${fmt(stats.p50ms, 2)} ms p99 ${fmt(stats.p99ms, 2)} ms`);
  };
  try {
    const s = await h.host({ hostId: 'bench' });
    // Warm-up (JIT, connection pool, InnoDB buffer pool, btrfs metadata): not recorded.
    await rawCycle(h.btrfs, join(h.pool.dir, 'warm-raw'), CYCLES, 8);
    await snapshotterCycle(s, 'warm', CYCLES, 8);
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of [1, 8]) {
        await record(`raw ioctl cycle c=${c}`, () => rawCycle(h.btrfs, join(h.pool.dir, `raw-${round}-${c}`), CYCLES, c));
        await record(`snapshotter cycle c=${c}`, () => snapshotterCycle(s, `r${round}c${c}`, CYCLES, c));
      }
      await record('native create+delete c=1', () => createDeleteCycle(h.btrfs, join(h.pool.dir, `nat-${round}`), CYCLES, 1));
      await record('progs create+delete c=1', () => createDeleteCycle(progs, join(h.pool.dir, `prg-${round}`), Math.ceil(CYCLES / 4), 1));
    }
  } finally {
    await h.dispose();
  }
  await writeReport(results);
}

async function writeReport(results: Results): Promise<void> {
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
  const ratioRow = (label: string, a: string, b: string, target: string, percent = true) => {
    const paired = pairedRatio(a, b);
    const perRound = runs(a).map((x, i) => x.rate / (runs(b)[i]?.rate ?? NaN));
    const show = (v: number) => (percent ? `${fmt(v * 100)} %` : `${fmt(v, 1)}×`);
    return `| ${label} | ${show(paired)} | ${perRound.map(show).join(', ')} | ${target} |`;
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
    '## Core: in-process snapshotter vs raw ioctls, native vs btrfs-progs',
    '',
    '| case | cycles/s | p50 ms | p99 ms |',
    '|---|---:|---:|---:|',
    ...[
      'raw ioctl cycle c=1',
      'snapshotter cycle c=1',
      'raw ioctl cycle c=8',
      'snapshotter cycle c=8',
      'native create+delete c=1',
      'progs create+delete c=1',
    ].map(row),
    '',
    '| ratio | median | per round | target |',
    '|---|---:|---|---:|',
    ratioRow('snapshotter / raw ioctl, c=1', 'snapshotter cycle c=1', 'raw ioctl cycle c=1', '—'),
    ratioRow('snapshotter / raw ioctl, c=8', 'snapshotter cycle c=8', 'raw ioctl cycle c=8', '≥ 70 %'),
    ratioRow('native / btrfs-progs, create+delete', 'native create+delete c=1', 'progs create+delete c=1', '≥ 3×', false),
    '',
    'A raw cycle is the ioctls a prepare→commit→remove issues — create subvolume (root mode set),',
    'read-only snapshot, usage search, delete both — with no metadata. A snapshotter cycle is',
    'prepare → commit → remove through `libs/snapshotter`: each op one MariaDB transaction',
    '(durable commit), usage measured at commit.',
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
