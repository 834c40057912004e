// Distributed locks on Redis for snapfleet's workers: leases over one or more resources,
// extended while held, released safely (only by their owner), each carrying a fencing
// token — a number that grows with every acquisition on the resources' host (one counter
// per host, see resources.ts) — which the metadata store checks so a holder that lost its
// lease cannot write.

export interface LockLease {
  /** Fencing token of this acquisition: larger than every token handed out before it on the same host. */
  readonly token: bigint;
  /**
   * An earlier holder of one of these resources may still write: its lease ended without a
   * settled release (it expired, its holder crashed, or it never registered its token), or
   * Redis lost that record. Register this token with the fenced store before writing. False
   * when every earlier holder settled.
   */
  readonly staleHolderPossible: boolean;
  readonly resources: readonly string[];
  /** Aborted when the lease is lost (an extension failed: the TTL ran out first). */
  readonly signal: AbortSignal;
  /** Releases the lease if this owner still holds it; never throws. */
  release(opts?: ReleaseOptions): Promise<void>;
}

export interface ReleaseOptions {
  /**
   * The holder will write no more, and no earlier holder can write after it: either
   * `staleHolderPossible` was false, or this token was registered with the fenced store. A
   * settled release clears this lease's holder markers, so the next holder need not register.
   * Default false: the markers stay, and the next holder registers.
   */
  settled?: boolean;
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
