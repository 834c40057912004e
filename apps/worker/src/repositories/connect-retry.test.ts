import { createServer, connect, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectWithRetry, isNetworkError } from './connect-retry';

/** A real TCP connection attempt. */
function tcpConnect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('connectWithRetry', () => {
  it('gives up after the deadline with the last reason, naming the server', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(connectWithRetry('the thing', () => tcpConnect(port), { deadlineMs: 800, delayMs: 100 })).rejects.toThrow(
      /cannot connect to the thing after \d+ attempts: connect ECONNREFUSED/,
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('waits for a server that comes up within the deadline', async () => {
    const port = await freePort();
    let server: Server | undefined;
    const later = setTimeout(() => {
      server = createServer().listen(port, '127.0.0.1');
    }, 300);
    try {
      let attempts = 0;
      await connectWithRetry('late server', () => (attempts++, tcpConnect(port)), { deadlineMs: 5000, delayMs: 100 });
      expect(attempts).toBeGreaterThan(1);
    } finally {
      clearTimeout(later);
      await new Promise((r) => (server ? server.close(r) : r(undefined)));
    }
  });

  it('does not wait on an error that waiting cannot fix', async () => {
    let attempts = 0;
    const refused = Object.assign(new Error("Access denied for user 'x'"), { code: 'ER_ACCESS_DENIED_ERROR' });
    const fail = () => {
      attempts++;
      return Promise.reject(refused);
    };
    await expect(connectWithRetry('MySQL', fail, { deadlineMs: 5000, delayMs: 50, transient: isNetworkError })).rejects.toThrow(/Access denied/);
    expect(attempts).toBe(1);
  });
});

describe('isNetworkError', () => {
  it('finds a socket error code, also in the cause chain', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isNetworkError(refused)).toBe(true);
    expect(isNetworkError(new Error('wrapped', { cause: refused }))).toBe(true);
    expect(isNetworkError(Object.assign(new Error('denied'), { code: 'ER_ACCESS_DENIED_ERROR' }))).toBe(false);
    expect(isNetworkError('ECONNREFUSED')).toBe(false);
  });
});
