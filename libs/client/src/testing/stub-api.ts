// Test helper: a real HTTP server on 127.0.0.1 (ephemeral port) standing in for the API's HTTP
// surface. It records exactly what arrived on the wire (raw path, headers, body) and answers
// with canned replies, so the client's tests exercise real node:http requests, real sockets, real parsing.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROBLEM_CONTENT_TYPE, type ErrorCode, type JobView, type SnapshotInfo } from '@snapfleet/contracts';

export interface Received {
  method: string;
  /** The request target as sent, undecoded. */
  rawUrl: string;
  /** The raw path without the query. */
  rawPath: string;
  /** Path segments, each URL-decoded. */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as application/json (or problem+json, see problem()). */
  json?: unknown;
  /** Sent verbatim. */
  text?: string;
  delayMs?: number;
  /** Never answer (the client must time out). */
  hang?: boolean;
}

export type Handler = (req: Received) => Reply | Promise<Reply>;

export interface StubApi {
  url: string;
  received: Received[];
  handle(h: Handler): void;
  close(): Promise<void>;
}

export async function startStubApi(handler: Handler = () => ({ status: 500, text: 'no handler' })): Promise<StubApi> {
  let current = handler;
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawUrl = req.url ?? '';
      const q = rawUrl.indexOf('?');
      const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
      const r: Received = {
        method: req.method ?? '',
        rawUrl,
        rawPath,
        segments: rawPath.split('/').slice(1).map(decodeURIComponent),
        query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      void Promise.resolve()
        .then(() => current(r))
        .then(async (reply) => {
          if (reply.hang) return;
          if (reply.delayMs) await new Promise((ok) => setTimeout(ok, reply.delayMs));
          const headers = { ...reply.headers };
          let body = reply.text ?? '';
          if (reply.json !== undefined) {
            body = JSON.stringify(reply.json);
            headers['content-type'] ??= 'application/json';
          }
          res.writeHead(reply.status ?? 200, headers).end(body);
        })
        .catch((err: unknown) => res.writeHead(599).end(String(err)));
    });
  });
  // The client may send a 4096-byte key as ~12 KiB of percent-escapes: Node's default 16 KiB
  // header limit, which the real API shares, must hold it.
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    handle: (h) => {
      current = h;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** An RFC 9457 answer as the API sends it. */
export function problem(status: number, code: ErrorCode | string, detail: string, extensions: Record<string, unknown> = {}): Reply {
  return {
    status,
    headers: { 'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8` },
    json: { type: `urn:snapfleet:error:${code}`, title: 'Problem', status, detail, code, ...extensions },
  };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({ status, json: body, headers });

export function info(name: string, over: Partial<SnapshotInfo> = {}): SnapshotInfo {
  return { name, kind: 'active', labels: {}, created: '2024-01-02T03:04:05.123456789Z', updated: '2024-01-02T03:04:05.123456789Z', ...over };
}

export function createResult(name: string, over: Partial<SnapshotInfo> = {}) {
  return {
    info: info(name, over),
    mounts: [{ type: 'btrfs', source: '/dev/loop7', options: ['subvolid=256'] }],
    path: '/var/lib/snapfleet/active/1',
  };
}

export function job(over: Partial<JobView> = {}): JobView {
  return { id: 'op-1', host: 'h1', op: 'prepare', state: 'waiting', attempts: 0, createdAt: '2024-01-02T03:04:05.000Z', ...over };
}
