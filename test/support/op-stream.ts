// A model-checked stream of random snapshot ops on one (host, namespace): each op's outcome
// is predicted from a model of containerd's rules and checked; at the end the model is what
// the API must show. The e2e and fault tests drive fleets with these.
import { expect } from 'vitest';
import type { SnapfleetClient } from '@snapfleet/client';
import { SnapfleetError, type BatchStep, type ErrorCode, type Kind, type Labels } from '@snapfleet/contracts';

export interface Snap {
  kind: Kind;
  parent?: string;
  labels: Labels;
}

/** How a stream sends one op: plainly, or retried with an idempotency key through faults. */
export type Send = <T>(op: string, run: (opts: { idempotencyKey: string }) => Promise<T>) => Promise<T>;

export const sendOnce: Send = (_op, run) => run({ idempotencyKey: `k${Math.random().toString(36).slice(2)}` });

/** A tiny deterministic PRNG so a failing run can be replayed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function outcomeOf(p: Promise<unknown>): Promise<'ok' | ErrorCode> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof SnapfleetError) return err.code;
    throw err;
  }
}

export class OpStream {
  readonly model = new Map<string, Snap>();
  private n = 0;
  ops = 0;

  constructor(
    readonly host: string,
    readonly ns: string,
    private readonly random: () => number,
    private readonly send: Send = sendOnce,
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
  private async expectOutcome(op: string, run: (o: { idempotencyKey: string }) => Promise<unknown>, want: 'ok' | ErrorCode) {
    expect(await outcomeOf(this.send(op, run)), op).toBe(want);
  }

  /** Runs one random op against `c` and checks its outcome against the model. */
  async step(c: SnapfleetClient): Promise<void> {
    this.ops++;
    const r = this.random();
    const { host, ns } = this;
    const committed = this.keysOf('committed');
    if (r < 0.3 || this.model.size === 0) {
      const key = this.fresh('a');
      const parent = this.random() < 0.6 ? this.pick(committed) : undefined;
      const labels = { 'containerd.io/snapshot/step': String(this.ops) };
      await this.send('prepare', (o) => c.createSnapshotAndWait(ns, host, { key, ...(parent ? { parent } : {}), labels }, o));
      this.model.set(key, { kind: 'active', ...(parent ? { parent } : {}), labels });
    } else if (r < 0.4 && committed.length > 0) {
      const key = this.fresh('v');
      const parent = this.pick(committed)!;
      await this.send('view', (o) => c.createSnapshotAndWait(ns, host, { key, parent, kind: 'view' }, o));
      this.model.set(key, { kind: 'view', parent, labels: {} });
    } else if (r < 0.6) {
      const key = this.pick(this.keysOf('active'));
      if (!key) return;
      const name = this.fresh('c');
      await this.send('commit', (o) => c.commitSnapshotAndWait(ns, host, key, { name, labels: { layer: name } }, o));
      const s = this.model.get(key)!;
      this.model.delete(key);
      this.model.set(name, { kind: 'committed', ...(s.parent ? { parent: s.parent } : {}), labels: { layer: name } });
    } else if (r < 0.75) {
      const key = this.pick([...this.model.keys()]);
      if (!key) return;
      const want = this.hasChildren(key) ? 'failed_precondition' : 'ok';
      await this.expectOutcome('remove', (o) => c.removeSnapshotAndWait(ns, host, key, o), want);
      if (want === 'ok') this.model.delete(key);
    } else if (r < 0.85) {
      const key = this.pick([...this.model.keys()]);
      if (!key) return;
      const labels = { touched: String(this.ops) };
      await this.send('update', (o) => c.updateSnapshotAndWait(ns, host, key, { labels, fieldpaths: ['labels.touched'] }, o));
      this.model.get(key)!.labels = { ...this.model.get(key)!.labels, ...labels };
    } else if (r < 0.9) {
      const key = this.pick(this.keysOf('view'));
      if (!key) return;
      // Named once: a retry under the same idempotency key must ask the same question.
      const name = this.fresh('x');
      await this.expectOutcome('commit', (o) => c.commitSnapshotAndWait(ns, host, key, { name }, o), 'failed_precondition');
    } else if (r < 0.95) {
      const key = this.pick([...this.model.keys()]);
      if (!key) return;
      await this.expectOutcome('prepare', (o) => c.createSnapshotAndWait(ns, host, { key }, o), 'already_exists');
    } else if (r < 0.975) {
      const key = this.pick([...this.model.keys()]);
      if (!key) return;
      const info = await this.read(() => c.statSnapshot(ns, host, key));
      expect(info.kind).toBe(this.model.get(key)!.kind);
    } else {
      await this.batch(c);
    }
  }

  /**
   * A layer's life as one batch: prepare, commit, and a child of the new layer; half the
   * time with a step in the middle that must fail (a prepare of a key that exists), which
   * ends the batch there.
   */
  private async batch(c: SnapfleetClient): Promise<void> {
    const { host, ns } = this;
    const key = this.fresh('ba');
    const name = this.fresh('bc');
    const child = this.fresh('bw');
    const parent = this.pick(this.keysOf('committed'));
    const taken = this.random() < 0.5 ? this.pick([...this.model.keys()]) : undefined;
    const steps: BatchStep[] = [
      { op: 'prepare', key, ...(parent ? { parent } : {}) },
      ...(taken === undefined ? [] : [{ op: 'prepare' as const, key: taken }]),
      { op: 'commit', key, name, labels: { layer: name } },
      { op: 'prepare', key: child, parent: name },
    ];
    const r = await this.send('batch', (o) => c.runBatchAndWait(ns, host, { steps }, o));
    if (taken !== undefined) {
      expect(r.results, 'batch results before its failing step').toHaveLength(1);
      expect(r.failed).toMatchObject({ step: 1, error: { code: 'already_exists' } });
      this.model.set(key, { kind: 'active', ...(parent ? { parent } : {}), labels: {} });
      return;
    }
    expect(r.failed, 'batch').toBeUndefined();
    expect(r.results).toHaveLength(3);
    this.model.set(name, { kind: 'committed', ...(parent ? { parent } : {}), labels: { layer: name } });
    this.model.set(child, { kind: 'active', parent: name, labels: {} });
  }

  /**
   * A read, retried while the API answers `unavailable`: some streams run through a MariaDB
   * or Redis outage on purpose, and a 503 then is the documented answer, not a failure.
   */
  private async read<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof SnapfleetError) || err.code !== 'unavailable' || attempt >= 120) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** What the API shows for this stream's namespace on its host. */
  async seen(c: SnapfleetClient): Promise<Map<string, Snap>> {
    const seen = new Map<string, Snap>();
    for await (const s of c.walkAll(this.ns, this.host)) {
      seen.set(s.name, { kind: s.kind, ...(s.parent ? { parent: s.parent } : {}), labels: s.labels });
    }
    return seen;
  }
}
