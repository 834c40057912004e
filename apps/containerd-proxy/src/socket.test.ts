// The listening socket: stale sockets are replaced, live ones and non-sockets are not, and
// the new socket is owner-only.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bindOwnerOnly, prepareSocketPath } from './socket';

let dir: string;
const servers: Server[] = [];

const listen = (path: string) =>
  new Promise<Server>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(path, () => resolve(s));
    servers.push(s);
  });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sfsock-'));
});

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('prepareSocketPath', () => {
  it('accepts a free path and creates its directory', async () => {
    expect(await prepareSocketPath(join(dir, 'a', 'b', 'p.sock'))).toEqual({ removedStale: false });
    expect((await stat(join(dir, 'a', 'b'))).isDirectory()).toBe(true);
  });

  it('removes a stale socket nobody listens on', async () => {
    const path = join(dir, 'p.sock');
    // A process killed while listening leaves its socket file behind.
    spawnSync(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))", path]);
    expect((await stat(path)).isSocket()).toBe(true);
    expect(await prepareSocketPath(path)).toEqual({ removedStale: true });
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a socket another process listens on', async () => {
    const path = join(dir, 'p.sock');
    await listen(path);
    await expect(prepareSocketPath(path)).rejects.toThrow(/another process is listening/);
    expect((await stat(path)).isSocket()).toBe(true);
  });

  it('refuses to replace a file that is not a socket', async () => {
    const path = join(dir, 'p.sock');
    await writeFile(path, 'precious');
    await expect(prepareSocketPath(path)).rejects.toThrow(/not a socket/);
  });
});

describe('bindOwnerOnly', () => {
  it('creates the socket 0600 and restores the umask', async () => {
    const path = join(dir, 'p.sock');
    const before = process.umask();
    await bindOwnerOnly(path, () => listen(path));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(process.umask()).toBe(before);
  });
});
