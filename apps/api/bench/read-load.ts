// Read throughput of one API process: `npm run build:ts && node dist/apps/api/bench/read-load.js`.
// Starts the compiled API on a fresh database, seeds one host with snapshots through the
// metastore, then drives stat (random keys) and walk (first page of 100) over keep-alive
// connections and prints requests per second and latency percentiles for each.
// Env: BENCH_SECONDS (10), BENCH_CONCURRENCY (32), BENCH_SNAPSHOTS (2000), BENCH_ONLY (a case
// name prefix), BENCH_API_NODE_ARGS (e.g. --cpu-prof, node flags of the API process).
import { Agent, request } from 'node:http';
import { MetaStore } from '@snapfleet/metastore';
import { makeTestDatabase } from '../../../test/support/db';
import { freePort, startApi } from '../test/api-process';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SNAPSHOTS = Number(process.env.BENCH_SNAPSHOTS ?? 2000);
const HOST = 'bench-reads';

function get(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function drive(port: number, name: string, nextPath: () => string): Promise<void> {
  if (process.env.BENCH_ONLY && !name.startsWith(process.env.BENCH_ONLY) && name !== 'warm-up') return;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        const status = await get(agent, port, nextPath());
        latencies.push(performance.now() - t0);
        if (status !== 200) errors++;
      }
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies[Math.floor((latencies.length - 1) * p)] ?? 0).toFixed(2);
  console.log(
    `${name}: ${Math.round(latencies.length / SECONDS)} req/s, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, non-200 ${errors} (concurrency ${CONCURRENCY}, ${SECONDS} s)`,
  );
}

async function main(): Promise<void> {
  const db = makeTestDatabase('apibench');
  const port = await freePort();
  const api = await startApi({
    SNAPFLEET_PORT: String(port),
    SNAPFLEET_HOST: '127.0.0.1',
    SNAPFLEET_MYSQL_URL: db.url,
    SNAPFLEET_LOG_LEVEL: 'info',
  }, { nodeArgs: (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean) });
  const store = await MetaStore.open({ url: db.url, migrate: false });
  try {
    const { HostStore } = await import('@snapfleet/metastore');
    await new HostStore(store.dataSource).register({ id: HOST, root: '/srv/bench', device: '/dev/bench', fsid: '00000000-0000-4000-8000-000000000000', version: 'bench' });
    for (let i = 0; i < SNAPSHOTS; i += 100) {
      const tx = await store.begin(HOST);
      for (let j = i; j < Math.min(i + 100, SNAPSHOTS); j++) {
        await tx.createSnapshot({ namespace: 'default', key: `extract-${j} sha256:${j.toString(16).padStart(64, '0')}`, kind: 'active', labels: { 'containerd.io/snapshot.ref': `sha256:${j}` } });
      }
      await tx.commit();
    }
    const base = `/v1/namespaces/default/hosts/${HOST}/snapshots`;
    const statPath = () => {
      const j = Math.floor(Math.random() * SNAPSHOTS);
      return `${base}/${encodeURIComponent(`extract-${j} sha256:${j.toString(16).padStart(64, '0')}`)}`;
    };
    await drive(port, 'warm-up', statPath);
    await drive(port, 'stat', statPath);
    await drive(port, 'walk (limit 100)', () => `${base}?limit=100`);
    await drive(port, 'walk (limit 10, filter)', () => `${base}?limit=10&filter=${encodeURIComponent('kind==active')}`);
  } finally {
    await store.close();
    console.log(`api exit: ${await api.stop()}`);
    await db.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
