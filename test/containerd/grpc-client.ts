// containerd's Snapshotter interface over a @grpc/grpc-js client of the Snapshots service —
// our proxy's socket, or containerd's own (snapshotter "btrfs"). This is what the
// conformance suite and the benchmark drive. gRPC carries less than snapfleet's own API, so:
// prepare/view/commit add a Stat for the info, `path` is found from the btrfs subvolid of the
// mounts (resolvePath), and cleanup's count comes from the proxy's `snapfleet-removed` trailer.
import * as grpc from '@grpc/grpc-js';
import {
  GRPC_STATUS,
  SnapfleetError,
  type ErrorCode,
  type Labels,
  type Mount,
  type SnapshotInfo,
  type SnapshotterClient,
} from '@snapfleet/contracts';
import { fromWireInfo, fromWireMounts, type WireInfo, type WireMount } from '../../apps/containerd-proxy/src/convert';
import { CLEANUP_REMOVED_TRAILER } from '../../apps/containerd-proxy/src/handlers';
import { NAMESPACE_HEADER } from '../../apps/containerd-proxy/src/namespace';
import { snapshotsClientConstructor } from '../../apps/containerd-proxy/src/proto';

const FROM_GRPC = new Map<number, ErrorCode>(Object.entries(GRPC_STATUS).map(([code, n]) => [n, code as ErrorCode]));

/** A gRPC error as containerd's errdefs.FromGRPC would classify it, as a SnapfleetError. */
export function fromGrpcError(err: grpc.ServiceError, method: string): SnapfleetError {
  const code = FROM_GRPC.get(err.code) ?? 'internal';
  return new SnapfleetError(code, err.details || err.message, { grpcCode: err.code, method }, { cause: err });
}

export type RawSnapshotsClient = grpc.Client & Record<string, (...args: unknown[]) => grpc.ClientUnaryCall | grpc.ClientReadableStream<unknown>>;

export function dialSnapshots(socket: string): RawSnapshotsClient {
  const Ctor = snapshotsClientConstructor();
  return new Ctor(`unix:${socket}`, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  }) as unknown as RawSnapshotsClient;
}

export interface GrpcCallOptions {
  /** Sent as containerd-namespace; none: the proxy's `default`. */
  namespace?: string;
  /** The request's snapshotter field (containerd's plugin name). */
  snapshotter: string;
}

/** Unary call → promise of the response and its trailers. */
export function unary<Res>(client: RawSnapshotsClient, method: string, req: object, namespace?: string): Promise<{ res: Res; trailer: grpc.Metadata }> {
  const md = new grpc.Metadata();
  if (namespace !== undefined) md.set(NAMESPACE_HEADER, namespace);
  return new Promise((resolve, reject) => {
    let trailer = new grpc.Metadata();
    let res: Res | undefined;
    let settled = 0;
    const fn = client[method];
    if (!fn) throw new Error(`no method ${method}`);
    const finish = () => {
      if (++settled === 2) resolve({ res: res as Res, trailer });
    };
    const call = fn.call(client, req, md, (err: grpc.ServiceError | null, value: Res) => {
      if (err) return reject(fromGrpcError(err, method));
      res = value;
      finish();
    }) as grpc.ClientUnaryCall;
    call.on('status', (s: grpc.StatusObject) => {
      trailer = s.metadata;
      if (s.code === grpc.status.OK) finish();
    });
  });
}

/** Server-streaming List → every info of every message, and how many messages there were. */
export async function listAll(client: RawSnapshotsClient, o: GrpcCallOptions, filters: string[]): Promise<{ infos: WireInfo[]; messages: number }> {
  const md = new grpc.Metadata();
  if (o.namespace !== undefined) md.set(NAMESPACE_HEADER, o.namespace);
  const fn = client.List;
  if (!fn) throw new Error('no method List');
  const stream = fn.call(client, { snapshotter: o.snapshotter, filters }, md) as grpc.ClientReadableStream<{ info: WireInfo[] }>;
  const infos: WireInfo[] = [];
  let messages = 0;
  try {
    for await (const msg of stream) {
      messages++;
      infos.push(...(msg as { info: WireInfo[] }).info);
    }
  } catch (err) {
    throw fromGrpcError(err as grpc.ServiceError, 'List');
  }
  return { infos, messages };
}

export interface GrpcSnapshotterOptions extends GrpcCallOptions {
  /** The subvolume's path on the host for these mounts (the gRPC API does not carry it). */
  resolvePath(mounts: readonly Mount[]): Promise<string>;
}

export function grpcSnapshotter(client: RawSnapshotsClient, o: GrpcSnapshotterOptions): SnapshotterClient {
  const call = async <Res>(method: string, req: object) => (await unary<Res>(client, method, { snapshotter: o.snapshotter, ...req }, o.namespace)).res;
  const stat = async (key: string) => fromWireInfo((await call<{ info: WireInfo }>('Stat', { key })).info);
  const create = async (method: 'Prepare' | 'View', key: string, parent?: string, labels?: Labels) => {
    const { mounts } = await call<{ mounts: WireMount[] }>(method, { key, parent: parent ?? '', labels: labels ?? {} });
    const m = fromWireMounts(mounts);
    return { info: await stat(key), mounts: m, path: await o.resolvePath(m) };
  };
  return {
    prepare: (key, parent, opts) => create('Prepare', key, parent, opts?.labels),
    view: (key, parent, opts) => create('View', key, parent, opts?.labels),
    async commit(name, key, opts) {
      await call('Commit', { name, key, labels: opts?.labels ?? {} });
      return stat(name);
    },
    async remove(key) {
      await call('Remove', { key });
    },
    stat,
    async update(info, ...fieldpaths) {
      const wire = { name: info.name, parent: '', kind: 'UNKNOWN', labels: info.labels ?? {} };
      const res = await call<{ info: WireInfo }>('Update', { info: wire, update_mask: { paths: fieldpaths } });
      return fromWireInfo(res.info);
    },
    async usage(key) {
      const u = await call<{ size: number; inodes: number }>('Usage', { key });
      return { size: Number(u.size), inodes: Number(u.inodes) };
    },
    async mounts(key) {
      const { mounts } = await call<{ mounts: WireMount[] }>('Mounts', { key });
      const m = fromWireMounts(mounts);
      return { mounts: m, path: await o.resolvePath(m) };
    },
    walk(...filters: string[]): AsyncIterable<SnapshotInfo> {
      return (async function* () {
        const { infos } = await listAll(client, o, filters);
        for (const i of infos) yield fromWireInfo(i);
      })();
    },
    async cleanup() {
      const { trailer } = await unary(client, 'Cleanup', { snapshotter: o.snapshotter }, o.namespace);
      const removed = trailer.get(CLEANUP_REMOVED_TRAILER)[0];
      if (removed === undefined) throw new Error(`Cleanup answered without the ${CLEANUP_REMOVED_TRAILER} trailer`);
      return { removed: Number(removed) };
    },
  };
}
