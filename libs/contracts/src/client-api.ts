// containerd's Snapshotter interface bound to one host and namespace. The in-process
// snapshotter, the HTTP client and the gRPC proxy all offer it, and the conformance suite
// (test/conformance) runs against each of them.
import type { CleanupResult, CreateResult } from './ops';
import type { Labels } from './labels';
import type { MountsResult, SnapshotInfo, Usage } from './snapshot';

export interface CreateOptions {
  labels?: Labels;
}

export interface SnapshotterClient {
  prepare(key: string, parent?: string, opts?: CreateOptions): Promise<CreateResult>;
  view(key: string, parent?: string, opts?: CreateOptions): Promise<CreateResult>;
  commit(name: string, key: string, opts?: CreateOptions): Promise<SnapshotInfo>;
  remove(key: string): Promise<void>;
  stat(key: string): Promise<SnapshotInfo>;
  update(info: { name: string; labels?: Labels }, ...fieldpaths: string[]): Promise<SnapshotInfo>;
  usage(key: string): Promise<Usage>;
  mounts(key: string): Promise<MountsResult>;
  walk(...filters: string[]): AsyncIterable<SnapshotInfo>;
  cleanup(): Promise<CleanupResult>;
}
