// One held lease: keeps its keys alive by extending them every ~TTL/3 through the library,
// aborts its signal the moment it can no longer be sure it holds them, and releases only keys
// that still carry its owner value.
import { type Lock, type Redlock, type Settings } from '@sesamecare-oss/redlock';
import { aborted, type Logger } from '@snapfleet/contracts';
import type { LockLease, ReleaseOptions } from './types';
import { errorMessage, isOwnershipRefusal, rootCause } from './redis-errors';
import { describeResources } from './resources';

/** One try per call: the lease does its own retrying, bounded by its TTL. */
export const NO_RETRY: Partial<Settings> = { retryCount: 0 };

export interface LeaseParts {
  redlock: Redlock;
  logger: Logger;
  /** The library's view of the held keys: resources, owner value, local expiry estimate. */
  lock: Lock;
  token: bigint;
  staleHolderPossible: boolean;
  resources: readonly string[];
  ttlMs: number;
  /** Deletes the keys still holding this owner's value (settled: and its markers); resolves to the number freed. */
  releaseKeys: (lock: Lock, token: bigint, settled: boolean) => Promise<number>;
  /** Told once the lease is released, so the service stops tracking it. */
  onReleased: (lease: RedisLease) => void;
}

export class RedisLease implements LockLease {
  readonly token: bigint;
  readonly staleHolderPossible: boolean;
  readonly resources: readonly string[];
  private readonly controller = new AbortController();
  private readonly parts: Omit<LeaseParts, 'lock'>;
  private lock: Lock;
  /** Set once the lease stops extending: lost, released or closed. */
  private stopped = false;
  private tick: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private releasing: Promise<void> | undefined;

  constructor(parts: LeaseParts) {
    const { lock, ...rest } = parts;
    this.parts = rest;
    this.lock = lock;
    this.token = parts.token;
    this.staleHolderPossible = parts.staleHolderPossible;
    this.resources = parts.resources;
    this.armWatchdog();
    this.scheduleExtension(this.extendEveryMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The first call decides whether the release is settled; later calls share its outcome. */
  release(opts: ReleaseOptions = {}): Promise<void> {
    this.releasing ??= this.releaseKeys(opts.settled === true);
    return this.releasing;
  }

  /** Ends the lease from the outside (service closing): the holder is told, then the keys go. */
  abandon(reason: string): Promise<void> {
    this.lose(reason);
    return this.release();
  }

  // A third of the TTL leaves two more tries (after a transient failure) before the keys expire.
  private get extendEveryMs(): number {
    return Math.max(1, Math.floor(this.parts.ttlMs / 3));
  }

  private scheduleExtension(delayMs: number): void {
    if (this.stopped) return;
    // unref: a forgotten lease must not keep the process alive; its keys then simply expire.
    this.tick = setTimeout(() => void this.extend(), delayMs).unref();
  }

  private async extend(): Promise<void> {
    this.tick = undefined;
    if (this.stopped) return;
    try {
      const next = await this.parts.redlock.extend(this.lock, this.parts.ttlMs, NO_RETRY);
      if (this.stopped) return;
      this.lock = next;
      this.armWatchdog();
      this.scheduleExtension(this.extendEveryMs);
    } catch (err) {
      if (this.stopped) return;
      if (await isOwnershipRefusal(err)) {
        this.lose('its TTL ran out and the keys expired or were taken before the extension');
        return;
      }
      // Redis unreachable for now: keep trying; the watchdog ends the lease when the TTL runs out.
      this.parts.logger.warn(
        { resources: this.resources, token: this.token.toString(), err: errorMessage(await rootCause(err)) },
        'lock extension failed; retrying until the lease expires',
      );
      this.scheduleExtension(Math.max(10, Math.floor(this.parts.ttlMs / 10)));
    }
  }

  // Fires when the local estimate of the keys' expiry (the library's, minus clock drift) passes
  // without a successful extension: from then on another owner may hold them.
  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    const left = Math.max(0, this.lock.expiration - Date.now());
    this.watchdog = setTimeout(() => this.lose('no extension succeeded before its TTL ran out'), left).unref();
  }

  private lose(reason: string): void {
    if (this.stopped) return;
    this.stop();
    const what = describeResources(this.resources);
    this.parts.logger.warn({ resources: this.resources, token: this.token.toString(), reason }, 'lock lease lost');
    this.controller.abort(aborted(`lost the lock on ${what} (fence ${this.token}): ${reason}`, { resources: [...this.resources] }));
  }

  private stop(): void {
    this.stopped = true;
    clearTimeout(this.tick);
    clearTimeout(this.watchdog);
    this.tick = this.watchdog = undefined;
  }

  // The release script deletes a key only while it still holds this owner's value, so a lease
  // that was lost cannot delete its successor's keys (nor, settled, their markers). Waiting
  // longer than one TTL is pointless: by then the keys have expired on their own.
  private async releaseKeys(settled: boolean): Promise<void> {
    this.stop();
    let timer: NodeJS.Timeout | undefined;
    try {
      const expired = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.parts.ttlMs).unref();
      });
      const outcome = await Promise.race([this.parts.releaseKeys(this.lock, this.token, settled), expired]);
      if (outcome === 'timeout') this.parts.logger.warn({ resources: this.resources }, 'lock release got no answer from Redis; the keys expire with their TTL');
      else if (outcome < this.resources.length) this.parts.logger.debug({ resources: this.resources }, 'lock release: some keys were no longer ours');
    } catch (err) {
      this.parts.logger.warn({ resources: this.resources, err: errorMessage(await rootCause(err)) }, 'lock release failed; the keys expire with their TTL');
    } finally {
      clearTimeout(timer);
      this.parts.onReleased(this);
    }
  }
}
