// One behavioural contract, run against both backends on real loop-mounted btrfs pools:
// whatever loadBtrfs() returns must behave exactly like this. Needs root.
import { execFile } from 'node:child_process';
import { appendFile, chmod, link, lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../../test/support/pool';
import {
  createNativeBackend,
  isBtrfsError,
  ProgsBtrfsBackend,
  type BtrfsBackend,
  type BtrfsError,
  type SubvolumeInfo,
  type Timespec,
  type UsageBaseline,
} from './index';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The baseline a snapshot's own changes are measured from. */
const baselineOf = (info: SubvolumeInfo): UsageBaseline => ({ transid: info.otransid, otime: info.otime });
const nanos = (t: Timespec): bigint => BigInt(t.sec) * 1_000_000_000n + BigInt(t.nsec);

// Inode ctimes and a snapshot's otime come from the kernel's coarse clock (one tick, 1-4 ms
// here). A parent file changed in the very tick its child snapshot is created has ctime ==
// the child's otime, and usage counts it if its transid is bumped in the child (the floor is
// `>=` so that changes made in that tick are never missed). Tests that need parent files to
// predate the child wait this long between the two.
const CLOCK_TICKS_MS = 25;

async function btrfsShow(path: string): Promise<Map<string, string>> {
  const { stdout } = await run('btrfs', ['subvolume', 'show', path], { env: { ...process.env, LC_ALL: 'C' } });
  const fields = new Map<string, string>();
  for (const m of stdout.matchAll(/^\t([^:\t]+):\s*(.*)$/gm)) if (m[1] && m[2] !== undefined) fields.set(m[1], m[2].trim());
  return fields;
}

async function expectBtrfsError(promise: Promise<unknown>, code: string, path?: string): Promise<BtrfsError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isBtrfsError(err), `expected a BtrfsError ${code}, got ${String(err)}`).toBe(true);
  const e = err as BtrfsError;
  expect(e.code).toBe(code);
  expect(e.errno).toBeGreaterThan(0);
  if (path !== undefined) {
    expect(e.path).toBe(path);
    expect(e.message).toContain(path);
  }
  return e;
}

async function writeFailsWithErofs(file: string): Promise<void> {
  await expect(writeFile(file, 'x')).rejects.toMatchObject({ code: 'EROFS' });
}

