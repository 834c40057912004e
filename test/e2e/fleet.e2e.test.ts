// The fleet end to end: 3 hosts (a worker process and a pool each), 2 API processes, and a
// client running 1,000 mixed ops over every host and 3 namespaces. Each op's outcome is
// predicted by a model of containerd's rules; at the end every acknowledged op is visible
// through the API exactly as the model says, and every host's rows and subvolumes agree
// one to one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { SnapfleetError, type ErrorCode, type Kind, type Labels } from '@snapfleet/contracts';
import { settledDiff } from '../support/consistency';
import { startFleet, type Fleet } from '../support/fleet';

const TOTAL_OPS = 1000;
const NAMESPACES = ['default', 'team-a', 'ci.builds'];

interface Snap {
  kind: Kind;
  parent?: string;
  labels: Labels;
}

/** A tiny deterministic PRNG so a failing run can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

let fleet: Fleet;
let clients: SnapfleetClient[];

beforeAll(async () => {
  fleet = await startFleet({ label: 'fleet', hosts: 3, apis: 2 });
  clients = fleet.apis.map((a) => new SnapfleetClient({ baseUrl: a.url }));
}, 180_000);
afterAll(async () => fleet?.dispose());

class Stream {
  readonly model = new Map<string, Snap>();
  private n = 0;
  ops = 0;
  constructor(
    readonly host: string,
    readonly ns: string,
    private readonly random: () => number,
  ) {}

  private pick<T>(xs: T[]): T | undefined {
    return xs.length === 0 ? undefined : xs[Math.floor(this.random() * xs.length)];
  }
  private keysOf(kind: Kind) {
    return [...this.model].filter(([, s]) => s.kind === kind).map(([k]) => k);
  }
  private hasChildren(key: string) {
    return [...this.model.values()].some((s) => s.parent === key);
  }
  private fresh(prefix: string) {
    // Keys are arbitrary strings: spaces, slashes and unicode travel as one path segment.
    return `${prefix}-${this.n++} ${this.ns}/λ`;
  }

  /** Runs one random op against `c` and checks its outcome against the model. */
  async step(c: SnapfleetClient): Promise<void> {
    this.ops++;
    const r = this.random();
    const committed = this.keysOf('committed');
    if (r < 0.3 || this.model.size === 0) {
      const key = this.fresh('a');
      const parent = this.random() < 0.6 ? this.pick(committed) : undefined;
      const labels = { 'containerd.io/snapshot/step': String(this.ops) };
      await c.createSnapshotAndWait(this.ns, this.host, { key, ...(parent ? { parent } : {}), labels });
      this.model.set(key, { kind: 'active', ...(parent ? { parent } : {}), labels });
    } else if (r < 0.4 && committed.length > 0) {
      const key = this.fresh('v');
      const parent = this.pick(committed)!;
      await c.createSnapshotAndWait(this.ns, this.host, { key, parent, kind: 'view' });
      this.model.set(key, { kind: 'view', parent, labels: {} });
    } else if (r < 0.6) {
      const key = this.pick(this.keysOf('active'));
      if (!key) return;
      const name = this.fresh('c');
      await c.commitSnapshotAndWait(this.ns, this.host, key, { name, labels: { layer: name } });
      const s = this.model.get(key)!;
      this.model.delete(key);
      this.model.set(name, { kind: 'committed', ...(s.parent ? { parent: s.parent } : {}), labels: { layer: name } });
    } else if (r < 0.75) {
      const key = this.pick([...this.model.keys()]);
      if (!key) return;
      const expect = this.hasChildren(key) ? 'failed_precondition' : 'ok';
      await expectOutcome(c.removeSnapshotAndWait(this.ns, this.host, key), expect);
      if (expect === 'ok') this.model.delete(key);
    } else if (r < 0.85) {
      const key = this.pick([...this.model.keys()]);
      if (!key) return;
      const labels = { touched: String(this.ops) };
      await c.updateSnapshotAndWait(this.ns, this.host, key, { labels, fieldpaths: ['labels.touched'] });
      this.model.get(key)!.labels = { ...this.model.get(key)!.labels, ...labels };
    } else if (r < 0.9) {
      const key = this.pick(this.keysOf('view'));
      if (!key) return;
      await expectOutcome(c.commitSnapshotAndWait(this.ns, this.host, key, { name: this.fresh('x') }), 'failed_precondition');
    } else if (r < 0.95) {
      const key = this.pick([...this.model.keys()]);
      if (!key) return;
      await expectOutcome(c.createSnapshotAndWait(this.ns, this.host, { key }), 'already_exists');
    } else {
      const key = this.pick([...this.model.keys()]);
      if (!key) return;
      const info = await c.statSnapshot(this.ns, this.host, key);
      expect(info.kind).toBe(this.model.get(key)!.kind);
    }
  }
}

async function expectOutcome(p: Promise<unknown>, want: 'ok' | ErrorCode): Promise<void> {
  let got: 'ok' | ErrorCode = 'ok';
  try {
    await p;
  } catch (err) {
    if (!(err instanceof SnapfleetError)) throw err;
    got = err.code;
  }
  expect(got).toBe(want);
}

it('1,000 mixed ops over 3 hosts and 3 namespaces: every acknowledged op is visible, disk matches metadata', async () => {
  const random = rng(20261128);
  const streams = fleet.hosts.flatMap((h) => NAMESPACES.map((ns) => new Stream(h.id, ns, rng(Math.floor(random() * 2 ** 31)))));
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

  for (const stream of streams) {
    const seen = new Map<string, Snap>();
    for await (const s of clients[0]!.walkAll(stream.ns, stream.host)) {
      seen.set(s.name, { kind: s.kind, ...(s.parent ? { parent: s.parent } : {}), labels: s.labels });
    }
    expect(seen).toEqual(stream.model);
  }
  for (const h of fleet.hosts) {
    const d = await settledDiff(fleet.store, h);
    expect(d, `host ${h.id}`).toMatchObject({ missingOnDisk: [], orphansOnDisk: [] });
    expect(d.rows).toBe(streams.filter((s) => s.host === h.id).reduce((n, s) => n + s.model.size, 0));
  }
}, 600_000);
