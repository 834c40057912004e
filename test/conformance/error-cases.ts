// Conformance tests for the error contract: which typed error each misuse gets (the codes
// containerd's snapshots/storage and btrfs snapshotter return), that a failed call changes
// nothing, and that cleanup() finds nothing to delete afterwards.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { conformanceIt, expectCode, gcRoot, walkAll, type ConformanceTarget, type Ctx } from './harness';

export function registerErrorTests(target: ConformanceTarget): void {
  const test = (title: string, fn: (ctx: Ctx) => Promise<void>, timeout?: number) =>
    conformanceIt(target, title, fn, timeout);

  test('mounts: same as prepare/view returned; views are ro; committed is failed_precondition', async (ctx) => {
    const { client } = ctx;
    const active = await client.prepare('active', undefined, { labels: gcRoot() });
    expect(await client.mounts('active')).toEqual({ mounts: active.mounts, path: active.path });
    expect(active.mounts.some((m) => m.options.includes('ro'))).toBe(false);
    await ctx.withMounted(active.mounts, (dir) => writeFile(join(dir, 'f'), 'x'));
    await client.commit('committed', 'active', { labels: gcRoot() });

    const view = await client.view('view', 'committed', { labels: gcRoot() });
    expect(await client.mounts('view')).toEqual({ mounts: view.mounts, path: view.path });
    expect(view.mounts.every((m) => m.options.includes('ro'))).toBe(true);
    // Mounts re-fetched later still mount the same content.
    await ctx.withMounted((await client.mounts('view')).mounts, async (dir) => {
      expect(await readFile(join(dir, 'f'), 'utf8')).toBe('x');
    });

    // containerd: storage.GetSnapshot refuses committed snapshots.
    await expectCode(client.mounts('committed'), 'failed_precondition');
    await expectCode(client.mounts('active'), 'not_found'); // committed away
    await expectCode(client.mounts('missing'), 'not_found');
  });

  test('commit errors: view, committed, existing name, missing key', async (ctx) => {
    const { client } = ctx;
    await client.prepare('base-a', undefined, { labels: gcRoot() });
    await client.commit('base', 'base-a', { labels: gcRoot() });
    await client.view('view', 'base', { labels: gcRoot() });
    const active = await client.prepare('active', 'base', { labels: { keep: 'me' } });
    await client.prepare('other', undefined, { labels: gcRoot() });

    await expectCode(client.commit('from-view', 'view'), 'failed_precondition');
    await expectCode(client.commit('from-committed', 'base'), 'failed_precondition');
    await expectCode(client.commit('base', 'active'), 'already_exists'); // a committed name
    await expectCode(client.commit('other', 'active'), 'already_exists'); // an active key
    await expectCode(client.commit('view', 'active'), 'already_exists'); // a view key
    await expectCode(client.commit('new', 'missing'), 'not_found');

    // Nothing changed: the active snapshot is still active, untouched, and commits fine.
    expect(await client.stat('active')).toEqual(active.info);
    await expectCode(client.stat('from-view'), 'not_found');
    await expectCode(client.stat('new'), 'not_found');
    const info = await client.commit('done', 'active');
    expect(info).toMatchObject({ name: 'done', kind: 'committed', parent: 'base' });
  });

  test('prepare/view errors: parent not committed, missing parent, key collisions', async (ctx) => {
    const { client } = ctx;
    await client.prepare('base-a', undefined, { labels: gcRoot() });
    await client.commit('base', 'base-a', { labels: gcRoot() });
    await client.prepare('active', 'base', { labels: gcRoot() });
    await client.view('view', 'base', { labels: gcRoot() });
    const before = await walkAll(client);

    for (const create of [client.prepare.bind(client), client.view.bind(client)]) {
      // containerd storage: `parent "x" is not committed snapshot: invalid argument`.
      await expectCode(create('child-of-active', 'active'), 'invalid_argument');
      await expectCode(create('child-of-view', 'view'), 'invalid_argument');
      await expectCode(create('child-of-missing', 'missing'), 'not_found');
      // One key space for active keys, view keys and committed names.
      await expectCode(create('base', undefined), 'already_exists');
      await expectCode(create('active', 'base'), 'already_exists');
      await expectCode(create('view', undefined), 'already_exists');
    }
    expect(sortByName(await walkAll(client))).toEqual(sortByName(before));
  });

  test('operations on a missing key are not_found', async (ctx) => {
    const { client } = ctx;
    await expectCode(client.stat('missing'), 'not_found');
    await expectCode(client.remove('missing'), 'not_found');
    await expectCode(client.usage('missing'), 'not_found');
    await expectCode(client.mounts('missing'), 'not_found');
    await expectCode(client.update({ name: 'missing', labels: { a: 'b' } }, 'labels.a'), 'not_found');
    await expectCode(client.commit('name', 'missing'), 'not_found');
    expect(await walkAll(client)).toEqual([]);
  });

  test('cleanup finds no orphans after normal use and failed calls, and keeps data', async (ctx) => {
    const { client } = ctx;
    expect(await client.cleanup()).toEqual({ removed: 0 });
    const a = await client.prepare('a', undefined, { labels: gcRoot() });
    await ctx.withMounted(a.mounts, (dir) => writeFile(join(dir, 'kept'), 'yes'));
    await client.commit('c', 'a', { labels: gcRoot() });
    await client.prepare('b', 'c', { labels: gcRoot() });
    await client.view('v', 'c', { labels: gcRoot() });
    await client.prepare('gone', 'c');
    await client.remove('gone');
    // Failed calls must not leave a subvolume behind either.
    await expectCode(client.prepare('b', 'c'), 'already_exists');
    await expectCode(client.view('v2', 'b'), 'invalid_argument');
    await expectCode(client.commit('c', 'b'), 'already_exists');
    await expectCode(client.commit('x', 'v'), 'failed_precondition');
    await expectCode(client.remove('c'), 'failed_precondition');
    const before = sortByName(await walkAll(client));

    expect(await client.cleanup()).toEqual({ removed: 0 });
    expect(sortByName(await walkAll(client))).toEqual(before);
    const view = await client.mounts('v');
    await ctx.withMounted(view.mounts, async (dir) => {
      expect(await readFile(join(dir, 'kept'), 'utf8')).toBe('yes');
    });
    // And after everything is removed, still nothing to clean.
    for (const key of ['b', 'v', 'c']) await client.remove(key);
    expect(await client.cleanup()).toEqual({ removed: 0 });
    expect(await walkAll(client)).toEqual([]);
  });
}

const sortByName = <T extends { name: string }>(xs: T[]): T[] => [...xs].sort((x, y) => x.name.localeCompare(y.name));
