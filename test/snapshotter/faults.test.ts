// Failure injection into the transaction pattern, on real btrfs + MariaDB: errors and real
// crashes (SIGKILL) between the metadata write, the btrfs op and the commit. Whatever
// happens, no row is left without its subvolume, and cleanup removes any subvolume left
// without a row, restoring exactly the state before the op.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SnapfleetError } from '@snapfleet/contracts';
import type { MetaTransaction } from '@snapfleet/metastore';
import type { FaultPoint, Snapshotter } from '@snapfleet/snapshotter';
import { createConnection } from 'mysql2/promise';
import { distEntry } from '../support/dist';
import { makeHarness, type Harness } from '../support/snapshotter';
import { captureState, type HostState } from './state';

const run = promisify(execFile);
const ns = 'default';

type Op = 'prepare' | 'view' | 'commit' | 'remove';

describe.each(['native', 'progs'] as const)('fault injection (%s backend)', (backend) => {
  let h: Harness;
  let fault: { point: FaultPoint; op: Op; action: (tx?: MetaTransaction) => Promise<void> } | undefined;
  let s: Snapshotter;
  let counter = 0;

  beforeAll(async () => {
    h = await makeHarness({ backend, label: `fault${backend}` });
    s = await h.host({
      faults: async (point, op, tx) => {
        if (fault && fault.point === point && fault.op === op) await fault.action(tx);
      },
    });
  });
  afterAll(async () => h?.dispose());
  beforeEach(() => {
    fault = undefined;
  });

  /** A committed base, an active child of it and a view: material for every op. */
  async function world(): Promise<{ base: string; active: string; view: string }> {
    const n = ++counter;
    const base = `base-${n}`;
    await s.prepare({ namespace: ns, key: `${base}-a` });
    await s.commit({ namespace: ns, name: base, key: `${base}-a` });
    await s.prepare({ namespace: ns, key: `active-${n}`, parent: base });
    await s.view({ namespace: ns, key: `view-${n}`, parent: base });
    return { base, active: `active-${n}`, view: `view-${n}` };
  }

  const payloadFor = (op: Op, w: { base: string; active: string; view: string }) =>
    op === 'prepare'
      ? { namespace: ns, key: `new-${++counter}`, parent: w.base }
      : op === 'view'
        ? { namespace: ns, key: `newview-${++counter}`, parent: w.base }
        : op === 'commit'
          ? { namespace: ns, name: `committed-${++counter}`, key: w.active }
          : { namespace: ns, key: w.view };

  const state = (): Promise<HostState> => captureState(s, h.store, h.pool.dir);
  const call = (op: Op, payload: Record<string, unknown>) => (s[op] as (p: unknown) => Promise<unknown>).call(s, payload);

  describe.each(['after-metadata', 'before-commit'] as const)('an error at %s', (point) => {
    it.each(['prepare', 'view', 'commit', 'remove'] as const)('%s fails and changes nothing', async (op) => {
      const w = await world();
      const before = await state();
      fault = { point, op, action: async () => Promise.reject(new Error(`injected at ${point}`)) };
      await expect(call(op, payloadFor(op, w))).rejects.toThrow(`injected at ${point}`);
      expect(await state()).toEqual(before);
    });
  });

  const killCases = (['prepare', 'view', 'commit', 'remove'] as const).flatMap((op) => [
    [op, 'without'],
    [op, 'with'],
  ]) as Array<[Op, 'with' | 'without']>;

  it.each(killCases)('a failed COMMIT of %s %s an op id (connection killed) changes nothing', async (op, idMode) => {
    const w = await world();
    const before = await state();
    const ctx = idMode === 'with' ? { opId: `killed-${++counter}` } : {};
    fault = {
      point: 'before-commit',
      op,
      action: async (tx) => {
        const id = await tx!.connectionId();
        const admin = await createConnection(h.db.url);
        try {
          await admin.query(`KILL ${id}`);
        } finally {
          await admin.end();
        }
      },
    };
    const err = await (s[op] as (p: unknown, c: unknown) => Promise<unknown>).call(s, payloadFor(op, w), ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SnapfleetError);
    expect((err as SnapfleetError).code).toBe('unavailable');
    expect(await state()).toEqual(before);
  });

  async function crash(op: Op, payload: Record<string, unknown>, point: FaultPoint): Promise<void> {
    const spec = { url: h.db.url, hostId: s.hostId, root: s.root, backend, op, payload, point };
    const child = await run(process.execPath, [distEntry('test/support/crash-child.js'), JSON.stringify(spec)]).then(
      () => ({ signal: null as NodeJS.Signals | null }),
      (e: { signal?: NodeJS.Signals | null }) => ({ signal: e.signal ?? null }),
    );
    expect(child.signal, 'the child must die by SIGKILL at the fault point').toBe('SIGKILL');
  }

  it.each(['prepare', 'view', 'commit'] as const)('a crash between the btrfs op and the commit of %s leaves only an orphan that cleanup removes', async (op) => {
    const w = await world();
    const before = await state();
    await crash(op, payloadFor(op, w), 'before-commit');
    const after = await state();
    expect(after.rows).toEqual(before.rows);
    expect(after.subvolumes.length).toBe(before.subvolumes.length + 1);
    expect(await s.cleanup()).toEqual({ removed: 1 });
    expect(await state()).toEqual(before);
  });

  it.each(['commit', 'remove'] as const)('a crash after the COMMIT of %s leaves the old subvolume for cleanup', async (op) => {
    const w = await world();
    await crash(op, payloadFor(op, w), 'after-commit');
    const after = await state();
    // The metadata change is durable; the disk has one subvolume too many.
    expect(after.subvolumes.length).toBe(after.rows.length + 1);
    expect(await s.cleanup()).toEqual({ removed: 1 });
    const clean = await state();
    expect(clean.rows).toEqual(after.rows);
    expect(clean.subvolumes.length).toBe(clean.rows.length);
  });

  it('an op retried with the same op id returns its first result and does nothing twice', async () => {
    const w = await world();
    const opId = `retry-${++counter}`;
    const first = await s.prepare({ namespace: ns, key: `idem-${counter}`, parent: w.base }, { opId });
    const mid = await state();
    const second = await s.prepare({ namespace: ns, key: `idem-${counter}`, parent: w.base }, { opId });
    expect(second).toEqual(first);
    expect(await state()).toEqual(mid);
    const c1 = await s.commit({ namespace: ns, name: `idem-c-${counter}`, key: w.active }, { opId: `${opId}-c` });
    const c2 = await s.commit({ namespace: ns, name: `idem-c-${counter}`, key: w.active }, { opId: `${opId}-c` });
    expect(c2).toEqual(c1);
    const r1 = await s.remove({ namespace: ns, key: w.view }, { opId: `${opId}-r` });
    const r2 = await s.remove({ namespace: ns, key: w.view }, { opId: `${opId}-r` });
    expect(r2).toEqual(r1);
  });

  it('a crash after the COMMIT, then a retry with the same op id, returns the first result', async () => {
    const w = await world();
    const spec = { namespace: ns, name: `crashed-commit-${++counter}`, key: w.active };
    const opId = `job-${counter}`;
    const specJson = { url: h.db.url, hostId: s.hostId, root: s.root, backend, op: 'commit', payload: spec, point: 'after-commit', opId };
    const child = await run(process.execPath, [distEntry('test/support/crash-child.js'), JSON.stringify(specJson)]).then(
      () => null,
      (e: { signal?: NodeJS.Signals | null }) => e.signal ?? null,
    );
    expect(child).toBe('SIGKILL');
    const retried = await s.commit(spec, { opId });
    expect(retried.info.name).toBe(spec.name);
    expect(retried.info.kind).toBe('committed');
    expect(await s.cleanup()).toEqual({ removed: 1 });
  });
});
