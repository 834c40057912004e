// One HTTP exchange with the snapfleet API over fetch: the URL, the common headers, the
// timeout, and turning every failure into a typed SnapfleetError. It knows nothing of what
// the routes mean; client.ts does.
import { SnapfleetError, invalidArgument, type HttpMethod } from '@snapfleet/contracts';
import { errorFromAnswer, errorFromFailure } from './errors';

export interface TransportOptions {
  baseUrl: string;
  token?: string;
  /** Budget of one exchange (request and whole response body), in ms. */
  timeoutMs: number;
  fetch: typeof fetch;
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
}

/** A 2xx answer, body read in full. */
export interface Answer {
  method: HttpMethod;
  url: string;
  status: number;
  headers: Headers;
  text: string;
}

/** setTimeout fires at once beyond this; longer budgets simply get no timer. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** RFC 6750 bearer tokens are visible ASCII; anything else would make fetch throw later. */
const TOKEN_RE = /^[\x21-\x7e]+$/;

export class Transport {
  private readonly base: string;

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
  }

  url(path: string, query?: URLSearchParams): string {
    const qs = query?.toString();
    return `${this.base}${path}${qs ? `?${qs}` : ''}`;
  }

  async send(x: Exchange): Promise<Answer> {
    const url = this.url(x.path, x.query);
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      'user-agent': this.opts.userAgent,
      ...x.headers,
    };
    if (this.opts.token !== undefined) headers.authorization = `Bearer ${this.opts.token}`;
    let body: string | undefined;
    if (x.body !== undefined) {
      body = JSON.stringify(x.body);
      headers['content-type'] = 'application/json';
    }

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
    try {
      // Called unbound, as a plain function: some fetch implementations reject a foreign `this`.
      const fetchFn = this.opts.fetch;
      const res = await fetchFn(url, { method: x.method, headers, body, signal: ctrl.signal });
      const text = await res.text();
      if (!res.ok) {
        throw errorFromAnswer({
          method: x.method,
          url,
          status: res.status,
          statusText: res.statusText,
          contentType: res.headers.get('content-type'),
          text,
        });
      }
      return { method: x.method, url, status: res.status, headers: res.headers, text };
    } catch (err) {
      if (err instanceof SnapfleetError) throw err;
      // The caller gave up: hand back their reason, as fetch itself would.
      if (x.signal?.aborted && !timedOut) throw x.signal.reason;
      throw errorFromFailure(x.method, url, err, timedOut ? x.timeoutMs : undefined);
    } finally {
      clearTimeout(timer);
      x.signal?.removeEventListener('abort', onAbort);
    }
  }
}
