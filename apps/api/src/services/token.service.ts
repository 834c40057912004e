// API tokens: minted here (the secret leaves the process once, in the creation answer),
// listed without secrets, revoked in MySQL and then on every API process at once.
import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { z } from 'zod';
import { ALL_NAMESPACES, notFound, type CreateTokenBodySchema, type TokenCreated, type TokenScope, type TokenView } from '@snapfleet/contracts';
import type { TokenRecord } from '@snapfleet/metastore';
import { AuthService } from '../auth/auth.service';
import { mintToken } from '../auth/token-secrets';
import { MetadataRepository } from '../repositories/metadata.repository';
import { TokenRevocationsRepository } from '../repositories/token-revocations.repository';

function toView(r: TokenRecord): TokenView {
  return {
    id: r.id,
    name: r.name,
    namespaces: r.namespaces,
    scopes: r.scopes as TokenScope[],
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt ? r.expiresAt.toISOString() : null,
    revokedAt: r.revokedAt ? r.revokedAt.toISOString() : null,
  };
}

@Injectable()
export class TokenService {
  constructor(
    @Inject(MetadataRepository) private readonly metadata: MetadataRepository,
    @Inject(TokenRevocationsRepository) private readonly revocations: TokenRevocationsRepository,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(PinoLogger) private readonly log: PinoLogger,
  ) {
    log.setContext(TokenService.name);
  }

  async create(body: z.infer<typeof CreateTokenBodySchema>, by: string): Promise<TokenCreated> {
    const minted = mintToken();
    const now = new Date();
    // "*" alone says it all; sorted, deduplicated lists make rows comparable.
    const namespaces = body.namespaces.includes(ALL_NAMESPACES) ? [ALL_NAMESPACES] : [...new Set(body.namespaces)].sort();
    const scopes = [...new Set(body.scopes)].sort();
    const record: Omit<TokenRecord, 'revokedAt'> = {
      id: minted.id,
      name: body.name,
      secretSha256: minted.secretSha256,
      namespaces,
      scopes,
      createdAt: now,
      expiresAt: body.expiresInSeconds === undefined ? null : new Date(now.getTime() + body.expiresInSeconds * 1000),
    };
    await this.metadata.insertToken(record);
    this.log.info({ token: minted.id, name: body.name, namespaces, scopes, by }, 'token created');
    return { token: minted.token, info: toView({ ...record, revokedAt: null }) };
  }

  async list(): Promise<TokenView[]> {
    return (await this.metadata.listTokens()).map(toView);
  }

  async revoke(id: string, by: string): Promise<void> {
    if (!(await this.metadata.revokeToken(id, new Date()))) throw notFound(`token ${id} does not exist`, { token: id });
    this.auth.revoked(id);
    // Durable already; the announcement makes it immediate on the other API processes. If
    // Redis is down they still drop it when their cache entry expires (≤ 10 s).
    try {
      const { heard, confirmed } = await this.revocations.announce(id);
      this.log.info({ token: id, by, processes: heard, confirmed }, 'token revoked');
    } catch (err) {
      this.log.warn({ token: id, by, err: err instanceof Error ? err.message : String(err) }, 'token revoked; other API processes will drop it within 10 s');
    }
  }
}
