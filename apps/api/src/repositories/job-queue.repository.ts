// BullMQ behind one class: one Queue per host (created on first use, all on one shared
// Redis connection), one event stream reader per host while someone waits on that host's jobs, and
// the few reads the API needs. Nothing above this file imports bullmq or ioredis.
import type { OnApplicationShutdown } from '@nestjs/common';
import { Queue, type Job } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { QUEUE_PREFIX, queueName, type JobData, type JobState, type Logger, type OpName } from '@snapfleet/contracts';
import { redactUrl } from '../config/api-config';
import { withDeadline } from '../util/deadline';
import { JobEventStream, type JobEventSink, type StreamEnding } from './job-event-stream';
import { queueError } from './redis-errors';

export type SnapfleetJob = Job<JobData, unknown, OpName>;
export type JobOptions = Parameters<Queue['add']>[2];

/** Longest the API waits for Redis at start. */
const STARTUP_TIMEOUT_MS = 8_000;
/** Queue objects are cheap (they share the connection) but not free: at most this many. */
const MAX_QUEUES = 4096;
/**
 * What the event stream said about a job. completed and failed carry the outcome: BullMQ
 * writes the event in the same script that stores the outcome on the job, so it is as
 * durable as the job itself and need not be read back.
 */
export type SettleEvent = StreamEnding;

/** The BullMQ states a host queue's jobs are counted in (metrics). */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/** How far back a new event reader starts reading (see events()). */
const READER_REWIND_MS = 10_000;
/** A host's event stream reader (one blocking connection) is closed after this long without waiters. */
const EVENTS_IDLE_MS = 60_000;

/** One host's event stream reader and the waiters it wakes, by job id. */
interface HostEvents {
  stream: JobEventStream;
  waiters: Map<string, Set<(event: SettleEvent) => void>>;
  idleTimer?: NodeJS.Timeout;
  /**
   * Set by the first entry this reader gets. From then on it reads the stream from a
   * position it has reached (kept across reconnects), not from "now".
   */
  delivering: boolean;
}

/** The id of a stream's newest entry, without its fields (a completed event carries its job's whole result). */
const LAST_ENTRY_ID_LUA = `
local e = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if e[1] then return e[1][1] end
return false
`;
type EventRedis = Redis & { lastEntryId(key: string): Promise<string | null> };

/** A host's event reader as it was at one moment (compare two with `===`). */
export type EventReader = object;

export class JobQueueRepository implements OnApplicationShutdown {
  private readonly queues = new Map<string, Queue>();
  private readonly hostEvents = new Map<string, HostEvents>();
  private closed = false;

  private constructor(
    private readonly redis: Redis,
    private readonly redisUrl: string,
    private readonly log: Logger,
  ) {}

