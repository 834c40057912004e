import { OP_NAMES } from '@snapfleet/contracts';
import { describe, expect, it } from 'vitest';
import type { SnapshotOpService } from '../services/snapshot-op.service';
import { OpHandlerMap, handlerFor, type OpHandlerEntry } from './op-handlers';
import { snapshotOpHandlers } from './snapshot-op-handlers';

const complete = (): OpHandlerEntry[] =>
  OP_NAMES.map((op) => handlerFor(op, () => Promise.reject(new Error(`${op} is not run by these tests`))));

describe('OpHandlerMap', () => {
  it('accepts one handler per op of OP_NAMES', () => {
    const map = OpHandlerMap.of(complete());
    expect(map.ops.sort()).toEqual([...OP_NAMES].sort());
    for (const op of OP_NAMES) expect(map.get(op)?.op).toBe(op);
    expect(map.get('bogus')).toBeUndefined();
  });

  it('refuses a table with an op missing, naming it', () => {
    const entries = complete().filter((e) => e.op !== 'commit');
    expect(() => OpHandlerMap.of(entries)).toThrow(/no handler for job name 'commit'/);
  });

  it('refuses two handlers for one op', () => {
    const entries = [...complete(), handlerFor('remove', () => Promise.resolve({ removed: true as const }))];
    expect(() => OpHandlerMap.of(entries)).toThrow(/two handlers for job name 'remove'/);
  });

  it('refuses a handler for a job name that is not an op', () => {
    const entries = [...complete(), { op: 'snapshot', handle: () => Promise.resolve({}) } as unknown as OpHandlerEntry];
    expect(() => OpHandlerMap.of(entries)).toThrow(/unknown job name 'snapshot'/);
  });

  it('reports every problem at once', () => {
    const entries = complete().filter((e) => e.op !== 'view' && e.op !== 'usage');
    expect(() => OpHandlerMap.of([...entries, entries[0]!])).toThrow(/two handlers for job name 'prepare'.*no handler for job name 'view'.*no handler for job name 'usage'/);
  });
});

describe('the worker handler table', () => {
  it('covers every op exactly once', () => {
    // Building the table only binds the service's methods; nothing is called.
    const entries = snapshotOpHandlers({} as SnapshotOpService);
    expect(() => OpHandlerMap.of(entries)).not.toThrow();
    expect(entries.map((e) => e.op).sort()).toEqual([...OP_NAMES].sort());
  });
});
