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
