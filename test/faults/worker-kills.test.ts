// Workers SIGKILLed at random moments during mixed load — and at chosen points of an op:
// between its metadata write and its btrfs op, between the btrfs op and the commit, after
// the commit — at least 50 kills in a run. Clients retry with their idempotency keys until
// each op has a definitive answer. Afterwards every acknowledged op is present, none took
// effect twice, every interrupted job was retried and completed, and after the reconciler
// runs each host's rows and subvolumes match one to one (fsck finds nothing).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { SnapfleetError, isRetryable, type FsckReport } from '@snapfleet/contracts';
import { loadBtrfs } from '@snapfleet/btrfs';
import { fsckHost } from '@snapfleet/snapshotter';
import { startFleet, type Fleet } from '../support/fleet';
import { OpStream, rng, type Send } from '../support/op-stream';

const OPS_PER_STREAM = 30;
const MIN_KILLS = 50;
/** Chaos stops a little past the minimum so the run stays bounded in time. */
const KILLS = 55;
// Short job locks and stalled checks, so a killed worker's jobs are re-queued within seconds.
const workerEnv = {
  SNAPFLEET_JOB_LOCK_MS: '2000',
  SNAPFLEET_STALLED_INTERVAL_MS: '1000',
  SNAPFLEET_MAX_STALLED_COUNT: '1000',
  SNAPFLEET_LOCK_TTL_MS: '2000',
  SNAPFLEET_HEARTBEAT_MS: '300',
};
const POINTS = ['after-metadata', 'before-commit', 'after-commit'] as const;
const OPS = ['prepare', 'view', 'commit', 'remove', 'update'] as const;

let fleet: Fleet;
let client: SnapfleetClient;

beforeAll(async () => {
  fleet = await startFleet({ label: 'kills', hosts: 2, apis: 1, workerEnv });
  client = new SnapfleetClient({ baseUrl: fleet.apis[0]!.url });
}, 120_000);
afterAll(async () => fleet?.dispose());

/** Retries an op with one idempotency key until it has a definitive (non-retryable) answer. */
const sendUntilDefinitive: Send = async (op, run) => {
  const idempotencyKey = `${op}-${Math.random().toString(36).slice(2)}`;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run({ idempotencyKey, queue: 'always', wait: 10, jobTimeoutMs: 120_000 } as { idempotencyKey: string });
    } catch (err) {
      if (!(err instanceof SnapfleetError) || !isRetryable(err.code) || attempt > 60) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
};

it('≥ 50 worker kills during mixed load lose nothing, duplicate nothing, leave nothing inconsistent', async () => {
  const random = rng(4242);
  let kills = 0;
  let done = false;

  // Chaos per host: kill the worker at a random moment, or restart it armed to kill itself
  // at a chosen point of a chosen op; then bring a worker back.
  const chaos = fleet.hosts.map(async (h) => {
    while (kills < KILLS) {
      await new Promise((r) => setTimeout(r, 500 + random() * 1500));
      const worker = h.workers[h.workers.length - 1];
      if (!worker || worker.exitCode !== null || worker.signalCode !== null) {
        if (worker?.signalCode === 'SIGKILL') kills++;
      } else {
        worker.kill('SIGKILL');
        await new Promise((r) => worker.once('exit', r));
        kills++;
      }
      const armed = random() < 0.5 && kills < KILLS;
      const faults = armed
        ? [{ point: POINTS[Math.floor(random() * POINTS.length)], op: OPS[Math.floor(random() * OPS.length)], action: 'kill' }]
        : [];
      // An armed worker may die at its fault point before it is seen up: try again.
      for (let tries = 0; ; tries++) {
        try {
          await fleet.startWorker(h.id, faults.length && tries === 0 ? { SNAPFLEET_FAULTS: JSON.stringify(faults) } : {});
          break;
        } catch (err) {
          if (tries >= 5) throw err;
          if (h.workers.at(-1)?.signalCode === 'SIGKILL') kills++;
        }
      }
    }
  });

  const streams = fleet.hosts.flatMap((h, i) => ['default', 'team'].map((ns, j) => new OpStream(h.id, ns, rng(100 + i * 10 + j), sendUntilDefinitive)));
  const chaosDone = Promise.all(chaos).then(() => {
    done = true;
  });
  await Promise.all(
    streams.map(async (s) => {
      for (let i = 0; i < OPS_PER_STREAM || !done; i++) await s.step(client);
    }),
  );
  await chaosDone;
  // A worker that armed itself may still be waiting to die; replace it with a plain one.
  for (const h of fleet.hosts) {
    for (const w of h.workers) await fleet.stop(w, 5000);
    await fleet.startWorker(h.id);
  }
  expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);

  // Every acknowledged op is visible, exactly as the model (no op applied twice).
  for (const s of streams) expect(await s.seen(client), `${s.host}/${s.ns}`).toEqual(s.model);

  // The reconciler's cleanup, then fsck: rows and disk agree one to one.
  const btrfs = loadBtrfs({ backend: 'native' });
  for (const h of fleet.hosts) {
    await client.cleanupHostAndWait(h.id, { jobTimeoutMs: 60_000 });
    const report: FsckReport = await fsckHost(h.id, h.root, btrfs, fleet.store);
    expect(report.issues, `host ${h.id}`).toEqual([]);
    expect(report.rows).toBe(report.subvolumes);
  }
  // No op record written twice, and no job left unfinished.
  const dup = await fleet.store.query<{ n: number }[]>(
    'SELECT COUNT(*) AS n FROM (SELECT op_id FROM ops GROUP BY host_id, op_id HAVING COUNT(*) > 1) d',
    [],
    'test',
  );
  expect(Number(dup[0]?.n)).toBe(0);
}, 600_000);
