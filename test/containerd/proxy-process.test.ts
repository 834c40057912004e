// The proxy as a process and as a gRPC server, against a real fleet: configuration errors,
// the socket's life cycle (0600, stale socket replaced, live one refused, removed on SIGTERM),
// error codes, namespaces, List batching, and the lookup containerd makes after a Prepare
// labelled containerd.io/snapshot.ref answers ALREADY_EXISTS.
import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/fleet';
import { dialSnapshots, listAll, unary, type RawSnapshotsClient } from './grpc-client';
import { canConnect, spawnProxy, startProxy } from './proxy';
import { startStack, type Stack } from './stack';

let stack: Stack;
let client: RawSnapshotsClient;
const SN = { snapshotter: 'snapfleet' };

beforeAll(async () => {
  stack = await startStack({ label: 'proxyproc', containerd: false });
  client = dialSnapshots(stack.proxy.socket);
}, 180_000);

afterAll(async () => {
  client?.close();
  await stack?.dispose();
}, 120_000);

const grpcCode = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { details?: { grpcCode?: number } }) => e.details?.grpcCode,
  );

/** What containerd's unpacker does to a layer: prepare, commit with the chain id as ref. */
async function commitLayer(ns: string | undefined, name: string, parent: string, ref: string) {
  const key = `${name}-extract`;
  await unary(client, 'Prepare', { ...SN, key, parent, labels: { 'containerd.io/snapshot.ref': ref } }, ns);
  await unary(client, 'Commit', { ...SN, name, key, labels: { 'containerd.io/snapshot.ref': ref } }, ns);
}

