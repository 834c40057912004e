// Which fleet namespace a call is in: the gRPC metadata key `containerd-namespace` when the
// caller sends it (direct clients, containerd code paths that set it), else the proxy's
// fallback (`default` unless SNAPFLEET_PROXY_NAMESPACE says otherwise). containerd itself
// sends none on relayed calls: its metadata layer namespaces the backend keys instead
// (`<ns>/<seq>/<key>`), so all of a containerd's snapshots land in the fallback namespace —
// and its garbage collector removes every snapshot there that it did not create.
import type { Metadata } from '@grpc/grpc-js';
import { DEFAULT_NAMESPACE, NamespaceSchema, invalidArgument } from '@snapfleet/contracts';

export const NAMESPACE_HEADER = 'containerd-namespace';

export interface CallNamespace {
  namespace: string;
  /** Whether the caller named it (for logs: relayed containerd calls usually do not). */
  fromHeader: boolean;
}

export function namespaceOf(md: Metadata, fallback = DEFAULT_NAMESPACE): CallNamespace {
  // containerd's fromGRPCHeader reads the first value; later ones are older contexts'.
  const first = md.get(NAMESPACE_HEADER)[0];
  const value = typeof first === 'string' ? first : first?.toString('utf8');
  if (value === undefined || value === '') return { namespace: fallback, fromHeader: false };
  const r = NamespaceSchema.safeParse(value);
  if (!r.success) {
    throw invalidArgument(`${NAMESPACE_HEADER} ${JSON.stringify(value.slice(0, 80))}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  }
  return { namespace: r.data, fromHeader: true };
}
