// GET /docs/openapi.json: the OpenAPI document, generated once at start from the route
// tables and zod schemas (the viewer at /docs renders it).
import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { packageVersion } from '../config/package-version';
import { OPERATIONAL_PATHS } from '../http/operational-paths';
import { buildOpenApi } from './openapi-document';

@Controller()
export class DocsController {
  private readonly json = JSON.stringify(buildOpenApi(packageVersion()).document);

  @Get(OPERATIONAL_PATHS.openapi)
  openapi(@Res() reply: FastifyReply): void {
    void reply.code(200).type('application/json').header('cache-control', 'no-cache').send(this.json);
  }
}
