// List: a server stream of every snapshot matching the filters, in batches like containerd's
// own service (100 infos per message). containerd's garbage collector decides what to delete
// from this list, so it walks every page of the fleet's answer and honours back-pressure and
// cancellation instead of buffering the whole host in memory.
import type { ServerWritableStream, handleServerStreamingCall } from '@grpc/grpc-js';
import { runCall, type CallContext, type CallFacts } from './call-log';
import { toWireInfo, type WireInfo } from './convert';
import type { Backend } from './backend';
import { undecodableError } from './undecodable';
import type { ListSnapshotsRequest, ListSnapshotsResponse } from './messages';

export const LIST_BATCH = 100;

type ListCall = ServerWritableStream<ListSnapshotsRequest, ListSnapshotsResponse>;

/** Writes one message; waits for 'drain' when grpc-js's buffer is full. False: cancelled. */
function send(call: ListCall, info: WireInfo[]): Promise<boolean> {
  if (call.cancelled) return Promise.resolve(false);
  if (call.write({ info })) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      call.off('drain', onDrain);
      call.off('cancelled', onCancel);
      resolve(ok);
    };
    const onDrain = done(true);
    const onCancel = done(false);
    call.once('drain', onDrain);
    call.once('cancelled', onCancel);
  });
}

export function listHandler(backend: Backend, ctx: CallContext): handleServerStreamingCall<ListSnapshotsRequest, ListSnapshotsResponse> {
  return (call) => {
    const refused = undecodableError(call.request, 'List');
    const { filters, snapshotter } = refused ? { filters: [], snapshotter: '' } : call.request;
    const facts: CallFacts = { method: 'List', snapshotter, extra: { filters } };
    runCall(ctx, call.metadata, facts, async (ns) => {
      if (refused) throw refused;
      let batch: WireInfo[] = [];
      let count = 0;
      let messages = 0;
      // Leaving the for-await (return or throw) closes the fleet walk too.
      for await (const info of backend(ns.namespace).walk(...filters)) {
        batch.push(toWireInfo(info));
        count++;
        if (batch.length >= LIST_BATCH) {
          messages++;
          if (!(await send(call, batch))) break;
          batch = [];
        }
      }
      if (batch.length > 0 && !call.cancelled) {
        messages++;
        await send(call, batch);
      }
      facts.extra = { filters, count, messages, ...(call.cancelled ? { cancelled: true } : {}) };
    }).then(
      () => call.end(),
      // grpc-js turns an 'error' event on a server stream into the call's status.
      (err: Error) => call.emit('error', err),
    );
  };
}
