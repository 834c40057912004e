// The conformance target for the in-process snapshotter (libs/snapshotter) on a real btrfs
// pool and a real MariaDB: one harness per test file, a fresh host root per test, and
// containerd's testsuite namespace.
import { afterAll } from 'vitest';
import { namespacedClient } from '@snapfleet/snapshotter';
import { makeHarness, type Harness } from '../support/snapshotter';
import type { ConformanceTarget } from './suite';

export function inProcessTarget(backend: 'native' | 'progs'): ConformanceTarget {
  let harness: Promise<Harness> | undefined;
  afterAll(async () => {
    await harness?.then(
      (h) => h.dispose(),
      () => undefined, // a failed set-up already failed every test
    );
  });
  return {
    async make() {
      harness ??= makeHarness({ backend, label: `conformance-${backend}` });
      const host = await (await harness).host();
      // Hosts share the harness's pool and database; the whole pool goes in afterAll.
      return { client: namespacedClient(host, 'testsuite'), dispose: async () => undefined };
    },
  };
}
