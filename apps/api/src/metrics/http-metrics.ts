// The one piece of per-request work metrics add: an onResponse hook that files the request's
// duration under its route template (bounded label set: a key never becomes a label value).
import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from './api-metrics';

/** Requests no route matched (404s of the not-found handler) share one label value. */
export const UNMATCHED_ROUTE = 'unmatched';

export function installHttpMetrics(fastify: FastifyInstance, metrics: ApiMetrics): void {
  const histogram = metrics.httpDuration;
  fastify.addHook('onResponse', (request, reply, done) => {
    histogram.observe(
      { route: request.routeOptions.url ?? UNMATCHED_ROUTE, method: request.method, status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
