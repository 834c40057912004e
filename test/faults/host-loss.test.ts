// Losing a host: its worker gone (killed), the API says 503 for that host within the
// heartbeat timeout, the other host is unaffected, jobs queued for the lost host (on
// request) wait and run when it returns.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { type SnapfleetError } from '@snapfleet/contracts';
import { startFleet, type Fleet } from '../support/fleet';

let fleet: Fleet;
let client: SnapfleetClient;
const ns = 'loss';
// The fleet's API declares a host down 3 s after its last heartbeat (SNAPFLEET_HOST_TIMEOUT_MS).
const HOST_TIMEOUT_MS = 3000;

beforeAll(async () => {
  fleet = await startFleet({ label: 'loss', hosts: 2, apis: 1 });
  client = new SnapfleetClient({ baseUrl: fleet.apis[0]!.url });
}, 120_000);
afterAll(async () => fleet?.dispose());

it('a lost host is 503 within the heartbeat timeout, others unaffected, queued jobs run on return', async () => {
  const [lost, other] = fleet.hosts as [(typeof fleet.hosts)[0], (typeof fleet.hosts)[0]];
  await client.createSnapshotAndWait(ns, lost.id, { key: 'was-there' });
  const worker = lost.workers.at(-1)!;
  const killedAt = Date.now();
  worker.kill('SIGKILL');

  // Down within the timeout (plus one heartbeat period of slack).
  let downAfter: number;
  for (;;) {
    if ((await client.getHost(lost.id)).status === 'down') {
      downAfter = Date.now() - killedAt;
      break;
    }
    if (Date.now() - killedAt > HOST_TIMEOUT_MS + 3000) throw new Error('host never reported down');
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(downAfter).toBeLessThanOrEqual(HOST_TIMEOUT_MS + 1500);

  const t0 = Date.now();
  const err = await client.createSnapshot(ns, lost.id, { key: 'refused' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((err as SnapfleetError).code).toBe('unavailable');
  expect((err as SnapfleetError).message).toContain(lost.id);
  expect(Date.now() - t0).toBeLessThan(1000);

  // The other host works as before; reads of the lost host still answer from MySQL.
  await client.createSnapshotAndWait(ns, other.id, { key: 'fine' });
  expect((await client.statSnapshot(ns, lost.id, 'was-there')).kind).toBe('active');

  // Queued on request: waits, then runs when the host is back.
  const queued = await client.createSnapshot(ns, lost.id, { key: 'queued' }, { queue: 'always' });
  expect(queued.done).toBe(false);
  if (queued.done) return;
  expect((await client.getJob(lost.id, queued.job.id)).state).toBe('waiting');
  await fleet.startWorker(lost.id);
  const job = await client.waitForJob(lost.id, queued.job.id, { timeoutMs: 60_000 });
  expect(job.state).toBe('completed');
  expect((await client.getHost(lost.id)).status).toBe('up');
}, 180_000);
