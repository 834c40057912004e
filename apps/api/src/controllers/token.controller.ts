// API tokens (admin): create (the secret is in this answer only), list, revoke.
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CreateTokenBodySchema, ROUTES, TokenIdSchema, type TokenCreated, type TokenView } from '@snapfleet/contracts';
import type { z } from 'zod';
import type { Principal } from '../auth/principal';
import { PrincipalParam, Validate } from '../http/request-params';
import { nestPath } from '../http/route-table';
import { TokenService } from '../services/token.service';

@Controller()
export class TokenController {
  constructor(@Inject(TokenService) private readonly tokens: TokenService) {}

  @Post(nestPath(ROUTES.createToken))
  @HttpCode(ROUTES.createToken.status)
  create(
    @Body(new Validate(CreateTokenBodySchema, 'body')) body: z.infer<typeof CreateTokenBodySchema>,
    @PrincipalParam() by: Principal,
  ): Promise<TokenCreated> {
    return this.tokens.create(body, by.id);
  }

  @Get(nestPath(ROUTES.listTokens))
  async list(): Promise<{ tokens: TokenView[] }> {
    return { tokens: await this.tokens.list() };
  }

  @Delete(nestPath(ROUTES.revokeToken))
  @HttpCode(ROUTES.revokeToken.status)
  revoke(@Param('tokenId', new Validate(TokenIdSchema, 'token id')) id: string, @PrincipalParam() by: Principal): Promise<void> {
    return this.tokens.revoke(id, by.id);
  }
}
