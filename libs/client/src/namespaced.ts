// containerd's Snapshotter interface over the HTTP API for one host and namespace, with the
// semantics of the in-process namespacedClient (libs/snapshotter): every call returns once
// the operation has finished, so the conformance suite runs unchanged against the HTTP front.
import {
  DEFAULT_NAMESPACE,
  type CreateOptions,
  type JobView,
  type SnapshotInfo,
  type SnapshotterClient,
} from '@snapfleet/contracts';
import type { SnapfleetClient } from './client';
import type { CompletionOptions } from './types';

export interface NamespacedHttpOptions {
  host: string;
  /** containerd namespace; `default` when not given. */
  namespace?: string;
  /** Longest a call waits for its job after a 202 (ms, client default 10 minutes). */
  jobTimeoutMs?: number;
  /** `always` queues work for a host that is down instead of failing with unavailable. */
  queue?: 'always' | 'if-up';
  onProgress?: (job: JobView) => void;
}

export function namespacedHttpClient(client: SnapfleetClient, opts: NamespacedHttpOptions): SnapshotterClient {
  const { host } = opts;
  const ns = opts.namespace ?? DEFAULT_NAMESPACE;
  const wait: CompletionOptions = {
    ...(opts.jobTimeoutMs === undefined ? {} : { jobTimeoutMs: opts.jobTimeoutMs }),
    ...(opts.queue === undefined ? {} : { queue: opts.queue }),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  };
  const labels = (o?: CreateOptions) => (o?.labels === undefined ? {} : { labels: o.labels });
  // containerd passes "" for "no parent".
  const parentOf = (parent?: string) => (parent === undefined || parent === '' ? {} : { parent });
  return {
    prepare: (key, parent, o) => client.createSnapshotAndWait(ns, host, { key, kind: 'active', ...parentOf(parent), ...labels(o) }, wait),
    view: (key, parent, o) => client.createSnapshotAndWait(ns, host, { key, kind: 'view', ...parentOf(parent), ...labels(o) }, wait),
    commit: async (name, key, o) => (await client.commitSnapshotAndWait(ns, host, key, { name, ...labels(o) }, wait)).info,
    remove: (key) => client.removeSnapshotAndWait(ns, host, key, wait),
    stat: (key) => client.statSnapshot(ns, host, key),
    update: (info, ...fieldpaths) => client.updateSnapshotAndWait(ns, host, info.name, { labels: info.labels ?? {}, fieldpaths }, wait),
    usage: (key) => client.snapshotUsage(ns, host, key, wait),
    mounts: (key) => client.snapshotMounts(ns, host, key),
    walk: (...filters): AsyncIterable<SnapshotInfo> => client.walkAll(ns, host, filters),
    cleanup: () => client.cleanupHostAndWait(host, wait),
  };
}
