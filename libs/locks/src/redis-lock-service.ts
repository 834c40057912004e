// LockService on Redis: all-or-nothing leases over resources of one host, each with a fencing
// token, retried with jittered backoff until the caller's wait runs out.
//
// What comes from @sesamecare-oss/redlock and what does not: the library's extension and
// release scripts (compare-and-set / compare-and-delete by owner value) and its Lock
// bookkeeping (drift-corrected local expiry) are used as they are. Acquisition is our own
// script (acquire-script.ts) because the library cannot issue a fencing token atomically with
// the acquisition, and its retry loop counts attempts rather than honouring a deadline and
// cannot tell "held by someone" from "Redis is down" — both matter to the worker.
// Redlock's multi-instance quorum is deliberately not used: one counter cannot fence across
// independent Redis masters; one Redis (or one cluster slot per host) is the design (DESIGN §5).
import { randomBytes } from 'node:crypto';
import { Lock, Redlock } from '@sesamecare-oss/redlock';
import { type Logger, SnapfleetError, silentLogger, toSnapfleetError, unavailable } from '@snapfleet/contracts';
import { Redis } from 'ioredis';
import { acquireOnce, releaseKeys, settleTag, type RedisClient } from './acquire-script';
import { NO_RETRY, RedisLease } from './lease';
import { errorMessage, isPermanentRedisError } from './redis-errors';
import { describeResources, fenceKeyOf, planResources, type ResourcePlan } from './resources';
import type { AcquireOptions, LockLease, LockService } from './types';

export interface RedisLockServiceOptions {
  /** Prepended to every Redis key (resources and fence counters); must not contain `{` or `}`. */
  prefix?: string;
  /** Lease TTL when `acquire` is not given one (ms). Default 10 000. */
  defaultTtlMs?: number;
  /** How long `acquire` keeps trying when not told (ms). Default 30 000. */
  defaultWaitMs?: number;
  /**
   * How long an unsettled holder marker is kept (ms): as long as a paused holder is assumed
   * able to resume and write (the fenced store's own limit on old fence rows). Default 3 600 000.
   */
  markerTtlMs?: number;
  logger?: Logger;
}

// Backoff between tries: exponential from 10 ms, capped at 250 ms, "equal jitter" (half fixed,
// half random) so waiters spread out yet never spin. The cap keeps hand-over latency low: most
// snapshot ops hold their lock for tens of milliseconds.
const BASE_BACKOFF_MS = 10;
const MAX_BACKOFF_MS = 250;
// A single try may outlive the caller's wait by this much when Redis does not answer at all.
const MIN_TRY_BUDGET_MS = 1000;
// Lua and the library want integral TTLs; below this, the extension cadence (TTL/3) is noise.
const MIN_TTL_MS = 30;

export class RedisLockService implements LockService {
  private readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private readonly redlock: Redlock;
  private readonly prefix: string;
  private readonly defaultTtlMs: number;
  private readonly defaultWaitMs: number;
  private readonly markerTtlMs: number;
  private readonly logger: Logger;
  private readonly live = new Set<RedisLease>();
  private closed = false;

  /** `client`: an ioredis client the caller owns (and closes), or a redis:// URL this service owns. */
  constructor(client: RedisClient | string, options: RedisLockServiceOptions = {}) {
    this.prefix = options.prefix ?? '';
    if (/[{}]/.test(this.prefix)) throw new TypeError('RedisLockService: prefix must not contain { or } (it would change the cluster slot)');
    this.defaultTtlMs = checkTtl(options.defaultTtlMs ?? 10_000);
    this.defaultWaitMs = checkWait(options.defaultWaitMs ?? 30_000);
    this.markerTtlMs = checkTtl(options.markerTtlMs ?? 3_600_000);
    this.logger = options.logger ?? silentLogger;
    if (typeof client === 'string') {
      // Commands fail after one reconnect attempt instead of queueing for ~20: acquire retries
      // on its own schedule, and a lease's watchdog needs failures to surface.
      this.client = new Redis(client, { maxRetriesPerRequest: 1 });
      this.client.on('error', (err: Error) => this.logger.debug({ err: err.message }, 'lock service Redis connection error'));
      this.ownsClient = true;
    } else {
      this.client = client;
      this.ownsClient = false;
    }
    // The library's scripts SELECT their db; it must be the one our acquire script wrote to.
    const db = this.client instanceof Redis ? (this.client.options.db ?? 0) : 0;
    this.redlock = new Redlock([this.client], { db, retryCount: 0 });
  }

