// Authentication: the bearer token of a request → its Principal, or a typed 401. Token rows
// are cached for CACHE_TTL_MS so the read path costs no extra MySQL round trip; revocations
// reach the cache through TokenRevocationsRepository (at once, on every API process), and
// the TTL bounds what a missed message could cost.
import { Inject, Injectable } from '@nestjs/common';
import { ALL_NAMESPACES, SnapfleetError, parseApiToken, type TokenScope } from '@snapfleet/contracts';
import type { TokenRecord } from '@snapfleet/metastore';
import { ApiConfig } from '../config/api-config';
import { MetadataRepository } from '../repositories/metadata.repository';
import type { RevocationListener } from '../repositories/token-revocations.repository';
import { ANONYMOUS, type Principal } from './principal';
import { RateLimiter, type RateDecision } from './rate-limiter';
import { secretMatches, sha256 } from './token-secrets';

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;
export const BOOTSTRAP_ADMIN_ID = 'bootstrap-admin';

interface Cached {
  record: TokenRecord;
  at: number;
}

const unauthenticated = (message: string) => new SnapfleetError('unauthenticated', message);

@Injectable()
export class AuthService implements RevocationListener {
  private readonly cache = new Map<string, Cached>();
  /** Bumped by every revocation: a lookup that started before one must not refill the cache. */
  private epoch = 0;
  private readonly adminSha256: Buffer | undefined;
  private readonly limiter: RateLimiter;

  constructor(
    @Inject(ApiConfig) private readonly config: ApiConfig,
    @Inject(MetadataRepository) private readonly metadata: MetadataRepository,
  ) {
    this.adminSha256 = config.auth.adminToken === undefined ? undefined : sha256(config.auth.adminToken);
    this.limiter = new RateLimiter(config.auth.ratePerSecond, config.auth.burst);
  }

  get enabled(): boolean {
    return this.config.auth.enabled;
  }

  /** The principal of a presented bearer token (undefined = none presented). */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!this.enabled) return ANONYMOUS;
    if (token === undefined || token === '') throw unauthenticated('this API needs a bearer token (Authorization: Bearer <token>)');
    if (this.adminSha256 && secretMatches(token, this.adminSha256)) {
      return { id: BOOTSTRAP_ADMIN_ID, name: 'SNAPFLEET_ADMIN_TOKEN', scopes: new Set<TokenScope>(['read', 'write', 'admin']), namespaces: new Set([ALL_NAMESPACES]) };
    }
    const parsed = parseApiToken(token);
    if (!parsed) throw unauthenticated('malformed token (expected sf1_<id>_<secret>)');
    const record = await this.lookup(parsed.id);
    // One answer for "no such id" and "wrong secret": the id alone proves nothing.
    if (!record || !secretMatches(parsed.secret, record.secretSha256)) throw unauthenticated('unknown token');
    if (record.revokedAt) throw unauthenticated(`token ${record.id} was revoked`);
    if (record.expiresAt && record.expiresAt.getTime() <= Date.now()) throw unauthenticated(`token ${record.id} expired`);
    return { id: record.id, name: record.name, scopes: new Set(record.scopes as TokenScope[]), namespaces: new Set(record.namespaces) };
  }

  /** Per token: with auth off there are no tokens, so there is no limit. */
  rateLimit(p: Principal): RateDecision {
    if (!this.enabled) return { allowed: true };
    return this.limiter.take(p.id);
  }

  revoked(tokenId: string): void {
    this.epoch++;
    this.cache.delete(tokenId);
  }

  resync(): void {
    this.epoch++;
    this.cache.clear();
  }

  private async lookup(id: string): Promise<TokenRecord | undefined> {
    const now = performance.now();
    const hit = this.cache.get(id);
    if (hit && now - hit.at < CACHE_TTL_MS) return hit.record;
    const epoch = this.epoch;
    const record = await this.metadata.getToken(id);
    // Unknown ids are not cached: a token made a moment ago on another API process must work here.
    if (record && epoch === this.epoch) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(id, { record, at: now });
    }
    return record;
  }
}
