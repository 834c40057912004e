// @snapfleet/metastore: snapshot metadata on MySQL/MariaDB — containerd's snapshots/storage
// semantics with SQL constraints and migrations. Knows nothing of btrfs.
export * from './data-source';
export * from './entities';
export * from './host-store';
export * from './meta-store';
export * from './meta-transaction';
export * from './migrations';
export { isoTime, keyHash } from './rows';
export * from './read-pool';
export * from './sql-errors';
export * from './token-store';
