// `npm run bench`: runs every benchmark case side by side on fresh pools and databases made
// for the run, and writes docs/benchmarks.md with the figures, ratios and the command.
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadBtrfs } from '@snapfleet/btrfs';
import { makeHarness } from '../test/support/snapshotter';
import { createDeleteCycle, rawCycle, snapshotterCycle } from './core';
import { fmt, type RunStats } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 200);

interface Row {
  name: string;
  runs: RunStats[];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const rate = (r: Row) => median(r.runs.map((x) => x.rate));
const p50 = (r: Row) => median(r.runs.map((x) => x.p50ms));
const p99 = (r: Row) => median(r.runs.map((x) => x.p99ms));

async function main(): Promise<void> {
  const h = await makeHarness({ label: 'bench', poolMiB: 4096 });
  const progs = loadBtrfs({ backend: 'progs' });
  const rows = new Map<string, Row>();
  const record = (name: string, stats: RunStats) => {
    const row = rows.get(name) ?? { name, runs: [] };
    row.runs.push(stats);
    rows.set(name, row);
    console.error(`${name}: ${fmt(stats.rate)} /s p50 ${fmt(stats.p50ms, 2)} ms p99 ${fmt(stats.p99ms, 2)} ms`);
  };
  try {
    const s = await h.host({ hostId: 'bench' });
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of [1, 8]) {
        record(`raw ioctl cycle c=${c}`, await rawCycle(h.btrfs, join(h.pool.dir, `raw-${round}-${c}`), CYCLES, c));
        record(`snapshotter cycle c=${c}`, await snapshotterCycle(s, `r${round}c${c}`, CYCLES, c));
      }
      record('native create+delete c=1', await createDeleteCycle(h.btrfs, join(h.pool.dir, `nat-${round}`), CYCLES, 1));
      record('progs create+delete c=1', await createDeleteCycle(progs, join(h.pool.dir, `prg-${round}`), Math.ceil(CYCLES / 4), 1));
    }
  } finally {
    await h.dispose();
  }
  await writeReport([...rows.values()]);
}

async function writeReport(rows: Row[]): Promise<void> {
  const get = (name: string) => {
    const r = rows.find((x) => x.name === name);
    if (!r) throw new Error(`missing bench row ${name}`);
    return r;
  };
  const ratio = (a: string, b: string) => rate(get(a)) / rate(get(b));
  const lines = [
    '# Benchmarks',
    '',
    'Produced by `npm run bench` (scripts/bench.mjs → bench/run.ts). Every figure below comes from',
    'one run of that command; cases run interleaved in one process on one fresh loop-mounted btrfs',
    `pool and a fresh MariaDB database, ${ROUNDS} rounds of ${CYCLES} cycles each; the table shows`,
    'the median round. Rates are cycles per second.',
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, run ${new Date().toISOString()}.`,
    '',
    '## Core: snapshotter vs raw ioctls, native vs btrfs-progs',
    '',
    '| case | cycles/s | p50 ms | p99 ms |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${fmt(rate(r))} | ${fmt(p50(r), 2)} | ${fmt(p99(r), 2)} |`),
    '',
    '| ratio | measured | target |',
    '|---|---:|---:|',
    `| snapshotter / raw ioctl, c=1 | ${fmt(ratio('snapshotter cycle c=1', 'raw ioctl cycle c=1') * 100)} % | — |`,
    `| snapshotter / raw ioctl, c=8 | ${fmt(ratio('snapshotter cycle c=8', 'raw ioctl cycle c=8') * 100)} % | ≥ 70 % |`,
    `| native / btrfs-progs, create+delete | ${fmt(ratio('native create+delete c=1', 'progs create+delete c=1'), 2)}× | ≥ 3× |`,
    '',
    'A raw cycle is create subvolume → read-only snapshot → delete both; a snapshotter cycle is',
    'prepare → commit → remove with metadata in MariaDB (each op one transaction, usage measured',
    'at commit, op records for idempotency).',
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
