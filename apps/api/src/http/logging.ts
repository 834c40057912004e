// Request logging: one line per request with its id (and the id of the job it made, so a
// grep for either finds the API's line as well as the worker's), at a level that keeps the
// read path quiet (successful reads are debug; mutations info; server errors error).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { LevelWithSilent } from 'pino';
import { tokenIdOf } from '../auth/auth-hook';
import { JOB_ID_HEADER } from './job-reply';
import { requestIdOf } from './request-id';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

function levelOf(req: IncomingMessage, res: ServerResponse, err?: Error): LevelWithSilent {
  // 503 is a dependency or host being down: said in the problem, no stack to look at.
  if (res.statusCode === 503) return 'warn';
  if (err || res.statusCode >= 500) return 'error';
  // A 404 on stat is how containerd asks "does this exist?": normal traffic, not news.
  return READS.has(req.method ?? '') ? 'debug' : 'info';
}

/**
 * The job a request made or found, and the token it used: known once the response carries x-job-id (the summary
 * line). pino-http calls this at the start of every request too; nothing (rather than `{}`)
 * spares it making a child logger per request for no bindings.
 */
function jobIdOf(req: IncomingMessage, res: ServerResponse): object {
  const jobId = res.getHeader(JOB_ID_HEADER);
  const token = tokenIdOf(req);
  if (typeof jobId !== 'string' && token === undefined) return undefined as unknown as object;
  return { ...(typeof jobId === 'string' ? { jobId } : {}), ...(token === undefined ? {} : { token }) };
}

export function loggerParams(level: LevelWithSilent): Params {
  return {
    // nestjs-pino's default route pattern (`{/*splat}`) matches no request on Nest 12's
    // Fastify adapter, which silently disables request logging; `{*splat}` matches all.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    pinoHttp: {
      level,
      genReqId: (req) => requestIdOf(req),
      customAttributeKeys: { reqId: 'requestId' },
      customProps: jobIdOf,
      customLogLevel: levelOf,
      // pino-http makes up an Error ("failed with status code 503") for every 5xx; the
      // exception filter already logged the real one when there was one.
      customErrorObject: (_req, _res, _err, value: Record<string, unknown>) => {
        const { err: _synthetic, ...rest } = value;
        return rest;
      },
      // Log lines inside a request carry its id; the request itself only on the summary line.
      quietReqLogger: true,
      serializers: {
        req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
