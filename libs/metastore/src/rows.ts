// Row shapes read from SQL and their conversion to contracts types. Keys are stored as raw
// UTF-8 bytes and looked up by their SHA-256, so any key of up to 4096 bytes works.
import { createHash } from 'node:crypto';
import type { Kind, Labels, SnapshotInfo } from '@snapfleet/contracts';

export function keyHash(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export interface SnapshotRow {
  id: number;
  kind: Kind;
  skey: Buffer;
  parent_id: number | null;
  parent_key: Buffer | null;
  labels: string;
  /** Date, or the DATETIME's text when read with dateStrings. */
  created_at: Date | string;
  updated_at: Date | string;
  subvolume_id: number | null;
  size_bytes: number | null;
  inodes: number | null;
}

/** Columns of SnapshotRow, for `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots s`. The row carries its parent's key (migration 4). */
export const SNAPSHOT_COLUMNS =
  's.id, s.kind, s.skey, s.parent_id, s.parent_key, s.labels, s.created_at, s.updated_at, ' +
  's.subvolume_id, s.size_bytes, s.inodes';
/** What a walk page needs of a row (toInfo's input and the cursor): fewer columns to decode per row. */
export const WALK_COLUMNS = 's.id, s.kind, s.skey, s.parent_key, s.labels, s.created_at, s.updated_at';
export type WalkRow = Pick<SnapshotRow, 'id' | 'kind' | 'skey' | 'parent_key' | 'labels' | 'created_at' | 'updated_at'>;

export function parseLabels(text: string | object): Labels {
  // Most snapshots carry no labels: skip the parser for them (walk pages decode one per row).
  if (text === '{}') return {};
  const v: unknown = typeof text === 'string' ? JSON.parse(text) : text;
  return v && typeof v === 'object' ? (v as Labels) : {};
}

/**
 * ISO 8601 in UTC with milliseconds, as Date.toISOString writes it, from a Date or from a
 * DATETIME's text (`YYYY-MM-DD HH:MM:SS[.ffffff]`, stored in UTC: the pool's timezone is Z).
 */
export function isoTime(v: Date | string): string {
  if (typeof v !== 'string') return v.toISOString();
  const fraction = v.length > 20 ? `${v.slice(20, 23)}000`.slice(0, 3) : '000';
  return `${v.slice(0, 10)}T${v.slice(11, 19)}.${fraction}Z`;
}

export function toInfo(row: WalkRow): SnapshotInfo {
  const info: SnapshotInfo = {
    name: row.skey.toString('utf8'),
    kind: row.kind,
    labels: parseLabels(row.labels),
    created: isoTime(row.created_at),
    updated: isoTime(row.updated_at),
  };
  if (row.parent_key) info.parent = row.parent_key.toString('utf8');
  return info;
}

/**
 * `JSON.stringify(toInfo(row))`, written straight from the row: a walk page becomes one
 * string instead of a hundred objects stringified again (about a fifth of the API's CPU per
 * page, docs/performance.md). Labels are embedded as stored: the store writes them with
 * JSON.stringify, so their text is what parsing and stringifying them again would give.
 */
export function infoJson(row: WalkRow): string {
  const labels = typeof row.labels === 'string' && row.labels.startsWith('{') ? row.labels : JSON.stringify(parseLabels(row.labels));
  const parent = row.parent_key ? `,"parent":${JSON.stringify(row.parent_key.toString('utf8'))}` : '';
  return (
    `{"name":${JSON.stringify(row.skey.toString('utf8'))},"kind":${JSON.stringify(row.kind)},"labels":${labels},` +
    `"created":"${isoTime(row.created_at)}","updated":"${isoTime(row.updated_at)}"${parent}}`
  );
}

/** Stored labels drop empty values, as containerd's bolt store does. */
export function normalizeLabels(labels: Labels | undefined): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (v !== '') out[k] = v;
  return out;
}
