import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the time until the next token, per id', () => {
    let t = 0;
    const rl = new RateLimiter(2, 3, () => t);
    expect([1, 2, 3].map(() => rl.take('a').allowed)).toEqual([true, true, true]);
    expect(rl.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(rl.take('b').allowed).toBe(true);
    t += 500; // one token back at 2/s
    expect(rl.take('a').allowed).toBe(true);
    expect(rl.take('a').allowed).toBe(false);
  });

  it('rounds Retry-After up to whole seconds for slow rates', () => {
    let t = 0;
    const rl = new RateLimiter(0.25, 1, () => t);
    expect(rl.take('a').allowed).toBe(true);
    expect(rl.take('a')).toEqual({ allowed: false, retryAfterSeconds: 4 });
    t += 4000;
    expect(rl.take('a').allowed).toBe(true);
  });

  it('is off at rate 0', () => {
    const rl = new RateLimiter(0, 1);
    expect(Array.from({ length: 100 }, () => rl.take('a').allowed).every(Boolean)).toBe(true);
  });
});
