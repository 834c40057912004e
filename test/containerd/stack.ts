// The whole chain for containerd tests and benchmarks: a fleet (one host, one API, real
// processes on a loop btrfs pool), the containerd proxy as a real process for that host, and
// optionally a private containerd that loads it as proxy plugin "snapfleet" (its own root on
// a second btrfs pool, so its built-in btrfs snapshotter runs on the same machine for
// comparison). dispose() tears it all down in reverse order, also after a failed start.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startFleet, type Fleet, type FleetHost } from '../support/fleet';
import { createPool, type Pool } from '../support/pool';
import { startContainerd, type PrivateContainerd } from './containerd';
import { startProxy, type ProxyProcess } from './proxy';

export const PROXY_PLUGIN = 'snapfleet';

export interface Stack {
  fleet: Fleet;
  host: FleetHost;
  apiUrl: string;
  proxy: ProxyProcess;
  containerd?: PrivateContainerd;
  /** The pool holding containerd's root (and so its btrfs snapshotter). */
  containerdPool?: Pool;
  dispose(): Promise<void>;
}

export async function startStack(o: { label: string; containerd: boolean; poolMiB?: number; proxyEnv?: Record<string, string> }): Promise<Stack> {
  const undo: Array<() => Promise<unknown>> = [];
  const dispose = async () => {
    for (const u of undo.reverse()) await u().catch((err: unknown) => console.error(`containerd stack teardown: ${String(err)}`));
  };
  try {
    const fleet = await startFleet({ label: o.label, hosts: 1, apis: 1, ...(o.poolMiB ? { poolMiB: o.poolMiB } : {}) });
    undo.push(() => fleet.dispose());
    const host = fleet.hosts[0];
    const api = fleet.apis[0];
    if (!host || !api) throw new Error('fleet without host or api');
    const sockDir = await mkdtemp(`/tmp/sfpx-${o.label}-`);
    undo.push(() => rm(sockDir, { recursive: true, force: true }));
    const proxy = await startProxy({ apiUrl: api.url, hostId: host.id, socket: join(sockDir, 'proxy.sock'), logDir: fleet.logs, ...(o.proxyEnv ? { env: o.proxyEnv } : {}) });
    undo.push(() => proxy.stop());
    const stack: Stack = { fleet, host, apiUrl: api.url, proxy, dispose };
    if (o.containerd) {
      const pool = await createPool({ label: `${o.label}-ctd`, sizeMiB: o.poolMiB ?? 2048 });
      undo.push(() => pool.dispose());
      const containerd = await startContainerd({ root: join(pool.dir, 'containerd'), proxies: { [PROXY_PLUGIN]: proxy.socket }, label: o.label });
      undo.push(() => containerd.dispose());
      stack.containerd = containerd;
      stack.containerdPool = pool;
    }
    return stack;
  } catch (err) {
    await dispose();
    throw err;
  }
}
