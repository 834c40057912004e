// @snapfleet/locks: Redis leases for the workers — all-or-nothing over one host's resources,
// auto-extended while held, released only by their owner, each with a fencing token that the
// metastore checks (pass `lease.token` as the snapshotter's `ctx.fence`).
export type { AcquireOptions, LockLease, LockService, ReleaseOptions } from './types';
export { RedisLockService, type RedisLockServiceOptions } from './redis-lock-service';
export { hashTagOf, hostLockTag, lockResource } from './resources';
