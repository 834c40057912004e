// The fleet end to end: 3 hosts (a worker process and a pool each), 2 API processes, and a
// client running 1,000 mixed ops over every host and 3 namespaces. Each op's outcome is
// predicted by a model of containerd's rules; at the end every acknowledged op is visible
// through the API exactly as the model says, and every host's rows and subvolumes agree
// one to one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { settledDiff } from '../support/consistency';
import { startFleet, type Fleet } from '../support/fleet';
import { OpStream, rng } from '../support/op-stream';

const TOTAL_OPS = 1000;
const NAMESPACES = ['default', 'team-a', 'ci.builds'];

let fleet: Fleet;
let clients: SnapfleetClient[];

beforeAll(async () => {
  fleet = await startFleet({ label: 'fleet', hosts: 3, apis: 2 });
  clients = fleet.apis.map((a) => new SnapfleetClient({ baseUrl: a.url }));
}, 180_000);
afterAll(async () => fleet?.dispose());

it('1,000 mixed ops over 3 hosts and 3 namespaces: every acknowledged op is visible, disk matches metadata', async () => {
  const random = rng(20261128);
  const streams = fleet.hosts.flatMap((h) => NAMESPACES.map((ns) => new OpStream(h.id, ns, rng(Math.floor(random() * 2 ** 31)))));
  let issued = 0;
  // Each (host, namespace) stream runs its ops in order; streams run concurrently, and
  // consecutive ops of a stream go through different API processes.
  await Promise.all(
    streams.map(async (stream, si) => {
      for (let i = 0; issued < TOTAL_OPS; i++) {
        issued++;
        await stream.step(clients[(si + i) % clients.length]!);
      }
    }),
  );
  expect(streams.reduce((n, s) => n + s.ops, 0)).toBeGreaterThanOrEqual(TOTAL_OPS);

  for (const stream of streams) expect(await stream.seen(clients[0]!)).toEqual(stream.model);
  for (const h of fleet.hosts) {
    const d = await settledDiff(fleet.store, h);
    expect(d, `host ${h.id}`).toMatchObject({ missingOnDisk: [], orphansOnDisk: [] });
    expect(d.rows).toBe(streams.filter((s) => s.host === h.id).reduce((n, s) => n + s.model.size, 0));
  }
}, 600_000);
