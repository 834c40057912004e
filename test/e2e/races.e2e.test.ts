// Races through the whole fleet (two API processes, two workers on one host): the same key
// prepared 50 times at once, commit racing remove, a child prepared while its parent is
// removed. Outcomes are containerd's, and disk and metadata agree afterwards.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { settledDiff } from '../support/consistency';
import { startFleet, type Fleet } from '../support/fleet';
import { outcomeOf } from '../support/op-stream';

let fleet: Fleet;
let clients: SnapfleetClient[];
let host: string;
const ns = 'races';

beforeAll(async () => {
  fleet = await startFleet({ label: 'races', hosts: 1, apis: 2, workersPerHost: 2 });
  clients = fleet.apis.map((a) => new SnapfleetClient({ baseUrl: a.url }));
  host = fleet.hosts[0]!.id;
}, 120_000);
afterAll(async () => fleet?.dispose());

const api = (i: number) => clients[i % clients.length]!;

/** Resolves to 'ok' or the error code: races are judged by their outcomes. */
const outcome = outcomeOf;

it('50 concurrent prepares of one key: exactly one succeeds, 49 already_exists', async () => {
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => outcome(api(i).createSnapshotAndWait(ns, host, { key: 'contended' }))),
  );
  expect(results.filter((r) => r === 'ok')).toHaveLength(1);
  expect(results.filter((r) => r === 'already_exists')).toHaveLength(49);
}, 120_000);

it('commit racing remove of the same active: one wins, the other sees not_found', async () => {
  for (let i = 0; i < 15; i++) {
    await api(i).createSnapshotAndWait(ns, host, { key: `cr-${i}` });
    const [commit, remove] = await Promise.all([
      outcome(api(i).commitSnapshotAndWait(ns, host, `cr-${i}`, { name: `cr-${i}-layer` })),
      outcome(api(i + 1).removeSnapshotAndWait(ns, host, `cr-${i}`)),
    ]);
    expect([commit, remove].sort()).toEqual(['not_found', 'ok']);
    const layer = await outcome(api(i).statSnapshot(ns, host, `cr-${i}-layer`));
    expect(layer).toBe(commit === 'ok' ? 'ok' : 'not_found');
  }
}, 180_000);

it('a child prepared while its parent is removed: never a child whose parent is gone', async () => {
  for (let i = 0; i < 15; i++) {
    await api(i).createSnapshotAndWait(ns, host, { key: `pp-${i}` });
    await api(i).commitSnapshotAndWait(ns, host, `pp-${i}`, { name: `parent-${i}` });
    const [prepare, remove] = await Promise.all([
      outcome(api(i).createSnapshotAndWait(ns, host, { key: `child-${i}`, parent: `parent-${i}` })),
      outcome(api(i + 1).removeSnapshotAndWait(ns, host, `parent-${i}`)),
    ]);
    expect([
      ['ok', 'failed_precondition'],
      ['not_found', 'ok'],
    ]).toContainEqual([prepare, remove]);
  }
  const names = new Set<string>();
  const parents: string[] = [];
  for await (const s of api(0).walkAll(ns, host)) {
    names.add(s.name);
    if (s.parent) parents.push(s.parent);
  }
  for (const p of parents) expect(names.has(p), `parent ${p} exists`).toBe(true);
}, 180_000);

it('disk and metadata agree one to one afterwards', async () => {
  const d = await settledDiff(fleet.store, fleet.hosts[0]!);
  expect(d.missingOnDisk).toEqual([]);
  expect(d.orphansOnDisk).toEqual([]);
});
