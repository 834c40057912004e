// The bench's in-process cycles with a pause before each op (bench/fleet.ts): benchmarks.md
// subtracts their latency from the serial HTTP latency as the machine's charge for waking an
// idle MariaDB and btrfs, so the pause must really happen and must stay out of the timings.
// Real btrfs pool and real MariaDB (test/support/snapshotter).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshotter } from '@snapfleet/snapshotter';
import { inProcessCycle } from '../../bench/fleet';
import { makeHarness, type Harness } from '../support/snapshotter';

const CYCLES = 4;
const PAUSE_MS = 40;

describe('bench in-process cycles with pauses', () => {
  let h: Harness;
  let s: Snapshotter;

  beforeAll(async () => {
    h = await makeHarness({ label: 'benchpause' });
    s = await h.host();
  });
  afterAll(async () => {
    await s?.settled();
    await h?.dispose();
  });

  it('pauses before each op, outside the op timings, and leaves no snapshot behind', async () => {
    const run = await inProcessCycle(s, 'paused', CYCLES, 1, { pauseMs: PAUSE_MS });
    const timings = [...run.latencies.prepare, ...run.latencies.commit, ...run.latencies.remove];
    expect(timings).toHaveLength(3 * CYCLES);
    const timed = timings.reduce((a, b) => a + b, 0);
    // One at a time: the wall time holds every op and every pause. Timed pauses would make
    // the ops' sum alone reach the pauses' total, and this sum would exceed the wall time.
    expect(timed + 3 * CYCLES * PAUSE_MS).toBeLessThanOrEqual(run.stats.seconds * 1000 + 1);
    expect((await s.walk('bench')).snapshots).toEqual([]);
  });
});
