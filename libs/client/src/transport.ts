// One HTTP exchange with the snapfleet API over node:http(s): the URL, the common headers,
// the timeout, keep-alive, and turning every failure into a typed SnapfleetError. It knows
// nothing of what the routes mean; client.ts does.
//
// node:http rather than fetch: a build farm's clients and the containerd proxy send many small
// requests, and fetch's machinery (streams, Headers, Request objects) cost about four times
// the CPU per request of a plain http.request when measured side by side.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { IDEMPOTENCY_HEADER, SnapfleetError, invalidArgument, type HttpMethod } from '@snapfleet/contracts';
import { errorFromAnswer, errorFromFailure } from './errors';

export interface TransportOptions {
  baseUrl: string;
  token?: string;
  /** Budget of one exchange (request and whole response body), in ms. */
  timeoutMs: number;
  userAgent: string;
}

export interface Exchange {
  method: HttpMethod;
  /** Path below the base URL, already encoded (routePath). */
  path: string;
  query?: URLSearchParams;
  /** Sent as JSON when defined. */
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The request is conditional (If-None-Match): a 304 is an answer, not an error. */
  notModifiedOk?: boolean;
}

/** A 2xx answer, body read in full (or a 304, when the exchange was conditional). */
export interface Answer {
  method: HttpMethod;
  url: string;
  status: number;
  /** A response header by lower-case name (the first value when repeated). */
  header(name: string): string | undefined;
  text: string;
}

/** setTimeout fires at once beyond this; longer budgets simply get no timer. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** RFC 6750 bearer tokens are visible ASCII; anything else would make fetch throw later. */
const TOKEN_RE = /^[\x21-\x7e]+$/;

/**
 * Idle keep-alive connections are closed after this long: well below the API's own idle
 * limit (Fastify's 72 s), so the server never closes a connection just as the client reuses it.
 */
const IDLE_SOCKET_MS = 15_000;
/** Errors of a reused keep-alive connection that the server closed before reading the request. */
const STALE_SOCKET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** Keep-alive agent whose idle sockets time out (and are destroyed) after IDLE_SOCKET_MS. */
function keepAliveAgent(secure: boolean): http.Agent {
  const Base = secure ? https.Agent : http.Agent;
  class IdleLimitedAgent extends Base {
    override keepSocketAlive(socket: Socket): boolean {
      // Typed void in @types/node; Node's Agent returns whether it keeps the socket.
      const keep = (super.keepSocketAlive(socket) as unknown) !== false;
      // A free socket's timeout makes the agent destroy it (see Agent's free-socket handling).
      if (keep) socket.setTimeout(IDLE_SOCKET_MS);
      return keep;
    }

    override reuseSocket(socket: Socket, req: http.ClientRequest): void {
      socket.setTimeout(0);
      super.reuseSocket(socket, req);
    }
  }
  return new IdleLimitedAgent({ keepAlive: true });
}

export class Transport {
  private readonly base: string;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;

  constructor(private readonly opts: TransportOptions) {
    let url: URL;
    try {
      url = new URL(opts.baseUrl);
    } catch {
      throw invalidArgument(`baseUrl ${JSON.stringify(opts.baseUrl)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidArgument(`baseUrl must be http(s), got ${url.protocol}`);
    if (url.search || url.hash) throw invalidArgument('baseUrl must not have a query or fragment');
    if (opts.token !== undefined && !TOKEN_RE.test(opts.token)) throw invalidArgument('token must be visible ASCII characters');
    // A base with a path prefix (behind a reverse proxy) keeps it: paths are appended, not resolved.
    this.base = url.href.replace(/\/+$/, '');
    const secure = url.protocol === 'https:';
    this.agent = keepAliveAgent(secure);
    this.request = secure ? https.request : http.request;
  }

  url(path: string, query?: URLSearchParams): string {
    const qs = query?.toString();
    return `${this.base}${path}${qs ? `?${qs}` : ''}`;
  }

  /** Closes the idle keep-alive connections; exchanges in flight finish on theirs. */
  close(): void {
    for (const sockets of Object.values(this.agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
  }

  async send(x: Exchange): Promise<Answer> {
    const url = this.url(x.path, x.query);
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      'user-agent': this.opts.userAgent,
      ...x.headers,
    };
    if (this.opts.token !== undefined) headers.authorization = `Bearer ${this.opts.token}`;
    let body: Buffer | undefined;
    if (x.body !== undefined) {
      body = Buffer.from(JSON.stringify(x.body), 'utf8');
      headers['content-type'] = 'application/json';
    }
    if (body !== undefined || x.method === 'POST' || x.method === 'PATCH') headers['content-length'] = String(body?.length ?? 0);

    // Our own controller: it tells our timeout apart from the caller's abort, and the timer
    // also covers reading the body, not just the response head.
    const ctrl = new AbortController();
    let timedOut = false;
    const timer =
      Number.isFinite(x.timeoutMs) && x.timeoutMs <= MAX_TIMER_MS
        ? setTimeout(() => {
            timedOut = true;
            ctrl.abort();
          }, x.timeoutMs)
        : undefined;
    const onAbort = () => ctrl.abort(x.signal?.reason);
    if (x.signal?.aborted) onAbort();
    else x.signal?.addEventListener('abort', onAbort, { once: true });
    // Retried once on a fresh connection when a reused one turns out closed — only where a
    // second send cannot do a second op: reads, and mutations carrying an Idempotency-Key.
    const retryable = x.method === 'GET' || headers[IDEMPOTENCY_HEADER] !== undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await this.exchange(url, x.method, headers, body, ctrl.signal);
          const notModified = res.status === 304 && x.notModifiedOk === true;
          if (!notModified && (res.status < 200 || res.status > 299)) {
            throw errorFromAnswer({
              method: x.method,
              url,
              status: res.status,
              statusText: res.statusText,
              contentType: res.header('content-type') ?? null,
              text: res.text,
            });
          }
          return { method: x.method, url, status: res.status, header: res.header, text: res.text };
        } catch (err) {
          if (retryable && attempt === 1 && isStaleSocket(err) && !ctrl.signal.aborted) continue;
          throw err;
        }
      }
    } catch (err) {
      if (err instanceof SnapfleetError) throw err;
      // The caller gave up: hand back their reason, as fetch would.
      if (x.signal?.aborted && !timedOut) throw x.signal.reason;
      throw errorFromFailure(x.method, url, err, timedOut ? x.timeoutMs : undefined);
    } finally {
      clearTimeout(timer);
      x.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** One request and its whole response body. */
  private exchange(
    url: string,
    method: HttpMethod,
    headers: Record<string, string>,
    body: Buffer | undefined,
    signal: AbortSignal,
  ): Promise<{ status: number; statusText: string; header: (name: string) => string | undefined; text: string }> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = this.request(url, { method, headers, agent: this.agent, signal }, (res) => {
        answered = true;
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', reject);
        res.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
        res.on('end', () => {
          const h = res.headers;
          const header = (name: string) => {
            const v = h[name];
            return Array.isArray(v) ? v[0] : v;
          };
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', header, text });
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        // Marks the failure as one of a reused connection before any answer (see isStaleSocket).
        if (req.reusedSocket && !answered) Object.assign(err, { staleSocket: true });
        reject(err);
      });
      req.end(body);
    });
  }
}

function isStaleSocket(err: unknown): boolean {
  const e = err as { staleSocket?: boolean; code?: string } | undefined;
  return e?.staleSocket === true && e.code !== undefined && STALE_SOCKET_ERRORS.has(e.code);
}
