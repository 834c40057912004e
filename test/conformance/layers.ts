// Conformance tests about file content through real mounts: layering, deletions, renames,
// ownership and modes across commits, read-only views, the root dir's mode and a 128-layer
// chain (containerd's Basic, Transitivity, issues.go checks, ViewReadonly, RootPermission,
// 128LayersMount).
import { writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import * as fst from './fstest';
import {
  checkSnapshots,
  conformanceIt,
  expectCode,
  gcRoot,
  walkAll,
  type ConformanceTarget,
  type Ctx,
} from './harness';

export function registerLayerTests(target: ConformanceTarget): void {
  const test = (title: string, fn: (ctx: Ctx) => Promise<void>, timeout?: number) =>
    conformanceIt(target, title, fn, timeout);

  test('basic: prepare, write, commit, layer on top, view the result', async (ctx) => {
    const { client } = ctx;
    const initial = fst.apply(
      fst.createFile('/foo', 'foo\n', 0o777),
      fst.createDir('/a', 0o755),
      fst.createDir('/a/b', 0o755),
      fst.createDir('/a/b/c', 0o755),
    );
    const diff = fst.apply(
      fst.createFile('/bar', 'bar\n', 0o777),
      fst.createFile('/foo', 'bar\n', 0o777), // overwrite a lower file
      fst.removeAll('/a/b'),
    );

    const prepared = await client.prepare('preparing', undefined, { labels: gcRoot() });
    expect(prepared.mounts.length).toBeGreaterThan(0);
    await ctx.withMounted(prepared.mounts, initial);

    const committed = await client.commit('committed', 'preparing', { labels: gcRoot() });
    const si = await client.stat('committed');
    expect(si).toEqual(committed); // commit returns what stat then reports
    expect(si.parent).toBeUndefined();
    expect(si.kind).toBe('committed');
    // The active key is gone once committed.
    await expectCode(client.stat('preparing'), 'not_found');

    const next = await client.prepare('nextlayer', 'committed', { labels: gcRoot() });
    await ctx.withMounted(next.mounts, async (dir) => {
      await fst.checkDirectoryEqualWithApplier(dir, initial, ctx.work.dir);
      await diff(dir);
    });
    const ni = await client.stat('nextlayer');
    expect(ni.parent).toBe('committed');
    expect(ni.kind).toBe('active');

    await client.commit('committed-next', 'nextlayer', { labels: gcRoot() });
    const si2 = await client.stat('committed-next');
    expect(si2.parent).toBe('committed');
    expect(si2.kind).toBe('committed');
    await expectCode(client.stat('nextlayer'), 'not_found');

    // Walk reports exactly what stat reports (walk order is unspecified).
    const walked = new Map((await walkAll(client)).map((i) => [i.name, i]));
    expect(walked.get(si.name)).toEqual(si);
    expect(walked.get(si2.name)).toEqual(si2);

    const view = await client.view('nextnextlayer', 'committed-next', { labels: gcRoot() });
    await ctx.withMounted(view.mounts, async (dir) => {
      await fst.checkDirectoryEqualWithApplier(dir, fst.apply(initial, diff), ctx.work.dir);
      // `path` is the same subvolume, seen where it lives on the host.
      await fst.checkDirectoryEqual(dir, view.path);
    });
    await client.remove('nextnextlayer');

    // A parent cannot go before its child; leaf first works.
    await expectCode(client.remove('committed'), 'failed_precondition');
    await client.remove('committed-next');
    await client.remove('committed');
    expect(await walkAll(client)).toEqual([]);
  });

  test('transitivity: each layer of a chain sees the files of all lower layers', async (ctx) => {
    const { client } = ctx;
    const layerA = fst.createFile('/foo', 'foo\n', 0o777);
    const layerB = fst.apply(fst.createFile('/foo', 'foo bar\n', 0o777), fst.createFile('/b-only', 'b\n', 0o644));
    const a = await client.prepare('preparing', undefined, { labels: gcRoot() });
    await ctx.withMounted(a.mounts, layerA);
    await client.commit('snapA', 'preparing', { labels: gcRoot() });
    const b = await client.prepare('next', 'snapA', { labels: gcRoot() });
    await ctx.withMounted(b.mounts, layerB);
    await client.commit('snapB', 'next', { labels: gcRoot() });

    const siA = await client.stat('snapA');
    const siB = await client.stat('snapB');
    expect(siA.parent).toBeUndefined();
    expect(siB.parent).toBe('snapA');
    expect((await client.stat(siB.parent ?? '')).parent).toBeUndefined();

    // C on B sees the whole chain (B's foo, B's file), not just what B itself wrote.
    const c = await client.prepare('top', 'snapB', { labels: gcRoot() });
    await ctx.withMounted(c.mounts, (dir) =>
      fst.checkDirectoryEqualWithApplier(dir, fst.apply(layerA, layerB), ctx.work.dir),
    );
  });

  test('deleted files in a child are absent from its mounts', async (ctx) => {
    await checkSnapshots(
      ctx,
      fst.apply(fst.createFile('/foo', 'foo\n', 0o777), fst.createFile('/foobar', 'foobar\n', 0o777)),
      fst.removeAll('/foobar'),
      fst.apply(),
    );
  });

  test('removing a directory of a lower layer and re-creating it (docker#25244)', async (ctx) => {
    await checkSnapshots(
      ctx,
      fst.apply(fst.createDir('/lib', 0o700), fst.createFile('/lib/hidden', '', 0o644)),
      fst.apply(fst.removeAll('/lib'), fst.createDir('/lib', 0o700), fst.createFile('/lib/not-hidden', '', 0o644)),
      fst.createFile('/lib/newfile', '', 0o644),
    );
  });

  test('updating a file of a lower layer, repeated across second boundaries (docker#21555)', async (ctx) => {
    const l1 = fst.apply(
      fst.createDir('/etc', 0o700),
      fst.createFile('/etc/hosts', 'mydomain 10.0.0.1', 0o644),
      fst.createFile('/etc/profile', 'PATH=/usr/bin', 0o644),
    );
    const l2 = fst.apply(
      fst.createFile('/etc/hosts', 'mydomain 10.0.0.2', 0o644),
      fst.createFile('/etc/profile', 'PATH=/usr/bin', 0o666),
      fst.createDir('/root', 0o700),
      fst.createFile('/root/.bashrc', 'PATH=/usr/sbin:/usr/bin', 0o644),
    );
    // containerd runs this 5 times, starting each run on a new second: the original bug hid
    // same-size, same-mtime changes.
    for (let i = 0; i < 5; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
      await checkSnapshots(ctx, l1, l2);
    }
  });

  test('chown in an upper layer is kept (docker#20240, #24913, #28391)', async (ctx) => {
    await checkSnapshots(
      ctx,
      fst.apply(
        fst.createDir('/opt', 0o700),
        fst.createDir('/opt/a', 0o700),
        fst.createDir('/opt/a/b', 0o700),
        fst.createFile('/opt/a/b/file.txt', 'hello', 0o644),
      ),
      fst.apply(
        fst.chown('/opt', 1, 1),
        fst.chown('/opt/a', 1, 1),
        fst.chown('/opt/a/b', 1, 1),
        fst.chown('/opt/a/b/file.txt', 1, 1),
      ),
    );
  });

  test('directory owners and modes survive commit (docker#27298)', async (ctx) => {
    await checkSnapshots(
      ctx,
      fst.apply(
        fst.createDir('/dir1', 0o700),
        fst.createDir('/dir2', 0o700),
        fst.createDir('/dir3', 0o700),
        fst.createDir('/dir4', 0o700),
        fst.createFile('/dir4/f1', '...', 0o644),
        fst.createDir('/dir5', 0o700),
        fst.createFile('/dir5/f1', '...', 0o644),
        fst.chown('/dir1', 1, 1),
        fst.chown('/dir2', 1, 1),
        fst.chown('/dir3', 1, 1),
        fst.chown('/dir5', 1, 1),
        fst.chown('/dir5/f1', 1, 1),
      ),
      fst.apply(fst.chown('/dir2', 0, 0), fst.removeAll('/dir3'), fst.chown('/dir4', 1, 1), fst.chown('/dir4/f1', 1, 1)),
      fst.apply(
        fst.createDir('/dir3', 0o700),
        fst.chown('/dir3', 1, 1),
        fst.removeAll('/dir5'),
        fst.createDir('/dir5', 0o700),
        fst.chown('/dir5', 1, 1),
      ),
    );
  });

  test('renaming dirs and files of a lower layer (docker#25409)', async (ctx) => {
    // btrfs snapshots rename lower directories fine; containerd skips that step only for overlay.
    await checkSnapshots(
      ctx,
      fst.apply(
        fst.createDir('/dir1', 0o700),
        fst.createDir('/somefiles', 0o700),
        fst.createFile('/somefiles/f1', 'was here first!', 0o644),
        fst.createFile('/somefiles/f2', 'nothing interesting', 0o644),
      ),
      fst.apply(
        fst.rename('/dir1', '/dir2'),
        fst.createFile('/somefiles/f1-overwrite', 'new content 1', 0o644),
        fst.rename('/somefiles/f1-overwrite', '/somefiles/f1'),
        fst.rename('/somefiles/f2', '/somefiles/f3'),
      ),
    );
  });

  test('moving files out of a lower layer by hard link + delete, plus symlinks', async (ctx) => {
    await checkSnapshots(
      ctx,
      fst.apply(
        fst.createDir('/dir1', 0o700),
        fst.createFile('/dir1/f1', 'Hello', 0o644),
        fst.createDir('dir2', 0o700),
        fst.createFile('dir2/f2', '...', 0o644),
        fst.symlink('../dir2/f2', '/dir1/to-f2'),
      ),
      fst.apply(
        fst.createDir('/dir3', 0o700),
        fst.createFile('/dir3/f1', 'Hello', 0o644),
        fst.removeAll('/dir1'),
        fst.link('dir2/f2', 'dir3/f2'),
        fst.removeAll('dir2/f2'),
        fst.symlink('f2', '/dir3/link'),
      ),
      // A hard link group that lives on in the child.
      fst.apply(fst.link('/dir3/f1', '/dir3/f1-again'), fst.chmod('/dir3/f1', 0o600)),
    );
  });

  test('changing lower files in an upper layer leaves the lower layer unchanged', async (ctx) => {
    const { client } = ctx;
    const lower = fst.apply(
      fst.createDir('/d', 0o755),
      fst.createFile('/d/keep', 'lower\n', 0o644),
      fst.createFile('/d/gone', 'lower gone\n', 0o600),
      fst.createFile('/top', 'top\n', 0o644),
    );
    const upper = fst.apply(
      fst.createFile('/d/keep', 'upper!\n', 0o644),
      fst.chmod('/top', 0o600),
      fst.removeAll('/d/gone'),
      fst.createFile('/d/new', 'new\n', 0o644),
    );
    const l1 = await client.prepare('l1-active', undefined, { labels: gcRoot() });
    await ctx.withMounted(l1.mounts, lower);
    await client.commit('l1', 'l1-active');

    const up = await client.prepare('upper', 'l1', { labels: gcRoot() });
    await ctx.withMounted(up.mounts, upper);
    let views = 0;
    const checkLower = async () => {
      const v = await client.view(`l1-view-${++views}`, 'l1');
      try {
        await ctx.withMounted(v.mounts, (dir) => fst.checkDirectoryEqualWithApplier(dir, lower, ctx.work.dir));
      } finally {
        await client.remove(v.info.name);
      }
    };
    await checkLower(); // while the upper layer is still active...
    await client.commit('l2', 'upper');
    await checkLower(); // ...and after it is committed.
    const top = await client.view('l2-view', 'l2');
    await ctx.withMounted(top.mounts, (dir) =>
      fst.checkDirectoryEqualWithApplier(dir, fst.apply(lower, upper), ctx.work.dir),
    );
  });

  test('view mounts are read-only (EROFS on write)', async (ctx) => {
    const { client } = ctx;
    await client.prepare('preparing', undefined, { labels: gcRoot() });
    await client.commit('committed', 'preparing', { labels: gcRoot() });
    const view = await client.view('view', 'committed', { labels: gcRoot() });
    // Checking the options is not enough (containerd#1368): mount for real and try to write.
    await ctx.withMounted(view.mounts, async (dir) => {
      await expect(writeFile(join(dir, 'testfile'), 'testcontent')).rejects.toMatchObject({ code: 'EROFS' });
    });
    // The subvolume itself is a read-only snapshot (containerd's btrfs view), not just a ro
    // mount option: clients bind-mounting `path` must not be able to write either.
    await expect(writeFile(join(view.path, 'testfile'), 'testcontent')).rejects.toMatchObject({ code: 'EROFS' });
    await client.remove('view');
    await client.remove('committed');
  });

  test('root dir of a new snapshot has mode 0755, whatever the umask', async (ctx) => {
    // btrfs makes a new subvolume's root 0777 & ~umask (see moby#53500), so an implementation
    // that does not chmod passes only by luck of its umask. containerd's suite clears the umask
    // for the whole run; we clear it around prepare only, which exposes that for in-process
    // targets (process.umask cannot be set in worker threads: then the umask stays as is).
    const restore = clearUmask();
    const prepared = await ctx.client.prepare('preparing', undefined, { labels: gcRoot() }).finally(restore);
    await ctx.withMounted(prepared.mounts, async (dir) => {
      expect(((await stat(dir)).mode & 0o777).toString(8)).toBe('755');
    });
  });

  test(
    '128 layers: every layer equals a flat dir with the same changes; a view of the top too',
    async (ctx) => {
      const { client } = ctx;
      const appliers: fst.Applier[] = [
        fst.apply(
          fst.createFile('/bottom', 'way at the bottom\n', 0o777),
          fst.createFile('/overwriteme', 'FIRST!\n', 0o777),
          fst.createDir('/addhere', 0o755),
          fst.createDir('/onlyme', 0o755),
          fst.createFile('/onlyme/bottom', 'bye!\n', 0o777),
        ),
      ];
      for (let i = 1; i <= 127; i++) {
        appliers.push(
          fst.apply(
            fst.createFile('/overwriteme', `${i} WAS HERE!\n`, 0o777),
            fst.createFile(`/addhere/file-${i}`, 'same\n', 0o755),
            fst.removeAll('/onlyme'),
            fst.createDir('/onlyme', 0o755),
            fst.createFile(`/onlyme/file-${i}`, 'only me!\n', 0o777),
          ),
        );
      }
      const flat = await ctx.work.tempDir('flat-');
      let parent: string | undefined;
      for (const [i, applier] of appliers.entries()) {
        const key = `prepare-layer-${i}`;
        const { mounts } = await client.prepare(key, parent, { labels: gcRoot() });
        await ctx.withMounted(mounts, async (dir) => {
          await fst.checkDirectoryEqual(flat, dir).catch((e: unknown) => {
            throw new Error(`[layer ${i}] before apply: ${String(e)}`);
          });
          await applier(flat);
          await applier(dir);
          await fst.checkDirectoryEqual(flat, dir).catch((e: unknown) => {
            throw new Error(`[layer ${i}] after apply: ${String(e)}`);
          });
        });
        parent = `committed-${i}`;
        await client.commit(parent, key, { labels: gcRoot() });
      }
      const view = await client.view('fullview', parent, { labels: gcRoot() });
      await ctx.withMounted(view.mounts, (dir) => fst.checkDirectoryEqual(flat, dir));
    },
    180_000,
  );
}

/** Sets the umask to 0 and returns a function restoring it (a no-op where it cannot be set). */
function clearUmask(): () => void {
  try {
    const old = process.umask(0);
    return () => void process.umask(old);
  } catch {
    return () => undefined;
  }
}