  /** Connects to Redis and checks it answers, or fails clearly. */
  static async connect(url: string, log: Logger): Promise<JobQueueRepository> {
    const redis = new IORedis(url, {
      lazyConnect: true,
      // Commands fail at once while Redis is down (→ 503) instead of queueing up in memory
      // behind a reconnect that may never come.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
      retryStrategy: (times) => Math.min(times * 250, 2_000),
    });
    let lastError = '';
    redis.on('error', (err: Error) => {
      // ioredis repeats the same error on every reconnect attempt; say it once.
      if (err.message !== lastError) log.warn({ err: err.message }, 'redis connection error');
      lastError = err.message;
    });
    redis.on('ready', () => {
      if (lastError) log.info('redis connection restored');
      lastError = '';
    });
    try {
      await withDeadline(
        redis.connect().then(() => redis.ping()),
        `Redis at ${redactUrl(url)}`,
        STARTUP_TIMEOUT_MS,
      );
    } catch (err) {
      redis.disconnect();
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`cannot reach Redis at ${redactUrl(url)} (SNAPFLEET_REDIS_URL): ${reason}`, { cause: err });
    }
    redis.defineCommand('lastEntryId', { numberOfKeys: 1, lua: LAST_ENTRY_ID_LUA });
    return new JobQueueRepository(redis, url, log);
  }

  /**
   * Adds a job. With a `jobId` that already exists BullMQ adds nothing and returns a Job
   * carrying *this* call's name and data, so callers that care read the stored job back.
   */
  async add(host: string, op: OpName, data: JobData, opts: JobOptions): Promise<SnapfleetJob> {
    try {
      return (await withDeadline(this.queue(host).add(op, data, opts), 'Redis')) as SnapfleetJob;
    } catch (err) {
      throw queueError(err, 'adding a job');
    }
  }

  async getJob(host: string, jobId: string): Promise<SnapfleetJob | undefined> {
    try {
      return (await withDeadline(this.queue(host).getJob(jobId), 'Redis')) as SnapfleetJob | undefined;
    } catch (err) {
      throw queueError(err, 'reading a job');
    }
  }

  /** One round trip: cheaper than reading the whole job while it is still running. */
  async getJobState(host: string, jobId: string): Promise<JobState> {
    try {
      return await withDeadline(this.queue(host).getJobState(jobId), 'Redis');
    } catch (err) {
      throw queueError(err, 'reading a job state');
    }
  }

  /**
   * Where the host's event stream stands: the id of its newest entry (ids only grow), or
   * undefined when it has none. BullMQ writes a job's end there in the script that settles
   * the job, after the worker's metadata commit and before anyone can learn of it; a stalled
   * job's return to the queue is written there too. So a position that has not moved means no
   * op on the host was acknowledged, or lost its worker, in between.
   */
  async eventPosition(host: string, ms: number): Promise<string | undefined> {
    try {
      // The key as BullMQ names it (prefix:queue:events), built without making a Queue: a walk
      // of a host nobody enqueues to must not cost one (BullMQ checks the server's version once per Queue).
      const key = `${QUEUE_PREFIX}:${queueName(host)}:events`;
      return (await withDeadline((this.redis as EventRedis).lastEntryId(key), 'Redis', ms)) ?? undefined;
    } catch (err) {
      throw queueError(err, 'reading the event stream position');
    }
  }

  /** One PING on the shared connection (readiness); rejects when it fails or takes longer than `ms`. */
  async ping(ms: number): Promise<void> {
    await withDeadline(this.redis.ping(), 'Redis', ms);
  }

  /** Jobs of a host's queue by state (one round trip), for the metrics scrape. */
  async jobCounts(host: string, ms: number): Promise<Record<string, number>> {
    try {
      return await withDeadline(this.queue(host).getJobCounts(...QUEUE_STATES), 'Redis', ms);
    } catch (err) {
      throw queueError(err, 'counting jobs');
    }
  }

  /**
   * The host's event reader when it is already delivering events, else undefined. A job
   * added after this call has all its events after the reader's position: if the same reader
   * is still there once the job is added, it will report the job's end.
   */
  deliveringReader(host: string): EventReader | undefined {
    const h = this.hostEvents.get(host);
    return h?.delivering === true ? h : undefined;
  }

  /**
   * Calls `wake` when the host's event stream reports that the job finished or went away.
   * Only a wake-up: events can be missed (a reconnect, a job that ended before the stream
   * was read), so callers re-read the job after each call and also poll. Returns the
   * unsubscribe function.
   */
  onJobSettled(host: string, jobId: string, wake: (event: SettleEvent) => void): () => void {
    if (this.closed) return () => undefined;
    const h = this.events(host);
    clearTimeout(h.idleTimer);
    h.idleTimer = undefined;
    let set = h.waiters.get(jobId);
    if (!set) h.waiters.set(jobId, (set = new Set()));
    set.add(wake);
    return () => {
      set.delete(wake);
      if (set.size === 0) h.waiters.delete(jobId);
      if (h.waiters.size === 0 && !this.closed) {
        h.idleTimer = setTimeout(() => this.closeEvents(host), EVENTS_IDLE_MS);
        h.idleTimer.unref();
      }
    };
  }

  /** Closes event readers, queues and the shared connection. */
  async close(): Promise<void> {
    this.closed = true;
    const events = [...this.hostEvents.keys()].map((host) => this.closeEvents(host));
    const queues = [...this.queues.values()].map((q) => q.close().catch(() => undefined));
    this.queues.clear();
    await Promise.all([...events, ...queues]);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** After the HTTP server closed: no request waits on a job any more. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private queue(host: string): Queue {
    let q = this.queues.get(host);
    if (q) {
      // Most recently used last, so the first entry is the one to evict.
      this.queues.delete(host);
      this.queues.set(host, q);
      return q;
    }
    q = new Queue(queueName(host), { connection: this.redis, prefix: QUEUE_PREFIX });
    // Connection errors are reported once by the shared client's own listener.
    q.on('error', () => undefined);
    this.queues.set(host, q);
    if (this.queues.size > MAX_QUEUES) {
      const [oldest, evicted] = this.queues.entries().next().value as [string, Queue];
      this.queues.delete(oldest);
      void evicted.close().catch(() => undefined);
    }
    return q;
  }

  private events(host: string): HostEvents {
    const existing = this.hostEvents.get(host);
    if (existing) return existing;
    const waiters = new Map<string, Set<(event: SettleEvent) => void>>();
    const sink: JobEventSink = {
      wants: (jobId) => waiters.has(jobId),
      ending: (jobId, event) => {
        for (const fn of waiters.get(jobId) ?? []) fn(event);
      },
      reached: () => {
        entry.delivering = true;
      },
      error: (message) => this.log.debug({ host, err: message }, 'queue events error'),
    };
    // The reader starts a little in the past rather than at "now" (stream ids are
    // millisecond times): the job that made us start a reader may finish before its first
    // XREAD, and would then be answered only by the first poll. A clock ahead of Redis's by
    // more than the margin brings that back, no worse.
    const from = `${Date.now() - READER_REWIND_MS}-0`;
    const entry: HostEvents = {
      waiters,
      delivering: false,
      stream: new JobEventStream(this.redisUrl, this.queue(host).toKey('events'), from, sink, `snapfleet-api-events:${host}`),
    };
    this.hostEvents.set(host, entry);
    return entry;
  }

  private async closeEvents(host: string): Promise<void> {
    const h = this.hostEvents.get(host);
    if (!h) return;
    this.hostEvents.delete(host);
    clearTimeout(h.idleTimer);
    await h.stream.close().catch(() => undefined);
  }
}
