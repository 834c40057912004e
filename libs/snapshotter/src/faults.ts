// Fault injection points of the transaction pattern. Tests use them to fail or kill the
// process between the metadata write, the btrfs op and the commit; production passes none.
import type { OpName } from '@snapfleet/contracts';
import type { MetaTransaction } from '@snapfleet/metastore';

export type FaultPoint =
  /** Metadata written, btrfs not touched yet. */
  | 'after-metadata'
  /** btrfs op done, transaction not committed yet. */
  | 'before-commit'
  /** Transaction committed, post-commit btrfs cleanup (deleting the old subvolume) not done. */
  | 'after-commit';

export type FaultHook = (point: FaultPoint, op: OpName, tx?: MetaTransaction) => void | Promise<void>;
