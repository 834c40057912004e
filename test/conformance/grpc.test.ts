// The conformance suite through the gRPC front: a real fleet (API + worker processes on a
// real pool), the containerd proxy as a real process, driven by a @grpc/grpc-js client of
// containerd's Snapshots service. Each test gets its own namespace (containerd-namespace).
import { afterAll } from 'vitest';
import { dialSnapshots, grpcSnapshotter, type RawSnapshotsClient } from '../containerd/grpc-client';
import { startStack, type Stack } from '../containerd/stack';
import { subvolPathResolver } from '../containerd/subvol-path';
import { describeConformance } from './suite';

let stack: Promise<Stack> | undefined;
let client: RawSnapshotsClient | undefined;
let counter = 0;

afterAll(async () => {
  client?.close();
  await stack?.then(
    (s) => s.dispose(),
    () => undefined,
  );
});

describeConformance('grpc front', {
  async make() {
    stack ??= startStack({ label: 'confgrpc', containerd: false });
    const s = await stack;
    client ??= dialSnapshots(s.proxy.socket);
    return {
      client: grpcSnapshotter(client, {
        namespace: `grpc${++counter}`,
        snapshotter: 'snapfleet',
        resolvePath: subvolPathResolver(s.host.pool.dir),
      }),
      dispose: async () => undefined,
    };
  },
});
