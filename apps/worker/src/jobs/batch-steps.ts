// A batch step as the op it stands for: the step's fields plus the batch's namespace make
// exactly the payload that op's own job would carry, so each step runs through the same
// snapshotter method, lock keys and op record as a single op.
import type { BatchPayload, OpPayload } from '@snapfleet/contracts';

type Step = BatchPayload['steps'][number];

export type StepOp =
  | { op: 'prepare' | 'view'; payload: OpPayload<'prepare'> }
  | { op: 'commit'; payload: OpPayload<'commit'> }
  | { op: 'remove'; payload: OpPayload<'remove'> }
  | { op: 'update'; payload: OpPayload<'update'> };

export function stepOp(namespace: string, step: Step): StepOp {
  const { op, ...fields } = step;
  // Every step is its op's payload without the namespace (contracts' BatchStepSchema).
  return { op, payload: { namespace, ...fields } } as StepOp;
}

/**
 * The snapshots a step touches: the keys it writes and the parent it reads. Two steps of a
 * group that share one run in their order.
 */
export function stepConflictKeys(step: StepOp): string[] {
  const p = step.payload as { key: string; name?: string; parent?: string };
  return [p.key, ...(p.name === undefined ? [] : [p.name]), ...(p.parent === undefined ? [] : [p.parent])];
}
