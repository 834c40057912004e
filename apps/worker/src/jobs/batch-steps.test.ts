// A batch step becomes exactly the payload its op's own job would carry, and the keys a
// batch leases are those of its steps.
import { BatchPayloadSchema, OPS } from '@snapfleet/contracts';
import { fencedKeys } from '@snapfleet/snapshotter';
import { describe, expect, it } from 'vitest';
import { stepOp } from './batch-steps';

describe('stepOp', () => {
  const payload = BatchPayloadSchema.parse({
    namespace: 'ns',
    steps: [
      { op: 'prepare', key: 'a', parent: 'p', labels: { x: '1' } },
      { op: 'view', key: 'v' },
      { op: 'commit', key: 'a', name: 'n' },
      { op: 'update', key: 'n', fieldpaths: ['labels.y'] },
      { op: 'remove', key: 'v' },
    ],
  });
  const ops = payload.steps.map((s) => stepOp(payload.namespace, s));

  it('adds the namespace and keeps every field of the step but its op', () => {
    expect(ops).toEqual([
      { op: 'prepare', payload: { namespace: 'ns', key: 'a', parent: 'p', labels: { x: '1' } } },
      { op: 'view', payload: { namespace: 'ns', key: 'v' } },
      { op: 'commit', payload: { namespace: 'ns', key: 'a', name: 'n' } },
      { op: 'update', payload: { namespace: 'ns', key: 'n', labels: {}, fieldpaths: ['labels.y'] } },
      { op: 'remove', payload: { namespace: 'ns', key: 'v' } },
    ]);
  });

  it('makes payloads that the op schemas accept unchanged', () => {
    for (const { op, payload: p } of ops) expect(OPS[op].payload.parse(p)).toEqual(p);
  });

  it('leases the keys the steps write: the key, and a commit\'s name', () => {
    expect([...new Set(ops.flatMap((s) => fencedKeys(s.op, s.payload).keys))]).toEqual(['a', 'v', 'n']);
  });
});

describe('the batch payload', () => {
  it('refuses steps of ops a batch does not run, unknown fields and empty batches', () => {
    for (const steps of [[{ op: 'cleanup' }], [{ op: 'usage', key: 'a' }], [{ op: 'prepare', key: 'a', kind: 'view' }], []]) {
      expect(BatchPayloadSchema.safeParse({ namespace: 'ns', steps }).success, JSON.stringify(steps)).toBe(false);
    }
  });
});
