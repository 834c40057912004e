// Binds the worker's HTTP listener. A port the operator chose must be bound (their scraper
// looks there): failing is an error naming the variables. The default port may be held by
// another process of this machine — a second worker of the same host, a test fleet — and
// then any free port is taken instead, and the caller says so in the log.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BindOptions {
  /** SNAPFLEET_WORKER_HTTP_PORT, when set. */
  chosen: number | undefined;
  defaultPort: number;
  host: string;
}

export async function bindListener(server: Server, opts: BindOptions): Promise<{ port: number; fellBack: boolean }> {
  const port = opts.chosen ?? opts.defaultPort;
  try {
    await listen(server, port, opts.host);
    return { port: (server.address() as AddressInfo).port, fellBack: false };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (opts.chosen !== undefined || code !== 'EADDRINUSE') {
      throw new Error(`cannot listen on ${opts.host}:${port} (SNAPFLEET_WORKER_HTTP_PORT, SNAPFLEET_WORKER_HTTP_BIND): ${String(err)}`, { cause: err });
    }
    await listen(server, 0, opts.host);
    return { port: (server.address() as AddressInfo).port, fellBack: true };
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
