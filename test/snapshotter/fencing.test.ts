// Fencing in the metastore: an op whose lock token was superseded by a newer holder of the
// same key (it was paused past its lock's TTL) is refused at commit — aborted, nothing
// written, its subvolume undone — and the newer holder's op goes through.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SnapfleetError } from '@snapfleet/contracts';
import type { Snapshotter } from '@snapfleet/snapshotter';
import { makeHarness, type Harness } from '../support/snapshotter';
import { captureState } from './state';

const ns = 'default';
let h: Harness;
let s: Snapshotter;
let pause: { op: string; reached: () => void; resume: Promise<void> } | undefined;

beforeAll(async () => {
  h = await makeHarness({ label: 'fence' });
  s = await h.host({
    faults: async (point, op) => {
      if (point === 'before-commit' && pause && pause.op === op) {
        const p = pause;
        pause = undefined;
        p.reached();
        await p.resume;
      }
    },
  });
});
afterAll(async () => h?.dispose());

function pauseAt(op: string): { reached: Promise<void>; resume: () => void } {
  let reached!: () => void;
  let resume!: () => void;
  const reachedP = new Promise<void>((r) => (reached = r));
  const resumeP = new Promise<void>((r) => (resume = r));
  pause = { op, reached, resume: resumeP };
  return { reached: reachedP, resume };
}

it('a stale holder is aborted at commit and the newer holder wins', async () => {
  await s.prepare({ namespace: ns, key: 'work' }, { fence: 1n });
  const before = await captureState(s, h.store, h.pool.dir);

  const gate = pauseAt('commit');
  // The stale holder: token 10, paused between its btrfs snapshot and its commit.
  const stale = s.commit({ namespace: ns, name: 'layer', key: 'work' }, { fence: 10n }).then(
    () => undefined,
    (e: unknown) => e,
  );
  await gate.reached;
  // The newer holder (token 11) registers its fence at once, then waits for the stale
  // holder's row lock.
  const fresh = s.commit({ namespace: ns, name: 'layer', key: 'work' }, { fence: 11n });
  await new Promise((r) => setTimeout(r, 200));
  gate.resume();

  const err = await stale;
  expect(err).toBeInstanceOf(SnapfleetError);
  expect((err as SnapfleetError).code).toBe('aborted');
  const committed = await fresh;
  expect(committed.info).toMatchObject({ name: 'layer', kind: 'committed' });

  const after = await captureState(s, h.store, h.pool.dir);
  // One row (the committed layer), one subvolume: the stale holder left nothing behind.
  expect(after.rows).toHaveLength(before.rows.length);
  expect(after.subvolumes).toHaveLength(before.subvolumes.length);
  expect(await s.cleanup()).toEqual({ removed: 0 });
});

it('an older token cannot write once a newer one was seen for the key', async () => {
  await s.prepare({ namespace: ns, key: 'k2' }, { fence: 100n });
  const err = await s.remove({ namespace: ns, key: 'k2' }, { fence: 99n }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((err as SnapfleetError).code).toBe('aborted');
  expect((await s.stat({ namespace: ns, key: 'k2' })).kind).toBe('active');
  await s.remove({ namespace: ns, key: 'k2' }, { fence: 101n });
});

it('a fence registered once for several ops (a batch) still refuses their commits once superseded', async () => {
  const keys = { namespace: ns, keys: ['b1', 'b1-layer'] };
  await s.registerFence(keys, 200n);
  // Registered up front: the ops only guard, and go through while the token is the newest.
  await s.prepare({ namespace: ns, key: 'b1' }, { fence: 200n, fenceRegistered: true });
  // A newer holder registers for one of the keys: the batch's next op on it is refused.
  await s.registerFence({ namespace: ns, keys: ['b1'] }, 201n);
  const before = await captureState(s, h.store, h.pool.dir);
  const err = await s.commit({ namespace: ns, name: 'b1-layer', key: 'b1' }, { fence: 200n, fenceRegistered: true }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((err as SnapfleetError).code).toBe('aborted');
  const after = await captureState(s, h.store, h.pool.dir);
  expect(after.rows).toEqual(before.rows);
  expect(after.subvolumes).toHaveLength(before.subvolumes.length);
  // The key is as it was, and the newer holder can go on with it.
  expect((await s.stat({ namespace: ns, key: 'b1' })).kind).toBe('active');
  await s.remove({ namespace: ns, key: 'b1' }, { fence: 202n });
});
