// Conditional GET for the routes the contracts mark `conditional`: every 200 gets an entity
// tag of its body, and a request whose If-None-Match names it gets 304 without the body.
// A handler that already knows its body's tag (a walk page from the page cache) sets the
// ETag header itself, and the body is not hashed again.
import { API_ROUTES, nestPath } from './route-table';
import type { FastifyInstance } from 'fastify';
import { entityTag, noneMatchNames } from './entity-tag';

/** Router paths (find-my-way syntax) of the conditional routes. */
const CONDITIONAL_PATHS = new Set(
  Object.values(API_ROUTES)
    .filter((r) => r.conditional === true && r.method === 'GET')
    .map((r) => nestPath(r)),
);

export function installConditionalGet(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || reply.statusCode !== 200 || !CONDITIONAL_PATHS.has(request.routeOptions.url ?? '')) {
      done(null, payload);
      return;
    }
    let tag = reply.getHeader('etag');
    if (typeof tag !== 'string') {
      if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) {
        done(null, payload);
        return;
      }
      tag = entityTag(payload);
      void reply.header('etag', tag);
    }
    // Any cache may keep it, but for this client only (it came with a token), and must ask
    // before each use: the answer changes whenever the fleet does.
    void reply.header('cache-control', 'private, no-cache');
    if (noneMatchNames(request.headers['if-none-match'], tag)) {
      void reply.code(304);
      reply.removeHeader('content-type');
      reply.removeHeader('content-length');
      // A 304 may carry a Content-Length only if it is the 200's (RFC 9110 §8.6). For GET:
      // no payload, so Fastify sends none. For HEAD: the payload itself, which Fastify's HEAD
      // handler measures (the 200's length) and drops.
      done(null, request.method === 'HEAD' ? payload : null);
      return;
    }
    done(null, payload);
  });
}
