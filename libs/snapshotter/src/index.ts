// @snapfleet/snapshotter: containerd's snapshotter semantics over btrfs + MySQL metadata,
// usable in-process (bench, tests, the host worker).
export * from './snapshotter';
export * from './namespaced-client';
export * from './faults';
export * from './btrfs-errors';
export * from './keys';
export * from './deferred-deletes';
export * from './fsck';
