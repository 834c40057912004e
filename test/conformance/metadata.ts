// Conformance tests about snapshot metadata: stat, labels and update field paths, timestamps,
// remove rules, walk filters and usage (containerd's StatActive, StatComitted, Update,
// Remove, RemoveIntermediateSnapshot, CloseTwice, StatInWalk, Walk, plus usage checks).
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Labels, SnapshotInfo } from '@snapfleet/contracts';
import {
  conformanceIt,
  expectCode,
  expectTimeBetween,
  gcRoot,
  parseTime,
  sleepToNextSecond,
  walkAll,
  walkNames,
  type ConformanceTarget,
  type Ctx,
} from './harness';

export function registerMetadataTests(target: ConformanceTarget): void {
  const test = (title: string, fn: (ctx: Ctx) => Promise<void>, timeout?: number) =>
    conformanceIt(target, title, fn, timeout);

  test('stat of an active snapshot', async (ctx) => {
    const labels = gcRoot();
    const prepared = await ctx.client.prepare('preparing', undefined, { labels });
    expect(prepared.mounts.length).toBeGreaterThan(0);
    await ctx.withMounted(prepared.mounts, (dir) => writeFile(join(dir, 'foo'), 'foo\n'));
    const si = await ctx.client.stat('preparing');
    expect(si.name).toBe('preparing');
    expect(si.kind).toBe('active');
    expect(si.parent).toBeUndefined();
    expect(si.labels).toEqual(labels);
    expect(prepared.info).toEqual(si);
  });

  test('stat of a committed snapshot; commit labels replace the active ones', async (ctx) => {
    const { client } = ctx;
    const prepared = await client.prepare('preparing', undefined, { labels: { 'only-on-active': 'x' } });
    await ctx.withMounted(prepared.mounts, (dir) => writeFile(join(dir, 'foo'), 'foo\n'));
    const labels = gcRoot();
    await client.commit('committed', 'preparing', { labels });
    const si = await client.stat('committed');
    expect(si.name).toBe('committed');
    expect(si.kind).toBe('committed');
    expect(si.parent).toBeUndefined();
    // containerd's CommitActive: "Replace labels, do not inherit".
    expect(si.labels).toEqual(labels);
    await client.prepare('p2', undefined, { labels: { a: 'b' } });
    expect((await client.commit('committed-2', 'p2')).labels).toEqual({});
  });

  test('prepare/view: same key twice fails; parent must be committed', async (ctx) => {
    const { client } = ctx;
    await client.prepare('preparing', undefined, { labels: gcRoot() });
    await client.commit('snapA', 'preparing', { labels: gcRoot() });

    await client.prepare('newlayer', 'snapA', { labels: gcRoot() });
    await expectCode(client.view('newlayer', 'snapA', { labels: gcRoot() }), 'already_exists');
    await client.prepare('prepLayer', 'snapA', { labels: gcRoot() });
    await expectCode(client.prepare('prepLayer', 'snapA', { labels: gcRoot() }), 'already_exists');
    const view = await client.view('viewLayer', 'snapA', { labels: gcRoot() });
    expect(view.info).toMatchObject({ name: 'viewLayer', kind: 'view', parent: 'snapA' });
    await expectCode(client.view('viewLayer', 'snapA', { labels: gcRoot() }), 'already_exists');

    // Active and view snapshots cannot be parents (storage: "parent is not committed").
    await expectCode(client.view('view-of-active', 'newlayer'), 'invalid_argument');
    await expectCode(client.view('view-of-view', 'viewLayer'), 'invalid_argument');
    // The failed calls left the key space as it was.
    expect(await walkNames(client)).toEqual(['newlayer', 'prepLayer', 'snapA', 'viewLayer']);
  });

  test('update: labels, labels.<key>, no field paths, immutable fields; timestamps', async (ctx) => {
    const { client } = ctx;
    const t1 = Date.now();
    await baseTestSnapshots(ctx);
    const t2 = Date.now();
    // Second-resolution timestamps could hide the change of `updated`; start updates on a new second.
    await sleepToNextSecond();
    const cases: { name: string; kind: SnapshotInfo['kind']; parent?: string }[] = [
      { name: 'c1', kind: 'committed' },
      { name: 'c2', kind: 'committed', parent: 'c1' },
      { name: 'a1', kind: 'active', parent: 'c2' },
      { name: 'a2', kind: 'active' },
      { name: 'v1', kind: 'view', parent: 'c2' },
      { name: 'v2', kind: 'view' },
    ];
    for (const tc of cases) {
      const st = await client.stat(tc.name);
      expectTimeBetween(st.created, t1, t2, `${tc.name} created`);
      expect(parseTime(st.updated).ms, `${tc.name}: updated equals created`).toBe(parseTime(st.created).ms);
      expect(st).toMatchObject({ name: tc.name, kind: tc.kind });
      expect(st.parent).toBe(tc.parent);

      // No field paths: all mutable fields (labels) replaced; parent in the info is ignored.
      const root = gcRoot();
      let expected: Labels = { l1: 'v1', l2: 'v2', l3: 'v3', ...root };
      const u1 = Date.now();
      // Like containerd, send a whole Info whose parent was changed: it must be ignored.
      const edited: SnapshotInfo = { ...st, parent: 'doesnotexist', labels: expected };
      let up = await client.update(edited);
      const u2 = Date.now();
      expect(up.created, `${tc.name}: created must not change`).toBe(st.created);
      expectTimeBetween(up.updated, u1, u2, `${tc.name} updated`);
      expect(parseTime(up.updated).ms).toBeGreaterThan(parseTime(up.created).ms);
      expect(up).toMatchObject({ name: tc.name, kind: tc.kind });
      expect(up.parent).toBe(tc.parent);
      expect(up.labels).toEqual(expected);

      // labels.<k>: set l1, delete l2 (absent from the given labels); l4 is not named: ignored.
      expected = { l1: 'updated', l3: 'v3', ...root };
      up = await client.update({ name: tc.name, labels: { l1: 'updated', l4: 'v4' } }, 'labels.l1', 'labels.l2');
      expect(up.labels).toEqual(expected);

      // labels: replace the whole map.
      expected = { l4: 'v4', ...root };
      up = await client.update({ name: tc.name, labels: expected }, 'labels');
      expect(up.labels).toEqual(expected);

      // Immutable or unknown field paths: invalid argument, nothing changes.
      const reparented: SnapshotInfo = { ...up, parent: 'doesnotexist' };
      await expectCode(client.update(reparented, 'parent'), 'invalid_argument');
      await expectCode(client.update({ name: tc.name, labels: {} }, 'kind'), 'invalid_argument');
      await expectCode(client.update({ name: tc.name, labels: { x: 'y' } }, 'labels.x', 'bogus'), 'invalid_argument');
      expect(await client.stat(tc.name)).toEqual(up);
    }

    // The key after "labels." is taken verbatim, dots included.
    const dotted = await client.update({ name: 'c1', labels: { 'containerd.io/snapshot/x.y': 'z' } }, 'labels.containerd.io/snapshot/x.y');
    expect(dotted.labels['containerd.io/snapshot/x.y']).toBe('z');
    await expectCode(client.update({ name: 'missing', labels: {} }), 'not_found');
  });

  test('remove active, view and committed snapshots; removed keys can be reused', async (ctx) => {
    const { client } = ctx;
    await client.prepare('committed-a', undefined, { labels: gcRoot() });
    await client.commit('committed-1', 'committed-a', { labels: gcRoot() });
    await client.prepare('reuse-1', 'committed-1', { labels: gcRoot() });
    await client.remove('reuse-1'); // active
    await expectCode(client.stat('reuse-1'), 'not_found');
    await client.view('reuse-1', 'committed-1', { labels: gcRoot() });
    await client.remove('reuse-1'); // view
    await expectCode(client.stat('reuse-1'), 'not_found');
    await client.prepare('reuse-1', undefined, { labels: gcRoot() });
    await client.remove('committed-1'); // committed, no children left
    await expectCode(client.stat('committed-1'), 'not_found');
    await client.commit('committed-1', 'reuse-1', { labels: gcRoot() });
    expect(await walkNames(client)).toEqual(['committed-1']);
  });

  test('removing a snapshot that has children fails (failed_precondition); leaf first works', async (ctx) => {
    const { client } = ctx;
    await client.prepare('base', undefined, { labels: gcRoot() });
    await client.commit('committed-base', 'base', { labels: gcRoot() });
    await client.prepare('intermediate', 'committed-base', { labels: gcRoot() });
    await client.commit('committed-inter', 'intermediate', { labels: gcRoot() });
    await client.prepare('toplayer', 'committed-inter', { labels: gcRoot() });
    await client.view('topview', 'committed-inter', { labels: gcRoot() });

    await expectCode(client.remove('committed-inter'), 'failed_precondition');
    await expectCode(client.remove('committed-base'), 'failed_precondition');
    await client.remove('toplayer');
    // A view is a child too.
    await expectCode(client.remove('committed-inter'), 'failed_precondition');
    await client.remove('topview');
    await client.remove('committed-inter');
    await client.remove('committed-base');
    expect(await walkAll(client)).toEqual([]);
  });

  test('remove twice: the second remove is not_found (containerd CloseTwice)', async (ctx) => {
    const { client } = ctx;
    await client.prepare('n-prepare', undefined, { labels: gcRoot() });
    await client.commit('n', 'n-prepare', { labels: gcRoot() });
    await client.remove('n');
    await expectCode(client.remove('n'), 'not_found');
    await client.prepare('a', undefined);
    await client.remove('a');
    await expectCode(client.remove('a'), 'not_found');
  });

  test('stat inside a walk returns what the walk returned', async (ctx) => {
    const { client } = ctx;
    const prefix = 'stats-in-walk-';
    await client.prepare(`${prefix}c1-a`, undefined, { labels: gcRoot() });
    await client.commit(`${prefix}c1`, `${prefix}c1-a`, { labels: gcRoot() });
    await client.prepare(`${prefix}c2-a`, `${prefix}c1`, { labels: gcRoot() });
    await client.commit(`${prefix}c2`, `${prefix}c2-a`, { labels: gcRoot() });
    await client.prepare(`${prefix}a1`, `${prefix}c2`, { labels: gcRoot() });
    await client.view(`${prefix}v1`, `${prefix}c2`, { labels: gcRoot() });
    let seen = 0;
    // Calling stat while the walk is still iterating must neither deadlock nor differ.
    for await (const si of client.walk()) {
      expect(await client.stat(si.name)).toEqual(si);
      seen++;
    }
    expect(seen).toBe(4);
  });

  test('walk filters: kind, name, parent, labels (quoted keys, presence), regexp, OR', async (ctx) => {
    const { client } = ctx;
    const gc = { 'containerd.io/gc.root': 'check-walk' };
    await client.prepare('a-np', undefined, { labels: gc });
    await client.prepare('p-tmp', undefined, { labels: gc });
    await client.commit('p', 'p-tmp', { labels: gc });
    await client.prepare('a', 'p', { labels: gc });
    await client.view('v', 'p', { labels: gc });
    await client.prepare('p-wl-tmp', undefined, { labels: gc });
    await client.commit('p-wl', 'p-wl-tmp', { labels: { l: '1', ...gc } });
    await client.prepare('a-wl', 'p-wl', { labels: { l: '2', ...gc } });
    await client.view('v-wl', 'p-wl', { labels: { l: '3', 'a.b': 'v', ...gc } });
    await client.prepare('a-np-wl', undefined, { labels: { l: '2', 'a.b': 'v', ...gc } });

    const all = ['a', 'a-np', 'a-np-wl', 'a-wl', 'p', 'p-wl', 'v', 'v-wl'];
    const cases: [filters: string[], matches: string[]][] = [
      // containerd's checkWalk cases
      [['labels."containerd.io/gc.root"==check-walk'], all],
      [['kind==active,labels."containerd.io/gc.root"==check-walk'], ['a-np', 'a', 'a-wl', 'a-np-wl']],
      [['kind==view,labels."containerd.io/gc.root"==check-walk'], ['v', 'v-wl']],
      [['kind==committed,labels."containerd.io/gc.root"==check-walk'], ['p', 'p-wl']],
      [['name==p', 'name==a-np-wl'], ['p', 'a-np-wl']],
      [['name==a-wl,labels.l'], ['a-wl']],
      [['parent==p'], ['a', 'v']],
      [['parent!="",labels."containerd.io/gc.root"==check-walk'], ['a', 'v', 'a-wl', 'v-wl']],
      [['labels.l'], ['p-wl', 'a-wl', 'v-wl', 'a-np-wl']],
      [['labels.l==2'], ['a-wl', 'a-np-wl']],
      // more of the filter language
      [[], all],
      [[''], all], // an empty filter matches everything
      [['kind==committed'], ['p', 'p-wl']],
      [['labels."a.b"==v'], ['v-wl', 'a-np-wl']],
      [['kind==view', 'labels."a.b"==v'], ['v', 'v-wl', 'a-np-wl']],
      [['labels.l!=2'], ['a-np', 'p', 'a', 'v', 'p-wl', 'v-wl']], // != also matches an absent label
      [['name~=^a-np'], ['a-np', 'a-np-wl']],
      [['name~=wl$'], ['p-wl', 'a-wl', 'v-wl', 'a-np-wl']],
      [['parent==p-wl,kind==active'], ['a-wl']],
      [['name=="a"'], ['a']],
      [['name==nothing'], []],
    ];
    for (const [filters, matches] of cases) {
      expect(await walkNames(client, ...filters), `walk(${JSON.stringify(filters)})`).toEqual([...matches].sort());
    }
    // A filter that does not parse is the caller's error.
    await expectCode(walkAll(client, 'kind=='), 'invalid_argument');
    await expectCode(walkAll(client, '==x'), 'invalid_argument');
  });

  test('usage counts a snapshot own files only; committed usage is fixed at commit', async (ctx) => {
    const { client } = ctx;
    const files = 16;
    const size = 64 * 1024; // large enough to live in data extents, not inline in metadata
    const base = await client.prepare('base', undefined, { labels: gcRoot() });
    await ctx.withMounted(base.mounts, async (dir) => {
      for (let i = 0; i < files; i++) await writeFile(join(dir, `f${i}`), randomBytes(size));
    });
    const active = await client.usage('base');
    expect(active.inodes).toBeGreaterThanOrEqual(files);
    expect(active.size).toBeGreaterThanOrEqual(files * size);

    await client.commit('base-c', 'base', { labels: gcRoot() });
    const committed = await client.usage('base-c');
    expect(committed.inodes).toBeGreaterThanOrEqual(files);
    expect(committed.size).toBeGreaterThanOrEqual(files * size);

    // A child counts its own changes: one new file, not the parent's sixteen.
    const child = await client.prepare('child', 'base-c', { labels: gcRoot() });
    await ctx.withMounted(child.mounts, (dir) => writeFile(join(dir, 'mine'), randomBytes(size)));
    const childUsage = await client.usage('child');
    expect(childUsage.inodes).toBeGreaterThanOrEqual(1);
    expect(childUsage.inodes).toBeLessThan(files);
    expect(childUsage.size).toBeGreaterThanOrEqual(size);
    expect(childUsage.size).toBeLessThan(files * size);
    await client.commit('child-c', 'child', { labels: gcRoot() });
    const childCommitted = await client.usage('child-c');
    expect(childCommitted.inodes).toBeLessThan(files);
    expect(childCommitted.size).toBeGreaterThanOrEqual(size);
    expect(childCommitted.size).toBeLessThan(files * size);

    // Sharing extents with children does not shrink a committed snapshot's recorded usage.
    expect(await client.usage('base-c')).toEqual(committed);
    await expectCode(client.usage('missing'), 'not_found');
  });
}

/**
 * containerd's baseTestSnapshots: c1 committed; c2 committed on c1; a1 active on c2;
 * a2 active without parent; v1 view on c2; v2 view without parent.
 */
async function baseTestSnapshots({ client }: Ctx): Promise<void> {
  await client.prepare('c1-a', undefined, { labels: gcRoot() });
  await client.commit('c1', 'c1-a', { labels: gcRoot() });
  await client.prepare('c2-a', 'c1', { labels: gcRoot() });
  await client.commit('c2', 'c2-a', { labels: gcRoot() });
  await client.prepare('a1', 'c2', { labels: gcRoot() });
  await client.prepare('a2', undefined, { labels: gcRoot() });
  await client.view('v1', 'c2', { labels: gcRoot() });
  await client.view('v2', undefined, { labels: gcRoot() });
}
