// Runs the compiled API (dist/apps/api/src/main.js) as a real process for e2e tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { distEntry } from '../../../test/support/dist';

/** The compiled API: next to this file when it runs compiled itself (bench), else under dist/. */
function apiEntry(): string {
  return __filename.endsWith('.js') ? join(__dirname, '..', 'src', 'main.js') : distEntry('apps/api/src/main.js');
}

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  exited: Promise<number | string>;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Spawns the API with `env` (merged over a minimal environment) without waiting for it. */
export function spawnApi(env: Record<string, string>, nodeArgs: string[] = []): ApiProcess {
  const child = spawn(process.execPath, [...nodeArgs, apiEntry()], {
    // Auth off unless the test says otherwise: these tests are about other things.
    env: { PATH: process.env.PATH ?? '', SNAPFLEET_AUTH: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const port = env.SNAPFLEET_PORT ?? '8080';
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Spawns the API and waits until it answers HTTP. */
export async function startApi(env: Record<string, string>, opts: { timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<ApiProcess> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const api = spawnApi(env, opts.nodeArgs);
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void api.exited.then(() => (ended = true));
  while (Date.now() < deadline) {
    if (ended) throw new Error(`API exited during start:\n${api.output()}`);
    try {
      const r = await fetch(`${api.url}/v1/hosts`);
      if (r.status === 200) return api;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await api.stop('SIGKILL');
  throw new Error(`API did not answer within ${timeoutMs} ms:\n${api.output()}`);
}
