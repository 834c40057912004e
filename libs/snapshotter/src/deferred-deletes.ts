// Deletion of subvolumes whose rows are already gone (the active after a commit, a removed
// snapshot), off the op's critical path. The metadata commit is what makes an op take
// effect; the delete is garbage collection, as btrfs's own cleaner is for the trees. Under
// concurrency a subvolume delete waits behind every snapshot's transaction commit, so
// running it in the background takes that wait out of the op's latency. Bounded: past
// `limit` pending deletes, scheduling waits for a slot. Cleanup and shutdown drain first.
import type { BtrfsBackend } from '@snapfleet/btrfs';
import type { Logger } from '@snapfleet/contracts';

export class DeferredDeletes {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly btrfs: BtrfsBackend,
    private readonly log: Logger,
    private readonly hostId: string,
    private readonly limit = 64,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Starts deleting `path`; resolves once it is started (or a slot is free). Never rejects. */
  async schedule(path: string, why: string): Promise<void> {
    while (this.pending.size >= this.limit) await Promise.race(this.pending);
    const p = this.btrfs
      .deleteSubvolume(path)
      .catch((err: unknown) => {
        // Left for cleanup, which finds every subvolume without a row.
        this.log.warn({ host: this.hostId, path, why, err: String(err) }, 'subvolume left for cleanup');
      })
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Waits until every delete scheduled so far has finished. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