  async acquire(resources: readonly string[], opts: AcquireOptions = {}): Promise<LockLease> {
    const plan = planResources(resources, this.prefix);
    const ttlMs = checkTtl(opts.ttlMs ?? this.defaultTtlMs);
    const waitMs = checkWait(opts.waitMs ?? this.defaultWaitMs);
    const deadline = Date.now() + waitMs;
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw unavailable('the lock service is closed', { resources: plan.resources });
      try {
        const lease = await this.tryOnce(plan, ttlMs, deadline);
        if (lease) return lease;
        lastError = undefined; // Redis answered: someone else holds a resource
      } catch (err) {
        if (err instanceof SnapfleetError) throw err;
        if (isPermanentRedisError(err, this.client)) {
          if (this.client.status === 'end') {
            throw new SnapfleetError('unavailable', 'the lock service Redis client is closed', { resources: plan.resources }, { cause: err });
          }
          throw toSnapfleetError(err, `locking ${describeResources(plan.resources)}`);
        }
        lastError = err;
        this.logger.debug({ resources: plan.resources, err: errorMessage(err) }, 'lock attempt failed; retrying');
      }
      const left = deadline - Date.now();
      if (left <= 0) throw this.gaveUp(plan, waitMs, lastError);
      await sleep(Math.min(left, backoff(attempt)));
    }
  }

  async using<T>(resources: readonly string[], fn: (lease: LockLease) => Promise<T>, opts?: AcquireOptions): Promise<T> {
    const lease = await this.acquire(resources, opts);
    try {
      return await fn(lease);
    } finally {
      await lease.release();
    }
  }

  /**
   * Says that no holder of `tag`'s resources can exist yet (for a host: its store has no rows),
   * so acquisitions need not report a possible stale holder because the tag's counter is
   * missing: starts the counter and closes that window. Markers left by holders stay.
   */
  async settleTag(tag: string): Promise<void> {
    await settleTag(this.client, fenceKeyOf(this.prefix, tag));
  }

  /** Ends every live lease (signals abort, keys released), then closes the client if ours. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.live].map((lease) => lease.abandon('the lock service was closed')));
    if (!this.ownsClient) return;
    // quit() waits for pending replies; a client that is not connected has none worth waiting for.
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  private async tryOnce(plan: ResourcePlan, ttlMs: number, deadline: number): Promise<RedisLease | undefined> {
    const value = randomBytes(16).toString('hex');
    const start = Date.now();
    const pending = acquireOnce(this.client, plan.fenceKey, plan.keys, value, ttlMs, this.markerTtlMs);
    const acquired = await withinBudget(pending, Math.max(deadline - start, MIN_TRY_BUDGET_MS), () => {
      // The caller is gone but the script may still run later: give back what it takes (unsettled:
      // the markers stay, which only makes the next holder register its token).
      pending.then((a) => (a === null ? undefined : releaseKeys(this.client, plan.keys, value, a.token, false))).catch(() => undefined);
    });
    if (acquired === null) return undefined;
    const { token, staleHolderPossible } = acquired;
    // Same drift rule as the library's own acquire: 1% of the TTL plus 2 ms of expiry precision.
    const expiration = start + ttlMs - (Math.round(0.01 * ttlMs) + 2);
    if (this.closed) {
      await releaseKeys(this.client, plan.keys, value, token, false).catch(() => undefined);
      throw unavailable('the lock service is closed', { resources: plan.resources });
    }
    const lease = new RedisLease({
      redlock: this.redlock,
      logger: this.logger,
      lock: this.libraryLock(plan, value, expiration),
      token,
      staleHolderPossible,
      resources: plan.resources,
      ttlMs,
      releaseKeys: (lock, t, settled) => releaseKeys(this.client, lock.resources, lock.value, t, settled),
      onReleased: (l) => this.live.delete(l),
    });
    this.live.add(lease);
    return lease;
  }

  // A library Lock for keys our script set: its extension only needs keys, owner value and the
  // local expiry estimate, all of which we know.
  private libraryLock(plan: ResourcePlan, value: string, expiration: number): Lock {
    return new Lock(this.redlock, plan.keys, value, [], expiration, NO_RETRY);
  }

  private gaveUp(plan: ResourcePlan, waitMs: number, lastError: unknown): SnapfleetError {
    const what = describeResources(plan.resources);
    const details = { resources: plan.resources, waitMs };
    if (lastError === undefined) return unavailable(`could not lock ${what} within ${waitMs} ms: held by another owner`, details);
    return new SnapfleetError('unavailable', `could not lock ${what} within ${waitMs} ms: Redis unreachable (${errorMessage(lastError)})`, details, {
      cause: lastError,
    });
  }
}

/** Resolves like `p`, or rejects after `ms` (calling `onAbandon`) when Redis does not answer. */
async function withinBudget<T>(p: Promise<T>, ms: number, onAbandon: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onAbandon();
      reject(new Error(`no answer from Redis within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function backoff(attempt: number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.min(attempt, 16));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function checkTtl(ttlMs: number): number {
  if (!Number.isInteger(ttlMs) || ttlMs < MIN_TTL_MS) throw new RangeError(`locks: ttlMs must be an integer ≥ ${MIN_TTL_MS}, got ${ttlMs}`);
  return ttlMs;
}

function checkWait(waitMs: number): number {
  if (!Number.isFinite(waitMs) || waitMs < 0) throw new RangeError(`locks: waitMs must be a finite number ≥ 0, got ${waitMs}`);
  return waitMs;
}
