// Distributed locks on Redis for snapfleet's workers: leases over one or more resources,
// extended while held, released safely (only by their owner), each carrying a fencing
// token — a number that grows with every acquisition on the resources' host (one counter
// per host, see resources.ts) — which the metadata store checks so a holder that lost its
// lease cannot write.

export interface LockLease {
  /** Fencing token of this acquisition: larger than every token handed out before it on the same host. */
  readonly token: bigint;
  readonly resources: readonly string[];
  /** Aborted when the lease is lost (an extension failed: the TTL ran out first). */
  readonly signal: AbortSignal;
  /** Releases the lease if this owner still holds it; never throws. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** Lease time-to-live; extended automatically while held. */
  ttlMs?: number;
  /** How long to keep trying before giving up with `unavailable`. */
  waitMs?: number;
}

export interface LockService {
  /** All-or-nothing acquisition of every resource (no partial holds, no lock-order deadlock). */
  acquire(resources: readonly string[], opts?: AcquireOptions): Promise<LockLease>;
  /** acquire → fn(lease) → release, also when fn throws. */
  using<T>(resources: readonly string[], fn: (lease: LockLease) => Promise<T>, opts?: AcquireOptions): Promise<T>;
  close(): Promise<void>;
}
