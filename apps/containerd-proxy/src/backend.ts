// The fleet behind the proxy: snapfleet's HTTP API through @snapfleet/client, bound to this
// proxy's host and to each call's namespace. Every mutation waits for its job, so a gRPC
// call returns when the snapshot operation has taken effect on the host.
import { SnapfleetClient, namespacedHttpClient } from '@snapfleet/client';
import type { SnapshotterClient } from '@snapfleet/contracts';

/** The fleet as seen from one namespace. */
export type Backend = (namespace: string) => SnapshotterClient;

export interface FleetBackendOptions {
  apiUrl: string;
  apiToken?: string;
  hostId: string;
  jobTimeoutMs: number;
}

export function fleetBackend(opts: FleetBackendOptions): Backend {
  const client = new SnapfleetClient({
    baseUrl: opts.apiUrl,
    ...(opts.apiToken === undefined ? {} : { token: opts.apiToken }),
    userAgent: 'snapfleet-containerd-proxy/1',
  });
  // Binding is a handful of closures: cheaper than a cache keyed by untrusted namespaces.
  return (namespace) => namespacedHttpClient(client, { host: opts.hostId, namespace, jobTimeoutMs: opts.jobTimeoutMs });
}
