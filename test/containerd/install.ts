// What the containerd tests need from Debian: containerd (with ctr and the runc shim), runc,
// and busybox-static (the first image layer). Installed with apt-get when missing, once per
// machine; .ci/run installs them up front too.
import { existsSync } from 'node:fs';
import { runOk } from './run';

const NEEDED: Array<{ pkg: string; file: string }> = [
  { pkg: 'containerd', file: '/usr/bin/containerd' },
  { pkg: 'containerd', file: '/usr/bin/ctr' },
  { pkg: 'runc', file: '/usr/sbin/runc' },
  { pkg: 'busybox-static', file: '/bin/busybox' },
];

let checked: Promise<void> | undefined;

export function ensureContainerdInstalled(): Promise<void> {
  checked ??= (async () => {
    const missing = [...new Set(NEEDED.filter((n) => !existsSync(n.file)).map((n) => n.pkg))];
    if (missing.length === 0) return;
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      await runOk('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, timeoutMs: 600_000 });
    } catch {
      // The package lists may be missing or stale on a fresh machine.
      await runOk('apt-get', ['update'], { env, timeoutMs: 600_000 });
      await runOk('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, timeoutMs: 600_000 });
    }
    const still = NEEDED.filter((n) => !existsSync(n.file));
    if (still.length > 0) throw new Error(`installed ${missing.join(' ')} but ${still.map((n) => n.file).join(', ')} still missing`);
  })();
  return checked;
}
