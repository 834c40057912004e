// Snapshot operations as the API runs them: reads straight from MySQL, mutations (and the
// usage of an active snapshot, which needs the disk) as jobs on the host's queue.
import { Inject, Injectable } from '@nestjs/common';
import {
  btrfsMounts,
  subvolumePath,
  unavailable,
  type CommitPayload,
  type CreatePayload,
  type Kind,
  type Mount,
  type MountsResult,
  type UpdatePayload,
  type Usage,
  type BatchBodySchema,
  type CommitBodySchema,
  type CreateBodySchema,
  type UpdateBodySchema,
  type WalkQuerySchema,
} from '@snapfleet/contracts';
import type { z } from 'zod';
import { ApiConfig } from '../config/api-config';
import { ApiMetrics } from '../metrics/api-metrics';
import { MetadataRepository } from '../repositories/metadata.repository';
import { JobQueueRepository } from '../repositories/job-queue.repository';
import { JobService, type JobOutcome, type JobRequestOptions } from './job.service';
import { ReadCache, statKey, walkPageKey, type ReadCacheResult } from './read-cache';

/** The (host, namespace) a snapshot route addresses. */
export interface SnapshotScope {
  host: string;
  namespace: string;
}

/** Usage is either known at once (committed, view) or measured by a job (active). */
export type UsageAnswer = { usage: Usage } | { job: JobOutcome };

/** A walk waits this long for the host's event stream position, then reads MySQL uncached. */
const EVENT_POSITION_TIMEOUT_MS = 250;

const NO_USAGE: Usage = Object.freeze({ size: 0, inodes: 0 });

@Injectable()
export class SnapshotService {
  /** Walk pages and stats apart, each with the configured bounds: many stats cannot push the pages out. */
  private readonly walkCache: ReadCache;
  private readonly statCache: ReadCache;

  constructor(
    @Inject(MetadataRepository) private readonly metadata: MetadataRepository,
    @Inject(JobService) private readonly jobs: JobService,
    @Inject(JobQueueRepository) private readonly queues: JobQueueRepository,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
    @Inject(ApiConfig) config: ApiConfig,
  ) {
    this.walkCache = new ReadCache(config.walkCache);
    this.statCache = new ReadCache(config.walkCache);
  }

  /**
   * A snapshot's info as JSON text (what Fastify would send for the object), with its entity
   * tag when the stat cache has it. Kept like a walk page, under the host's event stream position.
   */
  async statJson(s: SnapshotScope, key: string): Promise<{ json: string; etag?: string }> {
    const read = async () => JSON.stringify((await this.metadata.getSnapshot(s.host, s.namespace, key)).info);
    return this.cached(this.statCache, s.host, statKey(s.host, s.namespace, key), read, (result) => this.metrics.statCache.inc({ result }));
  }

  async mounts(s: SnapshotScope, key: string): Promise<MountsResult> {
    const snap = await this.metadata.getMountable(s.host, s.namespace, key);
    if (snap.subvolumeId === null) throw unavailable(`snapshot ${JSON.stringify(key)} has no subvolume id yet`);
    const host = await this.metadata.getHost(s.host);
    if (!host) throw unavailable(`host ${s.host} is not registered`, { host: s.host });
    const kind: Kind = snap.info.kind;
    const mounts: Mount[] = btrfsMounts(host.device, kind, snap.subvolumeId);
    return { mounts, path: subvolumePath(host.root, kind, snap.id) };
  }

  /**
   * One page, as the JSON text of a WalkResponse (built from the rows, not stringified), with
   * its entity tag when the page cache has it (otherwise the HTTP layer hashes the text).
   */
  async walkJson(s: SnapshotScope, q: z.infer<typeof WalkQuerySchema>): Promise<{ json: string; etag?: string }> {
    const read = () => this.metadata.walkJson(s.host, s.namespace, q.filter, q.after === undefined ? { limit: q.limit } : { limit: q.limit, after: q.after });
    return this.cached(this.walkCache, s.host, walkPageKey(s.host, s.namespace, q.filter, q.limit, q.after), read, (result) => this.metrics.walkCache.inc({ result }));
  }

  private async cached(cache: ReadCache, host: string, key: string, read: () => Promise<string>, count: (result: ReadCacheResult | 'bypass') => void): Promise<{ json: string; etag?: string }> {
    if (!cache.enabled) return { json: await read() };
    // The host's event stream position is read before the answer: an answer kept under it
    // holds every op acknowledged before it was read (see eventPosition). No position (no job
    // ever ran there, or Redis lost it) or no answer: read uncached, as reads must not need Redis.
    const tag = await this.queues.eventPosition(host, EVENT_POSITION_TIMEOUT_MS).catch(() => undefined);
    if (tag === undefined) {
      count('bypass');
      return { json: await read() };
    }
    const { json, etag, result } = await cache.answer(key, tag, read);
    count(result);
    return { json, etag };
  }

  /** Committed: recorded at commit. View: zero, as containerd. Active: measured on the host. */
  async usage(s: SnapshotScope, key: string, opts: JobRequestOptions): Promise<UsageAnswer> {
    const snap = await this.metadata.getSnapshot(s.host, s.namespace, key);
    if (snap.info.kind === 'committed') return { usage: snap.usage ?? NO_USAGE };
    if (snap.info.kind === 'view') return { usage: NO_USAGE };
    return { job: await this.jobs.run(s.host, 'usage', { namespace: s.namespace, key }, opts) };
  }

  create(s: SnapshotScope, body: z.infer<typeof CreateBodySchema>, opts: JobRequestOptions): Promise<JobOutcome> {
    const payload: CreatePayload = { namespace: s.namespace, key: body.key };
    if (body.parent !== undefined) payload.parent = body.parent;
    if (body.labels !== undefined) payload.labels = body.labels;
    return this.jobs.run(s.host, body.kind === 'view' ? 'view' : 'prepare', payload, opts);
  }

  commit(s: SnapshotScope, key: string, body: z.infer<typeof CommitBodySchema>, opts: JobRequestOptions): Promise<JobOutcome> {
    const payload: CommitPayload = { namespace: s.namespace, name: body.name, key };
    if (body.labels !== undefined) payload.labels = body.labels;
    return this.jobs.run(s.host, 'commit', payload, opts);
  }

  update(s: SnapshotScope, key: string, body: z.infer<typeof UpdateBodySchema>, opts: JobRequestOptions): Promise<JobOutcome> {
    const payload: UpdatePayload = { namespace: s.namespace, key, labels: body.labels };
    if (body.fieldpaths !== undefined) payload.fieldpaths = body.fieldpaths;
    return this.jobs.run(s.host, 'update', payload, opts);
  }

  remove(s: SnapshotScope, key: string, opts: JobRequestOptions): Promise<JobOutcome> {
    return this.jobs.run(s.host, 'remove', { namespace: s.namespace, key }, opts);
  }

  /** The steps run in order as one job (one lease, one queue hop); see the worker's batch. */
  batch(s: SnapshotScope, body: z.infer<typeof BatchBodySchema>, opts: JobRequestOptions): Promise<JobOutcome> {
    return this.jobs.run(s.host, 'batch', { namespace: s.namespace, steps: body.steps }, opts);
  }

  cleanup(host: string, opts: JobRequestOptions): Promise<JobOutcome> {
    return this.jobs.run(host, 'cleanup', {}, opts);
  }

  fsck(host: string, opts: JobRequestOptions): Promise<JobOutcome> {
    return this.jobs.run(host, 'fsck', {}, opts);
  }
}
