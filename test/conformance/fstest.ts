// A small TypeScript take on continuity's fstest, for the conformance suite: "appliers" that
// change a directory tree (files, dirs, removals, renames, symlinks, hard links, chmod, chown)
// and a checker that compares two trees by what containerd compares: paths, file types,
// permission bits, owners, file content, symlink targets and hard-link groups. Timestamps,
// directory sizes and the root directory itself are ignored, as in CheckDirectoryEqual.
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';

/** One change to a tree rooted at `root`. Names are relative to the root ("/a/b" or "a/b"). */
export type Applier = (root: string) => Promise<void>;

/** Writes a file (truncating), syncs it, then chmods so the umask cannot change `mode`. */
export function createFile(name: string, content: string | Uint8Array, mode: number): Applier {
  return async (root) => {
    const p = join(root, name);
    const fh = await fsp.open(p, 'w', mode);
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.chmod(p, mode);
  };
}

/** mkdir -p, then chmod (continuity's CreateDir). */
export function createDir(name: string, mode: number): Applier {
  return async (root) => {
    const p = join(root, name);
    await fsp.mkdir(p, { recursive: true, mode });
    await fsp.chmod(p, mode);
  };
}

/** rm -rf; a missing path is fine (os.RemoveAll). */
export const removeAll =
  (name: string): Applier =>
  (root) =>
    fsp.rm(join(root, name), { recursive: true, force: true });

export const rename =
  (from: string, to: string): Applier =>
  (root) =>
    fsp.rename(join(root, from), join(root, to));

/** Symlink at `name` pointing to `target` (kept verbatim, not resolved against the root). */
export const symlink =
  (target: string, name: string): Applier =>
  (root) =>
    fsp.symlink(target, join(root, name));

/** Hard link `newName` to the existing `existing`. */
export const link =
  (existing: string, newName: string): Applier =>
  (root) =>
    fsp.link(join(root, existing), join(root, newName));

export const chmod =
  (name: string, mode: number): Applier =>
  (root) =>
    fsp.chmod(join(root, name), mode);

export const chown =
  (name: string, uid: number, gid: number): Applier =>
  (root) =>
    fsp.lchown(join(root, name), uid, gid);

/** Runs appliers in order; the result is itself an applier (fstest.Apply). */
export function apply(...appliers: Applier[]): Applier {
  return async (root) => {
    for (const a of appliers) await a(root);
  };
}

export interface Entry {
  type: 'file' | 'dir' | 'symlink' | 'other';
  /** Permission bits incl. setuid/setgid/sticky; 0 for symlinks (their mode means nothing). */
  mode: number;
  uid: number;
  gid: number;
  content?: Buffer;
  target?: string;
  /** For a file with several links: every path of the group inside the tree, sorted. */
  links?: string;
}

/** Every entry below `root` (not the root itself), keyed by "/relative/path". */
export async function readTree(root: string): Promise<Map<string, Entry>> {
  const tree = new Map<string, Entry>();
  const byInode = new Map<bigint, string[]>();
  async function walk(rel: string): Promise<void> {
    for (const name of (await fsp.readdir(join(root, rel))).sort()) {
      const path = `${rel}/${name}`;
      const full = join(root, path);
      const st = await fsp.lstat(full, { bigint: true });
      const mode = Number(st.mode);
      const base = { uid: Number(st.uid), gid: Number(st.gid), mode: mode & 0o7777 };
      if (st.isDirectory()) {
        tree.set(path, { ...base, type: 'dir' });
        await walk(path);
      } else if (st.isSymbolicLink()) {
        tree.set(path, { ...base, type: 'symlink', mode: 0, target: await fsp.readlink(full) });
      } else if (st.isFile()) {
        tree.set(path, { ...base, type: 'file', content: await fsp.readFile(full) });
        if (st.nlink > 1n) byInode.set(st.ino, [...(byInode.get(st.ino) ?? []), path]);
      } else {
        tree.set(path, { ...base, type: 'other' });
      }
    }
  }
  await walk('');
  for (const paths of byInode.values()) {
    const group = [...paths].sort().join(' = ');
    for (const p of paths) tree.get(p)!.links = group;
  }
  return tree;
}

const octal = (n: number) => `0${n.toString(8)}`;
const preview = (b: Buffer | undefined) =>
  b === undefined ? '-' : JSON.stringify(b.length > 40 ? `${b.subarray(0, 40).toString()}…` : b.toString());

/** Human-readable differences between two trees; empty when they are equal. */
export function diffTrees(expected: Map<string, Entry>, actual: Map<string, Entry>): string[] {
  const out: string[] = [];
  for (const [path, e] of expected) {
    const a = actual.get(path);
    if (!a) {
      out.push(`missing ${e.type} ${path}`);
      continue;
    }
    if (a.type !== e.type) out.push(`${path}: type ${a.type}, expected ${e.type}`);
    if (a.mode !== e.mode) out.push(`${path}: mode ${octal(a.mode)}, expected ${octal(e.mode)}`);
    if (a.uid !== e.uid || a.gid !== e.gid) out.push(`${path}: owner ${a.uid}:${a.gid}, expected ${e.uid}:${e.gid}`);
    if (e.content && a.content && !a.content.equals(e.content))
      out.push(`${path}: content ${preview(a.content)}, expected ${preview(e.content)}`);
    if (a.target !== e.target) out.push(`${path}: symlink to ${a.target}, expected ${e.target}`);
    if (a.links !== e.links) out.push(`${path}: hard links [${a.links ?? ''}], expected [${e.links ?? ''}]`);
  }
  for (const [path, a] of actual) if (!expected.has(path)) out.push(`unexpected ${a.type} ${path}`);
  return out;
}

/** Throws, listing every difference, unless `actualDir` holds the same tree as `expectedDir`. */
export async function checkDirectoryEqual(expectedDir: string, actualDir: string): Promise<void> {
  const diff = diffTrees(await readTree(expectedDir), await readTree(actualDir));
  if (diff.length > 0) {
    throw new Error(`directory ${actualDir} differs from ${expectedDir}:\n  ${diff.join('\n  ')}`);
  }
}

/**
 * Applies `applier` to a fresh directory made under `scratch` and checks `actualDir` equals
 * it (fstest.CheckDirectoryEqualWithApplier): the expected tree is built by the real file
 * system, so modes and links mean the same on both sides.
 */
export async function checkDirectoryEqualWithApplier(
  actualDir: string,
  applier: Applier,
  scratch: string,
): Promise<void> {
  const expected = await fsp.mkdtemp(join(scratch, 'expected-'));
  try {
    await applier(expected);
    await checkDirectoryEqual(expected, actualDir);
  } finally {
    await fsp.rm(expected, { recursive: true, force: true });
  }
}
