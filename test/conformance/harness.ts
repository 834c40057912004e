// Per-test plumbing for the conformance suite: each test gets a fresh snapshotter and a
// scratch dir, every mount is unmounted whatever happens, and containerd's testsuite helpers
// (createSnapshot / checkSnapshot / checkSnapshots, the gc.root label option) live here.
import { it, expect } from 'vitest';
import type { ErrorCode, Labels, Mount, SnapshotInfo, SnapshotterClient } from '@snapfleet/contracts';
import { checkDirectoryEqual, type Applier } from './fstest';
import { makeWorkDir, type WorkDir } from './mount';

export interface ConformanceTarget {
  /** Makes a fresh, empty snapshotter (own host root/namespace) for one test. */
  make(): Promise<{ client: SnapshotterClient; dispose(): Promise<void> }>;
}

export interface Ctx {
  client: SnapshotterClient;
  work: WorkDir;
  /** Mounts `mounts` on a fresh dir, runs `fn` there, and always unmounts afterwards. */
  withMounted<T>(mounts: readonly Mount[], fn: (dir: string) => Promise<T>): Promise<T>;
}

/** Default per-test budget on real btrfs: a few dozen subvolume ops plus mounts. */
export const TEST_TIMEOUT = 60_000;

/**
 * Registers one test that runs `fn` against a fresh snapshotter. Clean-up order matters:
 * unmount our mounts first (dispose of the work dir), then let the target tear its host down.
 */
export function conformanceIt(
  target: ConformanceTarget,
  title: string,
  fn: (ctx: Ctx) => Promise<void>,
  timeout = TEST_TIMEOUT,
): void {
  it(title, { timeout }, async () => {
    const sn = await target.make();
    let work: WorkDir | undefined;
    let failed = false;
    let failure: unknown;
    try {
      work = await makeWorkDir();
      const w = work;
      await fn({ client: sn.client, work: w, withMounted: (mounts, f) => withMounted(w, mounts, f) });
    } catch (err) {
      failed = true;
      failure = err;
    }
    // Both clean-ups always run; the test's own error wins over a clean-up error.
    const cleanupErrors: unknown[] = [];
    await work?.dispose().catch((e: unknown) => cleanupErrors.push(e));
    await sn.dispose().catch((e: unknown) => cleanupErrors.push(e));
    if (failed) throw failure;
    if (cleanupErrors.length > 0) throw cleanupErrors[0];
  });
}

async function withMounted<T>(work: WorkDir, mounts: readonly Mount[], fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await work.mount(mounts);
  let result: T;
  try {
    result = await fn(dir);
  } catch (err) {
    // Keep fn's error; the work dir's dispose() retries the unmount if this one fails.
    await work.unmount(dir).catch(() => undefined);
    throw err;
  }
  await work.unmount(dir);
  return result;
}

/** containerd's testsuite passes this label on every create/commit (`opt`). */
export const gcRoot = (): Labels => ({ 'containerd.io/gc.root': new Date().toISOString().replace(/\.\d+Z$/, 'Z') });

/** Asserts that `p` rejects with a SnapfleetError-like value carrying `code`. */
export async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await expect(p).rejects.toMatchObject({ code });
}

/** Drains a walk into an array (walk is an async iterable). */
export async function walkAll(client: SnapshotterClient, ...filters: string[]): Promise<SnapshotInfo[]> {
  const out: SnapshotInfo[] = [];
  for await (const info of client.walk(...filters)) out.push(info);
  return out;
}

export async function walkNames(client: SnapshotterClient, ...filters: string[]): Promise<string[]> {
  return (await walkAll(client, ...filters)).map((i) => i.name).sort();
}

let counter = 0;
/** A key unique within the process; containerd uses "%p-%d" of the applier and a random int. */
export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** Prepare on `parent`, apply through the mount, commit; returns the committed name. */
export async function createSnapshot(ctx: Ctx, parent: string | undefined, applier: Applier): Promise<string> {
  const name = uniqueName('layer');
  const key = `${name}-prepare`;
  const { mounts } = await ctx.client.prepare(key, parent, { labels: gcRoot() });
  await ctx.withMounted(mounts, applier);
  await ctx.client.commit(name, key, { labels: gcRoot() });
  return name;
}

/** Views `name`, mounts the view, and checks it equals the tree in `expectedDir`. */
export async function checkSnapshot(ctx: Ctx, name: string, expectedDir: string): Promise<void> {
  const view = `${name}-view`;
  const { mounts } = await ctx.client.view(view, name, { labels: gcRoot() });
  try {
    await ctx.withMounted(mounts, (dir) => checkDirectoryEqual(expectedDir, dir));
  } finally {
    await ctx.client.remove(view);
  }
}

/**
 * Builds a chain of committed snapshots, one per applier, and after each one checks a view of
 * it against a plain directory that received the same appliers (containerd's checkSnapshots).
 */
export async function checkSnapshots(ctx: Ctx, ...appliers: Applier[]): Promise<string[]> {
  const flat = await ctx.work.tempDir('flat-');
  const names: string[] = [];
  let parent: string | undefined;
  for (const [i, a] of appliers.entries()) {
    parent = await createSnapshot(ctx, parent, a).catch((e: unknown) => {
      throw new Error(`creating snapshot ${i + 1}: ${String(e)}`, { cause: e });
    });
    await a(flat);
    await checkSnapshot(ctx, parent, flat).catch((e: unknown) => {
      throw new Error(`checking snapshot ${i + 1}: ${String(e)}`, { cause: e });
    });
    names.push(parent);
  }
  return names;
}

/** An RFC 3339 time as epoch ms, plus the resolution its text carries (1 s without fraction). */
export function parseTime(text: string): { ms: number; resolution: number } {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i.exec(text);
  if (!m) throw new Error(`not an RFC 3339 time: ${JSON.stringify(text)}`);
  const frac = m[2] ?? '';
  const ms = Date.parse(`${m[1]}${m[3]}`) + Math.floor(Number(`0.${frac || '0'}`) * 1000);
  return { ms, resolution: frac.length >= 3 ? 1 : 10 ** (3 - frac.length) };
}

/** Asserts `text` names a time in [lo, hi] (epoch ms), allowing for the text's resolution. */
export function expectTimeBetween(text: string, lo: number, hi: number, what: string): void {
  const { ms, resolution } = parseTime(text);
  const floorLo = Math.floor(lo / resolution) * resolution;
  expect(ms, `${what} ${text} not in [${new Date(lo).toISOString()}, ${new Date(hi).toISOString()}]`).toBeGreaterThanOrEqual(floorLo);
  expect(ms, `${what} ${text} not in [${new Date(lo).toISOString()}, ${new Date(hi).toISOString()}]`).toBeLessThanOrEqual(hi);
}

/** Waits until just past the next whole second, so second-resolution timestamps differ. */
export async function sleepToNextSecond(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
}
