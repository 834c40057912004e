// The unix socket the server listens on: a stale socket left by a crashed proxy is removed,
// but a live one (another proxy, or anything answering there) or a non-socket file is never
// touched — the start fails instead. The socket is created owner-only (0600): whoever can
// connect can create and delete every snapshot of this host.
import { lstat, mkdir, unlink, chmod } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';

export const SOCKET_MODE = 0o600;

/** Connects to `path`: true when something accepts, false when nobody listens (stale). */
function someoneListens(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const sock = connect({ path });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      sock.destroy();
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve(false);
      else reject(new Error(`cannot probe socket ${path}: ${err.message}`, { cause: err }));
    });
  });
}

export interface PreparedSocket {
  /** True when a stale socket was removed. */
  removedStale: boolean;
}

/** Makes `path` free for a new listener, or throws saying why it is not. */
export async function prepareSocketPath(path: string): Promise<PreparedSocket> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { removedStale: false };
    throw new Error(`cannot inspect ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (!st.isSocket()) throw new Error(`${path} exists and is not a socket: refusing to replace it`);
  if (await someoneListens(path)) throw new Error(`another process is listening on ${path}: refusing to start a second proxy there`);
  await unlink(path).catch((err: unknown) => {
    throw new Error(`cannot remove stale socket ${path}: ${(err as Error).message}`, { cause: err });
  });
  return { removedStale: true };
}

/**
 * Runs `bind` with a umask that makes the socket 0600 from its first instant (chmod after
 * the fact would leave a window where anyone could connect), then chmods to be certain.
 */
export async function bindOwnerOnly<T>(path: string, bind: () => Promise<T>): Promise<T> {
  const previous = process.umask(0o177);
  let result: T;
  try {
    result = await bind();
  } finally {
    process.umask(previous);
  }
  await chmod(path, SOCKET_MODE);
  return result;
}
