// The conformance suite through the HTTP front: a real API process and a real worker on a
// real pool, driven through @snapfleet/client's containerd-shaped adapter. One fleet for the
// file; each test gets its own namespace.
import { afterAll } from 'vitest';
import { SnapfleetClient, namespacedHttpClient } from '@snapfleet/client';
import { startFleet, type Fleet } from '../support/fleet';
import { describeConformance } from './suite';

let fleet: Promise<Fleet> | undefined;
let counter = 0;

afterAll(async () => {
  await fleet?.then(
    (f) => f.dispose(),
    () => undefined,
  );
});

describeConformance('http front', {
  async make() {
    fleet ??= startFleet({ label: 'conf', hosts: 1, apis: 1 });
    const f = await fleet;
    const api = f.apis[0];
    const host = f.hosts[0];
    if (!api || !host) throw new Error('fleet without api or host');
    const client = new SnapfleetClient({ baseUrl: api.url });
    return { client: namespacedHttpClient(client, { host: host.id, namespace: `conf${++counter}` }), dispose: async () => undefined };
  },
});
