// The pages for people: `/` → the fleet page, `/ui` (fleet page), `/docs` (OpenAPI viewer)
// and their scripts and stylesheet under `/assets/`. No framework and no CDN: the pages work
// offline, and read the same public API as any client.
import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { notFound } from '@snapfleet/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { PAGE_CSP } from '../http/content-security';
import { noneMatchNames } from '../http/entity-tag';
import { OPERATIONAL_PATHS as P } from '../http/operational-paths';
import { nestPath } from '../http/route-table';
import { ASSETS, PAGES, findPublicDir, loadPublicFiles, type PublicFile } from './public-files';

@Controller()
export class WebController {
  private readonly files: Map<string, PublicFile>;

  constructor(@Inject(PinoLogger) log: PinoLogger) {
    log.setContext(WebController.name);
    const dir = findPublicDir();
    this.files = dir ? loadPublicFiles(dir) : new Map();
    // The API stays up without its pages; the pages then say why they are missing.
    if (!dir) log.error('apps/api/public not found beside dist/: the fleet page and the docs viewer are unavailable');
  }

  @Get(P.root)
  home(@Res() reply: FastifyReply): void {
    void reply.redirect(P.ui, 302);
  }

  @Get(P.ui)
  fleetPage(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    this.send(req, reply, PAGES.fleet);
  }

  @Get(P.docs)
  docsPage(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    this.send(req, reply, PAGES.docs);
  }

  @Get(nestPath({ method: 'GET', path: P.asset, summary: '', status: 200 }))
  asset(@Param('file') file: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    if (!(ASSETS as readonly string[]).includes(file)) throw notFound(`no asset ${JSON.stringify(file)}`);
    this.send(req, reply, file);
  }

  private send(req: FastifyRequest, reply: FastifyReply, name: string): void {
    const file = this.files.get(name);
    if (!file) throw notFound(`${name} is not installed (apps/api/public is missing beside dist/)`);
    void reply.header('etag', file.etag).header('cache-control', 'no-cache');
    if (file.contentType.startsWith('text/html')) void reply.header('content-security-policy', PAGE_CSP);
    if (noneMatchNames(req.headers['if-none-match'], file.etag)) {
      void reply.code(304).send();
      return;
    }
    void reply.code(200).type(file.contentType).send(file.body);
  }
}
