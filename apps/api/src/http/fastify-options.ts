// Fastify settings the API's contract depends on.
import type { IncomingMessage } from 'node:http';
import { MAX_BODY_BYTES, PROBLEM_CONTENT_TYPE, REQUEST_ID_HEADER } from '@snapfleet/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { problemFor } from './problems';
import { requestIdOf } from './request-id';

/**
 * A key is one path segment of up to 4096 UTF-8 bytes. find-my-way refuses longer
 * parameters with 414 before validation sees them; with a larger limit a 5000-byte key
 * reaches KeySchema and gets a 400 that says what is wrong. Node's 16 KiB header limit
 * still bounds the whole request line.
 */
const MAX_PARAM_LENGTH = 16 * 1024;

function answerRouterError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const { problem } = problemFor(error, { method: request.method, url: request.url, requestId: request.id });
  void reply.code(problem.status).header(REQUEST_ID_HEADER, request.id).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

export function fastifyOptions(): FastifyServerOptions {
  return {
    bodyLimit: MAX_BODY_BYTES,
    // find-my-way splits the path on '/' before decoding a parameter, so `%2F` stays inside
    // its segment and arrives decoded in request.params (tested end to end).
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    genReqId: (raw: IncomingMessage) => requestIdOf(raw),
    // The router refuses a malformed URL before any hook or Nest filter runs: answered
    // here, in the same problem+json shape.
    frameworkErrors: answerRouterError as FastifyServerOptions['frameworkErrors'],
    // Requests are logged by pino-http (nestjs-pino), once, with the same id.
    logger: false,
  };
}

/** Hooks and parsers set on the Fastify instance once Nest created it. */
export function configureFastify(fastify: FastifyInstance): void {
  // JSON only: anything else in a body is refused (400) instead of being read as a string.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', (request, reply, done) => {
    // On the raw response, so error and 404 responses carry it too.
    reply.raw.setHeader(REQUEST_ID_HEADER, request.id);
    done();
  });
}
