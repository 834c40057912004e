// A private containerd for one test file: its own config, root, state, temp dir and sockets,
// all under a fresh temp dir (the root on a btrfs pool so containerd's built-in btrfs
// snapshotter works), never the system's /run/containerd socket. CRI and everything else that
// would reach outside (the /opt plugin, zfs/aufs/devmapper) is disabled. dispose() stops it,
// kills shims it left, unmounts whatever it mounted and removes the directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopProcess } from '../support/fleet';
import { ensureContainerdInstalled } from './install';
import { run, runOk, type RunResult } from './run';

export interface PrivateContainerd {
  /** Temp dir holding config, state, sockets, fifos and logs. */
  dir: string;
  socket: string;
  root: string;
  log: string;
  proc: ChildProcess;
  /** `ctr --address <socket> --namespace <ns> …args` (exit status in the result). */
  ctr(ns: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<RunResult>;
  /** Like ctr() but retries while the proxy plugin's connection is still coming up. */
  ctrReady(ns: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<RunResult>;
  /** Extra `ctr run` flags that keep fifos and runc state inside dir. */
  runFlags: string[];
  dispose(): Promise<void>;
}

export interface ContainerdOptions {
  /** Directory on a btrfs filesystem for containerd's root. */
  root: string;
  /** Proxy snapshotter plugins: name → unix socket. */
  proxies?: Record<string, string>;
  label?: string;
}

const DISABLED = [
  'io.containerd.grpc.v1.cri',
  'io.containerd.internal.v1.opt',
  'io.containerd.snapshotter.v1.aufs',
  'io.containerd.snapshotter.v1.zfs',
  'io.containerd.snapshotter.v1.devmapper',
  'io.containerd.tracing.processor.v1.otlp',
  'io.containerd.internal.v1.tracing',
];

/** Messages of calls that reached containerd before it had connected to the proxy. */
const NOT_CONNECTED = /Unavailable|connection refused|transport|error reading server preface/i;

/**
 * containerd 1.6's shims put their sockets in /run/containerd/s whatever the config says. When
 * /run/containerd does not exist, the tests create it and leave this marker, so that the last
 * private containerd to stop (in any test file) can remove it again — and never a
 * /run/containerd that was there before.
 */
const SYSTEM_RUN_DIR = '/run/containerd';
const SYSTEM_RUN_MARKER = join(tmpdir(), 'snapfleet-tests-made-run-containerd');

async function claimSystemRunDir(): Promise<void> {
  if (existsSync(SYSTEM_RUN_DIR)) return;
  await mkdir(SYSTEM_RUN_DIR, { mode: 0o700 });
  await writeFile(SYSTEM_RUN_MARKER, `${process.pid}\n`);
}

async function releaseSystemRunDir(): Promise<void> {
  if (!existsSync(SYSTEM_RUN_MARKER) || (await anyContainerdRunning())) return;
  for (const d of ['s', 'fifo', 'runc']) await rmdir(join(SYSTEM_RUN_DIR, d)).catch(() => undefined);
  // Only when empty: anything else inside is not ours.
  if (await rmdir(SYSTEM_RUN_DIR).then(() => true, () => false)) await rm(SYSTEM_RUN_MARKER, { force: true });
}

export function configToml(o: { dir: string; root: string; socket: string; proxies: Record<string, string> }): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    'version = 2',
    `root = ${q(o.root)}`,
    `state = ${q(join(o.dir, 'state'))}`,
    `temp = ${q(join(o.dir, 'tmp'))}`,
    `disabled_plugins = [${DISABLED.map(q).join(', ')}]`,
    '',
    '[grpc]',
    `  address = ${q(o.socket)}`,
    '[ttrpc]',
    `  address = ${q(`${o.socket}.ttrpc`)}`,
    '[debug]',
    `  address = ${q(join(o.dir, 'debug.sock'))}`,
    '  level = "info"',
    '[metrics]',
    '  address = ""',
  ];
  for (const [name, address] of Object.entries(o.proxies)) {
    lines.push('', `[proxy_plugins.${name}]`, '  type = "snapshot"', `  address = ${q(address)}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function startContainerd(opts: ContainerdOptions): Promise<PrivateContainerd> {
  await ensureContainerdInstalled();
  // Short: unix socket paths are limited to 107 bytes.
  const dir = await mkdtemp(`/tmp/sfctd-${opts.label ?? 'x'}-`);
  const socket = join(dir, 'c.sock');
  const log = join(dir, 'containerd.log');
  await claimSystemRunDir();
  await mkdir(join(dir, 'tmp'));
  await mkdir(join(dir, 'fifo'));
  await mkdir(opts.root, { recursive: true });
  const config = join(dir, 'config.toml');
  await writeFile(config, configToml({ dir, root: opts.root, socket, proxies: opts.proxies ?? {} }));

  const out = createWriteStream(log, { flags: 'a' });
  const proc = spawn('containerd', ['--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.pipe(out, { end: false });
  proc.stderr?.pipe(out, { end: false });

  const ctr = (ns: string, args: readonly string[], o: { timeoutMs?: number } = {}) =>
    run('ctr', ['--address', socket, '--namespace', ns, ...args], { timeoutMs: o.timeoutMs ?? 300_000 });

  const self: PrivateContainerd = {
    dir,
    socket,
    root: opts.root,
    log,
    proc,
    ctr,
    async ctrReady(ns, args, o = {}) {
      // containerd dials proxy plugins lazily and backs off up to ~3 s between attempts.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const r = await ctr(ns, args, o);
        if (r.code === 0 || !NOT_CONNECTED.test(r.stderr) || Date.now() > deadline) return r;
        await new Promise((res) => setTimeout(res, 250));
      }
    },
    runFlags: ['--fifo-dir', join(dir, 'fifo'), '--runc-root', join(dir, 'runc')],
    async dispose() {
      await stopProcess(proc, 10_000);
      await killShims(socket);
      await unmountUnder([dir, opts.root]);
      await rm(dir, { recursive: true, force: true });
      await releaseSystemRunDir();
    },
  };

  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`containerd exited at start: ${await tail(log)}`);
      const r = await run('ctr', ['--address', socket, 'version'], { timeoutMs: 5000 }).catch(() => undefined);
      if (r?.code === 0) break;
      if (Date.now() > deadline) throw new Error(`containerd not answering on ${socket} after 30 s: ${await tail(log)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    return self;
  } catch (err) {
    await self.dispose().catch(() => undefined);
    throw err;
  }
}

async function tail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-20).join('\n');
}

/** Whether any containerd or shim process is alive on the machine. */
async function anyContainerdRunning(): Promise<boolean> {
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
    if (comm === 'containerd' || comm.startsWith('containerd-shim')) return true;
  }
  return false;
}

/** Shims started for this containerd (their command line names its socket) that outlived it. */
async function killShims(socket: string): Promise<void> {
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const argv = cmd.split('\0');
    if (argv[0]?.endsWith('containerd-shim-runc-v2') && argv.includes(socket)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Unmounts every mount below the given directories, deepest first. */
export async function unmountUnder(dirs: readonly string[]): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && dirs.some((d) => m.startsWith(`${d}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    const r = await run('umount', [m]);
    if (r.code !== 0) await runOk('umount', ['-l', m]).catch(() => undefined);
  }
}
