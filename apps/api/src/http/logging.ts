// Request logging: one line per request with its id (and the id of the job it made, so a
// grep for either finds the API's line as well as the worker's), at a level that keeps the
// read path quiet (successful reads are debug; mutations info; server errors error).
//
// Done with two Fastify hooks rather than nestjs-pino's pino-http middleware: under read
// load the middleware path (middie, pino-http's per-request child loggers and response
// listeners) was about a sixth of the API's CPU. The onRequest hook runs the rest of the
// request inside a logging context bound to its id (PinoLogger.runInContext), so every
// line logged while handling it — auth, services, the exception filter — carries requestId.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Params } from 'nestjs-pino';
import { PinoLogger } from 'nestjs-pino';
import { destination, type Level, type LevelWithSilent } from 'pino';
import { tokenIdOf } from '../auth/auth-hook';
import { JOB_ID_HEADER } from './job-reply';
import { requestIdOf } from './request-id';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

function levelOf(req: IncomingMessage, res: ServerResponse): Level {
  // 503 is a dependency or host being down: said in the problem, no stack to look at.
  if (res.statusCode === 503) return 'warn';
  if (res.statusCode >= 500) return 'error';
  // A 404 on stat is how containerd asks "does this exist?": normal traffic, not news.
  return READS.has(req.method ?? '') ? 'debug' : 'info';
}

/** The job a request made or found, and the token it used (known once it is answered). */
function jobAndToken(req: IncomingMessage, res: ServerResponse): Record<string, string> {
  const jobId = res.getHeader(JOB_ID_HEADER);
  const token = tokenIdOf(req);
  return { ...(typeof jobId === 'string' ? { jobId } : {}), ...(token === undefined ? {} : { token }) };
}

/**
 * nestjs-pino without its request middleware (`forRoutes: []`): it still provides the root
 * logger and PinoLogger; installRequestLogging does the per-request part. Lines are written
 * to stdout synchronously (decisions.md, "Log lines are written synchronously").
 */
export function loggerParams(level: LevelWithSilent): Params {
  return { forRoutes: [], pinoHttp: [{ level }, destination({ dest: 1, sync: true })] };
}

export function installRequestLogging(fastify: FastifyInstance, log: PinoLogger): void {
  const root = () => PinoLogger.root;
  // First onRequest hook: everything after it (auth, routing, handlers) runs in the context.
  fastify.addHook('onRequest', (request, _reply, done) => {
    log.runInContext(done, { bindings: { requestId: requestIdOf(request.raw) } });
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const req = request.raw;
    const res = reply.raw;
    const level = levelOf(req, res);
    const logger = root();
    if (logger.isLevelEnabled(level)) {
      logger[level](
        {
          requestId: request.id,
          req: { method: req.method, url: req.url },
          // The response itself: pino-http's serializer reads the status only from a
          // response whose headers went out (a plain object logged statusCode null).
          res,
          responseTime: Math.round(reply.elapsedTime),
          ...jobAndToken(req, res),
        },
        'request completed',
      );
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    root().info({ requestId: request.id, req: { method: request.raw.method, url: request.raw.url } }, 'request aborted by the client');
    done();
  });
}
