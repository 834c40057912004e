// snapfleet containerd proxy: serves containerd's snapshots API on SNAPFLEET_PROXY_SOCKET so
// a containerd on this host (SNAPFLEET_HOST_ID) keeps its snapshots in the fleet
// (SNAPFLEET_API_URL). containerd loads it as a proxy plugin; see ../README.md.
import { constants } from 'node:os';
import { ConfigError } from '@snapfleet/contracts';
import { fleetBackend } from './backend';
import { loadProxyConfig, type ProxyConfig } from './config';
import { makeLogger } from './logger';
import { startProxyServer } from './server';

async function main(): Promise<void> {
  let config: ProxyConfig;
  try {
    config = loadProxyConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`snapfleet-containerd-proxy: ${err.message}\n`);
    process.exit(1);
  }
  const log = makeLogger(config);
  // The server starts binding asynchronously; the signal handlers below are installed in the
  // same tick, before the socket can exist, so a SIGTERM that arrives as soon as the socket
  // answers still drains and exits 0 instead of killing the process.
  const server = startProxyServer({ socket: config.socket, backend: fleetBackend(config), log, defaultNamespace: config.defaultNamespace });
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting for running calls');
      process.exit(128 + (constants.signals[signal] ?? 0));
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    // First signal: finish running calls, then exit 0.
    server
      .then((s) => s.stop())
      .then(
        () => {
          log.info('stopped');
          process.exit(0);
        },
        (err: unknown) => {
          log.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  await server;
  log.info({ socket: config.socket, api: new URL(config.apiUrl).origin, defaultNamespace: config.defaultNamespace }, 'containerd proxy listening');
}

main().catch((err: unknown) => {
  process.stderr.write(`snapfleet-containerd-proxy: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
