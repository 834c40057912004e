// The routes outside the /v1 table, described for the OpenAPI document: health, metrics,
// documentation, the fleet page and the queue dashboard. Their paths come from
// http/operational-paths.ts, which the controllers use too.
import { z } from 'zod';
import { OPERATIONAL_PATHS as P } from '../http/operational-paths';
import { ASSETS } from '../web/public-files';
import { HealthResultSchema } from './health.schema';
import { ProblemSchema } from './problem.schema';

export interface OperationalResponse {
  description: string;
  contentType?: string;
  schema?: z.ZodType;
  /** Response headers this response carries: header name → components.headers entry. */
  headers?: Record<string, string>;
}

export interface OperationalRoute {
  name: string;
  method: 'GET';
  path: string;
  tag: 'operations' | 'web';
  summary: string;
  description?: string;
  /** Schemas of the path parameters, by name. */
  params?: Record<string, z.ZodType>;
  responses: Record<number, OperationalResponse>;
}

/** The document's own shape, as far as a client relies on it. */
export const OpenApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

const html = (description: string): OperationalResponse => ({ description, contentType: 'text/html; charset=utf-8', schema: z.string() });
const health = (ok: string): Record<number, OperationalResponse> => ({
  200: { description: ok, contentType: 'application/json', schema: HealthResultSchema },
  503: { description: 'a check is down, or the process is shutting down', contentType: 'application/json', schema: HealthResultSchema },
});

export const OPERATIONAL_ROUTES: readonly OperationalRoute[] = [
  {
    name: 'liveness',
    method: 'GET',
    path: P.live,
    tag: 'operations',
    summary: 'Liveness: the process serves HTTP',
    responses: health('the process is up'),
  },
  {
    name: 'readiness',
    method: 'GET',
    path: P.ready,
    tag: 'operations',
    summary: 'Readiness: MySQL and Redis answer (each check bounded to 2 s)',
    responses: health('ready for traffic'),
  },
  {
    name: 'metrics',
    method: 'GET',
    path: P.metrics,
    tag: 'operations',
    summary: 'Prometheus metrics',
    description:
      'HTTP durations by route, job wait by op and host, job counts by state per host queue, hosts up/down, ' +
      'pool size and free bytes per host, and Node process metrics.',
    responses: { 200: { description: 'text exposition format 0.0.4', contentType: 'text/plain; version=0.0.4; charset=utf-8', schema: z.string() } },
  },
  {
    name: 'openapiDocument',
    method: 'GET',
    path: P.openapi,
    tag: 'web',
    summary: 'This document (OpenAPI 3.1)',
    responses: { 200: { description: 'the OpenAPI document', contentType: 'application/json', schema: OpenApiDocumentSchema } },
  },
  { name: 'docsPage', method: 'GET', path: P.docs, tag: 'web', summary: 'API documentation viewer', responses: { 200: html('a page rendering this document') } },
  {
    name: 'fleetPage',
    method: 'GET',
    path: P.ui,
    tag: 'web',
    summary: 'Fleet page: hosts, pool usage, namespaces, snapshot trees (live)',
    responses: { 200: html('the fleet page; it reads the public /v1 API') },
  },
  {
    name: 'pageAsset',
    method: 'GET',
    path: P.asset,
    tag: 'web',
    summary: 'Script or stylesheet of the fleet page or the documentation viewer',
    params: { file: z.enum(ASSETS) },
    responses: {
      200: { description: 'the asset (text/javascript, or text/css for style.css)', contentType: 'text/javascript; charset=utf-8', schema: z.string() },
      404: { description: 'no such asset', contentType: 'application/problem+json', schema: ProblemSchema },
    },
  },
  {
    name: 'home',
    method: 'GET',
    path: P.root,
    tag: 'web',
    summary: 'Redirects to the fleet page',
    responses: { 302: { description: 'to /ui', headers: { Location: 'RedirectLocation' } } },
  },
  {
    name: 'queueDashboard',
    method: 'GET',
    path: P.dashboard,
    tag: 'web',
    summary: 'Queue dashboard (Bull Board): every host queue',
    description:
      'Bull Board\'s page; its own JSON API lives under /admin/queues/api/ and is not part of this document. ' +
      'Needs an admin token (the `snapfleet_token` cookie the fleet page sets, or a bearer token). Read-only: ' +
      'browsers authenticate with a cookie, accepted for reads only.',
    responses: {
      200: html('the dashboard'),
      401: { description: 'no or bad token', headers: { 'WWW-Authenticate': 'WwwAuthenticate' }, contentType: 'application/problem+json', schema: ProblemSchema },
      403: { description: 'not an admin token', contentType: 'application/problem+json', schema: ProblemSchema },
    },
  },
];
