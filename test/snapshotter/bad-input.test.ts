// Bad inputs to the in-process snapshotter, through both btrfs backends: each gets its typed
// error and leaves subvolumes, snapshot rows and op records exactly as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LABEL_BYTES, SnapfleetError, type ErrorCode } from '@snapfleet/contracts';
import type { Snapshotter } from '@snapfleet/snapshotter';
import { makeHarness, type Harness } from '../support/snapshotter';
import { captureState } from './state';

const ns = 'default';

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<SnapfleetError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(SnapfleetError);
  expect((err as SnapfleetError).code).toBe(code);
  return err as SnapfleetError;
}

describe.each(['native', 'progs'] as const)('bad input (%s backend)', (backend) => {
  let h: Harness;
  let s: Snapshotter;

  beforeAll(async () => {
    h = await makeHarness({ backend, label: `bad${backend}` });
    s = await h.host();
    // A small world to be wrong about: base (committed) ← child (active), a view, an active.
    await s.prepare({ namespace: ns, key: 'base-active' });
    await s.commit({ namespace: ns, name: 'base', key: 'base-active' });
    await s.prepare({ namespace: ns, key: 'child', parent: 'base' });
    await s.view({ namespace: ns, key: 'a-view', parent: 'base' });
    await s.prepare({ namespace: ns, key: 'lonely' });
  });
  afterAll(async () => h?.dispose());

  const cases: Array<[string, ErrorCode, () => Promise<unknown>]> = [
    ['empty key', 'invalid_argument', () => s.prepare({ namespace: ns, key: '' })],
    ['key with NUL', 'invalid_argument', () => s.prepare({ namespace: ns, key: 'a\0b' })],
    ['5,000-byte key', 'invalid_argument', () => s.prepare({ namespace: ns, key: 'k'.repeat(5000) })],
    ['key with a lone surrogate', 'invalid_argument', () => s.prepare({ namespace: ns, key: 'x\ud800' })],
    ['label over the limit', 'invalid_argument', () => s.prepare({ namespace: ns, key: 'big-label', labels: { k: 'v'.repeat(MAX_LABEL_BYTES) } })],
    ['too many labels', 'invalid_argument', () =>
      s.prepare({ namespace: ns, key: 'many-labels', labels: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`l${i}`, 'v'])) })],
    ['empty label key', 'invalid_argument', () => s.prepare({ namespace: ns, key: 'empty-label', labels: { '': 'v' } })],
    ['unknown parent', 'not_found', () => s.prepare({ namespace: ns, key: 'orphan', parent: 'no-such-parent' })],
    ['active as parent', 'invalid_argument', () => s.prepare({ namespace: ns, key: 'x1', parent: 'child' })],
    ['view as parent', 'invalid_argument', () => s.prepare({ namespace: ns, key: 'x2', parent: 'a-view' })],
    ['view of an active parent', 'invalid_argument', () => s.view({ namespace: ns, key: 'x3', parent: 'lonely' })],
    ['existing key', 'already_exists', () => s.prepare({ namespace: ns, key: 'child', parent: 'base' })],
    ['key equal to a committed name', 'already_exists', () => s.prepare({ namespace: ns, key: 'base' })],
    ['commit of a view', 'failed_precondition', () => s.commit({ namespace: ns, name: 'from-view', key: 'a-view' })],
    ['commit of a committed snapshot', 'failed_precondition', () => s.commit({ namespace: ns, name: 'again', key: 'base' })],
    ['commit to an existing name', 'already_exists', () => s.commit({ namespace: ns, name: 'base', key: 'lonely' })],
    ['commit of a missing key', 'not_found', () => s.commit({ namespace: ns, name: 'nothing', key: 'missing' })],
    ['remove with children', 'failed_precondition', () => s.remove({ namespace: ns, key: 'base' })],
    ['remove of a missing key', 'not_found', () => s.remove({ namespace: ns, key: 'missing' })],
    ['invalid namespace', 'invalid_argument', () => s.prepare({ namespace: 'bad namespace!', key: 'k' })],
    ['namespace with path characters', 'invalid_argument', () => s.prepare({ namespace: '../x', key: 'k' })],
    ['path-like key is just a key', 'not_found', () => s.stat({ namespace: ns, key: '../../etc' })],
    ['invalid filter', 'invalid_argument', () => s.walk(ns, ['kind=='])],
    ['filter with a bad regexp', 'invalid_argument', () => s.walk(ns, ['name~=/(/'])],
    ['update of an unknown field', 'invalid_argument', () => s.update({ namespace: ns, key: 'base', labels: {}, fieldpaths: ['parent'] })],
    ['update of a missing key', 'not_found', () => s.update({ namespace: ns, key: 'missing', labels: { a: 'b' } })],
    ['mounts of a committed snapshot', 'failed_precondition', () => s.mounts({ namespace: ns, key: 'base' })],
    ['usage of a missing key', 'not_found', () => s.usage({ namespace: ns, key: 'missing' })],
  ];

  it.each(cases)('%s → %s, and nothing changes', async (_name, code, op) => {
    const before = await captureState(s, h.store, h.pool.dir);
    const err = await expectCode(op(), code);
    expect(err.message.length).toBeGreaterThan(0);
    expect(await captureState(s, h.store, h.pool.dir)).toEqual(before);
  });

  it('the world is intact and cleanup finds no orphans', async () => {
    const names = [];
    for await (const info of (await import('@snapfleet/snapshotter')).namespacedClient(s, ns).walk()) names.push(info.name);
    expect(names.sort()).toEqual(['a-view', 'base', 'child', 'lonely']);
    expect(await s.cleanup()).toEqual({ removed: 0 });
  });
});
