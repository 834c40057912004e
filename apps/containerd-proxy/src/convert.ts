// Translation between containerd's wire messages (as @grpc/proto-loader hands them over with
// LOADER_OPTIONS) and snapfleet's contracts: Info ↔ SnapshotInfo, Kind enum, Timestamps,
// Mounts. Pure functions, so the mapping is tested without a server.
import { invalidArgument, type Kind, type Labels, type Mount, type SnapshotInfo } from '@snapfleet/contracts';

/** containerd.services.snapshots.v1.Kind: names as loaded (enums: String), numbers as on the wire. */
export const WIRE_KIND = { UNKNOWN: 0, VIEW: 1, ACTIVE: 2, COMMITTED: 3 } as const;
export type WireKindName = keyof typeof WIRE_KIND;

const TO_WIRE_KIND: Record<Kind, WireKindName> = { view: 'VIEW', active: 'ACTIVE', committed: 'COMMITTED' };

export interface WireTimestamp {
  seconds: number;
  nanos: number;
}

export interface WireInfo {
  name: string;
  parent: string;
  kind: WireKindName | number;
  created_at: WireTimestamp | null;
  updated_at: WireTimestamp | null;
  labels: Labels;
}

export interface WireMount {
  type: string;
  source: string;
  target: string;
  options: string[];
}

export function toWireKind(kind: Kind): WireKindName {
  return TO_WIRE_KIND[kind];
}

/** Like containerd's toKind: ACTIVE and VIEW are themselves, anything else reads as committed. */
export function fromWireKind(kind: WireKindName | number): Kind {
  if (kind === 'ACTIVE' || kind === WIRE_KIND.ACTIVE) return 'active';
  if (kind === 'VIEW' || kind === WIRE_KIND.VIEW) return 'view';
  return 'committed';
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i;

/** An RFC 3339 time (as the API answers) as a google.protobuf.Timestamp, nanoseconds kept. */
export function toTimestamp(text: string): WireTimestamp {
  const m = RFC3339.exec(text);
  const whole = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(whole)) throw new Error(`the API answered a time that is not RFC 3339: ${JSON.stringify(text)}`);
  return { seconds: Math.floor(whole / 1000), nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

/** A google.protobuf.Timestamp as RFC 3339 with nanoseconds (trailing zeros dropped). */
export function fromTimestamp(ts: WireTimestamp | null | undefined): string | undefined {
  if (!ts) return undefined;
  const seconds = Number(ts.seconds);
  const base = new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, '');
  const frac = ts.nanos > 0 ? `.${String(ts.nanos).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${base}${frac}Z`;
}

export function toWireInfo(info: SnapshotInfo): WireInfo {
  return {
    name: info.name,
    parent: info.parent ?? '',
    kind: toWireKind(info.kind),
    created_at: toTimestamp(info.created),
    updated_at: toTimestamp(info.updated),
    labels: info.labels,
  };
}

/** What a test client or benchmark reads back from a wire Info. */
export function fromWireInfo(info: WireInfo): SnapshotInfo {
  const epoch = '1970-01-01T00:00:00Z';
  return {
    name: info.name,
    ...(info.parent === '' ? {} : { parent: info.parent }),
    kind: fromWireKind(info.kind),
    labels: { ...info.labels },
    created: fromTimestamp(info.created_at) ?? epoch,
    updated: fromTimestamp(info.updated_at) ?? epoch,
  };
}

export function toWireMounts(mounts: readonly Mount[]): WireMount[] {
  return mounts.map((m) => ({ type: m.type, source: m.source, target: m.target ?? '', options: [...m.options] }));
}

export function fromWireMounts(mounts: readonly WireMount[]): Mount[] {
  return mounts.map((m) => ({ type: m.type, source: m.source, ...(m.target ? { target: m.target } : {}), options: [...m.options] }));
}

/** containerd sends "" for "no parent"; the fleet wants it absent. */
export function optionalParent(parent: string): string | undefined {
  return parent === '' ? undefined : parent;
}

/** A request's key: proto3 has no "absent", so "" is the only way a client can omit it. */
export function requireKey(value: string, field: string): string {
  if (value === '') throw invalidArgument(`${field} must not be empty`);
  return value;
}
