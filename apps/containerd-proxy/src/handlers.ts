// The ten methods of containerd.services.snapshots.v1.Snapshots over a fleet backend: each
// maps containerd's request onto snapfleet's Snapshotter interface (contracts' client-api)
// and the result back onto containerd's response, as containerd's own snapshots service does
// for its built-in snapshotters (services/snapshots/service.go).
import { Metadata, type UntypedServiceImplementation, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { invalidArgument, type SnapshotterClient } from '@snapfleet/contracts';
import type { Backend } from './backend';
import { runCall, type CallContext, type CallFacts } from './call-log';
import { optionalParent, requireKey, toWireInfo, toWireMounts } from './convert';
import { listHandler } from './list';
import { undecodableError } from './undecodable';
import type * as M from './messages';

/** Trailer of Cleanup: how many orphan subvolumes the host removed (containerd ignores it). */
export const CLEANUP_REMOVED_TRAILER = 'snapfleet-removed';

type Unary<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

export function snapshotsHandlers(backend: Backend, ctx: CallContext): UntypedServiceImplementation {
  /** A unary method: `facts` names it for the log, `fn` does the work in the call's namespace. */
  const unary = <Req extends { snapshotter: string }, Res>(
    method: string,
    keyOf: (req: Req) => string | undefined,
    fn: (sn: SnapshotterClient, req: Req, facts: CallFacts) => Promise<{ value: Res; trailer?: Metadata }>,
  ): Unary<Req, Res> => {
    return (call, callback) => {
      const req = call.request;
      const refused = undecodableError(req, method);
      const key = refused ? undefined : keyOf(req);
      const facts: CallFacts = { method, snapshotter: refused ? '' : req.snapshotter, ...(key === undefined ? {} : { key }) };
      runCall(ctx, call.metadata, facts, (ns) => (refused ? Promise.reject(refused) : fn(backend(ns.namespace), req, facts))).then(
        ({ value, trailer }) => callback(null, value, trailer),
        (err: Parameters<sendUnaryData<Res>>[0]) => callback(err),
      );
    };
  };

  const create = (kind: 'prepare' | 'view') =>
    unary<M.CreateRequest, M.MountsResponse>(kind === 'prepare' ? 'Prepare' : 'View', (r) => r.key, async (sn, r) => {
      const labels = Object.keys(r.labels).length === 0 ? {} : { labels: r.labels };
      const created = await sn[kind](requireKey(r.key, 'key'), optionalParent(r.parent), labels);
      return { value: { mounts: toWireMounts(created.mounts) } };
    });

  return {
    Prepare: create('prepare'),
    View: create('view'),
    Mounts: unary<M.MountsRequest, M.MountsResponse>('Mounts', (r) => r.key, async (sn, r) => ({
      value: { mounts: toWireMounts((await sn.mounts(requireKey(r.key, 'key'))).mounts) },
    })),
    Commit: unary<M.CommitSnapshotRequest, M.Empty>('Commit', (r) => r.key, async (sn, r, facts) => {
      facts.extra = { name: r.name };
      const labels = Object.keys(r.labels).length === 0 ? {} : { labels: r.labels };
      await sn.commit(requireKey(r.name, 'name'), requireKey(r.key, 'key'), labels);
      return { value: {} };
    }),
    Remove: unary<M.RemoveSnapshotRequest, M.Empty>('Remove', (r) => r.key, async (sn, r) => {
      await sn.remove(requireKey(r.key, 'key'));
      return { value: {} };
    }),
    Stat: unary<M.StatSnapshotRequest, M.InfoResponse>('Stat', (r) => r.key, async (sn, r) => ({
      value: { info: toWireInfo(await sn.stat(requireKey(r.key, 'key'))) },
    })),
    Update: unary<M.UpdateSnapshotRequest, M.InfoResponse>('Update', (r) => r.info?.name, async (sn, r, facts) => {
      if (!r.info) throw invalidArgument('info is required');
      // containerd's service hands the mask's paths to the snapshotter as they are: "labels"
      // or "labels.<key>"; none means "replace all labels". Anything else is refused there.
      const paths = r.update_mask?.paths ?? [];
      facts.extra = { paths };
      const info = await sn.update({ name: requireKey(r.info.name, 'info.name'), labels: r.info.labels }, ...paths);
      return { value: { info: toWireInfo(info) } };
    }),
    List: listHandler(backend, ctx),
    Usage: unary<M.UsageRequest, M.UsageResponse>('Usage', (r) => r.key, async (sn, r) => {
      const u = await sn.usage(requireKey(r.key, 'key'));
      return { value: { size: u.size, inodes: u.inodes } };
    }),
    Cleanup: unary<M.CleanupRequest, M.Empty>('Cleanup', () => undefined, async (sn, _r, facts) => {
      const { removed } = await sn.cleanup();
      facts.extra = { removed };
      const trailer = new Metadata();
      trailer.set(CLEANUP_REMOVED_TRAILER, String(removed));
      return { value: {}, trailer };
    }),
  };
}
