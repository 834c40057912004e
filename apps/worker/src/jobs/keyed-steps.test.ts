import { describe, expect, it } from 'vitest';
import { runKeyedSteps } from './keyed-steps';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runKeyedSteps', () => {
  it('runs steps on different keys at once and steps on a shared key in order', async () => {
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const keys = [['a'], ['b'], ['a', 'c'], ['c'], ['d']];
    const out = await runKeyedSteps(keys, async (i) => {
      running++;
      most = Math.max(most, running);
      log.push(`start ${i}`);
      await tick(i === 0 ? 30 : 5);
      log.push(`end ${i}`);
      running--;
      return i * 10;
    });
    expect(out.map((o) => (o.status === 'fulfilled' ? o.value : undefined))).toEqual([0, 10, 20, 30, 40]);
    // 2 shares a with 0, 3 shares c with 2: each starts only after the one before it ended.
    expect(log.indexOf('start 2')).toBeGreaterThan(log.indexOf('end 0'));
    expect(log.indexOf('start 3')).toBeGreaterThan(log.indexOf('end 2'));
    // 1 and 4 did not wait for 0.
    expect(log.indexOf('start 1')).toBeLessThan(log.indexOf('end 0'));
    expect(log.indexOf('start 4')).toBeLessThan(log.indexOf('end 0'));
    expect(most).toBeGreaterThanOrEqual(3);
  });

  it('goes on after a failed step and reports each outcome in step order', async () => {
    const order: number[] = [];
    const out = await runKeyedSteps([['k'], ['k'], ['k']], async (i) => {
      order.push(i);
      if (i === 1) throw new Error('step 1 failed');
      return i;
    });
    expect(order).toEqual([0, 1, 2]);
    expect(out.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((out[1] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
  });

  it('reports a step that throws synchronously as rejected', async () => {
    const out = await runKeyedSteps([['x']], () => {
      throw new Error('at once');
    });
    expect(out[0]?.status).toBe('rejected');
  });
});