describe('process', () => {
  it('exits 1 naming the variable when the configuration is bad', async () => {
    const proc = spawnProxy({ SNAPFLEET_PROXY_SOCKET: 'relative', SNAPFLEET_HOST_ID: stack.host.id, SNAPFLEET_API_URL: stack.apiUrl }, join(stack.fleet.logs, 'badconfig.log'));
    const [code] = (await once(proc, 'exit')) as [number];
    expect(code).toBe(1);
    expect(await readFile(join(stack.fleet.logs, 'badconfig.log'), 'utf8')).toMatch(/SNAPFLEET_PROXY_SOCKET: must be an absolute path/);
  });

  it('listens on an owner-only socket', async () => {
    expect((await stat(stack.proxy.socket)).mode & 0o777).toBe(0o600);
  });

  it('refuses to start on a socket another proxy listens on', async () => {
    const log = join(stack.fleet.logs, 'second.log');
    const proc = spawnProxy({ SNAPFLEET_PROXY_SOCKET: stack.proxy.socket, SNAPFLEET_HOST_ID: stack.host.id, SNAPFLEET_API_URL: stack.apiUrl }, log);
    const [code] = (await once(proc, 'exit')) as [number];
    expect(code).toBe(1);
    expect(await readFile(log, 'utf8')).toMatch(/another process is listening on/);
    expect(await canConnect(stack.proxy.socket)).toBe(true);
  });

  it('replaces a stale socket after a crash, and removes its socket on SIGTERM', async () => {
    const socket = join(stack.proxy.socket, '..', 'crash.sock');
    const first = await startProxy({ apiUrl: stack.apiUrl, hostId: stack.host.id, socket, logDir: stack.fleet.logs });
    first.proc.kill('SIGKILL');
    await once(first.proc, 'exit');
    expect((await stat(socket)).isSocket()).toBe(true);
    expect(await canConnect(socket)).toBe(false);

    const second = await startProxy({ apiUrl: stack.apiUrl, hostId: stack.host.id, socket, logDir: stack.fleet.logs });
    expect((await second.logLines()).some((l) => l.msg === 'removed a stale socket left by an earlier proxy')).toBe(true);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
    await expect(stat(socket)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('calls', () => {
  it('maps fleet errors to the gRPC codes containerd understands', async () => {
    await unary(client, 'Prepare', { ...SN, key: 'errs-a', parent: '', labels: {} }, 'errs');
    expect(await grpcCode(unary(client, 'Stat', { ...SN, key: 'missing' }, 'errs'))).toBe(status.NOT_FOUND);
    expect(await grpcCode(unary(client, 'Prepare', { ...SN, key: 'errs-a', parent: '', labels: {} }, 'errs'))).toBe(status.ALREADY_EXISTS);
    expect(await grpcCode(unary(client, 'View', { ...SN, key: 'errs-v', parent: 'errs-a', labels: {} }, 'errs'))).toBe(status.INVALID_ARGUMENT);
    expect(await grpcCode(unary(client, 'Mounts', { ...SN, key: '' }, 'errs'))).toBe(status.INVALID_ARGUMENT);
    await unary(client, 'Commit', { ...SN, name: 'errs-c', key: 'errs-a', labels: {} }, 'errs');
    await unary(client, 'Prepare', { ...SN, key: 'errs-child', parent: 'errs-c', labels: {} }, 'errs');
    expect(await grpcCode(unary(client, 'Remove', { ...SN, key: 'errs-c' }, 'errs'))).toBe(status.FAILED_PRECONDITION);
    expect(await grpcCode(unary(client, 'Stat', { ...SN, key: 'x' }, 'bad/ns'))).toBe(status.INVALID_ARGUMENT);
    expect(await grpcCode(unary(client, 'Update', { ...SN, info: { name: 'errs-c', labels: {} }, update_mask: { paths: ['parent'] } }, 'errs'))).toBe(status.INVALID_ARGUMENT);
  });

  it('answers UNAVAILABLE when the host is unknown or the API unreachable', async () => {
    const dir = join(stack.proxy.socket, '..');
    const ghost = await startProxy({ apiUrl: stack.apiUrl, hostId: 'no-such-host', socket: join(dir, 'ghost.sock'), logDir: stack.fleet.logs });
    const nowhere = await startProxy({ apiUrl: `http://127.0.0.1:${await freePort()}`, hostId: stack.host.id, socket: join(dir, 'nowhere.sock'), logDir: stack.fleet.logs });
    const c1 = dialSnapshots(ghost.socket);
    const c2 = dialSnapshots(nowhere.socket);
    try {
      expect(await grpcCode(unary(c1, 'Prepare', { ...SN, key: 'k', parent: '', labels: {} }))).toBe(status.UNAVAILABLE);
      expect(await grpcCode(unary(c2, 'Stat', { ...SN, key: 'k' }))).toBe(status.UNAVAILABLE);
    } finally {
      c1.close();
      c2.close();
      await ghost.stop();
      await nowhere.stop();
    }
  });

  it('keeps namespaces apart; no header means default', async () => {
    await unary(client, 'Prepare', { ...SN, key: 'ns-only-a', parent: '', labels: {} }, 'ns-a');
    await unary(client, 'Prepare', { ...SN, key: 'ns-only-default', parent: '', labels: {} });
    const names = async (ns?: string) => (await listAll(client, { ...SN, ...(ns ? { namespace: ns } : {}) }, [])).infos.map((i) => i.name);
    expect(await names('ns-a')).toEqual(['ns-only-a']);
    expect(await names()).toContain('ns-only-default');
    expect(await names()).not.toContain('ns-only-a');
    expect(await names('default')).toEqual(await names());
  });

  it('streams List in batches of 100 and finds every snapshot', { timeout: 120_000 }, async () => {
    const ns = 'batch';
    const keys = Array.from({ length: 250 }, (_, i) => `batch ${String(i).padStart(3, '0')}`);
    for (let i = 0; i < keys.length; i += 10) {
      await Promise.all(keys.slice(i, i + 10).map((key) => unary(client, 'Prepare', { ...SN, key, parent: '', labels: { 'containerd.io/snapshot/i': key } }, ns)));
    }
    const { infos, messages } = await listAll(client, { ...SN, namespace: ns }, []);
    expect(messages).toBe(3);
    expect(infos.map((i) => i.name).sort()).toEqual(keys);
    expect(infos.every((i) => i.kind === 'ACTIVE' && i.created_at !== null && i.labels['containerd.io/snapshot/i'] === i.name)).toBe(true);
    // Filters are containerd's: OR across filters, AND within one.
    const some = await listAll(client, { ...SN, namespace: ns }, ['name=="batch 007"', 'labels."containerd.io/snapshot/i"~="^batch 24[0-2]$"']);
    expect(some.infos.map((i) => i.name).sort()).toEqual(['batch 007', 'batch 240', 'batch 241', 'batch 242']);
    expect(some.messages).toBe(1);
    expect(await grpcCode(listAll(client, { ...SN, namespace: ns }, ['name=='])).then(String)).toBe(String(status.INVALID_ARGUMENT));
  });

  it('Prepare of an existing ref answers a plain ALREADY_EXISTS; containerd\'s List filter then finds it', async () => {
    // containerd's metadata layer names backend keys <ns>/<seq>/<key>; unpack keys hold a space.
    const base = 'default/3/sha256:aaaa';
    const child = 'default/5/sha256:bbbb';
    await commitLayer('refs', base, '', 'sha256:aaaa');
    await commitLayer('refs', child, base, 'sha256:bbbb');
    // A key that exists, asked for again with the ref label: plain ALREADY_EXISTS, no wrapping.
    const key = 'default/6/extract-719151736-tXEC sha256:bbbb';
    await unary(client, 'Prepare', { ...SN, key, parent: base, labels: {} }, 'refs');
    const again = unary(client, 'Prepare', { ...SN, key, parent: base, labels: { 'containerd.io/snapshot.ref': 'sha256:bbbb' } }, 'refs');
    await expect(again).rejects.toMatchObject({ code: 'already_exists', details: { grpcCode: status.ALREADY_EXISTS } });
    // metadata/snapshot.go: fmt.Sprintf(`labels."containerd.io/snapshot.ref"==%s,parent==%q`, target, bparent)
    const filter = (target: string, parent: string) => `labels."containerd.io/snapshot.ref"==${target},parent==${JSON.stringify(parent)}`;
    const found = async (target: string, parent: string) => (await listAll(client, { ...SN, namespace: 'refs' }, [filter(target, parent)])).infos;
    expect((await found('sha256:aaaa', '')).map((i) => [i.name, i.kind, i.parent])).toEqual([[base, 'COMMITTED', '']]);
    expect((await found('sha256:bbbb', base)).map((i) => [i.name, i.kind, i.parent])).toEqual([[child, 'COMMITTED', base]]);
    expect(await found('sha256:bbbb', '')).toEqual([]);
  });

  it('logs one JSON line per call with method, key, namespace and duration', async () => {
    await unary(client, 'Stat', { ...SN, key: 'ns-only-a' }, 'ns-a');
    // The line travels through a pipe into the log file: give it a moment.
    const find = async () => (await stack.proxy.logLines()).reverse().find((l) => l.method === 'Stat' && l.key === 'ns-only-a' && l.namespace === 'ns-a');
    let line = await find();
    for (let i = 0; i < 40 && !line; i++) {
      await new Promise((r) => setTimeout(r, 50));
      line = await find();
    }
    expect(line).toMatchObject({ level: 'info', method: 'Stat', key: 'ns-only-a', namespace: 'ns-a', nsHeader: true, snapshotter: 'snapfleet', app: 'containerd-proxy' });
    expect(typeof line?.ms).toBe('number');
  });
});
