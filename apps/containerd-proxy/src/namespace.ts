// Which containerd namespace a call is in: the gRPC metadata key `containerd-namespace` when
// the caller sends it (direct clients, containerd code paths that set it), else `default`.
// containerd itself usually sends none on relayed calls: its metadata layer namespaces the
// backend keys instead (`<ns>/<seq>/<key>`), so all of a containerd's snapshots land in one
// fleet namespace.
import type { Metadata } from '@grpc/grpc-js';
import { DEFAULT_NAMESPACE, NamespaceSchema, invalidArgument } from '@snapfleet/contracts';

export const NAMESPACE_HEADER = 'containerd-namespace';

export interface CallNamespace {
  namespace: string;
  /** Whether the caller named it (for logs: relayed containerd calls usually do not). */
  fromHeader: boolean;
}

export function namespaceOf(md: Metadata): CallNamespace {
  // containerd's fromGRPCHeader reads the first value; later ones are older contexts'.
  const first = md.get(NAMESPACE_HEADER)[0];
  const value = typeof first === 'string' ? first : first?.toString('utf8');
  if (value === undefined || value === '') return { namespace: DEFAULT_NAMESPACE, fromHeader: false };
  const r = NamespaceSchema.safeParse(value);
  if (!r.success) {
    throw invalidArgument(`${NAMESPACE_HEADER} ${JSON.stringify(value.slice(0, 80))}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  }
  return { namespace: r.data, fromHeader: true };
}
