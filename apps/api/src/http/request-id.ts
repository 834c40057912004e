// Request ids: the client's x-request-id when it is usable, else a fresh one. The same id
// is fastify's request.id, the requestId on every log line, the response header, and
// the requestId in job data, so one grep follows a request into the worker's logs.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { REQUEST_ID_HEADER } from '@snapfleet/contracts';

const MAX_REQUEST_ID_LENGTH = 128;
const UNSAFE = /[^A-Za-z0-9._:/+=@-]/g;

/** Keeps only characters safe in headers and logs; undefined when nothing usable is left. */
export function sanitizeRequestId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const clean = value.replace(UNSAFE, '').slice(0, MAX_REQUEST_ID_LENGTH);
  return clean.length > 0 ? clean : undefined;
}

type WithId = IncomingMessage & { id?: unknown };

/**
 * The request's id, assigned on first call. Fastify (genReqId) and the request logging
 * both call this with the raw request; storing it there makes them agree.
 */
export function requestIdOf(raw: IncomingMessage): string {
  const req = raw as WithId;
  if (typeof req.id === 'string') return req.id;
  const id = sanitizeRequestId(raw.headers[REQUEST_ID_HEADER]) ?? randomUUID();
  req.id = id;
  return id;
}
