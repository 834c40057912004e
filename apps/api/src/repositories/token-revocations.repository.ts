// Revocations told to every API process through Redis pub/sub, so a revoked token is refused
// at once everywhere, not when a cache entry expires. Each process acknowledges a revocation
// (SADD to a short-lived set); the revoking request waits for as many acknowledgements as
// PUBLISH reached subscribers, bounded by ACK_WAIT_MS. A subscriber that lost its connection
// may have missed messages: it reports `resync` and the caller drops its whole cache.
import type { OnApplicationShutdown } from '@nestjs/common';
import IORedis, { type Redis } from 'ioredis';
import { QUEUE_PREFIX, type Logger } from '@snapfleet/contracts';
import { withDeadline } from '../util/deadline';
import { queueError } from './redis-errors';

const CHANNEL = `${QUEUE_PREFIX}:token-revoked`;
const ackKey = (revocation: string) => `${QUEUE_PREFIX}:token-revoked:${revocation}`;
const ACK_WAIT_MS = 2_000;

export interface RevocationListener {
  revoked(tokenId: string): void;
  /** Messages may have been missed (reconnect): forget everything cached. */
  resync(): void;
}

export class TokenRevocationsRepository implements OnApplicationShutdown {
  private constructor(
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly instance: string,
  ) {}

  static async connect(url: string, instance: string, listener: RevocationListener, log: Logger): Promise<TokenRevocationsRepository> {
    const options = { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5_000, retryStrategy: (n: number) => Math.min(n * 250, 2_000) };
    const commands = new IORedis(url, options);
    // The subscriber re-subscribes by itself after a reconnect (ioredis autoResubscribe).
    const subscriber = new IORedis(url, { ...options, enableOfflineQueue: true });
    for (const c of [commands, subscriber]) c.on('error', () => undefined);
    const repo = new TokenRevocationsRepository(commands, subscriber, instance);
    let connectedOnce = false;
    subscriber.on('ready', () => {
      if (connectedOnce) {
        log.info('revocation channel reconnected: dropping cached tokens');
        listener.resync();
      }
      connectedOnce = true;
    });
    subscriber.on('message', (_channel: string, message: string) => {
      const m = /^([^ ]+) ([0-9a-f]{16})$/.exec(message);
      if (!m) return;
      listener.revoked(m[2]!);
      void repo.acknowledge(m[1]!);
    });
    await withDeadline(
      Promise.all([commands.connect(), subscriber.connect()]).then(() => subscriber.subscribe(CHANNEL)),
      'Redis (token revocations)',
      8_000,
    );
    return repo;
  }

  /**
   * Tells every API process that `tokenId` is revoked and waits until each has dropped it
   * (or ACK_WAIT_MS passed). Returns how many processes confirmed out of how many heard it.
   */
  async announce(tokenId: string): Promise<{ heard: number; confirmed: number }> {
    const revocation = `${this.instance}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    try {
      const heard = await this.commands.publish(CHANNEL, `${revocation} ${tokenId}`);
      const deadline = Date.now() + ACK_WAIT_MS;
      let confirmed = 0;
      while (Date.now() < deadline) {
        confirmed = await this.commands.scard(ackKey(revocation));
        if (confirmed >= heard) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      return { heard, confirmed };
    } catch (err) {
      throw queueError(err, 'announcing a token revocation');
    }
  }

  private async acknowledge(revocation: string): Promise<void> {
    await this.commands
      .multi()
      .sadd(ackKey(revocation), this.instance)
      .expire(ackKey(revocation), 60)
      .exec()
      .catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber.disconnect();
    this.commands.disconnect();
  }
}
