// How snapfleet's objects look in human output (tables and field blocks). --json prints the
// API's answers instead, untouched.
import type { HostView, JobView, Mount, SnapshotInfo, Usage } from '@snapfleet/contracts';
import { printable } from './printable';
import { renderFields, renderTable } from './table';
import { formatAge, formatBytes } from './units';

const mountLine = (m: Mount) => [m.type, m.source, m.target ?? '', m.options.join(',')].filter((x) => x !== '').join(' ');
const labelLines = (labels: Record<string, string>): [string, string][] =>
  Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => ['label', `${printable(k)}=${printable(v)}`]);

export function infoFields(info: SnapshotInfo): [string, string][] {
  return [
    ['name', printable(info.name)],
    ['kind', info.kind],
    ['parent', info.parent === undefined ? '-' : printable(info.parent)],
    ['created', info.created],
    ['updated', info.updated],
    ...labelLines(info.labels),
  ];
}

export function renderInfo(info: SnapshotInfo): string {
  return renderFields(infoFields(info));
}

/** prepare/view: the new snapshot, where it lives on its host and how to mount it. */
export function renderCreated(r: { info: SnapshotInfo; mounts: Mount[]; path: string }): string {
  return renderFields([...infoFields(r.info), ['path', r.path], ...r.mounts.map((m): [string, string] => ['mount', mountLine(m)])]);
}

export function renderMounts(mounts: readonly Mount[]): string {
  return renderTable(
    ['TYPE', 'SOURCE', 'OPTIONS'],
    mounts.map((m) => [m.type, m.source, m.options.join(',')]),
  );
}

export function renderSnapshotList(snapshots: readonly SnapshotInfo[]): string {
  return renderTable(
    ['KEY', 'PARENT', 'KIND'],
    snapshots.map((s) => [printable(s.name), s.parent === undefined ? '' : printable(s.parent), s.kind]),
  );
}

export function renderUsage(key: string, u: Usage): string {
  return renderTable(['KEY', 'SIZE', 'INODES'], [[printable(key), `${formatBytes(u.size)} (${u.size} bytes)`, String(u.inodes)]]);
}

const usedPercent = (h: HostView) => (h.sizeBytes > 0 ? `${Math.round(((h.sizeBytes - h.freeBytes) / h.sizeBytes) * 100)}%` : '-');

export function renderHosts(hosts: readonly HostView[], now = Date.now()): string {
  return renderTable(
    ['HOST', 'STATUS', 'FREE', 'SIZE', 'USED', 'WORKERS', 'HEARTBEAT', 'VERSION'],
    hosts.map((h) => [
      h.id,
      h.draining ? `${h.status} (draining)` : h.status,
      formatBytes(h.freeBytes),
      formatBytes(h.sizeBytes),
      usedPercent(h),
      String(h.workers),
      formatAge(h.heartbeatAt, now),
      h.version,
    ]),
  );
}

export function renderHost(h: HostView, now = Date.now()): string {
  return renderFields([
    ['host', h.id],
    ['status', h.status],
    ['draining', String(h.draining)],
    ['workers', String(h.workers)],
    ['heartbeat', `${formatAge(h.heartbeatAt, now)}${h.heartbeatAt ? ` (${h.heartbeatAt})` : ''}`],
    ['free', `${formatBytes(h.freeBytes)} of ${formatBytes(h.sizeBytes)} (${usedPercent(h)} used)`],
    ['root', h.root],
    ['device', h.device],
    ['fsid', h.fsid],
    ['version', h.version],
    ['registered', h.registeredAt],
  ]);
}

export function renderJob(j: JobView): string {
  return renderFields([
    ['job', j.id],
    ['host', j.host],
    ['op', j.op],
    ['state', j.state],
    ...(j.progress === undefined ? [] : [['progress', `${Math.round(j.progress)}%`] as [string, string]]),
    ['attempts', String(j.attempts)],
    ['created', j.createdAt],
    ...(j.startedAt === undefined ? [] : [['started', j.startedAt] as [string, string]]),
    ...(j.finishedAt === undefined ? [] : [['finished', j.finishedAt] as [string, string]]),
    ...(j.error === undefined ? [] : [['error', `${j.error.code}: ${printable(j.error.message)}`] as [string, string]]),
    ...(j.result === undefined ? [] : [['result', printable(JSON.stringify(j.result))] as [string, string]]),
  ]);
}
