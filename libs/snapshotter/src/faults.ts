// Fault injection points of the transaction pattern. Tests use them to fail or kill the
// process between the metadata write, the btrfs op and the commit; production passes none.
import type { OpName } from '@snapfleet/contracts';
import type { MetaTransaction } from '@snapfleet/metastore';

export type FaultPoint =
  /** Metadata written, btrfs not touched yet. */
  | 'after-metadata'
  /** btrfs op done, transaction not committed yet. */
  | 'before-commit'
  /** Transaction committed, post-commit btrfs cleanup (deleting the old subvolume) not done. */
  | 'after-commit';

export type FaultHook = (point: FaultPoint, op: OpName, tx?: MetaTransaction) => void | Promise<void>;

/**
 * One fault to inject, as read from SNAPFLEET_FAULTS (a JSON array of these): at `point` of
 * `op`, `kill` the process (SIGKILL), `stop` it (SIGSTOP; SIGCONT resumes it), `throw`, or
 * `sleep` for `ms`; at most `times` times (default 1). For the fault tests only.
 */
export interface FaultSpec {
  point: FaultPoint;
  op: OpName;
  action: 'kill' | 'stop' | 'throw' | 'sleep';
  ms?: number;
  times?: number;
}

const POINTS: readonly FaultPoint[] = ['after-metadata', 'before-commit', 'after-commit'];
const ACTIONS: readonly FaultSpec['action'][] = ['kill', 'stop', 'throw', 'sleep'];

export function parseFaultSpecs(json: string): FaultSpec[] {
  const specs: unknown = JSON.parse(json);
  if (!Array.isArray(specs)) throw new Error('SNAPFLEET_FAULTS must be a JSON array');
  return specs.map((s: Partial<FaultSpec>, i) => {
    if (!s || !POINTS.includes(s.point as FaultPoint) || typeof s.op !== 'string' || !ACTIONS.includes(s.action as FaultSpec['action'])) {
      throw new Error(`SNAPFLEET_FAULTS[${i}] needs point (${POINTS.join('|')}), op, action (${ACTIONS.join('|')})`);
    }
    return s as FaultSpec;
  });
}

/** A FaultHook performing `specs`; each fires at most its `times`. */
export function faultHookFromSpecs(specs: FaultSpec[]): FaultHook {
  const left = specs.map((s) => s.times ?? 1);
  return async (point, op) => {
    for (const [i, s] of specs.entries()) {
      if (s.point !== point || s.op !== op || (left[i] ?? 0) <= 0) continue;
      left[i] = (left[i] ?? 0) - 1;
      if (s.action === 'kill') process.kill(process.pid, 'SIGKILL');
      if (s.action === 'stop') process.kill(process.pid, 'SIGSTOP');
      if (s.action === 'sleep') await new Promise((r) => setTimeout(r, s.ms ?? 1000));
      if (s.action === 'throw') throw new Error(`injected fault at ${point} of ${op}`);
    }
  };
}
