// Starts the containerd proxy as a real process from dist/ (build first: npm run build:ts),
// against a fleet's API, and waits until its socket accepts connections.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { distEntry } from '../support/dist';
import { stopProcess } from '../support/fleet';

export const PROXY_ENTRY = 'apps/containerd-proxy/src/main.js';

export interface ProxyProcess {
  socket: string;
  proc: ChildProcess;
  logFile: string;
  /** The proxy's JSON log lines so far. */
  logLines(): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnProxy(env: Record<string, string>, logFile: string): ChildProcess {
  const out = createWriteStream(logFile, { flags: 'a' });
  const proc = spawn(process.execPath, [distEntry(PROXY_ENTRY)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.pipe(out, { end: false });
  proc.stderr?.pipe(out, { end: false });
  return proc;
}

export function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startProxy(o: { apiUrl: string; hostId: string; socket: string; logDir: string; env?: Record<string, string> }): Promise<ProxyProcess> {
  const logFile = join(o.logDir, `proxy-${process.pid}-${Date.now()}.log`);
  const proc = spawnProxy(
    { SNAPFLEET_PROXY_SOCKET: o.socket, SNAPFLEET_HOST_ID: o.hostId, SNAPFLEET_API_URL: o.apiUrl, SNAPFLEET_LOG_LEVEL: 'info', ...o.env },
    logFile,
  );
  const logLines = async () =>
    (await readFile(logFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const deadline = Date.now() + 20_000;
  while (!(await canConnect(o.socket))) {
    if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
      await stopProcess(proc, 1000);
      const text = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`containerd proxy did not come up on ${o.socket}: ${text.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { socket: o.socket, proc, logFile, logLines, stop: () => stopProcess(proc, 10_000) };
}
