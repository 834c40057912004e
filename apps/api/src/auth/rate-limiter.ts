// Per-token rate limit: a token bucket per principal in this API process (N replicas allow
// N times the rate; see docs/decisions.md). Refill is continuous; a refused request learns
// when a token will be there (Retry-After, whole seconds, at least 1).
export interface RateDecision {
  allowed: boolean;
  /** Seconds until the next request would be allowed (only when refused). */
  retryAfterSeconds?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets idle this long are full again anyway: forgetting them loses nothing. */
const IDLE_MS = 60_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get enabled(): boolean {
    return this.perSecond > 0;
  }

  take(id: string): RateDecision {
    if (!this.enabled) return { allowed: true };
    const now = this.now();
    this.sweep(now);
    const b = this.buckets.get(id) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    this.buckets.set(id, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond)) };
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < IDLE_MS) return;
    this.lastSweep = now;
    for (const [id, b] of this.buckets) if (now - b.at > IDLE_MS) this.buckets.delete(id);
  }
}
