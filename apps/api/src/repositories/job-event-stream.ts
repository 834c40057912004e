// Reads one host queue's BullMQ event stream for the API's waiters, in place of BullMQ's
// QueueEvents. Every API process reads every event of a host it waits on (added, waiting,
// active, completed, drained: four or five per job), and QueueEvents turns each into objects,
// parses its JSON and emits it twice, for jobs this process may not even wait on. Measured at
// c=16 (docs/performance.md), an idle API process spent 1.4 ms of CPU per cycle that way,
// about half of what the API process doing the work spent in all. This reader looks at an
// entry's event name and job id, and decodes only the endings of jobs somebody here waits on.
import IORedis, { type Redis } from 'ioredis';

/** What an entry of the stream said about a job, for the jobs somebody waits on. */
export type StreamEnding =
  | { type: 'completed'; returnvalue: unknown }
  | { type: 'failed'; failedReason: string }
  | { type: 'removed' };

export interface JobEventSink {
  /** Whether a waiter for this job exists (only then is the entry decoded). */
  wants(jobId: string): boolean;
  ending(jobId: string, ending: StreamEnding): void;
  /** The reader got an entry: it is reading the live stream from a position it holds. */
  reached(): void;
  error(message: string): void;
}

/** One XREAD blocks at most this long, so a reader notices a dead connection. */
const BLOCK_MS = 5_000;
/** Entries per XREAD at most: a reader behind by more catches up in several reads. */
const READ_COUNT = 1_000;
/** Pause before reading again after a failed read (Redis down or restarting). */
const RETRY_MS = 250;

export class JobEventStream {
  private readonly conn: Redis;
  private closing = false;
  private readonly loop: Promise<void>;

  /**
   * Starts reading `streamKey` after entry `position` (stream ids are "<ms>-<seq>": a reader
   * may start a little in the past).
   */
  constructor(
    redisUrl: string,
    private readonly streamKey: string,
    private position: string,
    private readonly sink: JobEventSink,
    /** Shown by Redis's CLIENT LIST, so an operator can tell the blocked readers apart. */
    connectionName?: string,
  ) {
    this.conn = new IORedis(redisUrl, {
      ...(connectionName === undefined ? {} : { connectionName }),
      // A read cut by a reconnect fails and is sent again by the loop from the position it
      // holds; ioredis would otherwise resend it itself and could leave it hanging.
      autoResendUnfulfilledCommands: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 5_000,
      retryStrategy: (times) => Math.min(times * 250, 2_000),
      lazyConnect: true,
    });
    this.conn.on('error', (err: Error) => sink.error(err.message));
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.conn.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.closing) {
      try {
        if (this.conn.status === 'wait') await this.conn.connect();
        const reply = (await this.conn.xread('COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', this.streamKey, this.position)) as
          | [string, [string, string[]][]][]
          | null;
        if (reply) this.deliver(reply[0]?.[1] ?? []);
      } catch (err) {
        if (this.closing) return;
        this.sink.error(err instanceof Error ? err.message : String(err));
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private deliver(entries: [string, string[]][]): void {
    if (entries.length === 0) return;
    for (const [id, entryFields] of entries) {
      this.position = id;
      const fields = entryFields ?? [];
      const event = field(fields, 'event');
      if (event !== 'completed' && event !== 'failed' && event !== 'removed') continue;
      const jobId = field(fields, 'jobId');
      if (jobId === undefined || !this.sink.wants(jobId)) continue;
      const ending = decode(event, fields);
      // An entry that does not decode wakes nobody: its waiter reads the job instead.
      if (ending) this.sink.ending(jobId, ending);
    }
    this.sink.reached();
  }
}

function decode(event: 'completed' | 'failed' | 'removed', fields: string[]): StreamEnding | undefined {
  switch (event) {
    case 'completed': {
      const raw = field(fields, 'returnvalue');
      try {
        return { type: 'completed', returnvalue: raw === undefined ? undefined : (JSON.parse(raw) as unknown) };
      } catch {
        return undefined;
      }
    }
    case 'failed':
      return { type: 'failed', failedReason: field(fields, 'failedReason') ?? '' };
    case 'removed':
      return { type: 'removed' };
  }
}

/** The value of `name` in a stream entry's flat [name, value, name, value, …] list. */
function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
