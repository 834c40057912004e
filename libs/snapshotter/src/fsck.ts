// The consistency check of one host: every metadata row against its subvolume (present, a
// subvolume, read-only exactly when containerd's kind says so, the recorded subvolume id)
// and every subvolume in the layout against the rows; and each row's copy of its parent's key
// against the parent. Read-only: it reports, cleanup repairs
// orphans. Run after the host's background deletes have settled, or they show as orphans.
import { readdir, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { KIND_DIRS, subvolumePath, type FsckIssue, type FsckReport, type Kind } from '@snapfleet/contracts';
import { isBtrfsError, type BtrfsBackend } from '@snapfleet/btrfs';
import type { MetaStore } from '@snapfleet/metastore';

export async function fsckHost(hostId: string, root: string, btrfs: BtrfsBackend, store: MetaStore): Promise<FsckReport> {
  const rows = await store.hostRows(hostId);
  const issues: FsckIssue[] = [];
  const expected = new Set<string>();
  for (const row of rows) {
    const path = subvolumePath(root, row.kind, row.id);
    expected.add(path);
    const found = await checkRow(btrfs, path, row);
    if (found) issues.push(found);
  }
  for (const m of await store.parentKeyMismatches(hostId)) {
    issues.push({
      kind: 'parent-key-mismatch',
      id: m.id,
      namespace: m.namespace,
      key: m.key,
      detail: `row names parent ${JSON.stringify(m.copied)}, the parent's key is ${JSON.stringify(m.actual)}`,
    });
  }
  let subvolumes = 0;
  for (const dir of Object.values(KIND_DIRS)) {
    for (const name of await readdir(join(root, dir)).catch(() => [] as string[])) {
      const path = join(root, dir, name);
      const st = await lstat(path).catch(() => undefined);
      if (!st?.isDirectory() || st.ino !== 256) continue;
      subvolumes++;
      if (!expected.has(path)) issues.push({ kind: 'orphan-subvolume', path, detail: 'subvolume without a metadata row (cleanup removes it)' });
    }
  }
  return { host: hostId, rows: rows.length, subvolumes, issues, checkedAt: new Date().toISOString() };
}

async function checkRow(
  btrfs: BtrfsBackend,
  path: string,
  row: { id: number; kind: Kind; namespace: string; key: string; subvolumeId: number | null },
): Promise<FsckIssue | undefined> {
  const where = { path, id: row.id, namespace: row.namespace, key: row.key };
  let info;
  try {
    info = await btrfs.subvolumeInfo(path);
  } catch (err) {
    if (isBtrfsError(err) && err.code === 'ENOENT') return { kind: 'missing-subvolume', ...where, detail: `${row.kind} snapshot has no subvolume` };
    if (isBtrfsError(err) && err.code === 'EINVAL') return { kind: 'not-a-subvolume', ...where, detail: 'the path exists but is not a subvolume' };
    throw err;
  }
  const wantReadonly = row.kind !== 'active';
  if (info.readonly !== wantReadonly) {
    return { kind: 'wrong-readonly-flag', ...where, detail: `${row.kind} snapshot is ${info.readonly ? 'read-only' : 'writable'}` };
  }
  if (row.subvolumeId !== info.id) {
    return { kind: 'subvolume-id-mismatch', ...where, detail: `row says subvolid=${row.subvolumeId}, disk has ${info.id}` };
  }
  return undefined;
}
