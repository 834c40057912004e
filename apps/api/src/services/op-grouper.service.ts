// Group commit for the queue hop. Each job costs the same few Redis scripts, a lease and a
// fence registration whatever it carries, so while a host's lane already has `slots` jobs of
// this process in flight, further single-op requests for it wait here (at most HOLD_MS) and
// leave together as one `group` job when a slot frees. With nothing in flight an op goes alone at
// once: grouping adds no latency to a lone op, only shares the cost of ops that would have
// queued anyway. Each request still answers for its own op (see JobService).
import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { jobIdFor, jobOptionsFor, MAX_BATCH_STEPS, type BatchStep, type OpPayload } from '@snapfleet/contracts';
import { ApiConfig } from '../config/api-config';
import { JobQueueRepository, type EventReader } from '../repositories/job-queue.repository';

/** Longest an op waits for a slot before its group leaves anyway. */
const HOLD_MS = 25;

/**
 * A host's ops go in two lanes, each with its own slots: commits, and the rest. A group
 * answers when its slowest step is done, and a commit (a btrfs snapshot, which waits for a
 * btrfs transaction commit) takes many times a prepare or a remove: in one group, the fast ops
 * would wait for the slow ones.
 */
const laneOf = (host: string, op: BatchStep['op']): string => `${host}\u0000${op === 'commit' ? 'commit' : 'other'}`;
const hostOf = (lane: string): string => lane.slice(0, lane.indexOf('\u0000'));

/** A job slot taken for a single op: release it once the op's wait ended. */
export type Release = () => void;

/** Where a grouped op went: its group's job, its step, and the host's reader at the add. */
export interface GroupTicket {
  jobId: string;
  step: number;
  reader: EventReader | undefined;
  /** Call once the op's wait ended: the group's slot frees when every member's has. */
  done: Release;
}

interface Member {
  step: BatchStep;
  requestId: string | undefined;
  resolve: (ticket: GroupTicket) => void;
  reject: (err: unknown) => void;
}

interface Pending {
  members: Member[];
  timer: NodeJS.Timeout;
}

@Injectable()
export class OpGrouper implements BeforeApplicationShutdown {
  /** Jobs this process has in flight per lane (single ops and groups alike). */
  private readonly inFlight = new Map<string, number>();
  /** Ops waiting for a slot, per lane and then namespace (a group is one namespace's). */
  private readonly pending = new Map<string, Map<string, Pending>>();
  private readonly slots: number;

  constructor(
    @Inject(ApiConfig) config: ApiConfig,
    @Inject(JobQueueRepository) private readonly queues: JobQueueRepository,
  ) {
    this.slots = config.groupSlots;
  }

  get enabled(): boolean {
    return this.slots > 0;
  }

  /** A slot for a job of one op when its lane has one free and nobody waits in it. */
  trySlot(host: string, op: BatchStep['op']): Release | undefined {
    const lane = laneOf(host, op);
    if ((this.inFlight.get(lane) ?? 0) >= this.slots || this.pending.has(lane)) return undefined;
    return this.take(lane);
  }

  /** Waits for the op's group to be added to the host's queue. */
  join(host: string, namespace: string, step: BatchStep, requestId: string | undefined): Promise<GroupTicket> {
    const lane = laneOf(host, step.op);
    return new Promise((resolve, reject) => {
      let byNamespace = this.pending.get(lane);
      if (!byNamespace) this.pending.set(lane, (byNamespace = new Map()));
      let p = byNamespace.get(namespace);
      if (!p) {
        const timer = setTimeout(() => this.flush(lane, namespace), HOLD_MS);
        byNamespace.set(namespace, (p = { members: [], timer }));
      }
      p.members.push({ step, requestId, resolve, reject });
      if (p.members.length >= MAX_BATCH_STEPS) this.flush(lane, namespace);
    });
  }

  /** Shutdown: whatever waits leaves now, so its requests can answer before the server closes. */
  beforeApplicationShutdown(): void {
    for (const [lane, byNamespace] of this.pending) for (const namespace of [...byNamespace.keys()]) this.flush(lane, namespace);
  }

  private take(lane: string): Release {
    this.inFlight.set(lane, (this.inFlight.get(lane) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(lane) ?? 1) - 1;
      if (left > 0) this.inFlight.set(lane, left);
      else this.inFlight.delete(lane);
      // The freed slot goes to whoever waits: every namespace's group of this lane leaves.
      const byNamespace = this.pending.get(lane);
      if (byNamespace) for (const namespace of [...byNamespace.keys()]) this.flush(lane, namespace);
    };
  }

  private flush(lane: string, namespace: string): void {
    const byNamespace = this.pending.get(lane);
    const p = byNamespace?.get(namespace);
    if (!byNamespace || !p) return;
    clearTimeout(p.timer);
    byNamespace.delete(namespace);
    if (byNamespace.size === 0) this.pending.delete(lane);
    void this.send(hostOf(lane), namespace, p.members, this.take(lane));
  }

  private async send(host: string, namespace: string, members: Member[], release: Release): Promise<void> {
    const jobId = jobIdFor();
    const payload: OpPayload<'group'> = { namespace, steps: members.map((m) => m.step) };
    if (members.some((m) => m.requestId !== undefined)) payload.requestIds = members.map((m) => m.requestId ?? '');
    // Taken before the add, as for a single op (JobQueueRepository.deliveringReader).
    const reader = this.queues.deliveringReader(host);
    try {
      await this.queues.add(host, 'group', { payload }, jobOptionsFor(jobId));
    } catch (err) {
      release();
      for (const m of members) m.reject(err);
      return;
    }
    // The group's slot frees once every member's wait has ended (each calls its done once).
    let waiting = members.length;
    for (const [step, m] of members.entries()) {
      let ended = false;
      const done = () => {
        if (ended) return;
        ended = true;
        if (--waiting === 0) release();
      };
      m.resolve({ jobId, step, reader, done });
    }
  }
}
