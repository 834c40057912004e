// The client's keep-alive connections: a connection the server dropped while it sat idle
// is retried once on a fresh one where a second send cannot run an op twice (reads, and
// mutations with an Idempotency-Key), and reported as unavailable otherwise.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnapfleetError } from '@snapfleet/contracts';
import { SnapfleetClient } from './client';

const HOST = { id: 'h1', status: 'up', draining: false, root: '/r', device: '/dev/loop9', fsid: 'f', sizeBytes: 1, freeBytes: 1, workers: 1, version: 'v', heartbeatAt: null, registeredAt: new Date(0).toISOString() };

let server: Server;
let url: string;
/** Requests per connection; the second request on any connection is dropped unanswered. */
let perSocket: WeakMap<Socket, number>;
let answered: number;
let dropped: number;

beforeEach(async () => {
  perSocket = new WeakMap();
  answered = 0;
  dropped = 0;
  server = createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    req.resume();
    req.on('end', () => {
      if (n === 2) {
        // As a server that closed the idle connection just before this request arrived.
        dropped++;
        req.socket.destroy();
        return;
      }
      answered++;
      const body = req.url?.startsWith('/v1/hosts/') && req.method === 'GET' ? HOST : { removed: 0 };
      res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

describe('keep-alive', () => {
  it('retries a read once on a fresh connection when the reused one was dropped', async () => {
    const client = new SnapfleetClient({ baseUrl: url });
    expect((await client.getHost('h1')).id).toBe('h1');
    expect((await client.getHost('h1')).id).toBe('h1');
    expect(dropped).toBe(1);
    expect(answered).toBe(2);
  });

  it('close() drops idle connections; the next request opens a new one', async () => {
    const client = new SnapfleetClient({ baseUrl: url });
    let connections = 0;
    server.on('connection', () => connections++);
    await client.getHost('h1');
    client.close();
    // A fresh connection: its first request is answered (the stub drops only second ones).
    await client.getHost('h1');
    expect(connections).toBe(2);
    expect(dropped).toBe(0);
  });

  it('retries a mutation with an Idempotency-Key, not one without', async () => {
    const keyed = new SnapfleetClient({ baseUrl: url });
    await keyed.cleanupHost('h1', { idempotencyKey: 'k-1' });
    expect(await keyed.cleanupHost('h1', { idempotencyKey: 'k-1' })).toEqual({ done: true, value: { removed: 0 } });
    expect(dropped).toBe(1);

    const plain = new SnapfleetClient({ baseUrl: url });
    await plain.cleanupHost('h1');
    const err = await plain.cleanupHost('h1').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SnapfleetError);
    expect((err as SnapfleetError).code).toBe('unavailable');
    expect(dropped).toBe(2);
    expect(answered).toBe(3);
  });
});
