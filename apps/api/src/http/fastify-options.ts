// Fastify settings the API's contract depends on.
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { invalidArgument, MAX_BODY_BYTES, PROBLEM_CONTENT_TYPE, REQUEST_ID_HEADER } from '@snapfleet/contracts';
import type { FastifyHttpOptions, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { problemFor } from './problems';
import { requestIdOf } from './request-id';

/**
 * A key is one path segment of up to 4096 UTF-8 bytes. find-my-way refuses longer
 * parameters with 414 before validation sees them; with a larger limit a 5000-byte key
 * reaches KeySchema and gets a 400 that says what is wrong. Node's 16 KiB header limit
 * still bounds the whole request line.
 */
const MAX_PARAM_LENGTH = 96 * 1024;
/**
 * Node refuses a request line and headers over its limit before any route runs. With 128 KiB
 * a 64 KiB key still reaches validation (400, "key longer than 4096 bytes"); beyond that the
 * client-error handler answers in problem+json too.
 */
const MAX_HEADER_BYTES = 128 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Writes a problem+json answer on a socket the HTTP parser gave up on. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, `request line and headers over ${MAX_HEADER_BYTES / 1024} KiB (keys are at most 4096 bytes)`]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request was not received in time']
        : [400, 'malformed HTTP request'];
  const body = JSON.stringify({ type: 'urn:snapfleet:error:invalid_argument', title: 'Invalid argument', status, detail, code: 'invalid_argument' });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function answerRouterError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const { problem } = problemFor(error, { method: request.method, url: request.url, requestId: request.id });
  void reply.code(problem.status).header(REQUEST_ID_HEADER, request.id).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

export function fastifyOptions(): FastifyHttpOptions<Server> {
  return {
    bodyLimit: MAX_BODY_BYTES,
    // find-my-way splits the path on '/' before decoding a parameter, so `%2F` stays inside
    // its segment and arrives decoded in request.params (tested end to end).
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    genReqId: (raw: IncomingMessage) => requestIdOf(raw),
    // The router refuses a malformed URL before any hook or Nest filter runs: answered
    // here, in the same problem+json shape.
    frameworkErrors: answerRouterError as FastifyServerOptions['frameworkErrors'],
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    clientErrorHandler: answerClientError,
    // Requests are logged by our own hooks (http/logging.ts), once, with the same id.
    logger: false,
  };
}

/** Hooks and parsers set on the Fastify instance once Nest created it. */
export function configureFastify(fastify: FastifyInstance): void {
  // JSON only: anything else in a body is refused (400) instead of being read as a string.
  fastify.removeContentTypeParser('text/plain');
  // `Expect: 100-continue` (curl sends it for larger bodies): a body announced over the limit
  // is refused before the client sends it, so the client reads a 413 problem instead of a
  // connection reset in the middle of its upload.
  fastify.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      const body = JSON.stringify({
        type: 'urn:snapfleet:error:invalid_argument',
        title: 'Invalid argument',
        status: 413,
        detail: `request body over ${MAX_BODY_BYTES} bytes`,
        code: 'invalid_argument',
      });
      res.writeHead(413, { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(body), connection: 'close' });
      res.end(body);
      return;
    }
    res.writeContinue();
    fastify.server.emit('request', req, res);
  });
  // JSON bodies must be valid UTF-8: the default parser would turn bad bytes into U+FFFD
  // and a key made of them would be accepted as something the client never sent.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      done(invalidArgument('request body is not valid UTF-8'), undefined);
      return;
    }
    parseJson(request, text, done);
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    // On the raw response, so error and 404 responses carry it too.
    reply.raw.setHeader(REQUEST_ID_HEADER, request.id);
    done();
  });
}
