// The native addon must never block the event loop: ioctls run on the libuv thread pool.
// If the calls were synchronous, no timer could fire until all of them had returned.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../../test/support/pool';
import { createNativeBackend } from './index';

describe('native backend concurrency', () => {
  let pool: Pool;
  const btrfs = createNativeBackend();

  beforeAll(async () => {
    pool = await createPool({ label: 'btrfs-async' });
  });
  afterAll(async () => {
    await pool?.dispose();
  });

  // Event-loop turns while a batch is in flight, counted by a setImmediate chain. A
  // synchronous addon would finish the whole batch inside the loop that issues it: the
  // promises would settle in the same microtask checkpoint, before any turn.
  async function loopTurnsDuring(batch: () => Array<Promise<void>>): Promise<number> {
    let turns = 0;
    let running = true;
    const spin = () => {
      turns++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    try {
      await Promise.all(batch());
      return turns;
    } finally {
      running = false;
    }
  }

  it('keeps the event loop turning during 50 concurrent create + snapshot chains', async () => {
    // Snapshots commit a transaction each, so the batch lasts long enough to be observed
    // (a batch of bare creates can finish within a single loop turn).
    const turns = await loopTurnsDuring(() =>
      Array.from({ length: 50 }, async (_, i) => {
        await btrfs.createSubvolume(join(pool.dir, `c${i}`));
        await btrfs.snapshot(join(pool.dir, `c${i}`), join(pool.dir, `s${i}`), { readonly: true });
      }),
    );
    expect(turns).toBeGreaterThan(0);
    const infos = await Promise.all(Array.from({ length: 50 }, (_, i) => btrfs.subvolumeInfo(join(pool.dir, `s${i}`))));
    expect(new Set(infos.map((info) => info.id)).size).toBe(50);
  });
});