export function describeBackendContract(name: string, makeBackend: () => BtrfsBackend): void {
  describe(`btrfs backend contract: ${name}`, () => {
    let pool: Pool;
    let btrfs: BtrfsBackend;
    let counter = 0;
    // Fresh path per test: tests never depend on each other's leftovers.
    const fresh = (label: string) => join(pool.dir, `${label}-${++counter}`);

    beforeAll(async () => {
      pool = await createPool({ label: `btrfs-${name}` });
      btrfs = makeBackend();
    });
    afterAll(async () => {
      await pool?.dispose();
    });

    it('is the backend it claims to be', () => {
      expect(btrfs.kind).toBe(name);
    });

    it('creates a subvolume', async () => {
      const path = fresh('create');
      await btrfs.createSubvolume(path);
      expect((await stat(path)).ino).toBe(256);
      const info = await btrfs.subvolumeInfo(path);
      expect(info.id).toBeGreaterThan(255);
      expect(info.readonly).toBe(false);
      expect(info.parentUuid).toBeNull();
      expect(info.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(info.otransid).toBeGreaterThan(0);
      expect(info.generation).toBeGreaterThanOrEqual(info.otransid);
    });

    it('create and snapshot return the new subvolume info; create applies a root mode', async () => {
      const path = fresh('created-info');
      const created = await btrfs.createSubvolume(path, { mode: 0o755 });
      expect(created).toEqual(await btrfs.subvolumeInfo(path));
      expect((await stat(path)).mode & 0o7777).toBe(0o755);
      const snap = fresh('snap-info');
      const made = await btrfs.snapshot(path, snap, { readonly: true });
      expect(made).toEqual(await btrfs.subvolumeInfo(snap));
      expect(made.readonly).toBe(true);
      expect(made.parentUuid).toBe(created.uuid);
      await expect(btrfs.createSubvolume(fresh('bad-mode'), { mode: 0o10000 })).rejects.toBeInstanceOf(RangeError);
    });

    it('snapshots writable and read-only; a snapshot knows its parent', async () => {
      const source = fresh('src');
      await btrfs.createSubvolume(source);
      await writeFile(join(source, 'file'), 'content');
      const rw = fresh('rw');
      const ro = fresh('ro');
      await btrfs.snapshot(source, rw, { readonly: false });
      await btrfs.snapshot(source, ro, { readonly: true });

      const [src, rwInfo, roInfo] = await Promise.all([source, rw, ro].map((p) => btrfs.subvolumeInfo(p)));
      expect(new Set([src!.id, rwInfo!.id, roInfo!.id]).size).toBe(3);
      expect(new Set([src!.uuid, rwInfo!.uuid, roInfo!.uuid]).size).toBe(3);
      expect(rwInfo!.parentUuid).toBe(src!.uuid);
      expect(roInfo!.parentUuid).toBe(src!.uuid);
      expect(rwInfo!.readonly).toBe(false);
      expect(roInfo!.readonly).toBe(true);

      await writeFile(join(rw, 'new'), 'ok');
      await writeFailsWithErofs(join(ro, 'new'));
      expect((await stat(join(ro, 'file'))).size).toBe(7);
    });

    it('reports what `btrfs subvolume show` reports', async () => {
      const source = fresh('show');
      await btrfs.createSubvolume(source);
      const snap = fresh('show-snap');
      await btrfs.snapshot(source, snap, { readonly: true });
      for (const path of [source, snap]) {
        const info = await btrfs.subvolumeInfo(path);
        const show = await btrfsShow(path);
        expect(info.id).toBe(Number(show.get('Subvolume ID')));
        expect(info.generation).toBe(Number(show.get('Generation')));
        expect(info.otransid).toBe(Number(show.get('Gen at creation')));
        expect(info.uuid).toBe(show.get('UUID'));
        expect(info.parentUuid ?? '-').toBe(show.get('Parent UUID'));
        expect(info.readonly).toBe(show.get('Flags') === 'readonly');
        // "Creation time: 2026-11-28 16:48:49 +0000": the otime, to the second.
        const created = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) ([+-]\d\d)(\d\d)$/.exec(show.get('Creation time') ?? '');
        expect(created, show.get('Creation time')).not.toBeNull();
        const [, day, time, tzHours, tzMinutes] = created as RegExpExecArray;
        expect(info.otime.sec).toBe(Date.parse(`${day}T${time}${tzHours}:${tzMinutes}`) / 1000);
        expect(Number.isInteger(info.otime.nsec) && info.otime.nsec >= 0 && info.otime.nsec < 1e9).toBe(true);
      }
    });

    it('sets and clears the read-only flag; writes fail with EROFS while set', async () => {
      const path = fresh('flag');
      await btrfs.createSubvolume(path);
      await btrfs.setReadOnly(path, true);
      expect((await btrfs.subvolumeInfo(path)).readonly).toBe(true);
      await writeFailsWithErofs(join(path, 'f'));
      await btrfs.setReadOnly(path, true); // idempotent
      await btrfs.setReadOnly(path, false);
      expect((await btrfs.subvolumeInfo(path)).readonly).toBe(false);
      await writeFile(join(path, 'f'), 'writable again');
    });

    it('deletes subvolumes, read-only ones included', async () => {
      const source = fresh('del');
      await btrfs.createSubvolume(source);
      await writeFile(join(source, 'f'), 'x');
      const ro = fresh('del-ro');
      await btrfs.snapshot(source, ro, { readonly: true });
      await btrfs.deleteSubvolume(ro);
      await btrfs.deleteSubvolume(source);
      await expect(lstat(ro)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(lstat(source)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('accepts a trailing slash', async () => {
      const path = fresh('slash');
      await btrfs.createSubvolume(`${path}/`);
      expect((await btrfs.subvolumeInfo(`${path}/`)).id).toBe((await btrfs.subvolumeInfo(path)).id);
      await btrfs.deleteSubvolume(`${path}/`);
      await expect(lstat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('describes the filesystem from any directory in it', async () => {
      const sub = fresh('fs-sub');
      await btrfs.createSubvolume(sub);
      expect(await btrfs.filesystemInfo(sub)).toMatchObject({ device: pool.device });
    });

    it('describes the filesystem: loop device, fsid, size', async () => {
      const info = await btrfs.filesystemInfo(pool.dir);
      expect(info.device).toBe(pool.device);
      const { stdout } = await run('btrfs', ['filesystem', 'show', pool.dir]);
      expect(stdout).toContain(`uuid: ${info.fsid}`);
      expect(info.size).toBeGreaterThan(0);
      expect(info.size).toBeLessThanOrEqual(1024 * 1024 * 1024);
      expect(info.free).toBeGreaterThan(0);
      expect(info.free).toBeLessThanOrEqual(info.size);
    });

    describe('usage', () => {
      let base: string;
      let snap: string;
      let since: UsageBaseline;

      beforeAll(async () => {
        base = fresh('usage');
        await btrfs.createSubvolume(base);
        // Sizes above the inline limit: nbytes is then the data rounded up to 4 KiB.
        await writeFile(join(base, 'ten-k'), Buffer.alloc(10_000, 1));
        await writeFile(join(base, 'four-k'), Buffer.alloc(4096, 2));
        await mkdir(join(base, 'dir'));
        await writeFile(join(base, 'dir', 'hundred-k'), Buffer.alloc(100_000, 3));
        snap = fresh('usage-snap');
        await btrfs.snapshot(base, snap, { readonly: false });
        since = baselineOf(await btrfs.subvolumeInfo(snap));
      });

      it('counts every inode without a baseline', async () => {
        // root dir + dir (directories have nbytes 0) + 3 files
        expect(await btrfs.usage(base, { sync: true })).toEqual({ inodes: 5, size: 12_288 + 4096 + 102_400 });
      });

      it('counts nothing in an untouched snapshot since its baseline', async () => {
        expect(await btrfs.usage(snap, { since, sync: true })).toEqual({ inodes: 0, size: 0 });
      });

      it('counts exactly the inodes changed in the snapshot', async () => {
        await writeFile(join(snap, 'new-8k'), Buffer.alloc(8192, 4));
        await appendFile(join(snap, 'ten-k'), Buffer.alloc(5000, 5));
        // root dir (new entry) + new file + appended file (15 000 bytes -> 16 KiB)
        expect(await btrfs.usage(snap, { since, sync: true })).toEqual({ inodes: 3, size: 8192 + 16_384 });
        // the source is untouched by writes to its snapshot
        expect(await btrfs.usage(base, { since, sync: true })).toEqual({ inodes: 0, size: 0 });
      });
    });

    describe('usage of a child of a committed layer', () => {
      let layer: string;
      // root dir, a (5 bytes, inline), big (100 000 -> 100 KiB), d, d/c (1 byte)
      const LAYER = { inodes: 5, size: 5 + 102_400 + 1 };

      beforeAll(async () => {
        const active = fresh('layer-active');
        await btrfs.createSubvolume(active);
        await writeFile(join(active, 'a'), 'hello');
        await writeFile(join(active, 'big'), Buffer.alloc(100_000, 1));
        await mkdir(join(active, 'd'));
        await writeFile(join(active, 'd', 'c'), 'x');
        layer = fresh('layer');
        await btrfs.snapshot(active, layer, { readonly: true });
        await sleep(CLOCK_TICKS_MS);
      });

      async function child(): Promise<{ path: string; info: SubvolumeInfo; since: UsageBaseline }> {
        const path = fresh('child');
        await btrfs.snapshot(layer, path, { readonly: false });
        const info = await btrfs.subvolumeInfo(path);
        return { path, info, since: baselineOf(info) };
      }

      it('does not count parent files only read in the child', async () => {
        const { path, info, since } = await child();
        const file = join(path, 'a');
        const before = await stat(file, { bigint: true });
        expect(before.ctimeNs < nanos(info.otime), 'parent file predates the child').toBe(true);
        // relatime updates atime on the first read after a write, i.e. while atime <= mtime
        expect(before.atimeNs <= before.mtimeNs).toBe(true);
        expect(await readFile(file, 'utf8')).toBe('hello');
        const after = await stat(file, { bigint: true });
        expect(after.atimeNs > before.atimeNs, 'the read updated atime').toBe(true);
        expect(after.ctimeNs).toBe(before.ctimeNs);
        await writeFile(join(path, 'new'), 'hi');
        // root dir (new entry) + the new file
        expect(await btrfs.usage(path, { since, sync: true })).toEqual({ inodes: 2, size: 2 });
        // the atime update did bump the read file's transid: the ctime floor is what drops it
        const transidOnly = { transid: since.transid, otime: { sec: 0, nsec: 0 } };
        expect(await btrfs.usage(path, { since: transidOnly, sync: true })).toEqual({ inodes: 3, size: 7 });
      });

      it('counts a parent file whose mode changed in the child', async () => {
        const { path, since } = await child();
        await chmod(join(path, 'a'), 0o600);
        expect(await btrfs.usage(path, { since, sync: true })).toEqual({ inodes: 1, size: 5 });
      });

      it('counts a parent file hard-linked, renamed or appended to in the child', async () => {
        const { path, since } = await child();
        await link(join(path, 'd', 'c'), join(path, 'c-link')); // c: link count; root: entry
        await appendFile(join(path, 'big'), Buffer.alloc(5000, 2)); // 105 000 -> 104 KiB
        expect(await btrfs.usage(path, { since, sync: true })).toEqual({ inodes: 3, size: 1 + 106_496 });
      });

      it('counts everything without a baseline, nothing untouched with one', async () => {
        const { path, since } = await child();
        expect(await btrfs.usage(path, { sync: true })).toEqual(LAYER);
        expect(await btrfs.usage(layer, { sync: false })).toEqual(LAYER);
        expect(await btrfs.usage(path, { since, sync: true })).toEqual({ inodes: 0, size: 0 });
      });

      it('sync: false on a read-only snapshot just taken sees what sync: true sees on its source', async () => {
        // Nothing commits between the writes and the snapshot: creating the snapshot must.
        const { path, since } = await child();
        await writeFile(join(path, 'new'), Buffer.alloc(300_000, 3)); // delalloc until flushed
        await appendFile(join(path, 'big'), Buffer.alloc(5000, 2));
        await chmod(join(path, 'a'), 0o600);
        await mkdir(join(path, 'e'));
        await writeFile(join(path, 'e', 'f'), Buffer.alloc(20_000, 4));
        const committed = fresh('committed');
        await btrfs.snapshot(path, committed, { readonly: true });
        // root, new (300 000 -> 296 KiB), big (104 KiB), a, e, e/f (20 000 -> 20 KiB)
        const changed = { inodes: 6, size: 303_104 + 106_496 + 5 + 20_480 };
        const all = { inodes: LAYER.inodes + 3, size: LAYER.size - 102_400 + 303_104 + 106_496 + 20_480 };
        // measured on the snapshot first, so nothing else can have committed the writes
        expect(await btrfs.usage(committed, { since, sync: false })).toEqual(changed);
        expect(await btrfs.usage(committed, { sync: false })).toEqual(all);
        expect(await btrfs.usage(path, { since, sync: true })).toEqual(changed);
        expect(await btrfs.usage(path, { sync: true })).toEqual(all);
      });
    });

    describe('errors', () => {
      it('create on an existing path: EEXIST with the path', async () => {
        const path = fresh('exists');
        await mkdir(path);
        const err = await expectBtrfsError(btrfs.createSubvolume(path), 'EEXIST', path);
        expect(err.op).toBe('createSubvolume');
        expect(err.errno).toBe(17);
      });

      it('create under a missing parent: ENOENT', async () => {
        const path = join(fresh('no-parent'), 'child');
        await expectBtrfsError(btrfs.createSubvolume(path), 'ENOENT', path);
      });

      it('delete of a missing path: ENOENT', async () => {
        const path = fresh('missing');
        await expectBtrfsError(btrfs.deleteSubvolume(path), 'ENOENT', path);
      });

      it('snapshot, delete or info of a plain directory: EINVAL', async () => {
        const dir = fresh('plain');
        await mkdir(dir);
        const target = fresh('plain-snap');
        const err = await expectBtrfsError(btrfs.snapshot(dir, target, { readonly: true }), 'EINVAL', dir);
        expect(err.message).toContain(`${dir} -> ${target}`);
        await expect(lstat(target)).rejects.toMatchObject({ code: 'ENOENT' });
        await expectBtrfsError(btrfs.deleteSubvolume(dir), 'EINVAL', dir);
        await expectBtrfsError(btrfs.subvolumeInfo(dir), 'EINVAL', dir);
        await expectBtrfsError(btrfs.usage(dir, { sync: true }), 'EINVAL', dir);
      });

      it('snapshot onto an existing path: EEXIST on the target', async () => {
        const source = fresh('snap-src');
        await btrfs.createSubvolume(source);
        const target = fresh('snap-target');
        await mkdir(target);
        await expectBtrfsError(btrfs.snapshot(source, target, { readonly: false }), 'EEXIST', target);
      });

      it('snapshot or create inside a read-only subvolume: EROFS', async () => {
        const ro = fresh('ro-parent');
        await btrfs.createSubvolume(ro);
        await btrfs.setReadOnly(ro, true);
        await expectBtrfsError(btrfs.createSubvolume(join(ro, 'child')), 'EROFS', join(ro, 'child'));
        await expectBtrfsError(btrfs.snapshot(ro, join(ro, 'snap'), { readonly: true }), 'EROFS', join(ro, 'snap'));
      });

      it('delete of a subvolume holding another: ENOTEMPTY', async () => {
        const outer = fresh('outer');
        await btrfs.createSubvolume(outer);
        await btrfs.createSubvolume(join(outer, 'inner'));
        await expectBtrfsError(btrfs.deleteSubvolume(outer), 'ENOTEMPTY', outer);
        await btrfs.deleteSubvolume(join(outer, 'inner'));
        await btrfs.deleteSubvolume(outer);
      });

      it('operations off btrfs: ENOTTY, and nothing is created', async () => {
        const notBtrfs = await mkdtemp(join(tmpdir(), 'snapfleet-not-btrfs-'));
        try {
          await expectBtrfsError(btrfs.createSubvolume(join(notBtrfs, 'sub')), 'ENOTTY', join(notBtrfs, 'sub'));
          await expect(lstat(join(notBtrfs, 'sub'))).rejects.toMatchObject({ code: 'ENOENT' });
        } finally {
          await rm(notBtrfs, { recursive: true, force: true });
        }
        await expectBtrfsError(btrfs.subvolumeInfo('/proc'), 'ENOTTY', '/proc');
        await expectBtrfsError(btrfs.filesystemInfo('/proc'), 'ENOTTY', '/proc');
        await expectBtrfsError(btrfs.usage('/proc', { sync: false }), 'ENOTTY', '/proc');
        await expectBtrfsError(btrfs.setReadOnly('/proc', true), 'ENOTTY', '/proc');
      });

      it('delete of a symlink to a subvolume: ENOTDIR, and the subvolume survives', async () => {
        const target = fresh('link-target');
        await btrfs.createSubvolume(target);
        const link = fresh('link');
        await symlink(target, link);
        await expectBtrfsError(btrfs.deleteSubvolume(link), 'ENOTDIR', link);
        await expectBtrfsError(btrfs.deleteSubvolume(`${link}/`), 'ENOTDIR', `${link}/`);
        expect((await btrfs.subvolumeInfo(target)).readonly).toBe(false);
      });

      it('create under a regular file: ENOTDIR', async () => {
        const file = fresh('file');
        await writeFile(file, 'x');
        await expectBtrfsError(btrfs.createSubvolume(join(file, 'sub')), 'ENOTDIR', join(file, 'sub'));
      });

      it('names too long: ENAMETOOLONG', async () => {
        const path = join(pool.dir, 'n'.repeat(256));
        await expectBtrfsError(btrfs.createSubvolume(path), 'ENAMETOOLONG', path);
      });

      it('bad arguments: TypeError / RangeError before touching the disk', async () => {
        const call = btrfs as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
        await expect(call.createSubvolume!(42)).rejects.toBeInstanceOf(TypeError);
        await expect(call.createSubvolume!('relative/path')).rejects.toBeInstanceOf(TypeError);
        await expect(call.createSubvolume!(`${pool.dir}/nul\0byte`)).rejects.toBeInstanceOf(TypeError);
        await expect(call.snapshot!(pool.dir, fresh('x'), {})).rejects.toBeInstanceOf(TypeError);
        const otime = { sec: 1, nsec: 0 };
        const usage = (opts: unknown) => call.usage!(pool.dir, opts);
        await expect(usage(0)).rejects.toBeInstanceOf(TypeError); // the old signature
        await expect(usage({})).rejects.toBeInstanceOf(TypeError);
        await expect(usage({ sync: 1 })).rejects.toBeInstanceOf(TypeError);
        await expect(usage({ sync: true, since: 5 })).rejects.toBeInstanceOf(TypeError);
        await expect(usage({ sync: true, since: { transid: 5 } })).rejects.toBeInstanceOf(TypeError);
        await expect(usage({ sync: true, since: { transid: '5', otime } })).rejects.toBeInstanceOf(TypeError);
        await expect(usage({ sync: true, since: { transid: -1, otime } })).rejects.toBeInstanceOf(RangeError);
        await expect(usage({ sync: true, since: { transid: 5, otime: { sec: 1.5, nsec: 0 } } })).rejects.toBeInstanceOf(RangeError);
        await expect(usage({ sync: true, since: { transid: 5, otime: { sec: -1, nsec: 0 } } })).rejects.toBeInstanceOf(RangeError);
        await expect(usage({ sync: true, since: { transid: 5, otime: { sec: 1, nsec: 1e9 } } })).rejects.toBeInstanceOf(RangeError);
        await expect(usage({ sync: true, since: { transid: 5, otime: { sec: 1, nsec: '0' } } })).rejects.toBeInstanceOf(TypeError);
      });
    });
  });
}

describeBackendContract('native', () => createNativeBackend());
describeBackendContract('progs', () => new ProgsBtrfsBackend());

describe('native and progs backends agree', () => {
  let pool: Pool;
  const native = createNativeBackend();
  const progs = new ProgsBtrfsBackend();

  beforeAll(async () => {
    pool = await createPool({ label: 'btrfs-agree' });
  });
  afterAll(async () => {
    await pool?.dispose();
  });

  it('on info, filesystem and usage of the same subvolumes', async () => {
    // Enough items that the native tree search needs several batches.
    const files = 1000;
    const base = join(pool.dir, 'base');
    await native.createSubvolume(base);
    for (let i = 0; i < files; i++) await writeFile(join(base, `f${i}`), Buffer.alloc((i * 997) % 20_000, i));
    await sleep(CLOCK_TICKS_MS);
    const snap = join(pool.dir, 'snap');
    await progs.snapshot(base, snap, { readonly: false });
    const since = baselineOf(await native.subvolumeInfo(snap));
    for (let i = 0; i < files; i += 7) await appendFile(join(snap, `f${i}`), Buffer.alloc(3000, 1));
    // Reads bump transids (atime) without changing anything: not counted by either backend.
    for (let i = 1; i < files; i += 7) await readFile(join(snap, `f${i}`));
    const ro = join(pool.dir, 'ro');
    await native.snapshot(snap, ro, { readonly: true });

    const cases: Array<[string, UsageBaseline | undefined, boolean]> = [
      [base, undefined, true],
      [snap, undefined, true],
      [snap, since, true],
      [base, since, true],
      [ro, since, false],
      [ro, { transid: since.transid, otime: { sec: 0, nsec: 0 } }, false],
    ];
    for (const [path, baseline, sync] of cases) {
      const opts = { since: baseline, sync };
      const [a, b] = [await native.usage(path, opts), await progs.usage(path, opts)];
      expect(b, `${path} since ${JSON.stringify(baseline)}`).toEqual(a);
    }
    expect((await native.usage(base, { sync: true })).inodes).toBe(files + 1); // + the root directory
    expect((await native.usage(snap, { since, sync: true })).inodes).toBe(Math.ceil(files / 7)); // appended files only
    // without the ctime floor the read files count too
    const transidOnly = { transid: since.transid, otime: { sec: 0, nsec: 0 } };
    expect((await native.usage(ro, { since: transidOnly, sync: false })).inodes).toBe(2 * Math.ceil(files / 7));

    // A subvolume just created may not have its root item on disk yet: progs first.
    const fresh = join(pool.dir, 'fresh');
    await native.createSubvolume(fresh);
    for (const path of [fresh, base, snap, ro, pool.dir]) {
      const [p, n] = [await progs.subvolumeInfo(path), await native.subvolumeInfo(path)];
      expect(p, path).toEqual(n);
      expect(p.otime.sec).toBeGreaterThan(0);
    }
    const [fa, fb] = [await native.filesystemInfo(pool.dir), await progs.filesystemInfo(pool.dir)];
    expect({ ...fb, free: 0 }).toEqual({ ...fa, free: 0 });
  });
});
