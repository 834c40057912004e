// The job-name → handler table. Job names are the ops of contracts' OP_NAMES; each must
// have exactly one handler, and start-up fails otherwise — a queue whose jobs of one kind
// nobody handles would fill up silently, and two handlers for one name means one of them
// never runs.
import { OP_NAMES, type OPS, type OpName, type OpResult } from '@snapfleet/contracts';
import type { z } from 'zod';
import type { JobTiming } from './job-timing';

/** Facts of one job execution a handler needs beyond its payload. */
export interface OpExecution {
  /** The job id: the op's idempotency id. */
  opId: string;
  /** No earlier run of this op id can have taken effect (see OpContext.firstRun). */
  firstRun: boolean;
  /** Reports progress (0–100) to the job. */
  progress: (percent: number) => void;
  /** Where the attempt's time goes: the handler adds its lease wait and btrfs time. */
  timing: JobTiming;
}

/** A payload as the op's schema outputs it (defaults applied). */
export type ParsedPayload<N extends OpName> = z.output<(typeof OPS)[N]['payload']>;

export type OpHandler<N extends OpName> = (payload: ParsedPayload<N>, exec: OpExecution) => Promise<OpResult<N>>;

export interface OpHandlerEntry<N extends OpName = OpName> {
  op: N;
  handle: OpHandler<N>;
}

/** Typed entry: ties the handler's payload and result types to its op. */
export function handlerFor<N extends OpName>(op: N, handle: OpHandler<N>): OpHandlerEntry {
  return { op, handle } as unknown as OpHandlerEntry;
}

export class OpHandlerMap {
  private constructor(private readonly byOp: ReadonlyMap<string, OpHandlerEntry>) {}

  /** Throws unless every op of OP_NAMES has exactly one entry and no entry names another op. */
  static of(entries: readonly OpHandlerEntry[]): OpHandlerMap {
    const byOp = new Map<string, OpHandlerEntry>();
    const problems: string[] = [];
    for (const entry of entries) {
      if (!(OP_NAMES as readonly string[]).includes(entry.op)) problems.push(`handler for unknown job name '${entry.op}'`);
      else if (byOp.has(entry.op)) problems.push(`two handlers for job name '${entry.op}'`);
      byOp.set(entry.op, entry);
    }
    for (const op of OP_NAMES) if (!byOp.has(op)) problems.push(`no handler for job name '${op}'`);
    if (problems.length > 0) throw new Error(`job handler table is wrong: ${problems.join('; ')}`);
    return new OpHandlerMap(byOp);
  }

  get(name: string): OpHandlerEntry | undefined {
    return this.byOp.get(name);
  }

  get ops(): string[] {
    return [...this.byOp.keys()];
  }
}
