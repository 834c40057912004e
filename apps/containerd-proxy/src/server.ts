// The gRPC server: containerd.services.snapshots.v1.Snapshots on a unix socket, owner-only,
// with a graceful stop (in-flight calls finish, new ones are refused) bounded by a grace time.
import { stat, unlink } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Backend } from './backend';
import { snapshotsHandlers } from './handlers';
import { snapshotsService } from './proto';
import { bindOwnerOnly, prepareSocketPath } from './socket';
import { tolerateUndecodable } from './undecodable';

export interface ProxyServer {
  socket: string;
  /** Stops accepting calls, waits up to `graceMs` for running ones, then cancels them. */
  stop(graceMs?: number): Promise<void>;
}

// Big enough for a List batch of 100 infos with many labels (each label ≤ 4 KiB).
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export async function startProxyServer(opts: { socket: string; backend: Backend; log: Logger; defaultNamespace: string }): Promise<ProxyServer> {
  const { socket, log } = opts;
  const service = tolerateUndecodable(snapshotsService());
  const { removedStale } = await prepareSocketPath(socket);
  if (removedStale) log.warn({ socket }, 'removed a stale socket left by an earlier proxy');

  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  server.addService(service, snapshotsHandlers(opts.backend, { log, defaultNamespace: opts.defaultNamespace }));
  await bindOwnerOnly(
    socket,
    () =>
      new Promise<number>((resolve, reject) =>
        server.bindAsync(`unix:${socket}`, grpc.ServerCredentials.createInsecure(), (err, port) =>
          err ? reject(new Error(`cannot listen on ${socket}: ${err.message}`, { cause: err })) : resolve(port),
        ),
      ),
  );
  const { ino } = await stat(socket);

  return {
    socket,
    async stop(graceMs = 10_000) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          log.warn({ graceMs }, 'calls still running after the grace time: cancelling them');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      // Normally gone with the listener; never remove a socket that another proxy made since.
      const now = await stat(socket).catch(() => undefined);
      if (now?.isSocket() && now.ino === ino) await unlink(socket).catch(() => undefined);
    },
  };
}
