// Which keys an op writes: the worker locks exactly these in Redis, and the metastore checks
// the lock's fencing token on exactly these. The parent a prepare reads is not locked — the
// metadata store holds it with a shared row lock until the child commits, which keeps a
// remove of the parent out without serializing every sibling prepare of a shared base.
import type { OpName, OpPayload } from '@snapfleet/contracts';

export interface Fenced {
  namespace: string;
  keys: string[];
}

export function fencedKeys<N extends OpName>(op: N, payload: OpPayload<N>): Fenced {
  const p = payload as { namespace?: string; key?: string; name?: string };
  const namespace = p.namespace ?? '';
  switch (op) {
    case 'commit':
      return { namespace, keys: [p.key ?? '', p.name ?? ''] };
    case 'prepare':
    case 'view':
    case 'remove':
    case 'update':
      return { namespace, keys: [p.key ?? ''] };
    default:
      return { namespace, keys: [] };
  }
}
