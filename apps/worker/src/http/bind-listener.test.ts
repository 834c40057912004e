// How the worker's listener picks its port, on real sockets.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { bindListener } from './bind-listener';

const servers: Server[] = [];
const server = () => {
  const s = createServer();
  servers.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.listening ? s.close(r) : r(undefined)))));
});

/** A port this test holds. */
async function held(): Promise<number> {
  const { port } = await bindListener(server(), { chosen: 0, defaultPort: 0, host: '127.0.0.1' });
  return port;
}

describe('bindListener', () => {
  it('binds the default port when it is free', async () => {
    const port = await held();
    await new Promise((r) => servers[0]!.close(r));
    expect(await bindListener(server(), { chosen: undefined, defaultPort: port, host: '127.0.0.1' })).toEqual({ port, fellBack: false });
  });

  it('falls back to a free port when the default one is taken', async () => {
    const taken = await held();
    const r = await bindListener(server(), { chosen: undefined, defaultPort: taken, host: '127.0.0.1' });
    expect(r.fellBack).toBe(true);
    expect(r.port).not.toBe(taken);
    expect(r.port).toBeGreaterThan(0);
  });

  it('refuses to fall back from a port the operator chose, naming the variable', async () => {
    const taken = await held();
    await expect(bindListener(server(), { chosen: taken, defaultPort: 9464, host: '127.0.0.1' })).rejects.toThrow(
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${taken} \\(SNAPFLEET_WORKER_HTTP_PORT.*EADDRINUSE`),
    );
  });

  it('reports a bad bind address whatever the port', async () => {
    await expect(bindListener(server(), { chosen: undefined, defaultPort: 0, host: '203.0.113.1' })).rejects.toThrow(/SNAPFLEET_WORKER_HTTP_BIND.*EADDRNOTAVAIL/);
  });
});
