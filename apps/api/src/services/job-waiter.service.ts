// Waits for a job to settle. A completed or failed event carries the outcome (written in
// the same script as the job's own), so it answers at once; any other wake-up re-reads the
// job's state. The event stream only shortens the wait: a poll that backs off from 500 ms to 2 s
// covers the events that never arrive. A lost event delays an answer, never loses it. The
// first state read (for a job that ended before anyone listened) is skipped when the
// caller shows the event reader was already reading before the job existed.
import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { JobState } from '@snapfleet/contracts';
import { PinoLogger } from 'nestjs-pino';
import { JobQueueRepository, type EventReader, type SettleEvent } from '../repositories/job-queue.repository';

const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 2_000;

/** How a wait ended: the job's state, and the event that said so when one did. */
export interface Settled {
  state: JobState;
  event?: SettleEvent;
}

export interface WaitOptions {
  /**
   * The host's delivering event reader, taken before this request added the job (see
   * JobQueueRepository.deliveringReader). When the same reader is still there, it reads the
   * stream from before the job's creation and will report its end, so the first state read
   * is skipped; a lost event then costs one poll interval, never the answer.
   */
  reader?: EventReader;
}

export const isSettled = (state: JobState): boolean => state === 'completed' || state === 'failed' || state === 'unknown';

/** A wake-up that is not lost when it rings before anyone waits for it. */
class Alarm {
  private rung = false;
  private stop: (() => void) | undefined;
  /** The last event that rang: lets the waiter skip a state read the event already answers. */
  event: SettleEvent | undefined;

  readonly ring = (event?: SettleEvent): void => {
    this.rung = true;
    this.event = event;
    this.stop?.();
  };

  /** Resolves when rung (now or earlier) or after `ms`. */
  sleep(ms: number): Promise<void> {
    if (this.rung) {
      this.rung = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.stop?.(), ms);
      this.stop = () => {
        clearTimeout(timer);
        this.stop = undefined;
        this.rung = false;
        resolve();
      };
    });
  }
}

@Injectable()
export class JobWaiter implements BeforeApplicationShutdown {
  private readonly waiting = new Set<Alarm>();
  private stopping = false;

  constructor(
    @Inject(JobQueueRepository) private readonly queues: JobQueueRepository,
    @Inject(PinoLogger) private readonly log: PinoLogger,
  ) {
    log.setContext(JobWaiter.name);
  }

  /**
   * The job's state once it settled (completed, failed, or gone), or its last state when
   * `timeoutMs` ran out or the API began shutting down.
   */
  async waitForSettled(host: string, jobId: string, timeoutMs: number, opts: WaitOptions = {}): Promise<Settled> {
    const deadline = Date.now() + timeoutMs;
    const alarm = new Alarm();
    // Subscribed before the first read: an event between that read and the sleep still rings.
    const unsubscribe = this.queues.onJobSettled(host, jobId, alarm.ring);
    this.waiting.add(alarm);
    try {
      let pollMs = FIRST_POLL_MS;
      // The event will tell: wait for it (or the first poll) before asking Redis.
      let ask = opts.reader === undefined || this.queues.deliveringReader(host) !== opts.reader;
      for (;;) {
        const event = alarm.event;
        if (event?.type === 'completed' || event?.type === 'failed') return { state: event.type, event };
        if (!ask && !this.stopping && deadline > Date.now()) {
          ask = true;
          await alarm.sleep(Math.min(pollMs, deadline - Date.now()));
          pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
          continue;
        }
        const state = await this.queues.getJobState(host, jobId);
        const left = deadline - Date.now();
        if (isSettled(state) || left <= 0 || this.stopping) return { state };
        await alarm.sleep(Math.min(pollMs, left));
        pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
      }
    } finally {
      unsubscribe();
      this.waiting.delete(alarm);
    }
  }

  /**
   * Shutdown ends every wait now: those requests answer 202 with the job's location (the
   * job itself is safe in Redis), so the HTTP server can close without waiting minutes.
   */
  beforeApplicationShutdown(): void {
    this.stopping = true;
    if (this.waiting.size > 0) this.log.info({ waits: this.waiting.size }, 'shutting down: answering waiting requests with 202');
    for (const alarm of this.waiting) alarm.ring();
  }
}
