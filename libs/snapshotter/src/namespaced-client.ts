// containerd's Snapshotter interface over the in-process snapshotter for one namespace:
// the shape the conformance suite and embedding programs use.
import type { CreateOptions, SnapshotInfo, SnapshotterClient } from '@snapfleet/contracts';
import type { Snapshotter } from './snapshotter';

export function namespacedClient(s: Snapshotter, namespace: string): SnapshotterClient {
  const labels = (opts?: CreateOptions) => (opts?.labels === undefined ? {} : { labels: opts.labels });
  const parentOf = (parent?: string) => (parent === undefined || parent === '' ? {} : { parent });
  return {
    prepare: (key, parent, opts) => s.prepare({ namespace, key, ...parentOf(parent), ...labels(opts) }),
    view: (key, parent, opts) => s.view({ namespace, key, ...parentOf(parent), ...labels(opts) }),
    commit: async (name, key, opts) => (await s.commit({ namespace, name, key, ...labels(opts) })).info,
    remove: async (key) => {
      await s.remove({ namespace, key });
    },
    stat: (key) => s.stat({ namespace, key }),
    update: async (info, ...fieldpaths) =>
      (await s.update({ namespace, key: info.name, labels: info.labels ?? {}, fieldpaths })).info,
    usage: (key) => s.usage({ namespace, key }),
    mounts: (key) => s.mounts({ namespace, key }),
    walk: (...filters) => walkAll(s, namespace, filters),
    cleanup: () => s.cleanup(),
  };
}

async function* walkAll(s: Snapshotter, namespace: string, filters: string[]): AsyncIterable<SnapshotInfo> {
  let after: string | undefined;
  do {
    const page = await s.walk(namespace, filters, { limit: 1000, ...(after === undefined ? {} : { after }) });
    yield* page.snapshots;
    after = page.next;
  } while (after !== undefined);
}
