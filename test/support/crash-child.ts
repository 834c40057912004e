// A process that runs one snapshotter op and SIGKILLs itself at a fault point: a real crash
// between the btrfs op and the metadata commit (or after it), for the fault tests.
// argv: JSON {url, hostId, root, backend, op, payload, point, opId?}
import { loadBtrfs } from '@snapfleet/btrfs';
import type { OpName } from '@snapfleet/contracts';
import { MetaStore } from '@snapfleet/metastore';
import { Snapshotter, type FaultPoint } from '@snapfleet/snapshotter';

interface CrashSpec {
  url: string;
  hostId: string;
  root: string;
  backend: 'native' | 'progs';
  op: 'prepare' | 'view' | 'commit' | 'remove';
  payload: Record<string, unknown>;
  point: FaultPoint;
  opId?: string;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as CrashSpec;
  const store = await MetaStore.open({ url: spec.url, migrate: false });
  const s = await Snapshotter.open({
    hostId: spec.hostId,
    root: spec.root,
    btrfs: loadBtrfs({ backend: spec.backend }),
    store,
    faults: (point, op: OpName) => {
      if (point === spec.point && op === spec.op) process.kill(process.pid, 'SIGKILL');
    },
  });
  const ctx = spec.opId === undefined ? {} : { opId: spec.opId };
  const run = s[spec.op].bind(s) as (p: unknown, c: unknown) => Promise<unknown>;
  await run(spec.payload, ctx);
  // Reaching here means the fault point was never hit: the parent test treats exit 0 as failure.
  await store.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
