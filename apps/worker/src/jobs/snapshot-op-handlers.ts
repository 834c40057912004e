// The job-name → service-method table of the host queue: one line per op of OP_NAMES.
import type { SnapshotOpService } from '../services/snapshot-op.service';
import { handlerFor, type OpHandlerEntry } from './op-handlers';

export function snapshotOpHandlers(ops: SnapshotOpService): OpHandlerEntry[] {
  return [
    handlerFor('prepare', (payload, exec) => ops.prepare(payload, exec)),
    handlerFor('view', (payload, exec) => ops.view(payload, exec)),
    handlerFor('commit', (payload, exec) => ops.commit(payload, exec)),
    handlerFor('remove', (payload, exec) => ops.remove(payload, exec)),
    handlerFor('update', (payload, exec) => ops.update(payload, exec)),
    handlerFor('usage', (payload, exec) => ops.usage(payload, exec)),
    handlerFor('cleanup', (payload, exec) => ops.cleanup(payload, exec)),
    handlerFor('fsck', (_payload, exec) => ops.fsck(exec)),
    handlerFor('batch', (payload, exec) => ops.batch(payload, exec)),
    handlerFor('group', (payload, exec) => ops.group(payload, exec)),
  ];
}
