// Runs once around the whole test run: names the run (pools and databases carry the name)
// and afterwards removes whatever a crashed test file left behind.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './dist';
import { createConnection } from 'mysql2/promise';
import { POOLS_BASE, sweepPools } from './pool';

export async function setup(): Promise<void> {
  process.env.SNAPFLEET_TEST_RUN ??= `run${process.pid}`;
  await pruneOldLogs(join(REPO_ROOT, 'test-results', 'logs'));
}

/** Process logs of runs older than a day go; a run going on beside this one keeps its own. */
async function pruneOldLogs(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const name of entries) {
    const path = join(dir, name);
    const st = await stat(path).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 24 * 3600_000) await rm(path, { recursive: true, force: true });
  }
}

export async function teardown(): Promise<void> {
  const run = process.env.SNAPFLEET_TEST_RUN ?? 'adhoc';
  await sweepPools(join(POOLS_BASE, run));
  await dropRunDatabases(run).catch((err: unknown) => console.warn(`could not drop test databases: ${String(err)}`));
}

async function dropRunDatabases(run: string): Promise<void> {
  const conn = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    const prefix = `sft_${run.replace(/[^A-Za-z0-9_]/g, '_')}_`;
    const [rows] = await conn.query('SHOW DATABASES');
    for (const r of rows as { Database: string }[]) {
      if (r.Database.startsWith(prefix)) await conn.query(`DROP DATABASE \`${r.Database}\``);
    }
  } finally {
    await conn.end();
  }
}
