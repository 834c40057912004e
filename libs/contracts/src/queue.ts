// Queue naming: one BullMQ queue per host, under a hash-tagged prefix so every key of the
// fleet's queues lives in one Redis Cluster slot family.
import { HOST_ID_RE } from './identifiers';

export const QUEUE_PREFIX = '{snapfleet}';
export const QUEUE_NAME_PREFIX = 'snapshots-';

export function queueName(hostId: string): string {
  if (!HOST_ID_RE.test(hostId)) throw new Error(`invalid host id ${JSON.stringify(hostId)}`);
  return `${QUEUE_NAME_PREFIX}${hostId}`;
}

export function hostIdOfQueue(name: string): string | undefined {
  if (!name.startsWith(QUEUE_NAME_PREFIX)) return undefined;
  const id = name.slice(QUEUE_NAME_PREFIX.length);
  return HOST_ID_RE.test(id) ? id : undefined;
}
