// The request and response shapes of containerd.services.snapshots.v1.Snapshots as JS
// objects under LOADER_OPTIONS (keepCase, defaults: every field present, "" / [] / {} / null).
import type { Labels } from '@snapfleet/contracts';
import type { WireInfo, WireMount } from './convert';

export interface CreateRequest {
  snapshotter: string;
  key: string;
  parent: string;
  labels: Labels;
}
export type PrepareSnapshotRequest = CreateRequest;
export type ViewSnapshotRequest = CreateRequest;

export interface KeyRequest {
  snapshotter: string;
  key: string;
}
export type MountsRequest = KeyRequest;
export type RemoveSnapshotRequest = KeyRequest;
export type StatSnapshotRequest = KeyRequest;
export type UsageRequest = KeyRequest;

export interface CommitSnapshotRequest {
  snapshotter: string;
  name: string;
  key: string;
  labels: Labels;
}

export interface UpdateSnapshotRequest {
  snapshotter: string;
  info: WireInfo | null;
  update_mask: { paths: string[] } | null;
}

export interface ListSnapshotsRequest {
  snapshotter: string;
  filters: string[];
}

export interface CleanupRequest {
  snapshotter: string;
}

export interface MountsResponse {
  mounts: WireMount[];
}
export interface InfoResponse {
  info: WireInfo;
}
export interface ListSnapshotsResponse {
  info: WireInfo[];
}
export interface UsageResponse {
  size: number;
  inodes: number;
}
export type Empty = Record<string, never>;
